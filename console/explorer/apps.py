from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    name = "console.explorer"
    label = "explorer"
