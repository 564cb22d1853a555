"""Block and mute from the pages: the profile's menu, the settings lists, and what a block
hides (the follow button), for every kind of visitor."""

from __future__ import annotations

import pytest
from django.test import Client

from social.models import Block, Follow, Mute
from social.services import user_block, user_follow, user_mute
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import validate_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def star(db):
    return UserFactory(username="star", name="Star Maker")


@pytest.fixture
def member(client, user):
    client.force_login(user)
    return user


def test_a_visitor_is_sent_to_sign_in_and_nothing_changes(client, star):
    for action in ("block", "unblock", "mute", "unmute"):
        response = client.post(f"/user/star/{action}", {"next": "/user/star"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login?next=")
    assert not Block.objects.exists() and not Mute.objects.exists()
    assert "member-menu" not in client.get("/user/star").content.decode()


def test_blocking_from_the_profile_comes_back_with_a_message(client, member, star):
    user_follow(follower=member, followee=star)
    user_follow(follower=star, followee=member)
    response = client.post("/user/star/block", {"next": "/user/star"}, follow=True)
    assert response.redirect_chain[-1][0] == "/user/star"
    page = response.content.decode()
    assert "You blocked @star." in page
    assert "Unblock @star" in page
    assert "follow-button-" not in page  # nobody follows across a block
    assert Block.objects.filter(blocker=member, blocked=star).exists()
    assert not Follow.objects.exists()
    client.post("/user/star/unblock", {"next": "/user/star"})
    assert not Block.objects.exists()
    assert "follow-button-" in client.get("/user/star").content.decode()


def test_a_blocked_member_sees_no_follow_button_anywhere(client, member, star):
    art = PublishedArtworkFactory(user=star)
    user_block(blocker=star, blocked=member)
    for url in ("/user/star", art.get_absolute_url()):
        page = client.get(url).content.decode()
        assert f"follow-button-{star.pk}" not in page, url
    # and a follow posted anyway is refused with the reason
    response = client.post("/user/star/follow", {"next": "/user/star"}, follow=True)
    assert "You cannot follow this member." in response.content.decode()
    assert not Follow.objects.exists()


def test_muting_from_the_profile(client, member, star):
    response = client.post("/user/star/mute", {"next": "/user/star"}, follow=True)
    assert "You muted @star" in response.content.decode()
    assert "Unmute @star" in response.content.decode()
    assert Mute.objects.filter(muter=member, muted=star).exists()
    client.post("/user/star/unmute", {"next": "/user/star"})
    assert not Mute.objects.exists()


def test_yourself_and_missing_members(client, member):
    response = client.post(f"/user/{member.username}/block", follow=True)
    assert "You cannot block yourself." in response.content.decode()
    assert "member-menu" not in client.get(member.get_absolute_url()).content.decode()
    gone = UserFactory(is_active=False)
    for name in (gone.username, "nobody-here"):
        assert client.post(f"/user/{name}/block").status_code == 404
        assert client.post(f"/user/{name}/mute").status_code == 404
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_an_off_site_next_is_ignored(client, member, star):
    response = client.post("/user/star/mute", {"next": "https://evil.example/"})
    assert response["Location"] == "/user/star"


def test_the_forms_need_the_csrf_token(user, star):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post("/user/star/block").status_code == 403
    assert not Block.objects.exists()
    page = browser.get("/user/star").content.decode()
    token = browser.cookies["csrftoken"].value
    assert "csrfmiddlewaretoken" in page
    assert browser.post("/user/star/block", {"csrfmiddlewaretoken": token}).status_code == 302
    assert Block.objects.exists()


def test_get_is_not_allowed(client, member, star):
    assert client.get("/user/star/block").status_code == 405


def test_staff_block_as_members_do(client, staff_user, star):
    client.force_login(staff_user)
    client.post("/user/star/block")
    assert Block.objects.filter(blocker=staff_user, blocked=star).exists()


def test_blocks_are_rate_limited_with_follows(client, member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": (2, 3600)}
    others = UserFactory.create_batch(3)
    statuses = [client.post(f"/user/{o.username}/mute").status_code for o in others]
    assert statuses == [302, 302, 429]
    assert Mute.objects.count() == 2


def test_the_settings_lists_need_a_member(client):
    for url in ("/settings/blocked", "/settings/muted"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login")


def test_the_settings_lists_show_and_undo(client, member, star):
    assert "You have not blocked anyone" in client.get("/settings/blocked").content.decode()
    assert "You have not muted anyone" in client.get("/settings/muted").content.decode()
    user_block(blocker=member, blocked=star)
    other = UserFactory(username="quiet")
    user_mute(muter=member, muted=other)
    blocked = client.get("/settings/blocked")
    assert blocked["Cache-Control"] == "private, no-store"
    page = blocked.content.decode()
    assert "@star" in page and "@quiet" not in page
    assert 'aria-current="page"' in page
    response = client.post("/user/star/unblock", {"next": "/settings/blocked"})
    assert response["Location"] == "/settings/blocked"
    assert not Block.objects.exists()
    assert "@quiet" in client.get("/settings/muted").content.decode()
    # Every settings page offers the two lists.
    profile_settings = client.get("/settings/profile").content.decode()
    assert 'href="/settings/blocked"' in profile_settings
    assert 'href="/settings/muted"' in profile_settings


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("cannot follow you", "comment on your work", "reply to your comments")),
        ("zh-hans", ("无法关注你", "评论你的作品", "回复你的评论")),
    ],
)
def test_the_blocked_list_says_what_a_block_does(client, member, lang, words):
    """It said only that the two no longer follow each other: a blocked member cannot
    comment on the blocker's work or reply to their comments either."""
    page = client.get(f"/settings/blocked?lang={lang}").content.decode()
    assert all(word in page for word in words), words


@pytest.mark.parametrize(("kind", "undo"), [("blocked", "unblock"), ("muted", "unmute")])
def test_the_settings_lists_leave_out_a_suspended_member(client, member, star, kind, undo):
    """Suspension takes a member's profile down: the lists do not show them with a link to a
    profile that is gone and an undo button that can only answer 404; they come back with
    the member's restoration."""
    if kind == "blocked":
        user_block(blocker=member, blocked=star)
    else:
        user_mute(muter=member, muted=star)
    star.is_active = False
    star.save()
    page = client.get(f"/settings/{kind}").content.decode()
    assert "@star" not in page and 'class="member-row"' not in page
    assert f"/user/star/{undo}" not in page
    star.is_active = True
    star.save()
    assert f"/user/star/{undo}" in client.get(f"/settings/{kind}").content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_the_settings_list_has_constant_queries(client, member, rows, django_assert_num_queries):
    for other in UserFactory.create_batch(rows):
        user_mute(muter=member, muted=other)
    client.get("/settings/muted")  # warm the session and the caches
    with django_assert_num_queries(1):  # one page of rows (the session and member are kept)
        response = client.get("/settings/muted")
    assert response.content.decode().count('class="member-row"') == rows


def test_the_settings_list_pages(client, member):
    others = UserFactory.create_batch(31)
    for other in others:
        user_block(blocker=member, blocked=other)
    first = client.get("/settings/blocked").content.decode()
    assert first.count('class="member-row"') == 30
    assert f"@{others[-1].username}<" in first  # newest first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = client.get(f"/settings/blocked?cursor={cursor}").content.decode()
    assert second.count('class="member-row"') == 1
    assert f"@{others[0].username}<" in second
    more = client.get(f"/settings/blocked?cursor={cursor}", HTTP_HX_REQUEST="true")
    assert "<html" not in more.content.decode()
    bad = client.get("/settings/blocked?cursor=nonsense")
    assert bad.status_code == 302 and bad["Location"] == "/settings/blocked"


@pytest.mark.once
def test_the_new_pages_are_valid_html(client, member, star, tmp_path):
    user_block(blocker=member, blocked=UserFactory())
    user_mute(muter=member, muted=star)
    pages = {}
    for lang in ("en", "zh-hans"):
        for url in ("/settings/blocked", "/settings/muted", "/user/star"):
            response = client.get(f"{url}?lang={lang}")
            assert response.status_code == 200
            pages[f"{url} {lang}"] = response.content.decode()
    assert "member-menu" in pages["/user/star en"]
    errors = validate_html(pages, tmp_path)
    assert not errors, errors
