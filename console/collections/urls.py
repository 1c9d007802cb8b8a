from django.urls import path

from console.collections import views

app_name = "collections"

urlpatterns = [
    path("", views.collection_list, name="list"),
    path("new/", views.collection_new, name="new"),
    path("add/", views.collection_add, name="add"),
    path("<int:collection_id>/", views.collection_detail, name="detail"),
    path("<int:collection_id>/edit/", views.collection_edit, name="edit"),
    path("<int:collection_id>/delete/", views.collection_delete, name="delete"),
    path("<int:collection_id>/folders/", views.folder_new, name="folder_new"),
    path("<int:collection_id>/folders/<int:folder_id>/", views.folder_action, name="folder"),
    path("<int:collection_id>/steps/<int:item_id>/", views.item_action, name="item"),
    path("<int:collection_id>/run/", views.collection_run, name="run"),
]
