"""`python manage.py call --team T --access A OPERATION_ID key=value ...`: call an operation
from the server's shell, through the same path as Send and the API, into the same history
("via command line")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.api.calls import CallRefused, api_call, find_access, find_operation, outcome_json
from console.specs.engine.jsontext import InvalidJson, parse_json
from console.teams.commands import command_scope
from console.teams.models import Role


def _value(text: str) -> Any:
    """`10`, `true`, `[1,2]` and `{"a":1}` as JSON; anything else as the text typed."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _params(pairs: list[str]) -> dict[str, Any]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"{pair!r} is not name=value.")
        params[name] = _value(value)
    return params


class Command(BaseCommand):
    help = "Call an operation of the team's specs with an Application Access (recorded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation_id", help="the operationId, e.g. listMeterTypes")
        parser.add_argument("params", nargs="*", help="parameters as name=value (JSON or text)")
        parser.add_argument("--team", required=True, help="the team's slug")
        parser.add_argument("--access", required=True, help="the Application Access's name")
        parser.add_argument("--user", help="act as this member (default: the first owner)")
        parser.add_argument("--spec", default="", help="the spec, when several have the id")
        parser.add_argument("--body", help="the request body: JSON, or @file, or - (stdin)")
        parser.add_argument(
            "--confirm-production", default="", metavar="ENVIRONMENT",
            help="name the production environment to confirm a call that changes things",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        scope = command_scope(
            options["team"], options.get("user"), role=Role.MEMBER, doing="calling",
            via="command line",
        )  # fmt: skip
        try:
            call = api_call(
                scope=scope,
                operation=find_operation(scope, options["operation_id"], options["spec"]),
                access=find_access(scope, options["access"]),
                params=_params(options["params"]),
                body=self._body(options.get("body")),
                confirm_production=options["confirm_production"],
            )
        except CallRefused as exc:
            raise CommandError(self._refusal(exc.message, exc.fields)) from exc
        status, answer = outcome_json(call)
        if status != 200:
            raise CommandError(self._refusal(answer["message"], answer.get("fields") or {}))
        self.stdout.write(
            f"{answer['status']} {answer['method']} {answer['url']} "
            f"({answer['duration_ms']} ms, history record {answer['record_id']})"
        )
        body = answer.get("body", answer.get("body_base64", ""))
        text = body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)
        if text:
            self.stdout.write(text)
        if answer["status"] >= 400:
            raise CommandError(f"Usage Engine answered {answer['status']}.")

    @staticmethod
    def _body(value: str | None) -> Any:
        if value is None:
            return None
        if value == "-":
            value = sys.stdin.read()
        elif value.startswith("@"):
            value = Path(value[1:]).read_text()
        try:
            return parse_json(value, "--body")
        except InvalidJson as exc:
            raise CommandError(exc.message) from exc

    @staticmethod
    def _refusal(message: str, fields: dict[str, str]) -> str:
        lines = [message, *(f"  {name}: {text}" for name, text in fields.items())]
        return "\n".join(lines)
