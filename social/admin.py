from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Block, Follow, Mute


class _MembersChoiceAdmin(admin.ModelAdmin):
    """Rows that are the members' own doing: staff read and search them; the services write
    them (with the counts and announcements that go with each)."""

    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Follow)
class FollowAdmin(_MembersChoiceAdmin):
    list_display = ("follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    search_fields = ("follower__username", "followee__username")


@admin.register(Block)
class BlockAdmin(_MembersChoiceAdmin):
    list_display = ("blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
    search_fields = ("blocker__username", "blocked__username")


@admin.register(Mute)
class MuteAdmin(_MembersChoiceAdmin):
    list_display = ("muter", "muted", "created_at")
    list_select_related = ("muter", "muted")
    search_fields = ("muter__username", "muted__username")
