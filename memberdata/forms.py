from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.leaving import confirms_password
from accounts.models import User


class DeleteAccountForm(forms.Form):
    """The confirmation of an account's deletion: the member's password, or for a member
    who signed up with Google alone (no password) their username."""

    confirmation = forms.CharField(max_length=128, strip=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["confirmation"]
        if confirms_password(user):
            field.label = _("Your password")
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
            field.error_messages["required"] = _("Type your password to confirm.")
        else:
            field.label = _("Your username")
            field.help_text = _(
                "You signed up with Google and have no password here: type your username, "
                "%(username)s, to confirm."
            ) % {"username": user.username}
            field.widget = forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
            )
            field.error_messages["required"] = _("Type your username to confirm.")
