"""Running the sandbox as its own process: `python -m console.sandbox` and `manage.py sandbox`.

Both run in a subprocess without DJANGO_SETTINGS_MODULE: the command must not need
settings or a database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 20


def start(code_or_module: list[str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [sys.executable, *code_or_module],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """Read start-up lines until the listening line; kill the process if it never comes."""
    timer = threading.Timer(STARTUP_TIMEOUT, process.kill)
    timer.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "listening on " in line:
                return line.split("listening on ", 1)[1].strip(), lines
    finally:
        timer.cancel()
    raise AssertionError(f"no listening line; output: {lines}, stderr: {process.stderr.read()}")


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C the process; return the rest of its stdout and all of its stderr."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # Read through the same buffered files as wait_for_url (communicate() would skip
    # lines already buffered there).
    return process.stdout.read(), process.stderr.read()


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "console.sandbox"],
        [
            "-c",
            "import sys; from console.sandbox.management.commands.sandbox import Command; "
            "Command().run_from_argv(['manage.py', 'sandbox', *sys.argv[1:]])",
        ],
    ],
    ids=["python-m", "management-command"],
)
def test_the_process_prints_its_url_serves_and_stops_on_ctrl_c(argv):
    process = start([*argv, "--port", "0", "--client", "cli-app:cli-secret-value:read:streams"])
    try:
        url, lines = wait_for_url(process)
        assert url.startswith("http://127.0.0.1:")
        health = requests.get(f"{url}/healthz", timeout=5).json()
        assert health["audience"] == f"{url}/"
        token = requests.post(
            f"{url}/authentication/v1/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "cli-app",
                "client_secret": "cli-secret-value",
                "audience": f"{url}/",
            },
            timeout=5,
        ).json()
        assert token["scope"] == "read:streams"
    finally:
        rest, err = stop(process)

    output = "\n".join(lines) + "\n" + rest
    assert process.returncode == 0, err
    assert "Sandbox stopped." in output
    assert "client cli-app: read:streams" in output
    assert "cli-secret-value" not in output + err
    assert token["access_token"] not in output + err


def test_a_bad_client_flag_is_reported_and_exits():
    process = start(["-m", "console.sandbox", "--port", "0", "--client", "nosecret"])
    _, err = process.communicate(timeout=20)

    assert process.returncode == 2
    assert "--client must look like" in err
