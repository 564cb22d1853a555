"""The bell in the header: a link to /notifications with the unread count, read from the
cache (no query when warm). A member's kept pages are dropped whenever their count changes
(notifications.services), so a page from the page cache never shows an outdated count."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ..selectors import unread_count

register = template.Library()
BADGE_MAX = 99


@register.inclusion_tag("notifications/partials/bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, object]:
    request = context.get("request")
    user = getattr(request, "user", None)
    count = unread_count(user=user) if user is not None and user.is_authenticated else 0
    match = getattr(request, "resolver_match", None)
    return {
        "count": count,
        "badge": f"{BADGE_MAX}+" if count > BADGE_MAX else str(count),
        "current": match is not None and match.view_name == "notifications:index",
    }


@register.filter
def ago(moment: datetime) -> str:
    """When a notification came: "just now" in its first minute (timesince would say
    "0 minutes"), then "3 hours ago"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(since)s ago") % {"since": timesince(moment)}
