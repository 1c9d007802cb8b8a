from django.urls import path

from console.variables import views

app_name = "variables"

urlpatterns = [
    path("", views.variable_list, name="list"),
    path("<int:variable_id>/edit/", views.variable_edit, name="edit"),
    path("<int:variable_id>/delete/", views.variable_delete, name="delete"),
    path("from-response/", views.from_response, name="from_response"),
    path("preview/<int:operation_id>/", views.preview, name="preview"),
]
