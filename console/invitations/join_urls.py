"""The invited person's pages (/invite/): the link, then the invitation without its token."""

from django.urls import path

from console.invitations import views

app_name = "join"

urlpatterns = [
    path("", views.invitation_page, name="invitation"),
    path("accept/", views.invitation_accept, name="accept"),
    path("sign-up/", views.invitation_sign_up, name="sign_up"),
    path("switch-account/", views.invitation_switch_account, name="switch_account"),
    path("<slug:team_slug>/<str:token>/", views.invitation_open, name="open"),
]
