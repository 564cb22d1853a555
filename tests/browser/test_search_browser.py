"""Search in a real browser (headless Chromium): searching from the header's box with and
without JavaScript, the small-screen header (no box; a link to the search page in its nav; no
wider than the screen at 360 px),
and /search (results, creators, nothing found, a too-short query) through axe at phone and
desktop widths, in both themes and both languages. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from feed.services import search_rebuild
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}


@pytest.fixture
def searchable(live_server):
    now = timezone.now()
    author = UserFactory(username="aurora", name="Aurora Vale")
    for i, (title, prompt) in enumerate(
        [
            ("Sunset over the bay", "golden sunset, calm sea"),
            ("海边日落", "一只猫在日落时分"),
            ("Misty forest", "forest at dawn"),
        ]
    ):
        make_artwork(
            i,
            user=author,
            title=title,
            prompt=prompt,
            status=Artwork.Status.PUBLISHED,
            published_at=now - timedelta(hours=i),
        )
    search_rebuild()
    return live_server.url


def _titles(page) -> list[str]:
    return page.locator("#artwork-grid .art-card-title").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False])
def test_searching_from_the_header_box(browser, searchable, javascript):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(searchable + "/feed")
    box = page.get_by_role("search", name="Site search").get_by_label(
        "Search artworks and creators"
    )
    box.fill("sunsets")
    suffix = "" if javascript else "-nojs"
    page.screenshot(path=str(ARTIFACTS / f"search-header-box-1280{suffix}.png"))
    with page.expect_navigation():
        box.press("Enter")
    assert "/search?q=sunsets" in page.url
    assert page.locator("h1").inner_text() == "Results for “sunsets”"
    assert _titles(page) == ["Sunset over the bay"]
    # The results page has its own box, filled in; a Chinese query from it.
    field = page.locator("#search-q")
    assert field.input_value() == "sunsets"
    field.fill("日落")
    with page.expect_navigation():
        page.locator("form.search-form button[type=submit]").click()
    assert _titles(page) == ["海边日落"]
    with page.expect_navigation():
        page.get_by_role("link", name="Creators").click()
    assert (
        "type=users" in page.url and "Nothing found for “日落”" in page.locator("main").inner_text()
    )
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_small_screen_gets_a_link_to_search_and_a_header_that_fits(
    browser, searchable, javascript
):
    context = browser.new_context(viewport=NARROW, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(searchable + "/feed")
    assert not page.locator("form.header-search").is_visible()
    # (Without JavaScript the language form keeps its "Change" button: the header wraps.)
    overflow = page.evaluate(
        "() => document.querySelector('header.site-header').scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"the header is {overflow}px wider than the screen"
    suffix = "" if javascript else "-nojs"
    page.screenshot(path=str(ARTIFACTS / f"search-header-360{suffix}.png"))
    nav = page.get_by_role("navigation", name="Main (small screens)")
    with page.expect_navigation():
        nav.get_by_role("link", name="Search").click()
    assert page.url.endswith("/search")
    page.locator("#search-q").fill("forest")
    with page.expect_navigation():
        page.locator("#search-q").press("Enter")
    assert _titles(page) == ["Misty forest"]
    page.screenshot(path=str(ARTIFACTS / f"search-results-360{suffix}.png"), full_page=True)
    context.close()


def test_search_pages_pass_axe_in_both_languages(browser, searchable):
    for lang in ("en", "zh-hans"):
        pages = [
            ("/search?q=sunset", f"search-results-{lang}", "sunset"),
            ("/search?q=aurora&type=users", f"search-creators-{lang}", "aurora"),
            ("/search?q=nothinglikethis", f"search-empty-{lang}", "nothinglikethis"),
            ("/search?q=a", f"search-too-short-{lang}", None),
            ("/search", f"search-start-{lang}", None),
            ("/feed", f"search-header-box-{lang}", None),  # the header's box, on every page
        ]
        problems = check_pages(browser, searchable, pages, lang=lang)
        assert not problems, "\n".join(problems)


def test_the_header_box_is_usable_at_phone_and_desktop_widths(browser, searchable):
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(searchable + "/")
        form_shown = page.locator("form.header-search").is_visible()
        link_shown = page.locator(".mobile-nav a.nav-search").is_visible()
        assert (form_shown, link_shown) == (viewport is DESKTOP, viewport is PHONE)
        context.close()
