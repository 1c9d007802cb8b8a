"""The demo set-up that `make run` performs: idempotent, so running it again adds nothing."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from console.invitations.models import Invitation
from console.invitations.services import InvitationError, invitation_send
from console.specs.models import Spec
from console.specs.services import SpecImportError, spec_import
from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope
from console.vault import crypto
from console.vault.models import ApplicationAccess, Environment
from console.vault.services import forget_tokens

DEMO_USERNAME = "demo"
DEMO_TEAM_SLUG = "demo"
DEMO_CLIENT_ID = "demo-console-client"
DEMO_SPEC_NAME = "Usage Engine (sandbox)"
DEMO_INVITEE = "colleague@example.com"


@dataclass(frozen=True)
class DemoLogin:
    """What the person starting the demo needs to sign in."""

    username: str
    password: str
    team_slug: str


def _local_file(name: str) -> Path:
    settings.LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    return settings.LOCAL_DIR / name


def sandbox_clients_file() -> Path:
    """The sandbox's clients file, with the demo client and a secret generated once."""
    path = _local_file("sandbox-clients.json")
    if not path.exists():
        payload = {
            "clients": [
                {
                    "client_id": DEMO_CLIENT_ID,
                    "client_secret": secrets.token_urlsafe(32),
                    # no "scopes": the demo client gets every scope the sandbox knows
                }
            ]
        }
        path.write_text(json.dumps(payload, indent=2))
        path.chmod(0o600)
    return path


def _demo_client() -> tuple[str, str]:
    client = json.loads(sandbox_clients_file().read_text())["clients"][0]
    return client["client_id"], client["client_secret"]


def _demo_password() -> str:
    path = _local_file("demo_password")
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


@transaction.atomic
def demo_seed(*, sandbox_url: str) -> DemoLogin:
    """Create (or bring up to date) the demo user, team, environment and credential."""
    password = _demo_password()
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"first_name": "Demo", "last_name": "User"}
    )
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    team, _ = Team.objects.get_or_create(slug=DEMO_TEAM_SLUG, defaults={"name": "Demo team"})
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})

    base_url = sandbox_url.rstrip("/") + "/"
    env, created = Environment.objects.get_or_create(
        team=team, name="Sandbox", defaults={"base_url": base_url}
    )
    if not created and env.base_url != base_url:
        env.base_url = base_url
        env.save(update_fields=["base_url"])

    client_id, client_secret = _demo_client()
    access = ApplicationAccess.objects.filter(team=team, name="Sandbox demo").first()
    if access is None:
        access = ApplicationAccess(team=team, name="Sandbox demo", environment=env, created_by=user)
    stale = access.pk is None or crypto.decrypt_or_none(access.client_secret_encrypted) != (
        client_secret
    )
    if stale:
        access.client_id_encrypted = crypto.encrypt(client_id)
        access.client_id_hint = client_id[-4:]
        access.client_secret_encrypted = crypto.encrypt(client_secret)
        access.environment = env
        access.save()
        forget_tokens(access)
    return DemoLogin(username=DEMO_USERNAME, password=password, team_slug=team.slug)


def demo_import_spec(*, sandbox_url: str) -> str:
    """Import the sandbox's spec once; later runs leave the existing versions alone."""
    team = Team.objects.get(slug=DEMO_TEAM_SLUG)
    if Spec.objects.filter(team=team, name=DEMO_SPEC_NAME, versions__isnull=False).exists():
        return "The sandbox spec is already imported."
    owner = Membership.objects.select_related("team", "user").get(
        team=team, user__username=DEMO_USERNAME
    )
    try:
        result = spec_import(
            scope=TeamScope(owner),
            name=DEMO_SPEC_NAME,
            url=sandbox_url.rstrip("/") + "/openapi.json",
        )
    except SpecImportError as exc:
        return f"Could not import the sandbox spec: {exc}"
    return f"Imported the sandbox spec: {result.version.operation_count} operations."


def demo_invitation(*, console_url: str) -> str | None:
    """A link inviting a second demo person (colleague@example.com, as member), so a
    newcomer can try joining from a browser. The same link while it is unused; a new one
    once it was revoked or expired; None once the colleague has joined. Only demo mode
    keeps the link on disk (the console stores invitations as a hash), in `.local/`,
    like the demo password."""
    path = _local_file("demo_invitation.json")
    if path.exists():
        saved = json.loads(path.read_text())
        invitation = Invitation.objects.filter(pk=saved.get("id"), email=DEMO_INVITEE).first()
        if invitation is not None and invitation.is_pending:
            return console_url.rstrip("/") + saved["path"]
    owner = Membership.objects.select_related("team", "user").get(
        team__slug=DEMO_TEAM_SLUG, user__username=DEMO_USERNAME
    )
    try:
        sent = invitation_send(
            scope=TeamScope(owner), email=DEMO_INVITEE, role=Role.MEMBER, base="", mail=False
        )
    except InvitationError:  # the colleague is in the team already
        return None
    path.write_text(json.dumps({"id": sent.invitation.pk, "path": sent.url}))
    path.chmod(0o600)
    return console_url.rstrip("/") + sent.url
