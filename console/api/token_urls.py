"""Settings → API tokens (/t/<team>/settings/api-tokens/)."""

from django.urls import path

from console.api import token_views

app_name = "apitokens"

urlpatterns = [
    path("", token_views.token_list, name="list"),
    path("new/", token_views.token_create, name="create"),
    path("<int:token_id>/revoke/", token_views.token_revoke, name="revoke"),
]
