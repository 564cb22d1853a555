"""Keyboard focus after an htmx swap in a real browser (headless Chromium): a block swapped
in place of the control the reader pressed (a draft card's Publish, "Make and save" in a
collection menu, a deleted comment) keeps the reader there, instead of dropping focus to the
top of the page where the next Tab would start again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from artworks.models import Artwork
from social import services
from tests.factories import UserFactory
from tests.page_tools import PHONE, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_IN = (
    "(id) => { const block = document.getElementById(id);"
    " return !!block && block.contains(document.activeElement) }"
)


def _focused_text(page) -> str:
    return page.evaluate("() => (document.activeElement.textContent || '').trim()")


def test_publishing_a_draft_card_by_keyboard_keeps_focus_on_its_actions(browser, live_server):
    member = UserFactory(username="maker")
    draft = make_artwork(0, user=member, title="Quiet harbour", status=Artwork.Status.DRAFT)
    context = browser.new_context(viewport=PHONE, has_touch=True)
    sign_in(context, live_server.url, member)
    page = context.new_page()
    page.goto(f"{live_server.url}/user/maker?tab=drafts")
    page.get_by_role("button", name="Publish").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Unpublish").wait_for(timeout=5000)
    page.wait_for_function(f"() => ({FOCUSED_IN})('owner-actions-{draft.pk}')", timeout=5000)
    assert _focused_text(page) == "Unpublish"
    context.close()


def test_making_a_collection_by_keyboard_keeps_focus_in_the_menu(browser, live_server):
    author = UserFactory(username="aurora")
    artwork = make_artwork(
        1, user=author, title="Dune", status=Artwork.Status.PUBLISHED, published_at=timezone.now()
    )
    member = UserFactory(username="saver")
    services.collection_create(owner=member, name="Favourites")
    context = browser.new_context(viewport=PHONE, has_touch=True)
    sign_in(context, live_server.url, member)
    page = context.new_page()
    page.goto(live_server.url + artwork.get_absolute_url())
    page.get_by_text("Save to collection").click()
    page.fill(f"#save-{artwork.pk}-name", "Deserts")
    page.get_by_role("button", name="Make and save").focus()
    page.keyboard.press("Enter")
    page.locator(".collection-save-status").filter(has_text="Deserts").wait_for(timeout=5000)
    page.wait_for_function(f"() => ({FOCUSED_IN})('save-{artwork.pk}')", timeout=5000)
    context.close()


def test_deleting_a_comment_by_keyboard_moves_focus_to_the_comments_heading(browser, live_server):
    author = UserFactory(username="aurora")
    artwork = make_artwork(
        2, user=author, title="Tide", status=Artwork.Status.PUBLISHED, published_at=timezone.now()
    )
    member = UserFactory(username="talker")
    comment = services.comment_create(author=member, artwork_id=artwork.pk, body="Too hasty")
    context = browser.new_context(viewport=PHONE, has_touch=True)
    sign_in(context, live_server.url, member)
    page = context.new_page()
    page.goto(live_server.url + artwork.get_absolute_url())
    box = page.locator(f"#comment-{comment.pk} .comment-delete-box")
    box.locator("summary").focus()
    page.keyboard.press("Enter")
    box.get_by_role("button", name="Yes, delete").focus()
    page.keyboard.press("Enter")
    page.locator(f"#comment-{comment.pk}").wait_for(state="detached", timeout=5000)
    page.wait_for_function(
        f"() => document.activeElement.id === 'comments-title-{artwork.pk}'", timeout=5000
    )
    assert _focused_text(page) == "0 comments"
    context.close()
