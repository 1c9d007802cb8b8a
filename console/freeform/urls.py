from django.urls import path

from console.freeform import views

app_name = "freeform"

urlpatterns = [
    path("", views.free_list, name="list"),
    path("new/", views.free_new, name="new"),
    path("send/", views.free_send_view, name="send"),
    path("save/", views.free_save, name="save"),
    path("<int:free_id>/", views.free_open, name="open"),
    path("<int:free_id>/update/", views.free_update, name="update"),
    path("<int:free_id>/delete/", views.free_delete, name="delete"),
]
