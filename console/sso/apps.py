from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on with OpenID Connect (authorization code flow, PKCE, nonce)."""

    name = "console.sso"
    label = "sso"

    def ready(self) -> None:
        """Register the configuration checks."""
        from console.sso import checks  # noqa: F401
