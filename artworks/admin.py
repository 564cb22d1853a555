"""Staff tools for artworks, likes and favorites, fit for 100,000+ rows: authors joined in the
list query, no full-table count, raw-id author fields. Every change goes through a service
(so Redis, caches and the staff log follow); the bulk delete is replaced by one that also
removes files."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import StaffLogHistory, UserAdmin
from accounts.models import StaffAction, User
from accounts.registry import register_staff_target_admin
from common.admin_actions import AuthorToldReasonActionForm, action_reason, run_for_each
from common.admin_base import ReadOnlyModelAdmin
from common.health import check_broker
from common.querysets import count_per_row

from . import permissions, services
from .forms import ArtworkAdminForm
from .images import artwork_smallest_image_url, color_data_uri
from .models import Artwork, Favorite, Like
from .selectors import artwork_is_visible_to, artworks_failed_generations


def artwork_thumbnail_html(artwork: Artwork, *, width: int = 64) -> SafeString:
    url = artwork_smallest_image_url(artwork)
    height = (
        round(width * artwork.height / artwork.width) if artwork.width and artwork.height else width
    )
    if not url:
        # A swatch of the dominant colour as an image: the CSP allows no style attributes.
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="" title="{}">',
            color_data_uri(artwork.placeholder_color or "") or color_data_uri("#ddd"),
            width,
            height,
            _("No thumbnail yet"),
        )
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" loading="lazy">',
        url,
        width,
        height,
        artwork.alt_text or artwork.title,
    )


class _TwoOptionFilter(admin.SimpleListFilter):
    """A list filter whose options are each one filter on the queryset: `options` maps the
    option's value in the address to its label and the lookups it applies."""

    options: dict[str, tuple[Promise, dict[str, bool]]]

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, Promise]]:
        return [(value, label) for value, (label, _lookups) in self.options.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Artwork]) -> QuerySet[Artwork]:
        if self.value() in self.options:
            return queryset.filter(**self.options[self.value()][1])
        return queryset


class FeaturedFilter(_TwoOptionFilter):
    title, parameter_name = gettext_lazy("featured"), "featured"
    options = {
        "yes": (gettext_lazy("Featured"), {"featured_at__isnull": False}),
        "no": (gettext_lazy("Not featured"), {"featured_at__isnull": True}),
    }


class AuthorStateFilter(_TwoOptionFilter):
    title, parameter_name = gettext_lazy("author"), "author_state"
    options = {
        "active": (gettext_lazy("Active"), {"user__is_active": True}),
        "suspended": (gettext_lazy("Suspended"), {"user__is_active": False}),
    }


def _moderation_action(
    name: str,
    service: Callable[..., Artwork],
    permission: str,
    description: str | Promise,
    done: str | Promise,
    needs_change: Callable[[Artwork], bool],
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Artwork]], None]:
    """The admin action `name`, which runs one moderation service per selected artwork that
    `needs_change`, with the reason typed into the action bar. It is offered to whom
    `has_<permission>_permission` (an `artworks.permissions` predicate) allows; the service
    asks it again per artwork."""

    @admin.action(description=description, permissions=[permission])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Artwork]
    ) -> None:
        reason = action_reason(request)

        def apply(artwork: Artwork) -> None:
            service(artwork=artwork, actor=request.user, reason=reason)

        run_for_each(
            modeladmin, request, queryset, apply, done=str(done), needs_change=needs_change
        )

    action.__name__ = name  # the admin knows an action by its function's name
    return action


