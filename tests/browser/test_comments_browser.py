"""Comments in a real browser (headless Chromium through Playwright): with JavaScript a
comment and a reply are posted in place (the form cleared, the comment appended, the count
and the live region updated, no navigation), an error shows in the form with the text kept,
and a delete goes in place; without JavaScript the same forms post and come back to the
comment, and the delete asks first. The artwork page with comments passes axe at phone and
desktop widths, in both themes and both languages, signed in and not. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest
from django.utils import timezone

from artworks.models import Artwork
from social.models import Comment
from social.services import comment_create
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages, sign_in

from .test_follow_browser import mark_page, not_reloaded
from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(live_server):
    author = UserFactory(username="aurora", name="Aurora Vale")
    art = make_artwork(
        0,
        user=author,
        title="Harbour lights",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    reader = UserFactory(username="reader", name="Rea Der")
    talker = UserFactory(username="talker", name="林月")
    top = comment_create(
        author=talker, artwork_id=art.pk, body="The light on the water! https://example.com/x"
    )
    comment_create(author=author, artwork_id=art.pk, body="Thank you @talker", parent_id=top.pk)
    return {"art": art, "reader": reader, "top": top, "url": live_server.url}


def test_comment_and_reply_in_place(browser, scene):
    base, art, top = scene["url"], scene["art"], scene["top"]
    context = browser.new_context(viewport=PHONE)
    sign_in(context, base, scene["reader"])
    page = context.new_page()
    page.goto(base + art.get_absolute_url())
    assert page.locator(f"#comments-title-{art.pk}").inner_text() == "2 comments"
    mark_page(page)
    page.get_by_label("Your comment").fill("So calm.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_function(
        f"() => document.querySelector('#comments-title-{art.pk}').textContent.trim()"
        " === '3 comments'"
    )
    assert page.locator("#comment-form-body").input_value() == ""
    # The keyboard stays in the (new) form.
    page.wait_for_function("() => document.activeElement.id === 'comment-form-body'")
    assert page.locator(f"#comments-status-{art.pk}").inner_text() == "Your comment was posted."
    mine = Comment.objects.get(body="So calm.")
    assert page.locator(f"#comment-list-{art.pk} > #comment-{mine.pk}").is_visible()

    page.locator(f"#comment-{top.pk} details.comment-reply-box > summary").click()
    page.locator(f"#reply-form-{top.pk}-body").fill("Agreed!")
    page.locator(f"#reply-form-{top.pk}").get_by_role("button", name="Post reply").click()
    page.wait_for_selector(f"#replies-{top.pk} li:has-text('Agreed!')")
    assert Comment.objects.get(body="Agreed!").parent_id == top.pk

    # An error shows in the form, the text kept (the browser's own limit lifted).
    page.evaluate("() => document.querySelector('#comment-form-body').removeAttribute('required')")
    page.locator("#comment-form-body").fill("   ")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector("#comment-form .field-error")
    assert "cannot be empty" in page.locator("#comment-form .field-error").inner_text()
    page.wait_for_function("() => document.activeElement.id === 'comment-form-body'")

    # Delete one's own comment in place.
    page.locator(f"#comment-{mine.pk} details.comment-delete-box > summary").click()
    page.locator(f"#comment-{mine.pk}").get_by_role("button", name="Yes, delete").click()
    page.wait_for_selector(f"#comment-{mine.pk}", state="detached")
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert not_reloaded(page)
    page.screenshot(path=str(ARTIFACTS / "comments-in-place-390.png"))
    context.close()


def test_without_javascript(browser, scene):
    base, art, top = scene["url"], scene["art"], scene["top"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    sign_in(context, base, scene["reader"])
    page = context.new_page()
    page.goto(base + art.get_absolute_url())
    page.get_by_label("Your comment").fill("Plain form.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    mine = Comment.objects.get(body="Plain form.")
    assert page.url == f"{base}{art.get_absolute_url()}#comment-{mine.pk}"
    assert page.locator(f"#comment-{mine.pk}").is_visible()

    page.locator(f"#comment-{top.pk} details.comment-reply-box > summary").click()
    page.locator(f"#reply-form-{top.pk}-body").fill("A reply without scripts")
    page.locator(f"#reply-form-{top.pk}").get_by_role("button", name="Post reply").click()
    page.wait_for_load_state()
    reply = Comment.objects.get(body="A reply without scripts")
    assert reply.parent_id == top.pk
    assert page.locator(f"#replies-{top.pk} #comment-{reply.pk}").is_visible()

    page.locator(f"#comment-{mine.pk} details.comment-delete-box > summary").click()
    page.locator(f"#comment-{mine.pk}").get_by_role("button", name="Yes, delete").click()
    page.wait_for_load_state()
    assert page.url.endswith("#comments")
    assert not Comment.objects.filter(pk=mine.pk).exists()
    page.screenshot(path=str(ARTIFACTS / "comments-no-js-390.png"), full_page=True)
    context.close()


def test_the_artwork_page_with_comments_passes_axe(browser, scene):
    base, art = scene["url"], scene["art"]
    path = art.get_absolute_url()
    pages = [(path, "comments-artwork", "Harbour lights")]
    problems = check_pages(browser, base, pages, user=scene["reader"])
    problems += check_pages(browser, base, [(path, "comments-artwork-visitor", "Harbour lights")])
    problems += check_pages(
        browser, base, [(path, "comments-artwork-zh", "Harbour lights")], lang="zh-hans"
    )
    assert not problems, "\n".join(problems)


def test_desktop_layout_keeps_replies_indented(browser, scene):
    base, art, top = scene["url"], scene["art"], scene["top"]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base + art.get_absolute_url())
    top_box = page.locator(f"#comment-{top.pk}").bounding_box()
    reply_box = page.locator(f"#replies-{top.pk} > li").first.bounding_box()
    assert reply_box["x"] > top_box["x"]
    context.close()


def _artwork_with_comments(count: int) -> Artwork:
    """aurora's published "Harbour lights" with `count` comments by talker, numbered from 0:
    more than one page of them."""
    art = make_artwork(
        0,
        user=UserFactory(username="aurora"),
        title="Harbour lights",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    talker = UserFactory(username="talker")
    for i in range(count):
        comment_create(author=talker, artwork_id=art.pk, body=f"Comment number {i}")
    return art


def test_more_comments_come_in_the_language_of_the_pages_address(browser, live_server):
    """A visitor whose browser reads English opens the Chinese address of an artwork page
    (?lang=zh-hans, as search engines link it): the next comments came in English (their
    dates, and a member's Reply and Report) inside the Chinese page."""
    art = _artwork_with_comments(25)
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}{art.get_absolute_url()}?lang=zh-hans")
    page.get_by_role("link", name="显示更多评论").click()
    page.locator("text=Comment number 24").wait_for()
    times = page.locator("#comments time").all_inner_texts()
    assert len(times) == 25
    assert all("年" in text for text in times), times  # "2026年12月5日 11:53", not "Dec. 5, 2026"
    page.screenshot(path=ARTIFACTS / "comments-more-zh-address.png", full_page=True)
    context.close()


def test_a_comment_posted_before_the_next_page_shows_once_in_its_place(browser, live_server):
    """A comment posted in place joins the comments shown; when more were still to come, the
    next page brought it again (the same comment twice, once out of order): it shows once,
    where it belongs, at the end."""
    art = _artwork_with_comments(25)
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, live_server.url, UserFactory(username="reader"))
    page = context.new_page()
    page.goto(live_server.url + art.get_absolute_url())
    page.get_by_label("Your comment").fill("Late but glad.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("li.comment:has-text('Late but glad.')")
    mine.wait_for()
    page.get_by_role("link", name="Show more comments").click()
    page.locator("text=Comment number 24").wait_for()
    page.wait_for_timeout(300)  # anything after the swap
    assert mine.count() == 1
    last = page.locator(f"#comment-list-{art.pk} > li.comment").last
    assert "Late but glad." in last.inner_text()
    context.close()
