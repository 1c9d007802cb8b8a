"""Single sign-on (/oidc/): the start and the callback (the redirect URI to register)."""

from django.urls import path

from console.sso import views

app_name = "sso"

urlpatterns = [
    path("start/", views.SsoStartView.as_view(), name="start"),
    path("callback/", views.SsoCallbackView.as_view(), name="callback"),
]
