"""Bulk runs (/t/<team>/bulk/)."""

from django.urls import path

from console.bulk import views

app_name = "bulk"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/<int:operation_id>/", views.run_new, name="new"),
    path("<int:run_id>/", views.run_page, name="run"),
    path("<int:run_id>/mapping/", views.run_mapping, name="mapping"),
    path("<int:run_id>/start/", views.run_start, name="start"),
    path("<int:run_id>/pause/", views.run_pause, name="pause"),
    path("<int:run_id>/resume/", views.run_resume, name="resume"),
    path("<int:run_id>/cancel/", views.run_cancel, name="cancel"),
    path("<int:run_id>/progress/", views.run_progress, name="progress"),
    path("<int:run_id>/results.csv", views.run_results, name="results"),
]
