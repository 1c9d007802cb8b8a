"""URL map. Everything a team owns lives under /t/<team>/ and is scoped by `team_view`."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from console.accounts import views as account_views
from console.core import views as core_views
from console.teams import views as team_views

team_patterns = [
    path("", include("console.explorer.urls")),
    path("history/", include("console.history.urls")),
    path("saved/", include("console.saved.urls")),
    path("bulk/", include("console.bulk.urls")),
    path("variables/", include("console.variables.urls")),
    path("free/", include("console.freeform.urls")),
    path("collections/", include("console.collections.urls")),
    path("postman/", include("console.postman.urls")),
    path("settings/", include("console.teams.urls")),
    path("settings/", include("console.vault.urls")),
    path("settings/specs/", include("console.specs.urls")),
    path("settings/invitations/", include("console.invitations.urls")),
    path("settings/people/", include("console.accounts.team_urls")),
    path("settings/api-tokens/", include("console.api.token_urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("console.accounts.urls")),
    path("invite/", include("console.invitations.join_urls")),
    path("oidc/", include("console.sso.urls")),
    path("api/v1/", include("console.api.urls")),
    path("proxy/", include("console.api.proxy_urls")),
    path("switch/", team_views.switch, name="switch_team"),
    path("t/<slug:team_slug>/", include(team_patterns)),
]
