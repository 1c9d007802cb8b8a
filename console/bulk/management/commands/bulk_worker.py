"""`python manage.py bulk_worker`: a task-queue worker (django-tasks-db's `db_worker`) that
first gives runs whose workers went quiet new drivers, so a run survives a worker killed
mid-way (its rows are taken over once their lease has run out)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from console.bulk.services import bulk_recover


class Command(BaseCommand):
    help = "Run a worker for bulk runs and other background tasks (django-tasks-db)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")
        parser.add_argument("--interval", default="1", help="seconds between queue checks")
        parser.add_argument("--worker-id", default=None, help="a unique id for this worker")

    def handle(
        self, *args: Any, batch: bool, interval: str, worker_id: str | None, **o: Any
    ) -> None:
        recovered = bulk_recover()
        if recovered:
            self.stdout.write(f"Resumed {recovered} bulk run(s) whose workers had stopped.")
        argv = ["--queue-name", "*", "--interval", interval, "--no-startup-delay"]
        if batch:
            argv.append("--batch")
        if worker_id:
            argv += ["--worker-id", worker_id]
        call_command("db_worker", *argv, verbosity=o.get("verbosity", 1))
