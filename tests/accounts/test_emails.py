"""The mails the site sends through allauth (password reset, "no account here", sign-up
confirmation) name the site as SITE_NAME and SITE_URL say, in the reader's language."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reset_mail(lang: str, email: str) -> mail.EmailMessage:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": email})
    assert len(mail.outbox) == 1
    return mail.outbox[0]


@pytest.mark.parametrize("registered", [True, False])
def test_the_mails_carry_the_sites_name_and_address(registered):
    """They said '[example.com]' and 'Thank you for using example.com!': the placeholder the
    sites framework starts with, whatever SITE_NAME and SITE_URL say."""
    UserFactory(email="known@mail.test")
    message = _reset_mail("en", "known@mail.test" if registered else "nobody@mail.test")
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    assert f"Thank you for using {settings.SITE_NAME}!" in message.body
    assert urlsplit(settings.SITE_URL).netloc in message.body
    assert "example.com" not in message.subject + message.body


def test_a_chinese_mail_greets_in_chinese():
    """Its first line was '来自AI Community的 Hello!' (allauth's own catalog left 'Hello'
    in English)."""
    UserFactory(email="known@mail.test")
    message = _reset_mail("zh-hans", "known@mail.test")
    assert message.body.startswith(f"来自 {settings.SITE_NAME} 的问候！")
    assert f"感谢使用 {settings.SITE_NAME}！" in message.body
    assert "Hello" not in message.body
