"""The committed body editor bundle is what frontend/ builds from its lock file, and the
editor's text scanning passes its Node tests.

static/vendor/codemirror/ is committed so `make run` needs no npm; this test rebuilds it
from a copy of frontend/ (`npm ci` from package-lock.json, then `npm run build`) and
compares the files byte for byte. It fails when someone changed frontend/src/editor.js
or the lock without running `make editor`, or when the build stops being reproducible.
Skipped without npm, unless CONSOLE_REQUIRE_BROWSER=1 or CONSOLE_REQUIRE_OIDC=1 (CI)
says Node.js is there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND = REPO_ROOT / "frontend"
BUNDLE = REPO_ROOT / "static" / "vendor" / "codemirror"
BUILT_FILES = ("editor.js", "LICENSES.txt")
SOURCES = ("package.json", "package-lock.json", "build.mjs", "src")
SCAN_TESTS = FRONTEND / "test"
REQUIRE_ENV = ("CONSOLE_REQUIRE_BROWSER", "CONSOLE_REQUIRE_OIDC")

pytestmark = pytest.mark.slow


def _tool(name: str) -> str:
    """The path of `name` (npm, node); a skip without it, a failure when CI requires it."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed: the editor cannot be built or tested (Node.js 20+)"
        if any(
            os.environ.get(env, "").strip().lower() in {"1", "true", "yes"} for env in REQUIRE_ENV
        ):
            pytest.fail(f"{reason}; CI requires it", pytrace=False)
        pytest.skip(reason)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_committed_bundle_matches_a_fresh_build(tmp_path: Path) -> None:
    npm = _tool("npm")
    work = tmp_path / "frontend"
    work.mkdir()
    for name in SOURCES:
        source = FRONTEND / name
        if source.is_dir():
            shutil.copytree(source, work / name)
        else:
            shutil.copy2(source, work / name)
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run([npm, "ci", *quiet], cwd=work, check=True, timeout=300)
    subprocess.run([npm, "run", "build", "--silent"], cwd=work, check=True, timeout=120)

    built = tmp_path / "static" / "vendor" / "codemirror"  # build.mjs writes ../static/...
    for name in BUILT_FILES:
        assert _sha256(built / name) == _sha256(BUNDLE / name), (
            f"static/vendor/codemirror/{name} differs from a fresh build: run `make editor` "
            "and commit the result"
        )


def test_json_scan_under_node() -> None:
    """frontend/test/: the cursor's JSON path, the first error of strict JSON (checked
    against JSON.parse on random texts) and formatting, under Node's own test runner."""
    node = _tool("node")
    result = subprocess.run(
        [node, "--test", str(SCAN_TESTS)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
