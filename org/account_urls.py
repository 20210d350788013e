"""The signed-in person's own account, under /account/."""

from django.urls import path

from org import account_views as views

app_name = "account"

urlpatterns = [
    path("", views.account_page, name="page"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
