"""The demo set-up behind `make run`: it works against a sandbox that knows the generated
client, running it again adds nothing, and `rundemo` refuses outside demo mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.core.demo import (
    DEMO_CLIENT_ID,
    DEMO_SPEC_NAME,
    DEMO_TEAM_SLUG,
    DEMO_USERNAME,
    demo_import_spec,
    demo_seed,
    sandbox_clients_file,
)
from console.history.models import CallRecord
from console.sandbox.config import SandboxConfig, load_clients_file
from console.sandbox.server import RunningSandbox, start_in_thread
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Membership, Role, Team
from console.vault.models import ApplicationAccess, CachedToken, Environment
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_dir(settings, tmp_path: Path) -> Path:
    """A LOCAL_DIR of this test's own, so generated secrets never leak between tests."""
    settings.LOCAL_DIR = tmp_path / "local"
    return settings.LOCAL_DIR


def _start(clients_file: Path) -> RunningSandbox:
    config = SandboxConfig(
        clients=load_clients_file(clients_file), rate_per_second=1000, burst=1000
    )
    return start_in_thread(config)


@pytest.fixture
def demo_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox that knows exactly the clients of the demo's generated clients file."""
    with _start(sandbox_clients_file()) as running:
        yield running


def counts() -> dict[str, int]:
    models = [
        get_user_model(),
        Team,
        Membership,
        Environment,
        ApplicationAccess,
        Spec,
        SpecVersion,
        Operation,
    ]
    return {model.__name__: model.objects.count() for model in models}


