"""The pass-through (/proxy/t/<team>/<access>/<path>)."""

from django.urls import path

from console.api import views

app_name = "proxy"

urlpatterns = [
    path("t/<slug:team_slug>/<str:access>/", views.proxy, name="root"),
    path("t/<slug:team_slug>/<str:access>/<path:path>", views.proxy, name="pass"),
]
