"""End to end in a real browser: sign in, generate, watch the progress finish, publish, and
find the artwork in the feed."""

from __future__ import annotations

import time

import pytest

from artworks.providers import register_provider
from artworks.providers.offline import OfflineProvider
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class SlowOfflineProvider(OfflineProvider):
    """The offline generator, slowed so that a person (and this test) sees the progress."""

    name = "slow-offline"

    def generate(self, request):
        time.sleep(2.5)
        return super().generate(request)


@pytest.fixture
def slow_generation(settings):
    register_provider("slow-offline", SlowOfflineProvider)
    settings.AI_PROVIDER = "slow-offline"
    # As on the embedded default: the request returns at once, generation runs beside it.
    settings.GENERATION_IN_BACKGROUND_THREAD = True


def test_sign_in_generate_watch_progress_publish_and_find_in_feed(
    browser,
    live_server,
    slow_generation,
):
    UserFactory(username="maker", email="maker@example.com")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        # Sign in through the real form.
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=login]", "maker")
        page.fill("input[name=password]", "correct-horse-battery")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/feed**")

        # Generate.
        page.goto(f"{live_server.url}/create")
        page.fill("textarea[name=prompt]", "a lighthouse on a cliff at sunset")
        page.fill("input[name=title]", "Lighthouse at dusk")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/artwork/**")

        # The draft shows at once with its progress, which updates without a reload.
        status = page.locator(".generation-status")
        status.wait_for(state="visible", timeout=5000)
        assert status.get_attribute("data-state") in {"queued", "running"}
        page.screenshot(path=str(ARTIFACTS / "create-flow-progress.png"))
        image = page.locator(".artwork-stage img:not(.media-placeholder)")
        image.wait_for(state="visible", timeout=30000)
        assert page.locator(".generation-status").count() == 0
        page.screenshot(path=str(ARTIFACTS / "create-flow-done.png"))

        # Publish.
        page.get_by_role("button", name="Publish").click()
        page.get_by_role("button", name="Unpublish").wait_for(timeout=10000)

        # Find it in the feed.
        page.goto(f"{live_server.url}/feed?tab=new")
        card = page.get_by_text("Lighthouse at dusk", exact=True)
        assert card.is_visible()
        page.screenshot(path=str(ARTIFACTS / "create-flow-feed.png"))
    finally:
        context.close()
