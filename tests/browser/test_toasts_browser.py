"""A message toast in a real browser (headless Chromium): a success goes away by itself after a
few seconds, but not while the reader is on it, the pointer over it or focus on its Dismiss
button; that was taken away under a keyboard, dropping focus to the top of the page."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.page_tools import DESKTOP, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Your profile has been saved."


@pytest.fixture
def saved_profile(browser, live_server):
    member = UserFactory(username="aurora", name="Aurora Vale")
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, live_server.url, member)
    page = context.new_page()
    page.clock.install()
    page.goto(live_server.url + "/settings/profile")
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    page.get_by_role("status").filter(has_text=SAVED).wait_for()
    yield page
    context.close()


def test_a_success_toast_goes_away_by_itself(saved_profile):
    page = saved_profile
    page.clock.run_for(7000)
    assert page.get_by_text(SAVED).count() == 0


def test_a_toast_stays_while_its_dismiss_button_has_focus(saved_profile):
    page = saved_profile
    page.locator(".toast-close").focus()
    page.clock.run_for(10000)
    assert page.get_by_text(SAVED).is_visible()
    assert page.evaluate("() => document.activeElement.matches('.toast-close')")
    # Once focus moves on, it goes after the usual while.
    page.locator("h1").first.evaluate("h => { h.tabIndex = -1; h.focus(); }")
    page.clock.run_for(7000)
    assert page.get_by_text(SAVED).count() == 0


def test_a_toast_stays_while_the_pointer_is_over_it(saved_profile):
    page = saved_profile
    page.get_by_text(SAVED).hover()
    page.clock.run_for(10000)
    assert page.get_by_text(SAVED).is_visible()
    page.mouse.move(5, 5)
    page.clock.run_for(7000)
    assert page.get_by_text(SAVED).count() == 0
