"""Staff tools for members and the staff action log.

Suspension and restoration are actions that go through `accounts.services` (logged,
announced); `is_active` is therefore read-only on the form. Moderators see members but cannot
change them or their passwords (they lack `accounts.change_user`)."""

from __future__ import annotations

from collections.abc import Callable

from allauth.decorators import rate_limit
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin_actions import SuspensionReasonActionForm, action_reason, run_for_each
from common.admin_base import ReadOnlyModelAdmin

from . import services
from .forms import MemberChangeForm, MemberCreationForm, StaffSignInForm
from .models import StaffAction, User
from .registry import register_staff_target_admin, staff_target_admin_url_name
from .selectors import (
    can_change_user,
    can_delete_user,
    can_grant_powers,
    can_restore_user,
    can_suspend_user,
    staff_actions_about,
)


class StaffLogHistory:
    """An object's History page lists the staff log's entries about it (hidden, restored,
    suspended, resolved, with who and why): the moderation actions write the staff log, not
    Django's change history, which alone would say that nothing was ever done to it."""

    object_history_template = "admin/staff_log_history.html"
    staff_target_type: str

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        entries = (
            staff_actions_about(target_type=self.staff_target_type, target_id=int(object_id))
            if str(object_id).isdigit()
            else []
        )
        context = {"staff_actions": entries, **(extra_context or {})}
        return super().history_view(request, object_id, context)


# Staff sign in under the site's lockout; see StaffSignInForm.
admin.site.login_form = StaffSignInForm
# The admin's password change checks the current password: under the site's change form's
# limit (ACCOUNT_RATE_LIMITS["change_password"]), so a held session cannot guess it without
# end. Set before the admin's URLs are built (they take the view from the site).
admin.site.password_change = rate_limit(action="change_password")(admin.site.password_change)


@admin.register(User)
class UserAdmin(StaffLogHistory, DjangoUserAdmin):
    staff_target_type = StaffAction.TargetType.USER
    form = MemberChangeForm
    add_form = MemberCreationForm
    action_form = SuspensionReasonActionForm
    list_display = (
        "username",
        "name",
        "email",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "date_joined")
    search_fields = ("username", "name", "email")
    search_help_text = gettext_lazy("Username, display name or email.")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    list_per_page = 50
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = ("is_active", "last_login", "date_joined", "profile_link")
    actions = ("suspend", "restore")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Profile"), {"fields": ("name", "email", "profile_pic", "profile_link")}),
        (
            gettext_lazy("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Activity"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )

    def view_on_site(self, obj: User) -> str | None:
        # A suspended (or leaving) member's profile is 404, staff included: no button to it.
        return obj.get_absolute_url() if obj.is_active else None

    @admin.display(description=gettext_lazy("profile"))
    def profile_link(self, obj: User) -> str:
        if not obj.pk or not obj.is_active:
            return "—"
        url = obj.get_absolute_url()
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', url)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return can_change_user(actor=request.user, user=obj)

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "profile_pic" in form.changed_data:
            previous = form.initial.get("profile_pic")
            services.avatar_replaced(user=obj, previous=previous.name if previous else "")
        if "email" in form.changed_data:  # a new account's address too
            services.user_email_replace_primary(user=obj, old_email=form.initial.get("email", ""))

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return can_delete_user(actor=request.user, user=obj)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Staff who may only look (moderators) get no "Reset password" button that leads to a
        # 403, nor the password hash's algorithm and salt.
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not can_grant_powers(actor=request.user):
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return can_suspend_user(actor=request.user)

    def has_restore_permission(self, request: HttpRequest) -> bool:
        return can_restore_user(actor=request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable, str, str]]:
        actions = super().get_actions(request)
        # Deleting members is for superusers from the member's page, not a bulk action.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description=gettext_lazy("Suspend (no sign-in; artworks hidden from the public)"),
        permissions=["suspend"],
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = action_reason(request)
        if not reason:
            self.message_user(
                request,
                _("Give a reason for the suspension (it is kept in the staff log)."),
                messages.ERROR,
            )
            return

        def suspend_one(user: User) -> None:
            services.user_suspend(user=user, actor=request.user, reason=reason)

        run_for_each(
            self,
            request,
            queryset,
            suspend_one,
            done=_("Suspended {count} member(s)."),
            needs_change=lambda user: user.is_active,
        )

    @admin.action(
        description=gettext_lazy("Restore (lift the suspension)"), permissions=["restore"]
    )
    def restore(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        def restore_one(user: User) -> None:
            services.user_restore(user=user, actor=request.user)

        run_for_each(
            self,
            request,
            queryset,
            restore_one,
            done=_("Restored {count} member(s)."),
            needs_change=lambda user: not user.is_active,
        )


# Artworks and reports register their own admin pages (accounts.registry).
register_staff_target_admin(StaffAction.TargetType.USER, "admin:accounts_user_change")


# Entries whose target row is gone: named in the log, not linked.
_DELETIONS = (
    StaffAction.Action.ARTWORK_DELETE,
    StaffAction.Action.USER_DELETE,
    StaffAction.Action.COMMENT_DELETE,
)


@admin.register(StaffAction)
class StaffActionAdmin(ReadOnlyModelAdmin):
    """The staff action log: read-only for everyone, superusers included."""

    list_display = ("created_at", "actor_username", "action", "target", "reason")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("actor_username", "target_repr", "reason", "=target_id")
    search_help_text = gettext_lazy("Staff username, target, reason, or an exact target id.")
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    # Facet counts are one COUNT per filter option over the whole table.
    show_facets = admin.ShowFacets.NEVER
    fields = ("created_at", "actor", "actor_username", "action", "target", "reason")
    readonly_fields = fields
    raw_id_fields = ("actor",)

    @admin.display(description=gettext_lazy("target"))
    def target(self, obj: StaffAction) -> str:
        url_name = staff_target_admin_url_name(obj.target_type)
        try:
            url = reverse(url_name, args=[obj.target_id]) if url_name else None
        except NoReverseMatch:
            url = None
        if url is None:
            return obj.target_repr
        label = f"{obj.get_target_type_display()} {obj.target_repr}"
        if obj.action in _DELETIONS:
            return label  # the row is gone
        return format_html('<a href="{}">{}</a>', url, label)
