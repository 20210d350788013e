"""The import pages (admins only), included under /org/import/."""

from django.urls import path

from org import import_views

app_name = "org_import"

urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("columns/", import_views.columns, name="columns"),
    path("preview/", import_views.preview, name="preview"),
    path("apply/", import_views.apply, name="apply"),
    path("cancel/", import_views.cancel, name="cancel"),
]
