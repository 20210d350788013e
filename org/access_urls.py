"""The admins' pages of who has access, under /org/access/."""

from django.urls import path

from org import access_views as views

app_name = "access"

urlpatterns = [
    path("", views.people, name="people"),
    path("invite/", views.invite_many, name="invite_many"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/invite/", views.invite, name="invite"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("logins/<int:pk>/", views.login_page, name="login"),
    path("logins/<int:pk>/role/", views.login_role, name="login_role"),
    path("logins/<int:pk>/disable/", views.login_disable, name="login_disable"),
    path("logins/<int:pk>/enable/", views.login_enable, name="login_enable"),
]
