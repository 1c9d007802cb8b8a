from django.apps import AppConfig


class VariablesConfig(AppConfig):
    name = "console.variables"
    label = "variables"
    verbose_name = "Variables"
