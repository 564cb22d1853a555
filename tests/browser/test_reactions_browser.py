"""Like and favorite in a real browser (headless Chromium through Playwright): a click on a
card or on the artwork page changes the count and the pressed state in place, without a
reload; an anonymous click goes to sign in and comes back; without JavaScript the same buttons
are plain forms. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork, Favorite, Like
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, run_axe, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def gallery(live_server):
    now = timezone.now()
    author = UserFactory(username="aurora", name="Aurora Vale")
    works = [
        make_artwork(
            i,
            user=author,
            title=f"Study {i + 1}",
            status=Artwork.Status.PUBLISHED,
            published_at=now - timedelta(hours=i),
            hot_score=100 - i,
            like_count=0,
            favorite_count=0,
        )
        for i in range(4)
    ]
    reader = UserFactory(username="reader", name="Rea Der")
    return {"author": author, "works": works, "reader": reader, "url": live_server.url}


def mark_page(page) -> None:
    """Tag the window: the tag survives only if no navigation happens."""
    page.evaluate("() => { window.__noReload = true; }")


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.__noReload === true")


def like_button(page, artwork: Artwork):
    return page.locator(f"#like-{artwork.pk}")


def favorite_button(page, artwork: Artwork):
    return page.locator(f"#favorite-{artwork.pk}")


def shown_count(button) -> str:
    """The count as it is shown (the exact count and the label are for screen readers)."""
    return button.locator('[aria-hidden="true"]').last.inner_text().strip()


def test_signed_in_likes_on_a_card_and_on_the_artwork_page(browser, gallery):
    base, reader = gallery["url"], gallery["reader"]
    first, second = gallery["works"][0], gallery["works"][1]
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, reader)
    page = context.new_page()

    # A card in the feed.
    page.goto(base + "/feed?tab=new")
    button = like_button(page, first)
    assert button.get_attribute("aria-pressed") == "false"
    assert shown_count(button) == "0"
    # Its accessible name says what it does and the exact count.
    block = page.locator(f"#reactions-{first.pk}")
    assert block.get_by_role("button", name="Like: 0 likes", exact=True).count() == 1
    assert block.get_by_role("button", name="Favorite: 0 favorites", exact=True).count() == 1
    mark_page(page)
    button.click()
    page.wait_for_selector(f'#like-{first.pk}[aria-pressed="true"]')
    assert shown_count(like_button(page, first)) == "1"
    assert not_reloaded(page)
    assert page.url == base + "/feed?tab=new"
    # Focus stays on the button that was pressed (for keyboard and screen reader users).
    assert page.evaluate("() => document.activeElement.id") == f"like-{first.pk}"
    favorite_button(page, first).click()
    page.wait_for_selector(f'#favorite-{first.pk}[aria-pressed="true"]')
    assert shown_count(favorite_button(page, first)) == "1"
    assert not_reloaded(page)
    page.screenshot(path=str(ARTIFACTS / "reactions-feed-card-liked-1280.png"))
    assert Like.objects.filter(user=reader, artwork=first).exists()
    assert Favorite.objects.filter(user=reader, artwork=first).exists()

    # Unlike on the card: back to 0, not pressed.
    like_button(page, first).click()
    page.wait_for_selector(f'#like-{first.pk}[aria-pressed="false"]')
    assert shown_count(like_button(page, first)) == "0"
    assert not Like.objects.filter(user=reader, artwork=first).exists()

    # The artwork page (large buttons), then a card under "More from".
    page.goto(base + second.get_absolute_url())
    mark_page(page)
    like_button(page, second).click()
    page.wait_for_selector(f'#like-{second.pk}[aria-pressed="true"]')
    assert shown_count(like_button(page, second)) == "1"
    assert page.locator(f"#reactions-{second.pk}").get_attribute("class") == (
        "reactions reactions-lg"
    )
    more_card = gallery["works"][2]
    favorite_button(page, more_card).click()
    page.wait_for_selector(f'#favorite-{more_card.pk}[aria-pressed="true"]')
    assert not_reloaded(page)
    page.screenshot(path=str(ARTIFACTS / "reactions-artwork-liked-1280.png"))
    problems = run_axe(page)
    assert not problems, "\n".join(problems)

    # A reload shows the same state from the server (the cached artwork was invalidated).
    page.reload()
    assert like_button(page, second).get_attribute("aria-pressed") == "true"
    assert shown_count(like_button(page, second)) == "1"
    context.close()


def test_phone_and_dark_theme(browser, gallery):
    base, reader = gallery["url"], gallery["reader"]
    art = gallery["works"][0]
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    sign_in(context, base, reader)
    page = context.new_page()
    page.goto(base + art.get_absolute_url())
    favorite_button(page, art).click()
    page.wait_for_selector(f'#favorite-{art.pk}[aria-pressed="true"]')
    box = like_button(page, art).bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a comfortable touch target
    page.screenshot(path=str(ARTIFACTS / "reactions-artwork-favorited-390-dark.png"))
    problems = run_axe(page)
    assert not problems, "\n".join(problems)
    page.goto(base + "/feed")
    page.screenshot(path=str(ARTIFACTS / "reactions-feed-390-dark.png"))
    context.close()


def test_an_anonymous_click_signs_in_and_comes_back(browser, gallery):
    base = gallery["url"]
    art = gallery["works"][1]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base + "/feed?tab=new")
    link = page.locator(f"#reactions-{art.pk} a.reaction-like")
    assert link.get_attribute("title") == "Sign in to like"
    link.click()
    page.wait_for_url(
        re.compile(r"/login\?next=%2Ffeed%3Ftab%3Dnew$|/login\?next=/feed%3Ftab%3Dnew$")
    )
    page.screenshot(path=str(ARTIFACTS / "reactions-anonymous-sign-in-1280.png"))
    page.locator('input[name="login"]').fill("reader")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/feed?tab=new")
    # Back on the same page, signed in: now the like is one click away.
    like_button(page, art).click()
    page.wait_for_selector(f'#like-{art.pk}[aria-pressed="true"]')
    assert shown_count(like_button(page, art)) == "1"
    page.screenshot(path=str(ARTIFACTS / "reactions-after-sign-in-1280.png"))
    context.close()


def test_without_javascript_the_buttons_are_forms(browser, gallery):
    base, reader = gallery["url"], gallery["reader"]
    art = gallery["works"][3]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    sign_in(context, base, reader)
    page = context.new_page()
    page.goto(base + "/feed?tab=new")
    like_button(page, art).click()
    page.wait_for_load_state()
    assert page.url == f"{base}/feed?tab=new#reactions-{art.pk}"
    assert like_button(page, art).get_attribute("aria-pressed") == "true"
    assert shown_count(like_button(page, art)) == "1"
    page.screenshot(path=str(ARTIFACTS / "reactions-no-js-liked-390.png"))
    context.close()
