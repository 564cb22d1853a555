"""Shared pieces for admin actions that call services: an action bar with a "reason" box (it
goes to the staff action log, and for artworks to their author), and a runner that applies a
service to each selected row and reports what happened."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import text_strip

# A moderator can select every row of a filtered list ("select all N"); one request applies a
# service row by row, so bound the batch and let larger clean-ups go page by page.
MAX_ROWS_PER_ACTION = 500


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (logged):"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": gettext_lazy("optional")}),
    )


class AuthorToldReasonActionForm(ReasonActionForm):
    """The action bar of lists whose actions tell the author (an artwork hidden, featured or
    re-rated): the reason reaches them with the notification, and the box says so, so that
    nobody types there what is meant for staff alone."""

    reason = forms.CharField(
        label=gettext_lazy(
            "Reason (logged; the author reads it when their artwork is hidden, featured or "
            "re-rated):"
        ),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": gettext_lazy("optional")}),
    )


class SuspensionReasonActionForm(ReasonActionForm):
    """The members' action bar: a suspension needs a reason (the restoration does not), so
    the box does not call it optional."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (logged; required to suspend):"),
        required=False,  # the restoration takes none; the suspension action asks for it
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
    )


def action_reason(request: HttpRequest) -> str:
    """The reason typed into the action bar, as every stored text is kept (`text_strip`)."""
    return text_strip(request.POST.get("reason") or "")[:500]


def run_for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    rows: Iterable,
    apply: Callable[[object], object],
    *,
    done: str,
    needs_change: Callable[[object], bool] | None = None,
) -> int:
    """Call `apply(row)` for each row; one message for the successes (`done` is formatted
    with {count}), one per failure with the service's own words. Returns the success count.
    `needs_change(row)`: whether the action would change the row; the others are left alone
    and said to need no change, rather than counted as done (nothing was logged for them)."""
    rows = list(rows[: MAX_ROWS_PER_ACTION + 1]) if hasattr(rows, "query") else list(rows)
    if len(rows) > MAX_ROWS_PER_ACTION:
        modeladmin.message_user(
            request,
            _("Select at most %(max)d rows at a time; nothing was changed.")
            % {"max": MAX_ROWS_PER_ACTION},
            messages.ERROR,
        )
        return 0
    unchanged = 0
    if needs_change is not None:
        unchanged = sum(1 for row in rows if not needs_change(row))
        rows = [row for row in rows if needs_change(row)]
    count = 0
    for row in rows:
        try:
            apply(row)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", None) or [str(exc)])
            modeladmin.message_user(request, f"{row}: {text}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
    if unchanged:
        modeladmin.message_user(
            request,
            _("%(count)d selected row(s) needed no change.") % {"count": unchanged},
            messages.INFO,
        )
    return count
