"""Notifications in the admin: read only (they are made by the services, after events)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "actor", "artwork", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__username",)
    list_select_related = ("recipient", "actor", "artwork")
    raw_id_fields = ("recipient", "actor", "artwork", "comment")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    # One row per event: no full-table count beside a search, no count per filter option.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
