""" "Load more" in a real browser (headless Chromium through Playwright) when its page link was
tampered with: nothing is appended to the list (not the first page again, nor a whole page with
its header), no navigation happens, and an error toast says why. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest

from social.services import user_follow
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "This page link is invalid; start again from the first page."


@pytest.fixture
def lists(live_server):
    star = UserFactory(username="aurora", name="Aurora Vale")
    PublishedArtworkFactory.create_batch(26, user=star)
    for _ in range(31):
        user_follow(follower=UserFactory(), followee=star)
    return live_server.url


def tamper(link) -> None:
    """Point the "Load more" link at a cursor the site did not make, as htmx will read it."""
    link.evaluate(
        """link => {
            for (const name of ["href", "data-hx-get"]) {
                const url = link.getAttribute(name);
                link.setAttribute(name, url.replace(/cursor=[^&]*/, "cursor=garbage"));
            }
            htmx.process(link);
            window.__noReload = true;
        }"""
    )


@pytest.mark.parametrize(
    ("path", "rows", "shown", "shot"),
    [
        ("/feed?tab=new", "#artwork-grid .art-card", 24, "feed"),
        ("/user/aurora/followers", "#member-list > li", 30, "followers"),
    ],
)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_tampered_load_more_appends_nothing_and_says_why(
    browser, lists, path, rows, shown, shot, viewport
):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(lists + path)
    assert page.locator(rows).count() == shown
    link = page.get_by_role("link", name="Load more")
    tamper(link)
    with page.expect_response(lambda r: "cursor=garbage" in r.url) as answer:
        link.click()
    assert answer.value.status == 400
    toast = page.get_by_role("alert")
    toast.wait_for()
    assert toast.inner_text().strip() == REASON
    assert page.locator(rows).count() == shown
    assert page.locator("header").count() == 1
    assert page.evaluate("() => window.__noReload === true")
    assert page.url == lists + path
    # Clicking again tells it once, not twice.
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("alert").count() == 1
    assert not run_axe(page)
    page.screenshot(path=str(ARTIFACTS / f"load-more-tampered-{shot}-{viewport['width']}.png"))
    context.close()


@pytest.mark.parametrize(
    ("path", "rows", "shown"),
    [
        ("/feed?tab=new", "#artwork-grid .art-card", 24),
        ("/user/aurora/followers", "#member-list > li", 30),
    ],
)
def test_load_more_from_the_keyboard_keeps_the_place(browser, lists, path, rows, shown):
    """The link is swapped for the next one: focus goes to the first new row, not back to
    the top of the page."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(lists + path)
    page.get_by_role("link", name="Load more").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{rows}').length > {shown}")
    first_new = page.locator(rows).nth(shown)
    page.wait_for_function(
        "row => row.contains(document.activeElement)",
        arg=first_new.element_handle(),
        timeout=5000,
    )
    context.close()


FAILED = "That did not work. Reload the page and try again."
OFFLINE = "The site could not be reached. Check your connection and try again."


def test_a_load_more_that_fails_without_a_reason_or_an_answer_still_tells(browser, lists):
    """An answer with no plain-text reason (here a 404 page: the list went away meanwhile) and
    no answer at all (the network dropped) each give an error toast in general words; nothing
    is appended either way."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(lists + "/user/aurora/followers")
    rows = "#member-list > li"
    assert page.locator(rows).count() == 30
    link = page.get_by_role("link", name="Load more")
    link.evaluate(
        """link => {
            for (const name of ["href", "data-hx-get"]) {
                link.setAttribute(name, "/user/nobody-here/followers" + link.getAttribute(name));
            }
            htmx.process(link);
        }"""
    )
    with page.expect_response(lambda r: "nobody-here" in r.url) as answer:
        link.click()
    assert answer.value.status == 404
    toast = page.get_by_role("alert")
    toast.wait_for()
    assert toast.inner_text().strip() == FAILED
    assert page.locator(rows).count() == 30
    assert page.locator("header").count() == 1
    page.locator(".toast-close").click()
    page.get_by_role("alert").wait_for(state="detached")
    context.set_offline(True)
    link.click()
    toast = page.get_by_role("alert")
    toast.wait_for()
    assert toast.inner_text().strip() == OFFLINE
    assert page.locator(rows).count() == 30
    context.close()
