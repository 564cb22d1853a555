"""The site's pop-up menus in a real browser (headless Chromium): the account menu in the header
and the More menu (mute, block) on a member's profile float over the page. Escape closes either
and gives focus back to its button; tabbing on past its last item closes it, so that the next
focused control (a profile's tabs, the first card) is not hidden under the panel."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.page_tools import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_HIDDEN_BY_PANEL = """(panel) => {
  const box = document.activeElement.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const inside = document.querySelector(panel).contains(document.activeElement);
  return !!hit && !!hit.closest(panel) && !inside;
}"""


@pytest.fixture
def profile_page(browser, live_server):
    UserFactory(username="aurora", name="Aurora Vale")
    reader = UserFactory(username="reader", name="Rea Der")

    def open_page(viewport):
        context = browser.new_context(viewport=viewport)
        sign_in(context, live_server.url, reader)
        page = context.new_page()
        page.goto(live_server.url + "/user/aurora")
        return page

    return open_page


def _is_open(page, menu: str) -> bool:
    return page.evaluate("(menu) => document.querySelector(menu).open", menu)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_tabbing_past_the_more_menu_closes_it(profile_page, viewport):
    page = profile_page(viewport)
    page.locator("details.member-menu > summary").focus()
    page.keyboard.press("Enter")
    assert _is_open(page, "details.member-menu")
    page.keyboard.press("Tab")  # Mute
    page.keyboard.press("Tab")  # Block
    page.keyboard.press("Tab")  # on, past the menu
    assert not _is_open(page, "details.member-menu")
    assert not page.evaluate(FOCUS_HIDDEN_BY_PANEL, ".member-menu-items")
    page.context.close()


def test_escape_closes_the_more_menu_and_returns_to_its_button(profile_page):
    page = profile_page(PHONE)
    page.locator("details.member-menu > summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert not _is_open(page, "details.member-menu")
    assert page.evaluate("() => document.activeElement.matches('details.member-menu > summary')")
    page.context.close()


def test_a_click_elsewhere_closes_the_more_menu(profile_page):
    page = profile_page(DESKTOP)
    page.locator("details.member-menu > summary").click()
    page.locator("h1").click()
    assert not _is_open(page, "details.member-menu")
    page.context.close()


def test_tabbing_past_the_account_menu_closes_it(profile_page):
    page = profile_page(PHONE)
    page.locator("details.menu > summary").focus()
    page.keyboard.press("Enter")
    log_out = page.locator("details.menu").get_by_role("button", name="Log out")
    log_out.focus()
    page.keyboard.press("Tab")
    assert not _is_open(page, "details.menu")
    page.context.close()
