from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Bulk runs: one operation called once per CSV row, on the task queue."""

    name = "console.bulk"
    label = "bulk"
