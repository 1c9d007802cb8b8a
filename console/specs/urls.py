from django.urls import path

from console.specs import views

app_name = "specs"

urlpatterns = [
    path("import/", views.spec_import, name="import"),
    path("<int:spec_id>/", views.spec_detail, name="detail"),
    path("<int:spec_id>/delete/", views.spec_delete, name="delete"),
    path("<int:spec_id>/diff/", views.spec_diff, name="diff"),
]
