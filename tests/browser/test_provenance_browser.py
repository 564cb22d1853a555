"""Browser tests of provenance on the artwork page: the "Made with AI" label, the content
credentials section and the Download button, in English and Simplified Chinese, through
axe-core (both themes) with screenshots in test-artifacts/; the download itself; and the upload
form's required AI choice, answered with the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from artworks.models import Artwork
from tests.artworks.c2pa_samples import SAMPLE_CREDENTIALS
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, check_pages, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def credited(live_server):
    author = UserFactory(username="lumen", name="Lumen", allow_downloads=True, noai=True)
    artwork = PublishedArtworkFactory(
        user=author,
        title="Signed harbour",
        ai_generated=True,
        content_credentials=SAMPLE_CREDENTIALS,
    )
    return artwork, live_server.url


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_label_credentials_and_download_button_pass_axe(browser, credited, lang):
    artwork, base = credited
    z = "" if lang == "en" else "-zh"
    pages = [(artwork.get_absolute_url(), f"artwork-provenance{z}", "Signed harbour")]
    problems = check_pages(browser, base, pages, lang=lang)
    assert not problems, "\n".join(problems)


def test_what_a_visitor_sees_and_downloads(browser, credited):
    artwork, base = credited
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(base + artwork.get_absolute_url())
    assert page.locator(".artwork-panel .badge", has_text="Made with AI").is_visible()
    section = page.get_by_role("region", name="Content credentials")
    assert section.is_visible()
    for text in ("Test Camera Co", "Test Camera App 1.0", "Created the picture", "Resized it"):
        assert section.get_by_text(text, exact=False).first.is_visible(), text
    link = page.get_by_role("link", name="Download original")
    assert link.get_attribute("download") is not None
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"signed-harbour-{artwork.pk}.jpg"
    with default_storage.open(artwork.original.name, "rb") as fh:
        assert Path(download.path()).read_bytes() == fh.read()
    page.screenshot(path=str(ARTIFACTS / "artwork-provenance-download-1280.png"), full_page=True)
    context.close()


def test_the_upload_form_needs_the_ai_answer(browser, live_server, tmp_path):
    from tests.artworks.samples import image_bytes

    member = UserFactory()
    picture = tmp_path / "p.png"
    picture.write_bytes(image_bytes("PNG"))
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, live_server.url, member)
    page = context.new_page()
    page.goto(live_server.url + "/create?tab=upload")
    page.set_input_files('input[name="file"]', str(picture))
    group = page.get_by_role("group", name="Was AI used to make it?")
    assert group.is_visible()
    with page.expect_navigation():
        page.locator("main form").evaluate("f => { f.noValidate = true; f.requestSubmit(); }")
    assert page.get_by_text("Say whether AI was used to make it.").is_visible()
    assert Artwork.objects.filter(user=member).count() == 0
    page.set_input_files('input[name="file"]', str(picture))
    page.get_by_label("Yes, it was made with AI").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert page.locator(".artwork-panel .badge", has_text="Made with AI").is_visible()
    assert Artwork.objects.get(user=member).ai_generated is True
    context.close()
