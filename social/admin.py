from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Follow


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    search_fields = ("follower__username", "followee__username")
    date_hierarchy = "created_at"
    raw_id_fields = ("follower", "followee")
    readonly_fields = ("created_at",)
    show_full_result_count = False

    # Rows are the members' own doing: staff read them; the counts move with the services.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Follow | None = None) -> bool:
        return False
