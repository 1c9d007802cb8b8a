from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """A person's own sign-in: password, two-factor, sessions, throttling, sign-in events."""

    name = "console.accounts"
    label = "accounts"

    def ready(self) -> None:
        """Connect the sign-in signals to the team events."""
        from console.accounts import signals  # noqa: F401
