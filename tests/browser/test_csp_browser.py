"""The Content-Security-Policy in a real browser (headless Chromium): the theme script runs
(its nonce matches, on cached pages too), and liking, favoriting, switching theme and language,
"load more" and the admin raise no CSP violation. Responsive images pick a typed source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from artworks import services
from artworks.models import Artwork
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Every violation the page reports, and the console's CSP errors, are collected per page.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${where}`);
});
"""


@pytest.fixture
def site(live_server, settings):
    # Anonymous pages come from the whole-page cache: its hits must carry a fresh nonce.
    settings.PAGE_CACHE_SECONDS = 600
    now = timezone.now()
    author = UserFactory(username="aurora", name="Aurora Vale")
    works = [
        make_artwork(
            i,
            user=author,
            title=f"Study {i + 1}",
            status=Artwork.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
            hot_score=100 - i,
        )
        for i in range(4)
    ]
    # Enough for a second page ("load more"), each with its processed thumbnails.
    for i in range(24):
        extra = PublishedArtworkFactory(
            user=author, title=f"Sketch {i + 1}", published_at=now - timedelta(hours=i + 1)
        )
        services.artwork_make_thumbnails(artwork_id=extra.pk)
    return {
        "url": live_server.url,
        "author": author,
        "works": works,
        "reader": UserFactory(username="reader"),
    }


def watched_page(context, problems: list[str]):
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def collect(page, problems: list[str]) -> None:
    problems += page.evaluate("() => window.__csp || []")


def assert_theme_script_ran(page) -> None:
    # The inline theme script swaps no-js for js: blocked, the class would stay no-js.
    assert page.evaluate("() => document.documentElement.className") == "js"


def test_the_policy_blocks_and_reports_what_it_should(browser, site):
    """The watch works: an injected inline script is refused and reported."""
    context = browser.new_context(viewport=DESKTOP)
    problems: list[str] = []
    page = watched_page(context, problems)
    page.goto(site["url"] + "/feed")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_function("() => window.__csp.length > 0")
    assert page.evaluate("() => window.__ran") is None
    collect(page, problems)
    assert any("script-src" in p for p in problems), problems
    context.close()


def test_browsing_and_clicking_raise_no_violation(browser, site):
    base, first = site["url"], site["works"][0]
    problems: list[str] = []

    # Anonymous, twice the same page (a miss, then a cache hit): the theme script runs both times.
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    page = watched_page(context, problems)
    for visit in ("miss", "hit"):
        response = page.goto(base + "/feed?tab=new")
        assert response.headers["x-page-cache"] == visit
        assert "content-security-policy" in response.headers
        assert_theme_script_ran(page)
        collect(page, problems)
    # Images: the browser takes the AVIF source (Chromium decodes AVIF), never a mixed list.
    current = page.evaluate("() => document.querySelector('#artwork-grid picture img').currentSrc")
    assert current.endswith(".avif"), current
    # Theme toggle.
    page.get_by_role("button", name="Switch to dark theme").click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    # Load more (htmx): the next cards arrive in place.
    page.locator("#load-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('#artwork-grid .art-card').length > 24")
    collect(page, problems)
    # Language switch (the select submits its form from app.js).
    page.get_by_label("Language").select_option("zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert_theme_script_ran(page)
    collect(page, problems)
    page.goto(base + first.get_absolute_url())
    assert_theme_script_ran(page)
    page.screenshot(path=str(ARTIFACTS / "csp-artwork-dark-zh-390.png"))
    collect(page, problems)
    context.close()

    # Signed in: like and favorite on a card and on the artwork page.
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, site["reader"])
    page = watched_page(context, problems)
    page.goto(base + "/feed?tab=new")
    assert_theme_script_ran(page)
    page.locator(f"#like-{first.pk}").click()
    page.wait_for_selector(f'#like-{first.pk}[aria-pressed="true"]')
    page.locator(f"#favorite-{first.pk}").click()
    page.wait_for_selector(f'#favorite-{first.pk}[aria-pressed="true"]')
    page.locator("#load-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('#artwork-grid .art-card').length > 24")
    collect(page, problems)
    second = site["works"][1]
    page.goto(base + second.get_absolute_url())
    page.locator(f"#like-{second.pk}").click()
    page.wait_for_selector(f'#like-{second.pk}[aria-pressed="true"]')
    page.screenshot(path=str(ARTIFACTS / "csp-artwork-liked-1280.png"))
    collect(page, problems)
    context.close()

    # Staff in the admin: the artwork list (thumbnails) and an artwork's change form.
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, admin)
    page = watched_page(context, problems)
    page.goto(base + "/admin/artworks/artwork/")
    assert page.locator("#result_list").is_visible()
    collect(page, problems)
    page.goto(base + f"/admin/artworks/artwork/{first.pk}/change/")
    assert page.locator("#content-main form").is_visible()
    collect(page, problems)
    context.close()

    assert not problems, "\n".join(problems)
