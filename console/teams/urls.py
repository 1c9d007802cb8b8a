from django.urls import path

from console.teams import views

app_name = "teams"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("rename/", views.rename, name="rename"),
    path("two-factor-rule/", views.two_factor_rule, name="two_factor_rule"),
]
