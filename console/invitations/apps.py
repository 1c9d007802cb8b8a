from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    """Invitations: one-time links that bring a person into a team with a role."""

    name = "console.invitations"
    label = "invitations"
