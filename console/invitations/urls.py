"""Sending and revoking invitations (/t/<team>/settings/invitations/)."""

from django.urls import path

from console.invitations import views

app_name = "invitations"

urlpatterns = [
    path("", views.invitation_send, name="send"),
    path("<int:invitation_id>/revoke/", views.invitation_revoke, name="revoke"),
]