def send_as_demo(client: Client, sandbox: RunningSandbox) -> str:
    """Send List meter types with the seeded access, as the signed-in demo user."""
    op = Operation.objects.get(version__spec__name=DEMO_SPEC_NAME, operation_id="listMeterTypes")
    access = ApplicationAccess.objects.get(team__slug=DEMO_TEAM_SLUG)
    response = client.post(
        reverse("explorer:send", args=[DEMO_TEAM_SLUG, op.pk]),
        {"access": str(access.pk)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_clients_file_is_generated_once_with_a_private_secret(local_dir):
    path = sandbox_clients_file()
    first = json.loads(path.read_text())

    assert path.parent == local_dir
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    (client,) = first["clients"]
    assert client["client_id"] == DEMO_CLIENT_ID
    assert len(client["client_secret"]) >= 32
    assert "scopes" not in client  # every scope the sandbox knows
    assert json.loads(sandbox_clients_file().read_text()) == first


def test_seed_creates_a_working_demo(demo_sandbox):
    login = demo_seed(sandbox_url=demo_sandbox.url)
    message = demo_import_spec(sandbox_url=demo_sandbox.url)

    assert login.username == DEMO_USERNAME
    assert login.team_slug == DEMO_TEAM_SLUG
    assert message.startswith("Imported the sandbox spec:")
    membership = Membership.objects.get(team__slug=DEMO_TEAM_SLUG, user__username=DEMO_USERNAME)
    assert membership.role == Role.OWNER
    env = Environment.objects.get(team__slug=DEMO_TEAM_SLUG)
    assert env.base_url == demo_sandbox.url + "/"
    assert env.effective_audience == demo_sandbox.audience

    client = Client()
    assert sign_in(client, login.username, login.password)
    demo_sandbox.reset_counters()
    page = send_as_demo(client, demo_sandbox)

    assert 'title="HTTP 200">200<' in page
    assert "API calls" in page
    assert demo_sandbox.token_requests == 1
    assert demo_sandbox.api_requests == 1
    (record,) = CallRecord.objects.all()
    assert record.status == 200
    assert record.username == DEMO_USERNAME
    assert record.access_name == "Sandbox demo"


def test_seeding_twice_creates_nothing_new(demo_sandbox):
    first = demo_seed(sandbox_url=demo_sandbox.url)
    demo_import_spec(sandbox_url=demo_sandbox.url)
    client = Client()
    assert sign_in(client, first.username, first.password)
    send_as_demo(client, demo_sandbox)  # caches a token
    before = counts()

    second = demo_seed(sandbox_url=demo_sandbox.url)
    message = demo_import_spec(sandbox_url=demo_sandbox.url)

    assert counts() == before
    assert before["User"] == 1
    assert before["Team"] == 1
    assert before["ApplicationAccess"] == 1
    assert message == "The sandbox spec is already imported."
    assert second == first  # same user, same password, same team
    assert sign_in(Client(), second.username, second.password)
    assert CachedToken.objects.count() == 1  # unchanged credentials keep their token
    demo_sandbox.reset_counters()
    assert 'title="HTTP 200">200<' in send_as_demo(client, demo_sandbox)
    assert demo_sandbox.token_requests == 0


def test_seeding_again_follows_a_new_sandbox_url(demo_sandbox):
    demo_seed(sandbox_url="http://127.0.0.1:1")
    before = counts()

    demo_seed(sandbox_url=demo_sandbox.url + "/")

    assert counts() == before
    assert Environment.objects.get().base_url == demo_sandbox.url + "/"


def test_seeding_again_picks_up_a_new_client_secret(local_dir):
    path = sandbox_clients_file()
    login = demo_seed(sandbox_url="http://127.0.0.1:8900")
    access = ApplicationAccess.objects.get()
    data = json.loads(path.read_text())
    data["clients"][0]["client_secret"] = "a-rotated-demo-secret-0123456789"
    path.write_text(json.dumps(data))

    with _start(path) as rotated:
        demo_seed(sandbox_url=rotated.url)
        client = Client()
        assert sign_in(client, login.username, login.password)
        demo_import_spec(sandbox_url=rotated.url)
        page = send_as_demo(client, rotated)

    assert ApplicationAccess.objects.get().pk == access.pk
    assert 'title="HTTP 200">200<' in page


def test_seeding_again_resets_a_changed_password(demo_sandbox):
    login = demo_seed(sandbox_url=demo_sandbox.url)
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    user.set_password("someone-changed-it")
    user.save()

    demo_seed(sandbox_url=demo_sandbox.url)

    assert sign_in(Client(), DEMO_USERNAME, login.password)


def test_rundemo_refuses_outside_demo_mode(settings, local_dir):
    settings.CONSOLE_DEMO = False

    with pytest.raises(CommandError, match="CONSOLE_DEMO=1"):
        call_command("rundemo", "--sandbox-port", "1")

    assert not Team.objects.exists()  # nothing seeded
    assert not (local_dir / "sandbox-clients.json").exists()  # nothing started or written


def test_the_demo_invites_a_second_person_with_a_link_that_works(demo_sandbox):
    from console.core.demo import DEMO_INVITEE, demo_invitation
    from console.invitations.models import Invitation

    demo_seed(sandbox_url=demo_sandbox.url)
    link = demo_invitation(console_url="http://127.0.0.1:8000")
    assert link.startswith("http://127.0.0.1:8000/invite/demo/")
    assert demo_invitation(console_url="http://127.0.0.1:8000") == link  # same while unused
    assert Invitation.objects.count() == 1

    client = Client()
    assert client.get(link.removeprefix("http://127.0.0.1:8000"))["Location"] == "/invite/"
    page = client.get("/invite/").content.decode()
    assert f"demo invited {DEMO_INVITEE} as" in page
    client.post(
        "/invite/sign-up/",
        {
            "username": "colleague",
            "password1": "Demo-Colleague-42",
            "password2": "Demo-Colleague-42",
        },
    )
    assert Membership.objects.get(user__username="colleague").role == Role.MEMBER

    assert demo_invitation(console_url="http://127.0.0.1:8000") is None  # joined already
    Invitation.objects.update(revoked_at=timezone.now())
    Membership.objects.filter(user__username="colleague").delete()
    fresh = demo_invitation(console_url="http://127.0.0.1:8000")  # a new one once revoked
    assert fresh is not None
    assert fresh != link
