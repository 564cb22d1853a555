"""Editing after publishing and remixing, in a real browser: the author renames their artwork
and the old address still leads to it; another member clicks Remix, finds the form filled in
from the parent, generates, and the new artwork says what it remixes. The edit page and the
family tree pass axe in both languages and themes (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest

from artworks.models import Artwork
from tests.browser.test_pages_browser import make_artwork
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, check_pages, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "sunset over quiet mountains, golden light"


@pytest.fixture
def family(live_server):
    from django.utils import timezone

    author = UserFactory(username="aurora", name="Aurora Vale")
    parent = make_artwork(
        0,
        user=author,
        title="Quiet mountains",
        prompt=PROMPT,
        negative_prompt="blurry",
        seed=77,
        size="1024x1024",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    remix = make_artwork(
        3,
        user=UserFactory(username="lin_yue", name="林月"),
        title="Aurora over the mountains",
        prompt=PROMPT + ", aurora",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
        remix_of=parent,
    )
    make_artwork(
        4,
        title="A hidden remix",
        status=Artwork.Status.PUBLISHED,
        published_at=timezone.now(),
        moderation=Artwork.Moderation.HIDDEN,
        remix_of=parent,
    )
    return {"author": author, "parent": parent, "remix": remix, "base": live_server.url}


def test_the_author_renames_and_the_old_address_follows(browser, family):
    base, parent = family["base"], family["parent"]
    old_url = base + parent.get_absolute_url()
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, family["author"])
    page = context.new_page()
    try:
        page.goto(old_url)
        page.get_by_role("link", name="Edit").click()
        page.wait_for_url("**/edit")
        assert page.locator("input[name=title]").input_value() == "Quiet mountains"
        page.fill("input[name=title]", "Mountains at golden hour")
        page.fill("textarea[name=description]", "Walked up at dusk.")
        page.get_by_label("Mature").check()
        page.screenshot(path=str(ARTIFACTS / "edit-form.png"), full_page=True)
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(f"**/artwork/{parent.pk}/mountains-at-golden-hour")
        assert page.locator("h1").inner_text() == "Mountains at golden hour"
        assert page.get_by_text("Your changes are saved.").is_visible()
        edited = page.locator("dd time").last
        assert edited.get_attribute("datetime")
        page.screenshot(path=str(ARTIFACTS / "edit-saved.png"), full_page=True)
        page.goto(old_url)
        assert page.url.endswith(f"/artwork/{parent.pk}/mountains-at-golden-hour")
        assert page.locator("h1").inner_text() == "Mountains at golden hour"
    finally:
        context.close()
    row = Artwork.objects.get(pk=parent.pk)
    assert (row.rating, row.description) == ("mature", "Walked up at dusk.")
    assert row.edited_at is not None


def test_a_member_remixes_and_the_new_artwork_says_so(browser, family):
    base, parent = family["base"], family["parent"]
    member = UserFactory(username="mira", name="Mira Kade")
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, member)
    page = context.new_page()
    try:
        page.goto(base + parent.get_absolute_url())
        assert page.get_by_text("1 remix", exact=True).is_visible()
        assert page.get_by_text("A hidden remix").count() == 0
        page.get_by_role("link", name="Remix").click()
        page.wait_for_url(f"**/create?remix={parent.pk}")
        assert page.locator("textarea[name=prompt]").input_value() == PROMPT
        assert page.locator("textarea[name=negative_prompt]").input_value() == "blurry"
        assert page.locator("input[name=seed]").input_value() == "77"
        page.screenshot(path=str(ARTIFACTS / "remix-form.png"), full_page=True)
        page.fill("textarea[name=prompt]", PROMPT + ", in winter")
        page.fill("input[name=title]", "Mountains in winter")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/artwork/**/mountains-in-winter")
        link = page.locator(".remix-of a")
        assert link.inner_text() == "Quiet mountains"
        page.screenshot(path=str(ARTIFACTS / "remix-made.png"), full_page=True)
        link.click()
        page.wait_for_url(f"**{parent.get_absolute_url()}")
        page.get_by_role("link", name="See the family tree").click()
        page.wait_for_url("**/remixes")
        assert page.get_by_text("Aurora over the mountains").is_visible()
        assert page.get_by_text("Mountains in winter").is_visible()  # their draft: their own
        assert page.get_by_text("Removed artwork").is_visible()  # the hidden remix
        assert page.get_by_text("A hidden remix").count() == 0
        page.screenshot(path=str(ARTIFACTS / "remix-tree.png"), full_page=True)
    finally:
        context.close()
    made = Artwork.objects.get(user=member)
    assert made.remix_of_id == parent.pk


@pytest.mark.parametrize("width", [390, 1280])
def test_remix_of_reads_as_one_phrase(browser, family, width):
    # "Remix of" and the parent's title were separate flex items: the label was squeezed
    # into a column beside the link and broke into "Remix / of", at desktop width too.
    long_title = "Sunset over quiet mountains, golden light, wide angle"
    Artwork.objects.filter(pk=family["parent"].pk).update(title=long_title)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(family["base"] + family["remix"].get_absolute_url())
        assert page.locator(".remix-of a").inner_text() == long_title
        label_lines = page.evaluate(
            """() => {
                const box = document.querySelector(".remix-of");
                const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode()) && !node.data.includes("Remix of")) {}
                const range = document.createRange();
                range.selectNodeContents(node);
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
            }"""
        )
        assert label_lines == 1
        link = page.locator(".remix-of a").bounding_box()
        label = page.get_by_text("Remix of", exact=False).first.bounding_box()
        assert link["y"] < label["y"] + label["height"]  # the title follows on the same line
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_new_pages_pass_axe(browser, family, lang):
    parent = family["parent"]
    pages = [
        (f"/artwork/{parent.pk}/{parent.slug}/edit", f"edit-page-{lang}", None),
        (f"/artwork/{parent.pk}/{parent.slug}/remixes", f"family-tree-{lang}", None),
        (f"/create?remix={parent.pk}", f"create-remix-{lang}", None),
        (family["remix"].get_absolute_url(), f"remix-page-{lang}", None),
    ]
    problems = check_pages(browser, family["base"], pages, user=family["author"], lang=lang)
    assert not problems, "\n".join(problems)
