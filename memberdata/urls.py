from django.urls import path

from . import views

app_name = "memberdata"

# The member's own settings, beside accounts' (/settings/profile).
urlpatterns = [
    path("settings/export", views.export_page, name="export"),
    path(
        "settings/export/<uuid:export_uuid>/download",
        views.export_download,
        name="export_download",
    ),
    path("settings/delete", views.delete_page, name="delete"),
    path("settings/delete/done", views.deleted_page, name="deleted"),
]
