"""Muted members vanish from the member's Hot and New feeds too (pages and API), and from
nobody else's; the count that spares the query for members who mute nobody stays exact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tokens import token_pair_issue
from artworks.models import Artwork, Tag
from feed.page_selectors import feed_tab_page
from social.services import user_mute, user_unmute
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    now = timezone.now()
    loud, calm = UserFactory(username="loud"), UserFactory(username="calm")
    works = {
        who.username: [
            PublishedArtworkFactory(
                user=who, title=f"{who.username} {i}", published_at=now - timedelta(minutes=i)
            )
            for i in range(3)
        ]
        for who in (loud, calm)
    }
    reader = UserFactory(username="reader")
    user_mute(muter=reader, muted=loud)
    reader.refresh_from_db()
    return {"loud": loud, "calm": calm, "reader": reader, "works": works}


def _tag_everything(world) -> None:
    from artworks.services import artwork_set_tags

    for works in world["works"].values():
        for work in works:
            artwork_set_tags(artwork=work, actor=work.user, tags=["harbour"])


def _muting_count(member: User) -> int:
    return User.objects.values_list("muting_count", flat=True).get(pk=member.pk)


def test_the_count_follows_every_way_a_mute_goes(world):
    reader, loud, calm = world["reader"], world["loud"], world["calm"]
    assert _muting_count(reader) == 1
    user_mute(muter=reader, muted=loud)  # twice counts once
    user_mute(muter=reader, muted=calm)
    assert _muting_count(reader) == 2
    user_unmute(muter=reader, muted=calm)
    user_unmute(muter=reader, muted=calm)
    assert _muting_count(reader) == 1
    User.objects.get(pk=loud.pk).delete()  # the mute goes by cascade
    assert _muting_count(reader) == 0


@pytest.mark.parametrize("tab", ["hot", "new"])
def test_the_muted_members_work_leaves_the_members_feed_only(world, tab):
    reader = world["reader"]
    mine = feed_tab_page(tab=tab, viewer=reader, cursor=None)
    assert {a.user.username for a in mine.items} == {"calm"}
    others = feed_tab_page(tab=tab, viewer=UserFactory(), cursor=None)
    assert {a.user.username for a in others.items} == {"calm", "loud"}
    visitors = feed_tab_page(tab=tab, viewer=None, cursor=None)
    assert len(visitors.items) == 6


def test_the_pages_and_the_api_leave_them_out(world, client):
    client.force_login(world["reader"])
    for tab in ("hot", "new"):
        html = client.get(f"/feed?tab={tab}").content.decode()
        titles = set(re.findall(r"(loud|calm) \d", html))
        assert titles == {"calm"}, tab
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=world['reader']).access_token}"
    }
    items = client.get("/api/feed?tab=new", **headers).json()["items"]
    assert {i["title"].split()[0] for i in items} == {"calm"}


def test_a_member_who_mutes_nobody_pays_no_query_for_it(world, django_assert_num_queries):
    member = UserFactory()
    feed_tab_page(tab="new", viewer=member, cursor=None)  # warm what may be warmed
    with django_assert_num_queries(1):
        feed_tab_page(tab="new", viewer=member, cursor=None)
    with django_assert_num_queries(2):
        feed_tab_page(tab="new", viewer=world["reader"], cursor=None)


def test_unmuting_brings_them_back(world):
    reader = world["reader"]
    user_unmute(muter=reader, muted=world["loud"])
    reader.refresh_from_db()
    page = feed_tab_page(tab="new", viewer=reader, cursor=None)
    assert {a.user.username for a in page.items} == {"calm", "loud"}


@pytest.mark.parametrize("path", ["/feed?tab=new", "/tag/harbour?tab=new"])
def test_a_kept_copy_of_the_feed_or_a_tag_page_follows_a_mute(
    world, client, settings, django_capture_on_commit_callbacks, path
):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300
    _tag_everything(world)
    reader = world["reader"]
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        user_unmute(muter=reader, muted=world["loud"])
    assert "loud 0" in client.get(path).content.decode()
    assert "loud 0" in client.get(path).content.decode()  # kept
    with django_capture_on_commit_callbacks(execute=True):
        user_mute(muter=reader, muted=world["loud"])
    assert "loud 0" not in client.get(path).content.decode()


@pytest.mark.parametrize("tab", ["hot", "new"])
def test_a_page_of_muted_work_alone_reads_on_rather_than_ending_the_feed(world, tab):
    """Two pages of the feed are all the muted member's: the member's first page is not
    empty (which reads as "No artworks yet", with no link to the rest) but the work after."""
    reader = world["reader"]
    for work in world["works"]["loud"]:
        work.hot_score, work.published_at = work.hot_score + 100, work.published_at + timedelta(1)
        work.save(update_fields=["hot_score", "published_at"])
    first = feed_tab_page(tab=tab, viewer=reader, cursor=None, limit=1)
    assert [a.user.username for a in first.items] == ["calm"]
    walked = list(first.items)
    cursor = first.next_cursor
    while cursor:
        page = feed_tab_page(tab=tab, viewer=reader, cursor=cursor, limit=1)
        walked += page.items
        cursor = page.next_cursor
    assert [a.title for a in walked] == [a.title for a in world["works"]["calm"]]


def test_a_last_page_of_muted_work_alone_ends_the_list_rather_than_emptying_the_site(world, client):
    """The first page is full and the rest of the feed is the muted member's: "Load more"
    leads to the end of the list, not to "No artworks yet" (without JavaScript, a page)."""
    calm, reader = world["calm"], world["reader"]
    now = timezone.now()
    for work in world["works"]["loud"]:  # the oldest of all
        work.published_at -= timedelta(days=1)
        work.save(update_fields=["published_at"])
    for i in range(21):  # with calm's three, one full page
        PublishedArtworkFactory(user=calm, title=f"more {i}", published_at=now + timedelta(i))
    client.force_login(reader)
    first = client.get("/feed?tab=new").content.decode()
    cursor = re.search(r'href="\?tab=new&amp;cursor=([^"]+)"', first)[1]
    last = client.get(f"/feed?tab=new&cursor={cursor}").content.decode()
    assert "loud" not in last
    assert "No artworks yet" not in last
    assert "You have reached the end." in last


@pytest.mark.parametrize("tab", ["hot", "new"])
def test_a_tag_page_leaves_the_muted_members_work_out_for_the_member_only(world, client, tab):
    _tag_everything(world)
    client.force_login(world["reader"])
    html = client.get(f"/tag/harbour?tab={tab}").content.decode()
    assert set(re.findall(r"(loud|calm) \d", html)) == {"calm"}
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=world['reader']).access_token}"
    }
    items = client.get(f"/api/tags/harbour/artworks?tab={tab}", **headers).json()["items"]
    assert {i["title"].split()[0] for i in items} == {"calm"}
    client.logout()
    html = client.get(f"/tag/harbour?tab={tab}").content.decode()
    assert set(re.findall(r"(loud|calm) \d", html)) == {"calm", "loud"}


def test_a_tag_page_of_a_member_who_mutes_stays_one_query_and_full(
    world, django_assert_num_queries
):
    from feed.selectors import tag_artworks_page

    _tag_everything(world)
    tag = Tag.objects.get(name="harbour")
    tag_artworks_page(tag=tag, tab="new", viewer=world["reader"])  # warm what may be warmed
    with django_assert_num_queries(1):
        page = tag_artworks_page(tag=tag, tab="new", viewer=world["reader"], limit=2)
    # A full page of the others' work, and the rest behind the cursor.
    assert [a.title for a in page.items] == ["calm 0", "calm 1"]
    rest = tag_artworks_page(tag=tag, tab="new", viewer=world["reader"], cursor=page.next_cursor)
    assert [a.title for a in rest.items] == ["calm 2"]


def test_the_home_page_leaves_them_out_featured_or_hot(world, client):
    """The home page's strips are the Hot feed's first rows and the staff's picks: a muted
    member's work leaves them for the member who muted them, and for them alone."""
    Artwork.objects.filter(pk=world["works"]["loud"][0].pk).update(featured_at=timezone.now())
    titles = set(re.findall(r"(loud|calm) \d", client.get("/").content.decode()))
    assert titles == {"loud", "calm"}  # a visitor
    client.force_login(world["reader"])
    for path in ("/", "/features"):
        titles = set(re.findall(r"(loud|calm) \d", client.get(path).content.decode()))
        assert titles == {"calm"}, path
