# The two commands a newcomer needs: `make run` and `make test`.
# Each sets up everything it needs first (virtualenv in .venv/, dependencies, migrations).

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The OpenID Provider the single sign-on tests run (panva's oidc-provider, tests/oidc/).
OIDC_STAMP := tests/oidc/node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8900

.PHONY: run test lint format bench clean help editor

help:
	@echo "make run    start the console with the built-in sandbox and a demo team (http://$(HOST):$(PORT))"
	@echo "make test   run the test suite"
	@echo "make lint   ruff check and format check"
	@echo "make editor rebuild the body editor bundle (static/vendor/codemirror/) from frontend/ (needs npm)"

# Find a Python $(PYTHON_VERSION): pyenv's, then python$(PYTHON_VERSION) on PATH.
PYTHON_BIN := $(shell \
	(command -v pyenv >/dev/null 2>&1 && pyenv root >/dev/null 2>&1 && \
	  ls -d $$(pyenv root)/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | sort -V | tail -1) || true)
ifeq ($(PYTHON_BIN),)
PYTHON_BIN := $(shell command -v python$(PYTHON_VERSION) 2>/dev/null)
endif

$(STAMP): pyproject.toml
	@test -n "$(PYTHON_BIN)" || (echo "Python $(PYTHON_VERSION) is needed (pyenv install $(PYTHON_VERSION), or install python$(PYTHON_VERSION))." && exit 1)
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	CONSOLE_DEMO=1 $(PY) manage.py migrate --noinput
	CONSOLE_DEMO=1 $(PY) manage.py rundemo --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT)

$(OIDC_STAMP): tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error && touch $(OIDC_STAMP); \
	else \
		echo "npm is not installed: the single sign-on tests will be skipped (Node.js 20+ runs them)."; \
	fi

test: $(STAMP) $(OIDC_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The operation page's body editor: CodeMirror 6 bundled by esbuild from frontend/'s lock file.
# The result is committed (make run needs no npm); tests/explorer/test_body_editor_bundle.py
# rebuilds it and fails when the committed files differ.
editor:
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	npm run build --prefix frontend

bench: $(STAMP)
	$(PY) bench/tokens.py
	$(PY) bench/specs.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles tests/oidc/node_modules frontend/node_modules
