from django.urls import path

from console.history import views

app_name = "history"

urlpatterns = [
    path("", views.history_list, name="list"),
    path("events/", views.event_list, name="events"),
    path("<int:record_id>/", views.history_detail, name="detail"),
]
