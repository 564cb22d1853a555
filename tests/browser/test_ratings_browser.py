"""Content ratings in a real browser (headless Chromium through Playwright): a member opens an
explicit artwork and gets a notice, opts in under /settings/content (the notice's link brings
them back), sees the work blurred, presses "Show" and sees it — with JavaScript and without.
The pages pass axe at phone and desktop widths, in both themes and both languages.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.utils import timezone

from artworks.models import Artwork
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, check_pages, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rated(live_server):
    author = UserFactory(username="aurora", name="Aurora Vale")
    artwork = make_artwork(
        0,
        user=author,
        title="Velvet night",
        rating=Artwork.Rating.EXPLICIT,
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    member = UserFactory(username="reader", name="Rea Der")
    return {"url": live_server.url, "artwork": artwork, "member": member}


def _filter(page) -> str:
    image = page.locator(".rated-media img:not(.media-placeholder)")
    return image.evaluate("img => getComputedStyle(img).filter")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_member_opts_in_then_shows_a_blurred_explicit_work(browser, rated, javascript):
    base, artwork, member = rated["url"], rated["artwork"], rated["member"]
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    notice = page.locator(".rated-notice")
    assert notice.is_visible() and "Explicit" in notice.inner_text()
    assert page.locator(".rated-media img").count() == 0
    assert "Velvet night" not in page.content()

    page.get_by_role("link", name="Open content settings").click()
    assert page.url.startswith(base + "/settings/content")
    # Turning explicit on without confirming the age is refused, with the reason.
    page.get_by_label("Show explicit work").check()
    page.get_by_role("button", name="Save content settings").click()
    assert "Confirm that you are 18 or older" in page.locator("main").inner_text()
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("Show explicit work").check()
    page.get_by_label("Blur mature and explicit work until I choose to show it").check()
    page.get_by_role("button", name="Save content settings").click()

    assert page.url == base + artwork.get_absolute_url()  # back where they were
    assert page.locator("h1").inner_text() == "Velvet night"
    assert "blur" in _filter(page)
    show = page.get_by_text("Show explicit artwork")
    assert show.is_visible()
    page.screenshot(path=str(ARTIFACTS / f"rating-blurred-{int(javascript)}.png"))
    show.click()
    assert _filter(page) == "none"
    assert page.get_by_role("img", name="Velvet night").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"rating-shown-{int(javascript)}.png"))
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_rating_pages_pass_axe(browser, rated, lang):
    base, artwork, member = rated["url"], rated["artwork"], rated["member"]
    notice = [(artwork.get_absolute_url(), f"rating-notice-{lang}", "")]
    settings_page = [("/settings/content", f"rating-settings-{lang}", "")]
    problems = check_pages(browser, base, notice + settings_page, user=member, lang=lang)
    member.age_confirmed_at = timezone.now()
    member.show_explicit = True
    member.save()
    blurred = [(artwork.get_absolute_url(), f"rating-blurred-{lang}", "Velvet night")]
    problems += check_pages(browser, base, blurred, user=member, lang=lang)
    visitor = [(artwork.get_absolute_url(), f"rating-notice-visitor-{lang}", "")]
    problems += check_pages(browser, base, visitor, lang=lang)
    assert not problems, "\n".join(problems)


def test_showing_a_blurred_work_by_keyboard_keeps_focus_on_the_work(browser, rated):
    """The Show button goes away once pressed; focus went with it, to the top of the page (a
    screen reader lost its place). It goes to the work now shown."""
    base, artwork, member = rated["url"], rated["artwork"], rated["member"]
    member.age_confirmed_at = timezone.now()
    member.show_explicit = True
    member.blur_sensitive = True
    member.save()
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    page.locator(".rated-reveal summary").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.rated-reveal').open")
    page.wait_for_timeout(500)  # the hidden button loses focus at the next rendering
    focused = page.evaluate("() => document.activeElement")
    assert page.evaluate("() => !!document.activeElement.closest('.rated-media')"), focused
    assert _filter(page) == "none"
    context.close()
