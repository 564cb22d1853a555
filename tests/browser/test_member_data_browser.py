"""Export your data in a real browser (headless Chromium), without JavaScript: ask for an
export, watch the page refresh by itself until it is ready, download the zip (byte for byte
what storage holds, and it opens). The export and deletion pages pass axe at phone and desktop
widths, in both themes and both languages. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from memberdata import services
from memberdata.models import DataExport
from memberdata.services import exports
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, PHONE, check_pages, sign_in, submit_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member(live_server):
    member = UserFactory(username="keeper", name="Kee Per")
    PublishedArtworkFactory(user=member, title="Morning fog")
    ArtworkFactory(user=member, title="Unfinished")
    return member


def test_export_request_ready_and_download_without_javascript(
    browser, member, live_server, monkeypatch
):
    queued: list[int] = []
    # Held back, so the page shows it being built; built below, as a worker would.
    monkeypatch.setattr(exports, "_enqueue_build", queued.append)
    base = live_server.url
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, accept_downloads=True)
    sign_in(context, base, member)
    page = context.new_page()
    page.goto(base + "/settings/export")
    assert "You have not asked for an export yet." in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Ask for a new export").click()
    page.get_by_text("Your export is being built.").wait_for()
    page.screenshot(path=str(ARTIFACTS / "export-building-390.png"))
    assert len(queued) == 1
    services.export_build(export_id=queued[0])
    # The page looks again by itself (a meta refresh: no JavaScript here).
    page.get_by_text("Your export is ready").wait_for(timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "export-ready-390.png"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your export").click()
    download = info.value
    assert download.suggested_filename.startswith("aicommunity-keeper-")
    body = Path(download.path()).read_bytes()
    export = DataExport.objects.get(user=member)
    with default_storage.open(export.file, "rb") as stored:
        assert body == stored.read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert "export.json" in archive.namelist()
    assert len([n for n in archive.namelist() if n.startswith("originals/")]) == 2
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_member_data_pages_pass_axe(browser, member, live_server, lang):
    z = "" if lang == "en" else "-zh"
    pages = [
        ("/settings/export", f"export{z}", None),
        ("/settings/delete", f"delete-account{z}", None),
        (
            "/settings/delete",
            f"delete-account-errors{z}",
            None,
            submit_form("main form.form", confirmation="not my password"),
        ),
    ]
    problems = check_pages(browser, live_server.url, pages, user=member, lang=lang)
    assert not problems, "\n".join(problems)