# The moderation actions: name, service, permission, description, message when done, and
# which artworks it changes (the others already are as asked).
_HIDDEN = Artwork.Moderation.HIDDEN
# fmt: off
_MODERATION_ACTIONS = (
    ("hide", services.artwork_hide, "hide",
     gettext_lazy("Hide from everyone but staff"), gettext_lazy("Hid {count} artwork(s)."),
     lambda a: a.moderation != _HIDDEN),
    ("restore", services.artwork_restore, "restore",
     gettext_lazy("Restore (undo hide)"), gettext_lazy("Restored {count} artwork(s)."),
     lambda a: a.moderation == _HIDDEN),
    ("unpublish", services.artwork_unpublish, "unpublish",
     gettext_lazy("Unpublish (back to draft)"), gettext_lazy("Unpublished {count} artwork(s)."),
     lambda a: a.status == Artwork.Status.PUBLISHED),
    ("feature", services.artwork_feature, "feature",
     gettext_lazy("Feature on the landing page"), gettext_lazy("Featured {count} artwork(s)."),
     lambda a: a.featured_at is None),
    ("unfeature", services.artwork_unfeature, "feature",
     gettext_lazy("Stop featuring"), gettext_lazy("Stopped featuring {count} artwork(s)."),
     lambda a: a.featured_at is not None),
    ("rate_general", partial(services.artwork_rate, rating=Artwork.Rating.GENERAL), "rate",
     gettext_lazy("Change the rating to general (the author is told)"),
     gettext_lazy("Rated {count} artwork(s) general."),
     lambda a: a.rating != Artwork.Rating.GENERAL),
    ("rate_mature", partial(services.artwork_rate, rating=Artwork.Rating.MATURE), "rate",
     gettext_lazy("Change the rating to mature (the author is told)"),
     gettext_lazy("Rated {count} artwork(s) mature."),
     lambda a: a.rating != Artwork.Rating.MATURE),
    ("rate_explicit", partial(services.artwork_rate, rating=Artwork.Rating.EXPLICIT), "rate",
     gettext_lazy("Change the rating to explicit (the author is told)"),
     gettext_lazy("Rated {count} artwork(s) explicit."),
     lambda a: a.rating != Artwork.Rating.EXPLICIT),
)
# fmt: on


# How many failed generations the operations page lists.
FAILED_GENERATIONS_SHOWN = 25


