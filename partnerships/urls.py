"""Root URLconf. Each app's pages live in its own urls module."""

from django.contrib import admin
from django.urls import include, path

from org import access_views
from org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", org_views.healthz, name="healthz"),
    path("", include("org.signin_urls")),
    path("account/", include("org.account_urls")),
    path("org/import/", include("transfer.urls")),
    path("org/access/", include("org.access_urls")),
    path("invitation/<str:key>/", access_views.invitation_accept, name="invitation_accept"),
    path("org/", include("org.urls")),
    path("diagram/", include("partnerships.diagram.urls")),
    path("health/", include("partnerships.health.urls")),
    path("meetings/", include("meetings.urls")),
    path("scenarios/", include("scenarios.urls")),
    path("", include("partnerships.routes")),
    path("admin/", admin.site.urls),
]

# Uncaught exceptions: 503 with Retry-After when the database is unreachable, else 500.
handler500 = "partnerships.errors.server_error"
