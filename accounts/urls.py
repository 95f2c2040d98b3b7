from django.contrib.auth import views as auth_views
from django.urls import path

from . import views_signin

urlpatterns = [
    path("login/", views_signin.SignInView.as_view(), name="login"),
    path("login/verify/", views_signin.SecondFactorView.as_view(), name="signin_verify"),
    path("login/enrol/", views_signin.EnrolView.as_view(), name="signin_enrol"),
    path(
        "login/recovery-codes/",
        views_signin.RecoveryCodesView.as_view(),
        name="signin_recovery_codes",
    ),
    path(
        "login/recovery-codes/new/",
        views_signin.RecoveryCodesRegenerateView.as_view(),
        name="signin_recovery_codes_regenerate",
    ),
    path("confirm-identity/", views_signin.ReauthView.as_view(), name="reauth"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
