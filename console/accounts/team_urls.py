"""A member's sign-in, as the team's admins look after it (/t/<team>/settings/people/)."""

from django.urls import path

from console.accounts import views

app_name = "people"

urlpatterns = [
    path("<int:membership_id>/unlock/", views.member_unlock, name="unlock"),
    path("<int:membership_id>/reset-link/", views.member_reset_link, name="reset_link"),
    path(
        "<int:membership_id>/two-factor-reset/",
        views.member_two_factor_reset,
        name="two_factor_reset",
    ),
]
