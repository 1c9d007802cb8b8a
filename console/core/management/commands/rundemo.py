"""`python manage.py rundemo`: the embedded default that `make run` starts.

Starts the built-in sandbox in its own process, seeds the demo team (idempotent),
prints how to sign in, then serves the console until Ctrl-C stops both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.core.demo import demo_import_spec, demo_invitation, demo_seed, sandbox_clients_file


def _sandbox_answers(url: str) -> bool | None:
    """True if a sandbox answers at `url`, False if something else does, None if nothing."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310 - loopback
            return "sandbox" in json.loads(response.read() or b"{}").get("service", "sandbox")
    except (OSError, ValueError):
        return None


class Command(BaseCommand):
    help = "Start the sandbox and the console with a demo team (what `make run` does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8900)
        parser.add_argument(
            "--workers", type=int, default=2, help="task-queue workers for bulk runs"
        )

    def handle(
        self, *args: Any, host: str, port: int, sandbox_port: int, workers: int, **opts: Any
    ) -> None:
        if not settings.CONSOLE_DEMO:
            raise CommandError("rundemo is for demo mode: run it with CONSOLE_DEMO=1 (make run).")
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox = self._start_sandbox(sandbox_url, sandbox_port)
        queue: list[subprocess.Popen[bytes]] = []
        try:
            login = demo_seed(sandbox_url=sandbox_url)
            self.stdout.write(demo_import_spec(sandbox_url=sandbox_url))
            console_url = f"http://{host}:{port}"
            invite = demo_invitation(console_url=console_url)
            self.stdout.write(
                self.style.SUCCESS(
                    "\n  Usage Engine Console (demo)\n"
                    f"  Sign in at  {console_url}/login/\n"
                    f"  User name   {login.username}\n"
                    f"  Password    {login.password}\n"
                    f"  Sandbox     {sandbox_url} (its spec: {sandbox_url}/openapi.json)\n"
                    + (
                        "\n  A second demo person is invited (colleague@example.com, as member).\n"
                        "  Open this link in another browser, or a private window, to join:\n"
                        f"  {invite}\n"
                        if invite
                        else "\n  The invited colleague (colleague@example.com) has joined.\n"
                    )
                )
            )
            queue = [self._start_worker(n) for n in range(workers)]
            self.stdout.write(f"  {len(queue)} task-queue worker(s) run bulk runs.\n")
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            for worker in queue:
                worker.terminate()
            for worker in queue:
                worker.wait(timeout=10)
            if sandbox is not None:
                sandbox.terminate()
                sandbox.wait(timeout=10)

    def _start_worker(self, number: int) -> subprocess.Popen[bytes]:
        """A `bulk_worker` process (django-tasks-db's worker) beside the console."""
        command = [sys.executable, "manage.py", "bulk_worker", "--worker-id", f"demo-{number}"]
        return subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 - our own command

    def _start_sandbox(self, url: str, port: int) -> subprocess.Popen[bytes] | None:
        state = _sandbox_answers(url)
        if state:
            self.stdout.write(f"A sandbox already answers at {url}; using it.")
            return None
        if state is False:
            raise CommandError(f"Port {port} is taken by something that is not the sandbox.")
        command = [
            sys.executable, "manage.py", "sandbox", "--port", str(port),
            "--clients-file", str(sandbox_clients_file()),
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 - our own command
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError(f"The sandbox stopped at start (exit {process.returncode}).")
            if _sandbox_answers(url):
                return process
            time.sleep(0.2)
        process.terminate()
        raise CommandError(f"The sandbox did not answer at {url} within 20 s.")
