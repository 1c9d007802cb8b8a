from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The console's own API for scripts and CI: personal API tokens, JSON endpoints and
    a pass-through to Usage Engine with the team's managed token."""

    name = "console.api"
    label = "api"
