"""The reports queue: open reports first by default, each with how many open reports its
artwork has, filters by status, reason and date, and actions that resolve through
`moderation.services` (who, when and what is recorded on the report and in the staff log)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import StaffLogHistory
from accounts.models import StaffAction
from accounts.registry import register_staff_target_admin
from accounts.selectors import can_suspend_user
from artworks.admin import artwork_thumbnail_html
from artworks.permissions import can_hide_artwork
from common.admin_actions import AuthorToldReasonActionForm, action_reason, run_for_each
from common.querysets import count_per_row
from social.admin import CommentAdmin
from social.models import Comment
from social.selectors import can_moderate_comments

from . import services
from .models import Report
from .selectors import can_resolve_report


class StatusFilter(admin.SimpleListFilter):
    """Like a plain status filter, but the queue opens on the open reports."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str | Promise]]:
        return [*Report.Status.choices, ("all", _("All"))]

    def value(self) -> str:
        return super().value() or Report.Status.OPEN

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, object]]:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value())


# What each resolve action reports when done, by the resolution it applies.
_RESOLVED = {
    Report.Resolution.HIDE_ARTWORK: gettext_lazy(
        "Hid the artwork of {count} report(s); its open reports are resolved."
    ),
    Report.Resolution.HIDE_COMMENT: gettext_lazy(
        "Hid the comment of {count} report(s); its open reports are resolved."
    ),
    Report.Resolution.SUSPEND_AUTHOR: gettext_lazy("Suspended the author of {count} report(s)."),
    Report.Resolution.NO_ACTION: gettext_lazy("Resolved {count} report(s) without action."),
    Report.Resolution.DISMISS: gettext_lazy("Dismissed {count} report(s)."),
}


