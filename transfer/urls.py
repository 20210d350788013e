"""The import pages (admins only) and the exports, included under /org/import/."""

from django.urls import path

from transfer import views as import_views

app_name = "org_import"

urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("columns/", import_views.columns, name="columns"),
    path("preview/", import_views.preview, name="preview"),
    path("apply/", import_views.apply, name="apply"),
    path("cancel/", import_views.cancel, name="cancel"),
    path("export/members.csv", import_views.export_members, name="export_members"),
    path(
        "export/relationships.csv", import_views.export_relationships, name="export_relationships"
    ),
    path("export/backup.json", import_views.export_backup, name="export_backup"),
]
