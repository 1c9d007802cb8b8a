"""The console's API (/api/v1/)."""

from django.urls import path

from console.api import views

app_name = "api"

urlpatterns = [
    path("openapi.json", views.openapi_document, name="openapi"),
    path("t/<slug:team_slug>/operations", views.operations, name="operations"),
    path(
        "t/<slug:team_slug>/operations/<str:operation_id>/call",
        views.operation_call,
        name="call",
    ),
    path(
        "t/<slug:team_slug>/operations/<str:operation_id>/bulk",
        views.bulk_start,
        name="bulk_start",
    ),
    path("t/<slug:team_slug>/bulk/<int:run_id>", views.bulk_run, name="bulk_run"),
    path("t/<slug:team_slug>/history", views.history, name="history"),
    path("t/<slug:team_slug>/history/<int:record_id>", views.history_record, name="record"),
]