@admin.register(Report)
class ReportAdmin(StaffLogHistory, admin.ModelAdmin):
    staff_target_type = StaffAction.TargetType.REPORT
    action_form = AuthorToldReasonActionForm
    list_display = (
        "id",
        "preview",
        "artwork_link",
        "comment_link",
        "open_on_artwork",
        "reason",
        "short_details",
        "reporter",
        "created_at",
        "status",
        "resolution",
        "resolved_by",
        "resolved_at",
    )
    list_display_links = ("id",)
    list_filter = (StatusFilter, "reason", "resolution", "created_at")
    search_fields = (
        "artwork__title",
        "=artwork__id",
        "artwork__user__username",
        "reporter__username",
        "details",
    )
    search_help_text = gettext_lazy(
        "Artwork title or exact id, author's or reporter's username, details."
    )
    list_select_related = (
        "artwork",
        "artwork__user",
        "comment",
        "comment__author",
        "reporter",
        "resolved_by",
    )
    raw_id_fields = ("artwork", "comment", "reporter", "resolved_by")
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-created_at", "-id")
    actions = (
        "resolve_hide_artwork",
        "resolve_hide_comment",
        "resolve_suspend_author",
        "resolve_no_action",
        "dismiss",
    )
    fields = (
        "preview",
        "artwork_link",
        "artwork_state",
        "comment_link",
        "open_on_artwork",
        "reporter",
        "reason",
        "details",
        "created_at",
        "status",
        "resolution",
        "resolution_note",
        "resolved_by",
        "resolved_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        open_reports = Report.objects.filter(artwork=OuterRef("artwork"), status=Report.Status.OPEN)
        return (
            super()
            .get_queryset(request)
            .annotate(_open_on_artwork=count_per_row(open_reports, per="artwork"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # members report from the artwork page

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False  # reports change only through the resolve actions

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return can_resolve_report(actor=request.user)

    def has_resolve_hide_permission(self, request: HttpRequest) -> bool:
        return self.has_resolve_permission(request) and can_hide_artwork(actor=request.user)

    def has_resolve_hide_comment_permission(self, request: HttpRequest) -> bool:
        return self.has_resolve_permission(request) and can_moderate_comments(actor=request.user)

    def has_resolve_suspend_permission(self, request: HttpRequest) -> bool:
        return self.has_resolve_permission(request) and can_suspend_user(actor=request.user)

    def get_actions(
        self, request: HttpRequest
    ) -> dict[str, tuple[Callable[..., object], str, str | Promise]]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj: Report) -> SafeString:
        return artwork_thumbnail_html(obj.artwork)

    @admin.display(description=gettext_lazy("artwork"), ordering="artwork__title")
    def artwork_link(self, obj: Report) -> SafeString:
        url = reverse("admin:artworks_artwork_change", args=[obj.artwork_id])
        return format_html(
            '<a href="{}">#{} {}</a><br><small>{} {}</small>',
            url,
            obj.artwork_id,
            obj.artwork.title,
            _("by"),
            obj.artwork.user.username,
        )

    @admin.display(description=gettext_lazy("comment"))
    def comment_link(self, obj: Report) -> SafeString | str:
        comment = obj.comment
        if comment is None:
            return "—"
        url = reverse("admin:social_comment_change", args=[comment.pk])
        state = _("hidden") if comment.is_hidden else ""
        return format_html(
            '<a href="{}">#{}</a> {}<br><small>{} {}</small> <small>{}</small>',
            url,
            comment.pk,
            Truncator(comment.body).chars(120),
            _("by"),
            comment.author.username,
            state,
        )

    @admin.display(description=gettext_lazy("artwork state"))
    def artwork_state(self, obj: Report) -> str:
        state = obj.artwork.get_moderation_display()
        if not obj.artwork.user.is_active:
            state += " · " + _("author suspended")
        return state

    @admin.display(description=gettext_lazy("open reports on artwork"), ordering="_open_on_artwork")
    def open_on_artwork(self, obj: Report) -> SafeString:
        count = getattr(obj, "_open_on_artwork", 0)
        url = reverse("admin:moderation_report_changelist")
        return format_html(
            '<a href="{}?artwork__id__exact={}&status=open">{}</a>', url, obj.artwork_id, count
        )

    @admin.display(description=gettext_lazy("details"))
    def short_details(self, obj: Report) -> str:
        return Truncator(obj.details).chars(80)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The per-artwork link above filters on the artwork.
        if lookup == "artwork__id__exact":
            return True
        return super().lookup_allowed(lookup, value, request)

    def _resolve(self, request: HttpRequest, queryset: QuerySet[Report], action: str) -> None:
        note = action_reason(request)

        def apply(report: Report) -> None:
            # Hiding or suspending from one report closes the artwork's other open reports,
            # which may be further down the same selection.
            if Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).exists():
                services.report_resolve(report=report, actor=request.user, action=action, note=note)

        run_for_each(
            self,
            request,
            queryset.filter(status=Report.Status.OPEN).select_related("artwork"),
            apply,
            done=str(_RESOLVED[action]),
        )

    @admin.action(
        description=gettext_lazy("Resolve: hide the artwork"), permissions=["resolve_hide"]
    )
    def resolve_hide_artwork(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._resolve(request, queryset, Report.Resolution.HIDE_ARTWORK)

    @admin.action(
        description=gettext_lazy("Resolve: hide the comment"),
        permissions=["resolve_hide_comment"],
    )
    def resolve_hide_comment(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._resolve(
            request, queryset.filter(comment__isnull=False), Report.Resolution.HIDE_COMMENT
        )

    @admin.action(
        description=gettext_lazy("Resolve: suspend the author"),
        permissions=["resolve_suspend"],
    )
    def resolve_suspend_author(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._resolve(request, queryset, Report.Resolution.SUSPEND_AUTHOR)

    @admin.action(description=gettext_lazy("Resolve without action"), permissions=["resolve"])
    def resolve_no_action(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._resolve(request, queryset, Report.Resolution.NO_ACTION)

    @admin.action(description=gettext_lazy("Dismiss (unfounded)"), permissions=["resolve"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._resolve(request, queryset, Report.Resolution.DISMISS)


class CommentReportsFilter(admin.SimpleListFilter):
    """Comments with open reports (or with any report), in the comments admin."""

    title = gettext_lazy("reports")
    parameter_name = "reported"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, Promise]]:
        return [("open", gettext_lazy("Open reports")), ("any", gettext_lazy("Any report"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        reports = Report.objects.filter(comment=OuterRef("pk"))
        if self.value() == "open":
            return queryset.filter(Exists(reports.filter(status=Report.Status.OPEN)))
        if self.value() == "any":
            return queryset.filter(Exists(reports))
        return queryset


# The comments admin is social's; whether a comment was reported is moderation's to say.
CommentAdmin.list_filter = (*CommentAdmin.list_filter, CommentReportsFilter)

register_staff_target_admin(StaffAction.TargetType.REPORT, "admin:moderation_report_change")
