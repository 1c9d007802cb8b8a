"""Helpers of the invitation tests: send one through the settings page, read its link."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse


def send(client: Client, team_slug: str, email: str, role: str = "member"):
    """Press Invite on the team's settings page; returns the response."""
    return client.post(
        reverse("invitations:send", args=[team_slug]), {"email": email, "role": role}
    )


def link_of(response) -> str:
    """The invitation link the page shows once."""
    page = response.content.decode()
    match = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', page)
    assert match, page[:3000]
    return match[1]


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")
