"""allauth adapters: how a Google sign-in becomes a member of this site."""

from __future__ import annotations

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from common.client_address import client_ip
from common.tasks import enqueue

from . import services
from .models import User
from .tasks import fetch_remote_avatar

# Set on requests served by the JSON API, where flash messages would never be shown.
QUIET_REQUEST_ATTR = "_accounts_no_messages"

logger = logging.getLogger(__name__)

# allauth's "we do not have any record of such an account" mail.
UNKNOWN_ACCOUNT_MAIL = "account/email/unknown_account"


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth keys its `ip` rate limits (login_failed, signup, reset_password) on this;
        # its own reading of X-Forwarded-For would be a second rule that could drift.
        return client_ip(request)

    def add_message(self, request: HttpRequest, *args: object, **kwargs: object) -> None:
        if getattr(request, QUIET_REQUEST_ATTR, False):
            return
        super().add_message(request, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (confirmation, password reset, "you already have an account") are
        sent while the member waits: an SMTP server that refuses, fails or stays silent past
        EMAIL_TIMEOUT is the operator's to fix (logged), and the member is told the mail did
        not go, rather than answered with a server error. Signing in again sends a new
        confirmation link; the reset form can be sent again."""
        if template_prefix == UNKNOWN_ACCOUNT_MAIL and filter_users_by_email(email):
            # A deactivated member's address (suspended, or leaving): allauth looks among
            # active members alone, and would tell them that no account has it.
            return
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as exc:
            logger.error("The %s mail could not be sent: %r", template_prefix, exc)
            request = allauth_context.request
            if request is not None and not getattr(request, QUIET_REQUEST_ATTR, False):
                messages.error(
                    request,
                    gettext("The email could not be sent. Please try again in a few minutes."),
                )

    def set_password(self, user: User, password: str) -> None:
        """A new password (changed, set or reset) is written alone: the rest of the row as the
        request read it may have moved while the password was hashed (a suspension, a new
        follower), and must not be written back."""
        user.set_password(password)
        user.save(update_fields=["password"])

    def populate_username(self, request: HttpRequest, user: User) -> None:
        if not user.username:
            user.username = services.username_suggest(name=user.name, email=user.email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(
        self, request: HttpRequest, provider: str, client_id: str | None = None
    ) -> SocialApp:
        """A provider that is not configured (Google without GOOGLE_CLIENT_ID) has no pages:
        its sign-in and callback URLs are a 404, not a server error (as allauth does for
        OpenID Connect)."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as exc:
            raise Http404 from exc

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, str | None]
    ) -> User:
        """The first Google sign-in: display name and email from Google, a free username
        derived from them. (Later sign-ins find the existing user and skip this.)"""
        user: User = sociallogin.user
        extra = sociallogin.account.extra_data or {}
        name = (
            extra.get("name")
            or data.get("name")
            or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        )
        try:  # the rule of the settings page: a name that shows nothing is no name
            user.name = services.display_name_clean(name or "")[:80]
        except ValidationError:
            user.name = ""
        user.email = (data.get("email") or "").strip().lower()
        user.username = services.username_suggest(name=user.name, email=user.email)
        return user

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: Form | None = None
    ) -> User:
        user = super().save_user(request, sociallogin, form=form)
        picture = (sociallogin.account.extra_data or {}).get("picture")
        if picture and not user.profile_pic:
            # Outside-world I/O stays off the sign-in path: a task copies the picture after
            # commit, and any failure there (the broker's too) leaves the user without an
            # avatar.
            enqueue(fetch_remote_avatar, user.pk, picture)
        return user
