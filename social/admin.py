from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.admin import StaffLogHistory
from accounts.models import StaffAction
from accounts.registry import register_staff_target_admin
from common.admin_actions import ReasonActionForm, action_reason, run_for_each

from . import services
from .models import Block, Collection, Comment, Follow, Mute
from .selectors import can_moderate_comments


class _MembersChoiceAdmin(admin.ModelAdmin):
    """Rows that are the members' own doing: staff read and search them; the services write
    them (with the counts and announcements that go with each)."""

    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER

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


@admin.register(Collection)
class CollectionAdmin(_MembersChoiceAdmin):
    """Staff read members' collections here (private ones included; the site shows those to
    their owners alone)."""

    list_display = ("name", "owner", "is_public", "item_count", "created_at")
    list_filter = ("is_public",)
    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")
    readonly_fields = ("created_at", "updated_at")


def _comment_action(
    name: str,
    service: Callable[..., Comment],
    description: str | Promise,
    done: str | Promise,
    needs_change: Callable[[Comment], bool],
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Comment]], None]:
    """The admin action `name`: one service call per selected comment that `needs_change`,
    with the reason typed into the action bar (as for artworks); offered to staff who may
    moderate comments."""

    @admin.action(description=description, permissions=["moderate"])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> None:
        reason = action_reason(request)

        def apply(comment: Comment) -> None:
            service(actor=request.user, comment=comment, reason=reason)

        run_for_each(
            modeladmin, request, queryset, apply, done=str(done), needs_change=needs_change
        )

    action.__name__ = name
    return action


class HiddenFilter(admin.SimpleListFilter):
    title = gettext_lazy("hidden")
    parameter_name = "hidden"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, Promise]]:
        return [("yes", gettext_lazy("Hidden")), ("no", gettext_lazy("Shown"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() in ("yes", "no"):
            return queryset.filter(hidden_at__isnull=self.value() == "no")
        return queryset


@admin.register(Comment)
class CommentAdmin(StaffLogHistory, admin.ModelAdmin):
    """Comments at scale: the author and artwork joined in the list query, no full count, raw
    ids. Staff hide and unhide through the services (logged, counted); members' words are
    never edited here."""

    staff_target_type = StaffAction.TargetType.COMMENT
    action_form = ReasonActionForm
    actions = [
        _comment_action(
            "hide",
            services.comment_hide,
            gettext_lazy("Hide from everyone but staff"),
            gettext_lazy("Hid {count} comment(s)."),
            lambda comment: comment.hidden_at is None,
        ),
        _comment_action(
            "unhide",
            services.comment_unhide,
            gettext_lazy("Unhide"),
            gettext_lazy("Unhid {count} comment(s)."),
            lambda comment: comment.hidden_at is not None,
        ),
    ]
    list_display = ("id", "excerpt", "author", "artwork", "parent_id", "created_at", "hidden")
    list_select_related = ("author", "artwork")
    list_filter = (HiddenFilter, "created_at")
    search_fields = ("body", "author__username", "artwork__title")
    date_hierarchy = "created_at"
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER
    raw_id_fields = ("artwork", "author", "parent")
    readonly_fields = (
        "artwork",
        "author",
        "parent",
        "body",
        "created_at",
        "hidden_at",
        "hidden_reason",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting goes through the API or the pages (comment_delete): its own rule and log.
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_moderate_comments(actor=request.user) or super().has_view_permission(
            request, obj
        )

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return can_moderate_comments(actor=request.user)

    @admin.display(description=gettext_lazy("comment"))
    def excerpt(self, obj: Comment) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.display(description=gettext_lazy("hidden"), boolean=True)
    def hidden(self, obj: Comment) -> bool:
        return obj.is_hidden


register_staff_target_admin(StaffAction.TargetType.COMMENT, "admin:social_comment_change")
