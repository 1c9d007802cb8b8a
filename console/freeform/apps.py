from django.apps import AppConfig


class FreeformConfig(AppConfig):
    name = "console.freeform"
    label = "freeform"
    verbose_name = "Free requests"
