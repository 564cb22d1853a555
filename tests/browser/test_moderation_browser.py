"""A moderator signs in to the admin in a real (headless) browser and hides an artwork."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from artworks.models import Artwork
from artworks.services import artwork_make_thumbnails
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP

PASSWORD = "correct-horse-battery"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def test_a_moderator_hides_an_artwork_from_the_admin(live_server, browser_page):
    # A transactional test may start after another emptied the tables: make sure the group
    # exists, with the data migration's own code.
    migration = importlib.import_module("moderation.migrations.0002_moderators_group")
    migration.create_group(django_apps, None)
    from django.contrib.auth.models import Group

    moderator = UserFactory(username="mod_anna", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    keep = PublishedArtworkFactory(title="Quiet harbour at dawn")
    target = PublishedArtworkFactory(title="Buy followers now")
    for artwork in (keep, target):
        artwork_make_thumbnails(artwork_id=artwork.pk)

    page = browser_page
    public_url = f"{live_server.url}{target.get_absolute_url()}"
    assert page.goto(public_url).status == 200

    page.goto(f"{live_server.url}/admin/login/?next=/admin/artworks/artwork/")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    previews = page.locator("#result_list .field-preview img")
    assert previews.count() == 2
    # The thumbnails really load (served from media storage), not just their tags.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.field-preview img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )

    page.check(f"input[name=_selected_action][value='{target.pk}']")
    page.select_option("select[name=action]", "hide")
    page.fill("input[name=reason]", "spam account")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    assert "Hid 1 artwork(s)." in page.inner_text("ul.messagelist")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-moderator-hides-artwork.png"), full_page=True)

    assert Artwork.objects.get(pk=target.pk).moderation == Artwork.Moderation.HIDDEN
    assert Artwork.objects.get(pk=keep.pk).moderation == Artwork.Moderation.VISIBLE
    # The reports queue, with per-artwork counts.
    from tests.factories import ReportFactory

    ReportFactory.create_batch(2, artwork=keep, reason="living_artist", details="style copy")
    page.goto(f"{live_server.url}/admin/moderation/report/")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "admin-reports-queue.png"), full_page=True)

    # The public no longer finds it.
    anonymous = page.context.browser.new_context()
    try:
        assert anonymous.new_page().goto(public_url).status == 404
    finally:
        anonymous.close()
