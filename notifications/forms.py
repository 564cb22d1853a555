"""The member's choice of kinds: one checkbox per kind, checked when it is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .selectors import disabled_kinds

if TYPE_CHECKING:
    from accounts.models import User


class NotificationSettingsForm(forms.Form):
    enabled = forms.MultipleChoiceField(
        label=_("Tell me when"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *, user: User, data: object = None) -> None:
        off = disabled_kinds(user_id=user.pk)
        initial = {"enabled": [kind for kind in Notification.Kind.values if kind not in off]}
        super().__init__(data=data, initial=initial)

    def disabled_kinds(self) -> list[str]:
        enabled = set(self.cleaned_data["enabled"])
        return [kind for kind in Notification.Kind.values if kind not in enabled]
