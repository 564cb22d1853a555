from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications", views.index, name="index"),
    path("notifications/read", views.mark_read, name="read"),
    # The member's own settings, beside accounts' (/settings/profile).
    path("settings/notifications", views.settings_page, name="preferences"),
]
