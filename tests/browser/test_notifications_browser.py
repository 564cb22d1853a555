"""Notifications in a real browser (headless Chromium through Playwright): the bell in the
header says how many are unread; /notifications shows them grouped, unread ones marked, and
passes axe at phone and desktop widths in both themes and both languages; "Mark all as read"
works with and without JavaScript and the bell follows. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from artworks.services import artwork_like
from notifications.models import Notification
from social.services import user_follow
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def told(live_server):
    """A member told of five follows (one line) and a like (another), made as on the site:
    through the services, the tasks running after commit."""
    star = UserFactory(username="aurora", name="Aurora Vale")
    work = make_artwork(
        0,
        user=star,
        title="Quiet harbour",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    names = ["林月", "Mira Kade", "Oskar Lindqvist-Hernández the Third", "Tomo", "Ines"]
    fans = [UserFactory(username=f"fan{i}", name=name) for i, name in enumerate(names)]
    for fan in fans:
        user_follow(follower=fan, followee=star)
    artwork_like(artwork_id=work.pk, user=fans[0])
    assert Notification.objects.filter(recipient=star).count() == 6
    return {"star": star, "url": live_server.url}


def test_the_pages_pass_axe_in_both_languages(browser, told):
    base, star = told["url"], told["star"]
    pages = [
        ("/notifications", "notifications", "Notifications"),
        ("/settings/notifications", "notification-settings", "Notification settings"),
    ]
    problems = check_pages(browser, base, pages, user=star)
    zh = [(url, f"{name}-zh", None) for url, name, _h1 in pages]
    problems += check_pages(browser, base, zh, user=star, lang="zh-hans")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_reading_and_marking_read(browser, told, javascript):
    base, star = told["url"], told["star"]
    context = browser.new_context(
        viewport=PHONE if javascript else DESKTOP, java_script_enabled=javascript
    )
    sign_in(context, base, star)
    page = context.new_page()
    page.goto(base + "/feed")
    bell = page.locator("a.bell")
    assert bell.get_attribute("aria-label") == "Notifications, 6 unread"
    assert bell.locator(".bell-badge").inner_text() == "6"
    bell.click()
    page.wait_for_url(base + "/notifications")
    lines = page.locator("li.notification")
    assert lines.count() == 2
    assert page.locator("li.notification.is-unread").count() == 2
    assert "and 3 others followed you" in lines.nth(1).inner_text()
    assert "liked Quiet harbour" in lines.nth(0).inner_text()
    page.screenshot(path=str(ARTIFACTS / f"notifications-unread-{int(javascript)}.png"))
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_selector("text=Your notifications are marked as read.")
    assert page.locator("li.notification.is-unread").count() == 0
    assert page.locator("a.bell").get_attribute("aria-label") == "Notifications"
    assert page.get_by_role("button", name="Mark all as read").count() == 0
    assert not Notification.objects.filter(recipient=star, read_at__isnull=True).exists()
    context.close()


def test_load_more_appends_in_place_with_javascript(browser, told):
    from social.services import comment_create

    base, star = told["url"], told["star"]
    work = Artwork.objects.get(user=star)
    for i in range(30):  # one line each
        comment_create(author=UserFactory(), artwork_id=work.pk, body=f"Comment {i}")
    context = browser.new_context(viewport=PHONE)
    sign_in(context, base, star)
    page = context.new_page()
    page.goto(base + "/notifications")
    assert page.locator("li.notification").count() == 30
    page.evaluate("() => { window.__noReload = true; }")
    page.get_by_role("link", name="Load more").click()
    page.wait_for_function("() => document.querySelectorAll('li.notification').length === 32")
    assert page.evaluate("() => window.__noReload === true")
    assert page.url == base + "/notifications"
    assert page.get_by_text("You have reached the end.").is_visible()
    page.screenshot(path=str(ARTIFACTS / "notifications-load-more-390.png"))
    context.close()
