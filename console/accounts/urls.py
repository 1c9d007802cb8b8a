"""The signed-in person's own pages (/account/) and the sign-in's second step."""

from django.urls import path

from console.accounts import views

app_name = "account"

urlpatterns = [
    path("", views.account, name="home"),
    path("code/", views.sign_in_code, name="sign_in_code"),
    path("password/", views.password_change, name="password"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("sessions/end/", views.sessions_end, name="sessions_end"),
    path("reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="reset"),
    path("forgot/", views.ForgotView.as_view(), name="forgot"),
    path("forgot/sent/", views.forgot_sent, name="forgot_sent"),
]
