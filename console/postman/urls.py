from django.urls import path

from console.postman import views

app_name = "postman"

urlpatterns = [
    path("import/", views.import_collection, name="import"),
    path("environment/", views.import_environment, name="environment"),
    path("environment/access/", views.access_offer, name="access_offer"),
    path("curl/", views.import_curl, name="curl"),
    path("export/<int:collection_id>/", views.export_collection, name="export"),
]
