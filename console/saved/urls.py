from django.urls import path

from console.saved import views

app_name = "saved"

urlpatterns = [
    path("", views.saved_list, name="list"),
    path("new/<int:operation_id>/", views.saved_new, name="new"),
    path("<int:saved_id>/", views.saved_open, name="open"),
    path("<int:saved_id>/update/", views.saved_update, name="update"),
    path("<int:saved_id>/rename/", views.saved_rename, name="rename"),
    path("<int:saved_id>/delete/", views.saved_delete, name="delete"),
]
