"""Tags in a real browser (headless Chromium): typing a tag on the create form offers the tags
in use (with JavaScript), the draft keeps the tags typed with or without JavaScript, the
artwork page and cards link them, and the tag page passes axe at phone and desktop widths,
in both themes and both languages. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from artworks.services import artwork_set_tags
from tests.factories import UserFactory, tiny_jpeg
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tagged(live_server):
    now = timezone.now()
    author = UserFactory(username="aurora", name="Aurora Vale")
    works = []
    for i, tags in enumerate([["sunset", "sea"], ["sunset", "日落"], ["sunrise"]]):
        art = make_artwork(
            i,
            user=author,
            title=f"Study {i + 1}",
            status=Artwork.Status.PUBLISHED,
            published_at=now - timedelta(hours=i),
        )
        artwork_set_tags(artwork=art, actor=author, tags=tags)
        works.append(art)
    return {"url": live_server.url, "works": works, "maker": UserFactory(username="maker")}


def _upload_with_tags(page, base: str, typed: str, tmp_path) -> None:
    image = tmp_path / "upload.jpg"
    image.write_bytes(tiny_jpeg())
    page.goto(base + "/create?tab=upload")
    page.set_input_files("input[name=file]", str(image))
    page.check("input[name=ai_used][value=no]")
    page.fill("input[name=tags]", typed)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/artwork/**")


def test_suggestions_as_one_types_and_the_tags_are_kept(browser, tagged, tmp_path):
    base = tagged["url"]
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, tagged["maker"])
    page = context.new_page()
    page.goto(base + "/create?tab=upload")
    page.locator("input[name=tags]").press_sequentially("lake, sun", delay=30)
    options = page.locator("#tag-suggestions option")
    options.first.wait_for(state="attached", timeout=5000)
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert values == ["lake, sunset", "lake, sunrise"]  # the most used first
    page.screenshot(path=str(ARTIFACTS / "tags-create-suggestions-1280.png"))

    _upload_with_tags(page, base, "Lake, sunset", tmp_path)
    chips = page.locator(".artwork-info .tag-chip, main .tag-chip")
    assert [chips.nth(i).inner_text() for i in range(chips.count())][:2] == ["#lake", "#sunset"]
    chips.nth(1).click()
    page.wait_for_url(base + "/tag/sunset")
    assert page.locator("h1").inner_text() == "#sunset"
    context.close()


def test_without_javascript_the_typed_tags_are_kept(browser, tagged, tmp_path):
    base = tagged["url"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    sign_in(context, base, tagged["maker"])
    page = context.new_page()
    _upload_with_tags(page, base, "海边, Quiet Evening", tmp_path)
    draft = Artwork.objects.get(user=tagged["maker"])
    assert draft.tag_names == ["海边", "quiet-evening"]
    page.screenshot(path=str(ARTIFACTS / "tags-no-js-draft-390.png"))

    page.goto(base + "/create?tab=upload")
    page.fill("input[name=tags]", "fine, <bad>")
    page.locator("main form button[type=submit]").first.click()
    assert "characters a tag cannot have" in page.content()
    assert Artwork.objects.filter(user=tagged["maker"]).count() == 1
    context.close()


def test_the_tag_pages_pass_axe_in_both_languages(browser, tagged):
    base = tagged["url"]
    pages = [
        ("/tag/sunset", "tag-sunset", "#sunset"),
        ("/tag/sunset?tab=new", "tag-sunset-new", "#sunset"),
        (tagged["works"][1].get_absolute_url(), "tag-artwork", "Study 2"),
    ]
    problems = check_pages(browser, base, pages)
    problems += check_pages(
        browser, base, [(p, f"{name}-zh", h1) for p, name, h1 in pages[:2]], lang="zh-hans"
    )
    assert not problems, "\n".join(problems)


def test_a_long_tag_stays_within_a_phone_screen(browser, tagged):
    """A tag is one word of up to 50 characters (spaces become -): its page's heading wraps
    instead of widening the page past the screen."""
    long_name = "supercalifragilisticexpialidocious-wonderful-night"
    art = tagged["works"][2]
    artwork_set_tags(artwork=art, actor=art.user, tags=[long_name])
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for path in (f"/tag/{long_name}", art.get_absolute_url()):
        page.goto(tagged["url"] + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide"
    context.close()
