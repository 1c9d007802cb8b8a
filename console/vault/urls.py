from django.urls import path

from console.vault import views

app_name = "vault"

urlpatterns = [
    path("environments/new/", views.environment_edit, name="environment_new"),
    path("environments/<int:environment_id>/", views.environment_edit, name="environment"),
    path(
        "environments/<int:environment_id>/delete/",
        views.environment_delete,
        name="environment_delete",
    ),
    path("accesses/new/", views.access_edit, name="access_new"),
    path("accesses/<int:access_id>/", views.access_detail, name="access"),
    path("accesses/<int:access_id>/edit/", views.access_edit, name="access_edit"),
    path("accesses/<int:access_id>/delete/", views.access_delete, name="access_delete"),
    path("accesses/<int:access_id>/enabled/", views.access_enable, name="access_enable"),
    path("accesses/<int:access_id>/test/", views.access_test, name="access_test"),
]