@admin.register(Artwork)
class ArtworkAdmin(StaffLogHistory, admin.ModelAdmin):
    staff_target_type = StaffAction.TargetType.ARTWORK
    form = ArtworkAdminForm
    action_form = AuthorToldReasonActionForm
    change_list_template = "admin/artworks/artwork/change_list.html"
    list_display = (
        "preview",
        "title",
        "author",
        "status",
        "moderation",
        "rating",
        "featured",
        "kind",
        "source",
        "like_count",
        "favorite_count",
        "created_at",
    )
    list_display_links = ("preview", "title")
    list_filter = (
        "status",
        "moderation",
        "rating",
        FeaturedFilter,
        "source",
        "kind",
        AuthorStateFilter,
        "created_at",
    )
    search_fields = ("title", "prompt", "user__username", "user__email")
    search_help_text = gettext_lazy(
        "Title, prompt, author's username or email; a number finds the artwork with that id."
    )
    list_select_related = ("user",)
    list_per_page = 50
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    actions = (*(_moderation_action(*row) for row in _MODERATION_ACTIONS), "delete_with_files")
    fieldsets = (
        (None, {"fields": ("large_preview", "title", "description", "alt_text", "prompt_hidden")}),
        (
            gettext_lazy("State"),
            {
                "fields": (
                    "visibility",
                    "public_link",
                    "author",
                    "status",
                    "moderation",
                    "featured_at",
                    "published_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
        (
            gettext_lazy("Generation"),
            {
                "classes": ("collapse",),
                "fields": (
                    "source",
                    "kind",
                    "prompt",
                    "negative_prompt",
                    "provider",
                    "model",
                    "seed",
                    "size",
                    "generation_status",
                    "generation_error",
                ),
            },
        ),
        (
            gettext_lazy("Media"),
            {
                "classes": ("collapse",),
                "fields": (
                    "uuid",
                    "original_link",
                    "content_type",
                    "file_size",
                    "width",
                    "height",
                    "duration_seconds",
                    "thumb_status",
                    "thumb_attempts",
                    "thumbnails",
                ),
            },
        ),
        (
            gettext_lazy("Reactions"),
            {"fields": ("like_count", "favorite_count", "hot_score")},
        ),
    )

    # --- operations: queues and failed generations ----------------------------------------

    def get_urls(self) -> list[URLPattern]:
        operations = path(
            "operations/",
            self.admin_site.admin_view(self.operations_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_operations",
        )
        return [operations, *super().get_urls()]

    def operations_view(self, request: HttpRequest) -> TemplateResponse:
        """Staff who may see artworks: the depth of each task queue, read from the broker
        now, and the latest failed generations, each linked to its artwork's admin page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        broker = None if settings.CELERY_TASK_ALWAYS_EAGER else check_broker()
        return TemplateResponse(
            request,
            "admin/artworks/artwork/operations.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Queues and failed generations"),
                "opts": self.opts,
                "broker": broker,
                "failed": artworks_failed_generations(limit=FAILED_GENERATIONS_SHOWN),
            },
        )

    # --- list and form ---------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Artwork | None = None) -> list[str]:
        # Only text staff may correct is editable; state changes go through the actions, and
        # whether the prompt is shown is its author's choice alone (read-only here).
        shown = [f for _name, opts in self.fieldsets for f in opts["fields"]]
        return [f for f in shown if f not in services.TEXT_FIELDS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # artworks are made by members (generate/upload), with their files

    # Each permission below is the predicate the site and the API ask too.

    def has_change_permission(self, request: HttpRequest, obj: Artwork | None = None) -> bool:
        return permissions.can_edit_artwork(actor=request.user, artwork=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Artwork | None = None) -> bool:
        return permissions.can_delete_artwork(actor=request.user, artwork=obj)

    def has_hide_permission(self, request: HttpRequest) -> bool:
        return permissions.can_hide_artwork(actor=request.user)

    def has_restore_permission(self, request: HttpRequest) -> bool:
        return permissions.can_restore_artwork(actor=request.user)

    def has_unpublish_permission(self, request: HttpRequest) -> bool:
        return permissions.can_unpublish_artwork(actor=request.user)

    def has_feature_permission(self, request: HttpRequest) -> bool:
        return permissions.can_feature_artwork(actor=request.user)

    def has_rate_permission(self, request: HttpRequest) -> bool:
        return permissions.can_rate_artwork(actor=request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable, str, str]]:
        actions = super().get_actions(request)
        # Django's bulk delete skips the service: no file removal, no announcement.
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Artwork], search_term: str
    ) -> tuple[QuerySet[Artwork], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            results = results | queryset.filter(pk=int(term))
        return results, may_have_duplicates

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj: Artwork) -> SafeString:
        return artwork_thumbnail_html(obj)

    @admin.display(description=gettext_lazy("preview"))
    def large_preview(self, obj: Artwork) -> SafeString:
        return artwork_thumbnail_html(obj, width=320)

    @admin.display(description=gettext_lazy("author"), ordering="user__username")
    def author(self, obj: Artwork) -> SafeString:
        url = reverse("admin:accounts_user_change", args=[obj.user_id])
        label = obj.user.username if obj.user.is_active else f"{obj.user.username} (suspended)"
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("featured"), boolean=True, ordering="featured_at")
    def featured(self, obj: Artwork) -> bool:
        return obj.is_featured

    @admin.display(description=gettext_lazy("who can see it"))
    def visibility(self, obj: Artwork) -> str:
        if obj.is_hidden:
            return _("Staff only (hidden by moderation)")
        if not obj.user.is_active:
            return _("Staff only (author suspended)")
        if not artwork_is_visible_to(artwork=obj, viewer=None, any_rating=True):
            return _("The author and staff (draft)")
        if obj.rating == Artwork.Rating.MATURE:
            return _("Members who chose to see mature work")
        if obj.rating == Artwork.Rating.EXPLICIT:
            return _("Members who chose to see explicit work")
        return _("Everyone")

    @admin.display(description=gettext_lazy("public page"))
    def public_link(self, obj: Artwork) -> str:
        # A mature or explicit work's page is public too (a notice for those who did not
        # choose to see it).
        if not artwork_is_visible_to(artwork=obj, viewer=None, any_rating=True):
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">{0}</a>', obj.get_absolute_url()
        )

    @admin.display(description=gettext_lazy("original file"))
    def original_link(self, obj: Artwork) -> str:
        if not obj.original:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.url, obj.original.name
        )

    def save_model(
        self, request: HttpRequest, obj: Artwork, form: forms.ModelForm, change: bool
    ) -> None:
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.TEXT_FIELDS}
        services.artwork_edit(artwork=obj, actor=request.user, changes=changes)

    def get_deleted_objects(
        self, objs: QuerySet[Artwork] | list[Artwork], request: HttpRequest
    ) -> tuple[list, dict, set, list]:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # An artwork's reactions, reports and comments go with it by design; their admins are
        # read-only (no delete permission), which must not block deleting the artwork itself.
        goes_with_it = {"like", "favorite", "report", "comment"}
        perms_needed = {
            name
            for name in perms_needed
            if not any(
                str(m._meta.verbose_name) == str(name)
                for m in (r.related_model for r in Artwork._meta.related_objects)
                if m._meta.model_name in goes_with_it
            )
        }
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Artwork) -> None:
        services.artwork_delete(artwork=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Artwork]) -> None:
        for artwork in queryset:
            services.artwork_delete(artwork=artwork, actor=request.user)

    # --- actions ---------------------------------------------------------------------------

    @admin.action(
        description=gettext_lazy("Delete permanently, with files"), permissions=["delete"]
    )
    def delete_with_files(
        self, request: HttpRequest, queryset: QuerySet[Artwork]
    ) -> TemplateResponse | None:
        reason = action_reason(request)
        if request.POST.get("post") == "yes":

            def delete(artwork: Artwork) -> None:
                services.artwork_delete(artwork=artwork, actor=request.user, reason=reason)

            done = _("Deleted {count} artwork(s) and their files.")
            run_for_each(self, request, queryset, delete, done=done)
            return None
        rows = list(queryset.select_related("user")[:501])
        if not rows:
            self.message_user(request, _("No artworks selected."), messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/artworks/artwork/delete_with_files_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Delete artworks and their files?"),
                "opts": self.model._meta,
                "rows": rows[:500],
                "too_many": len(rows) > 500,
                "reason": reason,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class _ReactionAdmin(ReadOnlyModelAdmin):
    """Likes and favorites are read-only here: a change outside the reaction services would
    leave the artwork's counters and hot score wrong."""

    list_display = ("created_at", "user", "artwork")
    list_select_related = ("user", "artwork")
    raw_id_fields = ("user", "artwork")
    search_fields = ("=user__username", "=artwork__id")
    search_help_text = gettext_lazy("Exact username or artwork id.")
    list_filter = ("created_at",)
    # The primary key follows creation order and is indexed; created_at alone is not.
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER


@admin.register(Like)
class LikeAdmin(_ReactionAdmin):
    pass


@admin.register(Favorite)
class FavoriteAdmin(_ReactionAdmin):
    pass


# --- members: the accounts admin with each member's artwork count ---------------------------


def _inserted(names: tuple[str, ...], name: str, *, after: str) -> tuple[str, ...]:
    at = names.index(after) + 1
    return (*names[:at], name, *names[at:])


class MemberAdmin(UserAdmin):
    """The member admin of `accounts`, with the number of artworks of each member: artworks
    extends it (accounts, the lower app, never names artworks)."""

    list_display = _inserted(UserAdmin.list_display, "artwork_count", after="is_staff")
    readonly_fields = _inserted(UserAdmin.readonly_fields, "artwork_count", after="date_joined")
    # The count leads the activity fieldset (the one with the last sign-in).
    fieldsets = tuple(
        (title, {**options, "fields": ("artwork_count", *options["fields"])})
        if "last_login" in options["fields"]
        else (title, options)
        for title, options in UserAdmin.fieldsets
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        artworks = Artwork.objects.filter(user=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(_artwork_count=count_per_row(artworks, per="user"))
        )

    @admin.display(description=gettext_lazy("artworks"), ordering="_artwork_count")
    def artwork_count(self, obj: User) -> int:
        return getattr(obj, "_artwork_count", 0)


admin.site.unregister(User)
admin.site.register(User, MemberAdmin)
register_staff_target_admin(StaffAction.TargetType.ARTWORK, "admin:artworks_artwork_change")
