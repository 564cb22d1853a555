"""Following in a real browser (headless Chromium through Playwright): from a profile with
JavaScript the button and the follower count change in place, without a navigation; without
JavaScript the same button is a form that comes back to the profile. The followers page and a
profile with the button pass axe at phone and desktop widths, in both themes. Screenshots go
to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from social.models import Follow
from social.services import user_follow
from tests.factories import UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, PHONE, check_pages, sign_in

from .test_pages_browser import make_artwork

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(live_server):
    now = timezone.now()
    star = UserFactory(username="aurora", name="Aurora Vale")
    works = [
        make_artwork(
            i,
            user=star,
            title=f"Study {i + 1}",
            status=Artwork.Status.PUBLISHED,
            published_at=now - timedelta(hours=i),
        )
        for i in range(3)
    ]
    reader = UserFactory(username="reader", name="Rea Der")
    names = ["林月", "Mira Kade", "Oskar Lindqvist-Hernández the Third", "Tomo", "Ines"]
    fans = [UserFactory(username=f"fan{i}", name=name) for i, name in enumerate(names)]
    for fan in fans:
        user_follow(follower=fan, followee=star)
    user_follow(follower=reader, followee=fans[1])
    return {"star": star, "works": works, "reader": reader, "fans": fans, "url": live_server.url}


def mark_page(page) -> None:
    """Tag the window: the tag survives only if no navigation happens."""
    page.evaluate("() => { window.__noReload = true; }")


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.__noReload === true")


def test_follow_from_a_profile_in_place(browser, people):
    base, star, reader = people["url"], people["star"], people["reader"]
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, base, reader)
    page = context.new_page()
    page.goto(base + "/user/aurora")
    button = page.locator(f"#follow-button-{star.pk}")
    assert button.get_attribute("aria-pressed") == "false"
    assert page.get_by_role("button", name="Follow @aurora", exact=True).count() == 1
    stat = page.locator(f"#follower-stat-{star.pk}")
    assert stat.inner_text().split() == ["5", "followers"]
    mark_page(page)
    button.click()
    page.wait_for_selector(f'#follow-button-{star.pk}[aria-pressed="true"]')
    assert page.get_by_role("button", name="Following @aurora", exact=True).count() == 1
    page.wait_for_function(
        f"() => document.querySelector('#follower-stat-{star.pk} strong').textContent === '6'"
    )
    assert not_reloaded(page) and page.url == base + "/user/aurora"
    # Focus stays on the button that was pressed (for keyboard and screen reader users).
    assert page.evaluate("() => document.activeElement.id") == f"follow-button-{star.pk}"
    assert Follow.objects.filter(follower=reader, followee=star).exists()
    page.screenshot(path=str(ARTIFACTS / "follow-profile-following-1280.png"))

    page.locator(f"#follow-button-{star.pk}").click()
    page.wait_for_selector(f'#follow-button-{star.pk}[aria-pressed="false"]')
    page.wait_for_function(
        f"() => document.querySelector('#follower-stat-{star.pk} strong').textContent === '5'"
    )
    assert not_reloaded(page)
    assert not Follow.objects.filter(follower=reader, followee=star).exists()

    # The followers page: each row's button works in place too.
    fan = people["fans"][3]
    page.goto(base + "/user/aurora/followers")
    mark_page(page)
    page.locator(f"#follow-button-{fan.pk}").click()
    page.wait_for_selector(f'#follow-button-{fan.pk}[aria-pressed="true"]')
    assert not_reloaded(page)
    assert Follow.objects.filter(follower=reader, followee=fan).exists()
    context.close()


def test_without_javascript_the_button_is_a_form(browser, people):
    base, star, reader = people["url"], people["star"], people["reader"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    sign_in(context, base, reader)
    page = context.new_page()
    page.goto(base + "/user/aurora")
    page.locator(f"#follow-button-{star.pk}").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/user/aurora#follow-{star.pk}"
    assert page.locator(f"#follow-button-{star.pk}").get_attribute("aria-pressed") == "true"
    assert page.locator(f"#follower-stat-{star.pk}").inner_text().split() == ["6", "followers"]
    page.screenshot(path=str(ARTIFACTS / "follow-no-js-following-390.png"))
    page.locator(f"#follow-button-{star.pk}").click()
    page.wait_for_load_state()
    assert page.locator(f"#follow-button-{star.pk}").get_attribute("aria-pressed") == "false"
    assert not Follow.objects.filter(follower=reader, followee=star).exists()
    context.close()


def test_pages_pass_axe(browser, people):
    base = people["url"]
    pages = [
        ("/user/aurora", "follow-profile", "Aurora Vale"),
        ("/user/aurora/followers", "follow-followers", "Followers of Aurora Vale"),
        ("/user/fan0/following", "follow-following", "Followed by 林月"),
        ("/user/aurora/following", "follow-following-empty", "Followed by Aurora Vale"),
        (people["works"][0].get_absolute_url(), "follow-artwork", "Study 1"),
    ]
    problems = check_pages(browser, base, pages, user=people["reader"])
    problems += check_pages(
        browser, base, [(p, f"{name}-visitor", h1) for p, name, h1 in [*pages[:2], pages[-1]]]
    )
    assert not problems, "\n".join(problems)


def test_the_members_own_social_pages_pass_axe_in_both_languages(browser, people):
    """The following feed (with work, and empty with its suggestions) and the blocked and
    muted lists, in English and in Chinese."""
    from social.services import user_block, user_mute

    base, reader = people["url"], people["reader"]
    user_follow(follower=reader, followee=people["star"])
    user_block(blocker=reader, blocked=people["fans"][0])
    user_mute(muter=reader, muted=people["fans"][2])
    lonely = UserFactory(username="lonely", name="Lone Reader")
    pages = [
        ("/feed?tab=following", "follow-feed-following", None),
        ("/settings/blocked", "follow-settings-blocked", None),
        ("/settings/muted", "follow-settings-muted", None),
    ]
    problems = check_pages(browser, base, pages, user=reader)
    problems += check_pages(
        browser, base, [(p, f"{name}-zh", h1) for p, name, h1 in pages], user=reader, lang="zh-hans"
    )
    problems += check_pages(
        browser, base, [("/feed?tab=following", "follow-feed-following-empty", None)], user=lonely
    )
    assert not problems, "\n".join(problems)


def _open_member_menu(page) -> None:
    page.locator("details.member-menu > summary").click()


def test_block_and_mute_from_the_profile_menu(browser, people):
    from social.models import Block, Mute

    base, star, reader = people["url"], people["star"], people["reader"]
    user_follow(follower=reader, followee=star)
    context = browser.new_context(viewport=PHONE)
    sign_in(context, base, reader)
    page = context.new_page()
    page.goto(base + "/user/aurora")
    _open_member_menu(page)
    page.get_by_role("button", name="Mute @aurora").click()
    page.wait_for_load_state()
    assert "You muted @aurora" in page.content()
    assert Mute.objects.filter(muter=reader, muted=star).exists()
    _open_member_menu(page)
    page.get_by_role("button", name="Block @aurora").click()
    page.wait_for_load_state()
    assert "You blocked @aurora." in page.content()
    assert Block.objects.filter(blocker=reader, blocked=star).exists()
    assert not Follow.objects.filter(follower=reader, followee=star).exists()
    assert page.locator(f"#follow-button-{star.pk}").count() == 0
    page.screenshot(path=str(ARTIFACTS / "block-profile-390.png"))
    # Undone from the settings list.
    page.goto(base + "/settings/blocked")
    page.get_by_role("button", name="Unblock @aurora").click()
    page.wait_for_load_state()
    assert page.url == base + "/settings/blocked"
    assert not Block.objects.exists()
    context.close()


def test_block_pages_pass_axe(browser, people):
    from social.services import user_block, user_mute

    base, star, reader = people["url"], people["star"], people["reader"]
    user_block(blocker=reader, blocked=people["fans"][0])
    user_mute(muter=reader, muted=star)
    pages = [
        ("/user/aurora", "member-menu-open", "Aurora Vale", _open_member_menu),
        ("/settings/blocked", "settings-blocked", "Blocked members"),
        ("/settings/muted", "settings-muted", "Muted members"),
    ]
    problems = check_pages(browser, base, pages, user=reader)
    assert not problems, "\n".join(problems)
