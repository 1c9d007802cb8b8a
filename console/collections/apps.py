from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "console.collections"
    label = "collections"
    verbose_name = "Collections"
