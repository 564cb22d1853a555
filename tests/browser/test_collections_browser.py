"""Collections in a real browser (headless Chromium): saving an artwork to a collection from
its page with JavaScript (a new collection made in place, a tick toggled in place) and
without (a plain form that comes back to the page), and the collections' pages pass axe at
phone and desktop widths, in both themes and both languages. Screenshots go to
test-artifacts/; one more at 360px of each new page."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from social import services
from social.models import Collection, CollectionItem
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}


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
        )
        for i in range(3)
    ]
    curator = UserFactory(username="curator", name="Cura Tor")
    golden = services.collection_create(
        owner=curator, name="Golden hours", description="Warm light at the edges of the day."
    )
    services.collection_create(owner=curator, name="Secret stash", is_public=False)
    for art in works:
        services.collection_item_add(actor=curator, collection=golden, artwork_id=art.pk)
    return {"url": live_server.url, "works": works, "curator": curator, "golden": golden}


def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_saving_with_javascript_happens_in_place(browser, gallery):
    base, artwork = gallery["url"], gallery["works"][0]
    member = UserFactory(username="saver")
    services.collection_create(owner=member, name="Favourites")
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    page.get_by_text("Save to collection").click()
    # Each tick saves at once: there is no "Save" button to press.
    assert not page.get_by_role("button", name="Save", exact=True).is_visible()
    page.fill(f"#save-{artwork.pk}-name", "Made in place")
    page.get_by_role("button", name="Make and save").click()
    status = page.locator(".collection-save-status")
    status.filter(has_text="Made in place").wait_for(timeout=5000)
    assert page.url == base + artwork.get_absolute_url()  # no navigation
    made = Collection.objects.get(owner=member, name="Made in place")
    assert CollectionItem.objects.filter(collection=made, artwork=artwork).exists()
    page.screenshot(path=str(ARTIFACTS / "collections-save-js-1280.png"))

    # Ticking another collection saves at once; unticking takes it out again.
    other = Collection.objects.get(owner=member, name="Favourites")
    box = page.locator(f"#save-{artwork.pk}-{other.pk}")
    box.check()
    assert _eventually(
        lambda: CollectionItem.objects.filter(collection=other, artwork=artwork).exists()
    )
    page.locator(".collection-save-status").filter(has_text="saved").wait_for(timeout=5000)
    page.locator(f"#save-{artwork.pk}-{other.pk}").uncheck()
    assert _eventually(
        lambda: not CollectionItem.objects.filter(collection=other, artwork=artwork).exists()
    )
    assert CollectionItem.objects.filter(collection=made, artwork=artwork).exists()
    context.close()


def test_what_a_save_did_is_said_in_a_live_region_already_on_the_page(browser, gallery):
    """A screen reader tells a change of text in a live region that was there before, not the
    text of one that arrives with it: the status line was swapped in with the control, so
    'Your collections are saved.' (or why not) went unsaid. It stays in the page now."""
    base, artwork = gallery["url"], gallery["works"][0]
    member = UserFactory(username="saver")
    favourites = services.collection_create(owner=member, name="Favourites")
    context = browser.new_context(viewport=PHONE)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    page.get_by_text("Save to collection").click()
    page.evaluate("() => { window.__status = document.querySelector('.collection-save-status'); }")
    assert page.evaluate("() => window.__status.isConnected && window.__status.role === 'status'")
    page.locator(f"#save-{artwork.pk}-{favourites.pk}").check()
    page.locator(".collection-save-status").filter(has_text="saved").wait_for(timeout=5000)
    assert page.evaluate("() => window.__status.isConnected"), "the live region was replaced"
    assert "Your collections are saved." in page.evaluate("() => window.__status.textContent")
    page.fill(f"#save-{artwork.pk}-name", "   ")
    page.get_by_role("button", name="Make and save").click()
    page.locator(".collection-save-status").filter(has_text="a name").wait_for(timeout=5000)
    assert page.evaluate("() => window.__status.isConnected")
    assert page.locator(".collection-save-status .field-error").is_visible()
    context.close()


def test_a_refused_save_with_javascript_says_why_in_place(browser, gallery):
    """A new collection named only with spaces is refused (400) with its reason, which the
    control shows in place, as the page does without JavaScript: the answer was dropped for its
    status and a toast said only 'That did not work. Reload the page and try again.'"""
    base, artwork = gallery["url"], gallery["works"][0]
    member = UserFactory(username="saver")
    context = browser.new_context(viewport=PHONE)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    page.get_by_text("Save to collection").click()
    page.fill(f"#save-{artwork.pk}-name", "   ")
    page.get_by_role("button", name="Make and save").click()
    status = page.locator(".collection-save-status")
    status.filter(has_text="Give the collection a name.").wait_for(timeout=5000)
    assert page.get_by_role("alert").count() == 0  # no error toast
    assert page.locator("details.collection-save-menu").evaluate("d => d.open")
    assert not Collection.objects.filter(owner=member).exists()
    page.screenshot(path=str(ARTIFACTS / "collections-save-refused-390.png"))
    context.close()


def test_saving_without_javascript_comes_back_to_the_artwork(browser, gallery):
    base, artwork = gallery["url"], gallery["works"][1]
    member = UserFactory(username="saver")
    mine = services.collection_create(owner=member, name="Keepers")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    page.get_by_text("Save to collection").click()  # <details> opens without JavaScript
    page.locator(f"#save-{artwork.pk}-{mine.pk}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert page.url.startswith(base + artwork.get_absolute_url())
    assert CollectionItem.objects.filter(collection=mine, artwork=artwork).exists()
    assert "Your collections are saved." in page.content()

    page.get_by_text("Save to collection").click()
    page.fill(f"#save-{artwork.pk}-name", "Plain form")
    with page.expect_navigation():
        page.get_by_role("button", name="Make and save").click()
    made = Collection.objects.get(owner=member, name="Plain form")
    assert CollectionItem.objects.filter(collection=made, artwork=artwork).exists()
    page.screenshot(path=str(ARTIFACTS / "collections-save-no-js-390.png"))
    context.close()


def test_a_visitor_is_asked_to_sign_in_and_comes_back(browser, gallery):
    base, artwork = gallery["url"], gallery["works"][2]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    link = page.get_by_role("link", name="Sign in to save to a collection")
    assert link.get_attribute("href") == f"/login?next={artwork.get_absolute_url()}"
    with page.expect_navigation():
        link.click()
    assert "/login" in page.url
    context.close()


def test_the_collection_pages_pass_axe_in_both_languages(browser, gallery):
    base, curator = gallery["url"], gallery["curator"]
    golden = gallery["golden"].get_absolute_url()
    visitor_pages = [
        ("/user/curator/collections", "collections-list", "Cura Tor"),
        (golden, "collections-page", "Golden hours"),
        ("/user/aurora/collections", "collections-empty", "Aurora Vale"),
    ]
    owner_pages = [
        ("/user/curator/collections", "collections-list-owner", "Cura Tor"),
        (golden, "collections-page-owner", "Golden hours"),
        ("/user/curator/collections/secret-stash", "collections-private-owner", "Secret stash"),
        (gallery["works"][0].get_absolute_url(), "collections-artwork-member", "Study 1"),
    ]
    problems = check_pages(browser, base, visitor_pages)
    problems += check_pages(browser, base, owner_pages, user=curator)
    zh = [(p, f"{name}-zh", "") for p, name, _h1 in visitor_pages[:2]]
    problems += check_pages(browser, base, zh, lang="zh-hans")
    problems += check_pages(
        browser,
        base,
        [(p, f"{n}-zh", "") for p, n, _h in owner_pages[:2]],
        user=curator,
        lang="zh-hans",
    )
    assert not problems, "\n".join(problems)


def test_the_new_pages_at_360px(browser, gallery):
    """Screenshots at the narrowest phone width, for a look: nothing wider than the screen."""
    base = gallery["url"]
    context = browser.new_context(viewport=NARROW)
    sign_in(context, base, gallery["curator"])
    page = context.new_page()
    for path, name in (
        ("/user/curator/collections", "collections-list"),
        (gallery["golden"].get_absolute_url(), "collections-page"),
        (gallery["works"][0].get_absolute_url(), "collections-artwork"),
    ):
        page.goto(base + path)
        if name == "collections-artwork":
            page.get_by_text("Save to collection").click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{name} is {width}px wide"
        page.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)
    context.close()


def test_long_unbroken_words_stay_within_a_phone_screen(browser, gallery):
    """A member's display name, a collection's name and description and a search are typed
    by members: one long word of them (an address, a run of letters) wraps instead of
    widening the page past the screen."""
    base = gallery["url"]
    word = "W" * 80
    longhand = UserFactory(username="w" * 30, name=word)
    hoard = services.collection_create(owner=longhand, name=word, description="D" * 1000)
    services.comment_create(author=longhand, artwork_id=gallery["works"][0].pk, body="Lovely")
    own = make_artwork(
        9, user=longhand, title="Mine", status=Artwork.Status.PUBLISHED, published_at=timezone.now()
    )
    context = browser.new_context(viewport=NARROW)
    sign_in(context, base, gallery["curator"])
    page = context.new_page()
    for path in (
        longhand.get_absolute_url(),
        f"{longhand.get_absolute_url()}/collections",
        hoard.get_absolute_url(),
        "/search?q=" + "x" * 100,
        gallery["works"][0].get_absolute_url(),
        own.get_absolute_url(),  # its author beside the follow button
    ):
        page.goto(base + path)
        if path == longhand.get_absolute_url():
            page.locator("details.member-menu > summary").click()  # "Mute @www…", "Block @www…"
        width = page.evaluate("document.documentElement.scrollWidth")
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('main *')].filter(e => e.offsetParent
                && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                && !e.closest('.art-card')).map(e => e.textContent.trim().slice(0, 20))"""
        )
        assert width <= NARROW["width"] and not overflowing, f"{path}: {width}px, {overflowing}"
    context.close()
