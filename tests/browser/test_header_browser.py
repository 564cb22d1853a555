"""The header in a real browser (headless Chromium): the search box shows its whole
placeholder on a desktop, in both languages, for a visitor and for a member (whose header
holds more buttons), and no header is wider than a tablet's screen."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.page_tools import DESKTOP, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The placeholder's width in the input's font, and the room the input leaves for it.
PLACEHOLDER_ROOM = """() => {
  const input = document.getElementById('header-search-q');
  const style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [context.measureText(input.placeholder).width, room];
}"""


@pytest.mark.parametrize("member", [False, True])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_search_placeholder_is_not_cut_off_on_a_desktop(browser, live_server, member, lang):
    context = browser.new_context(viewport=DESKTOP)
    if member:
        sign_in(context, live_server.url, UserFactory())
    page = context.new_page()
    page.goto(f"{live_server.url}/feed?lang={lang}")
    text, room = page.evaluate(PLACEHOLDER_ROOM)
    assert text <= room, f"the placeholder needs {text:.0f}px and has {room:.0f}px"
    context.close()


@pytest.mark.parametrize("width", [720, 768, 820, 900, 1024])
@pytest.mark.parametrize("member", [False, True])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_header_fits_a_tablet(browser, live_server, width, member, lang):
    """From 720 px the header held the nav, the search box and every action in one row, wider
    than a tablet in portrait (768 px): the bell and the account menu were off the screen.
    Squeezed, a Chinese nav link broke after each character."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    if member:
        sign_in(context, live_server.url, UserFactory())
    page = context.new_page()
    page.goto(f"{live_server.url}/feed?lang={lang}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide on a {width}px screen"
    tall_links = page.evaluate(
        "() => [...document.querySelectorAll('.site-header nav a')]"
        ".filter(a => a.getClientRects().length > 1 || a.offsetHeight > 48).map(a => a.textContent)"
    )
    assert not tall_links, f"nav links on more than one line: {tall_links}"
    search = page.get_by_role("searchbox")
    link = page.locator(".mobile-nav .nav-search")
    assert search.is_visible() or link.is_visible(), "no way to search"
    context.close()


@pytest.mark.parametrize("width", [320, 340, 360])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_members_header_fits_the_narrowest_phone(browser, live_server, width, lang):
    """At 320 px (the narrowest phones, or a desktop page zoomed to 400%) a member's actions
    were some 50 px too wide: the page scrolled sideways and the account menu was off the
    screen. Every action is on the screen, beside the logo."""
    context = browser.new_context(viewport={"width": width, "height": 640})
    sign_in(context, live_server.url, UserFactory())
    page = context.new_page()
    page.goto(f"{live_server.url}/feed?lang={lang}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width}px wide on a {width}px screen"
    for control in (
        page.locator(".site-header .brand"),
        page.locator(".header-actions select"),
        page.locator(".header-actions .theme-toggle"),
        page.locator(".header-actions > .btn"),
        page.locator(".header-actions .bell"),
        page.locator("details.menu > summary"),
    ):
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, control
    brand, menu = page.locator(".brand").bounding_box(), page.locator(".menu").bounding_box()
    assert abs(brand["y"] - menu["y"]) < 12, "the actions took a row of their own"
    context.close()
