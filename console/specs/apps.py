from django.apps import AppConfig


class SpecsConfig(AppConfig):
    name = "console.specs"
    label = "specs"
