"""Django app entry for the sandbox: it only contributes the `sandbox` management command."""

from django.apps import AppConfig


class SandboxAppConfig(AppConfig):
    """The sandbox has no models; it is an app so `manage.py sandbox` is found."""

    name = "console.sandbox"
    label = "sandbox"
    verbose_name = "Usage Engine sandbox"
