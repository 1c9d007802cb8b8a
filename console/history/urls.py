from django.urls import path, re_path

from console.history import views

app_name = "history"

urlpatterns = [
    path("", views.history_list, name="list"),
    path("events/", views.event_list, name="events"),
    re_path(r"^events/export\.(?P<fmt>csv|jsonl)$", views.event_export, name="events_export"),
    path("team-events/", views.team_event_list, name="team_events"),
    re_path(
        r"^team-events/export\.(?P<fmt>csv|jsonl)$",
        views.team_event_export,
        name="team_events_export",
    ),
    re_path(r"^export\.(?P<fmt>csv|jsonl)$", views.history_export, name="export"),
    path("compare/", views.history_compare, name="compare"),
    path("<int:record_id>/", views.history_detail, name="detail"),
    path("<int:record_id>/replay/", views.history_replay, name="replay"),
    path("<int:record_id>/response-body/", views.history_response_body, name="response_body"),
]
