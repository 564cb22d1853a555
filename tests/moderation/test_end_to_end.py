"""Moderation end to end, with the Redis feed index on.

A hidden artwork, or every artwork of a suspended member, leaves at once — every Redis key
(hot_rank, feed_queue, user:{id}:artworks, user:{fan}:favorites, artwork:{id}:likes), the
pages (/, /feed hot and new, the author's profile, the fan's favorites, the author's other
artwork page, its own page as a 404), the API and the sitemap — and restoring brings it back
everywhere. "At once" means as soon as the service's after-commit work has run: the Redis
keys are checked before any page is visited, because a page that meets a stale id in Redis
has it re-synced, which would hide a missing sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import StaffAction, User
from artworks import services as artwork_services
from artworks.models import Artwork
from common.seo import absolute_url
from feed.redis_index import feed_index as index
from feed.services import index_rebuild
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
ARTWORKS = "admin:artworks_artwork_changelist"
USERS = "admin:accounts_user_changelist"
LOC = re.compile(r"<loc>([^<]+)</loc>")


@dataclass
class World:
    redis: object
    author: User
    target: Artwork  # the author's newest artwork, liked and favorited by the fan
    sibling: Artwork  # the author's other artwork
    bystander: Artwork  # someone else's, also a favorite of the fan
    fan: User
    fan_favorites: set[int]
    visitor: Client  # anonymous
    fan_client: Client
    moderator: User
    moderator_client: Client


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(redis_index, commit) -> World:
    now = timezone.now()
    author = UserFactory(username="maker", name="Maker")
    sibling = PublishedArtworkFactory(
        user=author, title="Quiet sibling", published_at=now - timedelta(hours=2)
    )
    target = PublishedArtworkFactory(
        user=author, title="Flagged piece", published_at=now - timedelta(hours=1)
    )
    bystander = PublishedArtworkFactory(title="Bystander", published_at=now - timedelta(hours=3))
    fan = UserFactory(username="fan")
    with commit():
        artwork_services.artwork_like(artwork_id=target.pk, user=fan)
        artwork_services.artwork_favorite(artwork_id=target.pk, user=fan)
        artwork_services.artwork_favorite(artwork_id=bystander.pk, user=fan)
    # Every key present, as on a warm production index.
    assert index_rebuild() is not None
    fan_client = Client()
    fan_client.force_login(fan)
    moderator = make_moderator(username="mod")
    moderator_client = Client()
    moderator_client.force_login(moderator)
    return World(
        redis=redis_index,
        author=author,
        target=Artwork.objects.get(pk=target.pk),
        sibling=sibling,
        bystander=bystander,
        fan=fan,
        fan_favorites={target.pk, bystander.pk},
        visitor=Client(),
        fan_client=fan_client,
        moderator=moderator,
        moderator_client=moderator_client,
    )


# --- where an artwork shows up ---------------------------------------------------------------


def in_redis(w: World, artwork: Artwork) -> dict[str, bool]:
    r, pk = w.redis, str(artwork.pk)
    where = {
        "hot_rank": r.zscore(index.hot_rank_key(), pk) is not None,
        "feed_queue": pk in r.lrange(index.feed_queue_key(), 0, -1),
        "user_artworks": pk in r.lrange(index.user_artworks_key(artwork.user_id), 0, -1),
        "likes": r.exists(index.artwork_likes_key(artwork.pk)) == 1,
    }
    if artwork.pk in w.fan_favorites:
        where["fan_favorites"] = bool(r.sismember(index.user_favorites_key(w.fan.pk), pk))
    return where


def _listed(client: Client, path: str, artwork: Artwork) -> bool:
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    return response.status_code == 200 and artwork.get_absolute_url() in response.content.decode()


def _api_ids(client: Client, path: str) -> set[int] | None:
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    if response.status_code == 404:
        return None
    return {item["id"] for item in response.json()["items"]}


def sitemap_text(client: Client) -> str:
    """The sitemap index and every section (and page) it lists, as one text."""
    index_xml = client.get("/sitemap.xml").content.decode()
    texts = [index_xml]
    for location in LOC.findall(index_xml):
        parsed = urlparse(location)
        response = client.get(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
        assert response.status_code == 200, location
        texts.append(response.content.decode())
    return "\n".join(texts)


def on_pages(w: World, artwork: Artwork) -> dict[str, bool]:
    visitor, url = w.visitor, artwork.get_absolute_url()
    page = visitor.get(url)
    assert page.status_code in (200, 404)
    api_detail = visitor.get(f"/api/artworks/{artwork.pk}")
    assert api_detail.status_code in (200, 404)
    user_api = _api_ids(visitor, f"/api/users/{artwork.user_id}/artworks")
    where = {
        "landing": _listed(visitor, "/", artwork),
        "feed_hot": _listed(visitor, "/feed", artwork),
        "feed_new": _listed(visitor, "/feed?tab=new", artwork),
        "profile": _listed(visitor, artwork.user.get_absolute_url(), artwork),
        "own_page": page.status_code == 200,
        "api_detail": api_detail.status_code == 200,
        "api_feed_hot": artwork.pk in _api_ids(visitor, "/api/feed"),
        "api_feed_new": artwork.pk in _api_ids(visitor, "/api/feed?tab=new"),
        "api_user_artworks": user_api is not None and artwork.pk in user_api,
        "sitemap": absolute_url(url) in sitemap_text(visitor),
    }
    other = w.sibling if artwork != w.sibling else w.target
    other_page = visitor.get(other.get_absolute_url())
    if artwork.user_id == w.author.pk and other_page.status_code == 200:
        # "More from <author>" on the author's other artwork (when that one is visible).
        where["more_from_author"] = url in other_page.content.decode()
    if artwork.pk in w.fan_favorites:
        where |= {
            "fan_favorites_page": _listed(
                w.fan_client, w.fan.get_absolute_url() + "?tab=favorites", artwork
            ),
            "api_fan_favorites": artwork.pk
            in _api_ids(w.fan_client, f"/api/users/{w.fan.pk}/favorites"),
        }
    return where


def everywhere(w: World, artwork: Artwork) -> dict[str, bool]:
    """Redis first (see the module's docstring), then the pages."""
    return {**in_redis(w, artwork), **on_pages(w, artwork)}


def assert_everywhere(w: World, *artworks: Artwork) -> None:
    for artwork in artworks:
        where = everywhere(w, artwork)
        assert all(where.values()), {k: v for k, v in where.items() if not v}


def assert_nowhere(w: World, *artworks: Artwork) -> None:
    # Redis for every artwork before any page is visited.
    stale = {a.pk: {k for k, v in in_redis(w, a).items() if v} for a in artworks}
    assert stale == {a.pk: set() for a in artworks}
    for artwork in artworks:
        shown = {k for k, v in on_pages(w, artwork).items() if v}
        assert shown == set(), (artwork.title, shown)
        assert w.visitor.get(artwork.get_absolute_url()).status_code == 404
        response = w.visitor.get(f"/api/artworks/{artwork.pk}")
        assert response.status_code == 404
        assert "detail" in response.json()


def admin_action(w: World, changelist: str, action: str, rows, reason: str = "") -> None:
    response = w.moderator_client.post(
        reverse(changelist),
        {
            "action": action,
            "_selected_action": [row.pk for row in rows],
            "index": 0,
            "reason": reason,
        },
    )
    assert response.status_code == 302  # back to the list, the action done


def sign_in(user: User) -> bool:
    client = Client()
    client.post(reverse("login"), {"login": user.username, "password": PASSWORD})
    return client.session.get("_auth_user_id") == str(user.pk)


# --- hide / restore --------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["service", "admin"])
def test_a_hidden_artwork_leaves_everything_at_once_and_restoring_brings_it_back(
    world, commit, via
):
    w = world
    assert_everywhere(w, w.target, w.sibling, w.bystander)
    assert w.redis.get(index.artwork_likes_key(w.target.pk)) == "1"

    with commit():
        if via == "admin":
            admin_action(w, ARTWORKS, "hide", [w.target], reason="spam")
        else:
            artwork_services.artwork_hide(artwork=w.target, actor=w.moderator, reason="spam")
    assert Artwork.objects.get(pk=w.target.pk).moderation == Artwork.Moderation.HIDDEN
    assert_nowhere(w, w.target)
    # Only the hidden artwork left: the author's other work and the fan's other favorite stay.
    assert_everywhere(w, w.sibling, w.bystander)
    assert StaffAction.objects.filter(action="artwork_hide", target_id=w.target.pk).exists()

    with commit():
        if via == "admin":
            admin_action(w, ARTWORKS, "restore", [w.target])
        else:
            artwork_services.artwork_restore(artwork=w.target, actor=w.moderator)
    assert_everywhere(w, w.target, w.sibling, w.bystander)
    assert w.redis.get(index.artwork_likes_key(w.target.pk)) == "1"  # its likes came back too
    # The order of the lists is the database's again.
    queue = [int(i) for i in w.redis.lrange(index.feed_queue_key(), 0, -1)]
    assert queue == [w.target.pk, w.sibling.pk, w.bystander.pk]
    author_list = w.redis.lrange(index.user_artworks_key(w.author.pk), 0, -1)
    assert [int(i) for i in author_list] == [w.target.pk, w.sibling.pk]


def test_staff_still_see_a_hidden_artwork_and_its_author_does_not(world, commit):
    w = world
    with commit():
        artwork_services.artwork_hide(artwork=w.target, actor=w.moderator, reason="spam")
    page = w.moderator_client.get(w.target.get_absolute_url())
    assert page.status_code == 200
    assert "hidden by moderation" in page.content.decode()
    author_client = Client()
    author_client.force_login(w.author)
    assert author_client.get(w.target.get_absolute_url()).status_code == 404
    assert author_client.get(f"/api/artworks/{w.target.pk}").status_code == 404


# --- suspend / restore -----------------------------------------------------------------------


@pytest.mark.parametrize("via", ["service", "admin"])
def test_a_suspended_member_cannot_sign_in_and_all_their_work_leaves_until_restored(
    world, commit, via
):
    w = world
    assert sign_in(w.author)
    assert_everywhere(w, w.target, w.sibling, w.bystander)
    profile = absolute_url(w.author.get_absolute_url())
    assert profile in sitemap_text(w.visitor)

    with commit():
        if via == "admin":
            admin_action(w, USERS, "suspend", [w.author], reason="ban evasion")
        else:
            account_services.user_suspend(user=w.author, actor=w.moderator, reason="ban evasion")
    assert not User.objects.get(pk=w.author.pk).is_active
    # Their list is gone whole (an absent key is a miss that readers refill from the database).
    assert not w.redis.exists(index.user_artworks_key(w.author.pk))
    assert_nowhere(w, w.target, w.sibling)
    assert_everywhere(w, w.bystander)
    assert not sign_in(w.author)  # the real /login form refuses them
    assert w.visitor.get(w.author.get_absolute_url()).status_code == 404
    assert w.visitor.get(f"/api/users/{w.author.pk}/artworks").status_code == 404
    assert profile not in sitemap_text(w.visitor)
    # The refused page visits above must not have put anything back.
    assert in_redis(w, w.target) == dict.fromkeys(in_redis(w, w.target), False)

    with commit():
        if via == "admin":
            admin_action(w, USERS, "restore", [w.author])
        else:
            account_services.user_restore(user=w.author, actor=w.moderator)
    assert_everywhere(w, w.target, w.sibling, w.bystander)
    assert sign_in(w.author)
    assert profile in sitemap_text(w.visitor)


def test_the_user_sync_is_idempotent_and_repairs_a_stale_index(world, commit):
    """The task can run twice (a retry, a redelivery) or after keys drifted."""
    from feed.tasks import sync_user

    w = world
    with commit():
        account_services.user_suspend(user=w.author, actor=w.moderator, reason="spam")
    # A stale write lands after the sync (e.g. a lost race): the next run removes it.
    w.redis.zadd(index.hot_rank_key(), {str(w.sibling.pk): 1.0})
    w.redis.sadd(index.user_favorites_key(w.fan.pk), w.target.pk)
    sync_user.apply(args=(w.author.pk,))
    sync_user.apply(args=(w.author.pk,))
    assert in_redis(w, w.sibling) == dict.fromkeys(in_redis(w, w.sibling), False)
    assert in_redis(w, w.target) == dict.fromkeys(in_redis(w, w.target), False)


def test_without_redis_a_suspension_still_hides_everything(world, commit, settings):
    """The index is optional: with Redis unconfigured nothing is queued and the database
    answers every page."""
    w = world
    settings.REDIS_INDEX_URL = ""
    with commit():
        account_services.user_suspend(user=w.author, actor=w.moderator, reason="spam")
    shown = {k for k, v in on_pages(w, w.target).items() if v}
    assert shown == set()


# --- who may moderate ------------------------------------------------------------------------


def test_a_non_staff_member_reaches_neither_the_admin_nor_the_actions(world, commit):
    w = world
    member = Client()
    member.force_login(w.fan)
    for name in ("admin:index", ARTWORKS, USERS, "admin:moderation_report_changelist"):
        response = member.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    with commit():
        for changelist, action, row in (
            (ARTWORKS, "hide", w.target),
            (ARTWORKS, "feature", w.target),
            (USERS, "suspend", w.author),
        ):
            member.post(
                reverse(changelist),
                {"action": action, "_selected_action": [row.pk], "index": 0, "reason": "x"},
            )
        for call in (
            lambda: artwork_services.artwork_hide(artwork=w.target, actor=w.fan),
            lambda: artwork_services.artwork_feature(artwork=w.target, actor=w.fan),
            lambda: account_services.user_suspend(user=w.author, actor=w.fan, reason="x"),
        ):
            with pytest.raises(PermissionDenied):
                call()
    target = Artwork.objects.get(pk=w.target.pk)
    assert (target.moderation, target.featured_at) == (Artwork.Moderation.VISIBLE, None)
    assert User.objects.get(pk=w.author.pk).is_active
    assert StaffAction.objects.count() == 0
    assert_everywhere(w, w.target)


# --- featured on the landing page -------------------------------------------------------------


def landing_cards(client: Client) -> list[str]:
    html = client.get("/").content.decode()
    return re.findall(
        r'<article class="art-card">\s*<a class="art-card-media" href="([^"]+)"', html
    )


def test_the_staff_featured_artwork_comes_first_on_the_landing_page(world, commit):
    w = world
    assert landing_cards(w.visitor)[0] == w.target.get_absolute_url()  # the hottest
    with commit():
        admin_action(w, ARTWORKS, "feature", [w.bystander])
    cards = landing_cards(w.visitor)
    assert cards[0] == w.bystander.get_absolute_url()
    assert cards.count(w.bystander.get_absolute_url()) == 1  # not repeated in the hot strip
    assert "Featured by the team" in w.visitor.get("/").content.decode()

    # A hidden featured artwork leaves the strip and returns with its restoration.
    with commit():
        artwork_services.artwork_hide(artwork=w.bystander, actor=w.moderator)
    cards = landing_cards(w.visitor)
    assert w.bystander.get_absolute_url() not in cards
    assert "Featured by the team" not in w.visitor.get("/").content.decode()
    with commit():
        artwork_services.artwork_restore(artwork=w.bystander, actor=w.moderator)
    assert landing_cards(w.visitor)[0] == w.bystander.get_absolute_url()

    with commit():
        admin_action(w, ARTWORKS, "unfeature", [w.bystander])
    assert landing_cards(w.visitor)[0] == w.target.get_absolute_url()


def test_the_landing_page_in_chinese_names_the_featured_strip(world, commit):
    w = world
    with commit():
        artwork_services.artwork_feature(artwork=w.bystander, actor=w.moderator)
    html = w.visitor.get("/?lang=zh-hans").content.decode()
    assert "编辑精选" in html


# --- the report button ------------------------------------------------------------------------


def test_the_artwork_page_offers_members_a_report_button(world):
    w = world
    report_url = 'href="{}"'.format(reverse("moderation:report", args=[w.target.pk]))
    assert report_url in w.fan_client.get(w.target.get_absolute_url()).content.decode()
    assert report_url not in w.visitor.get(w.target.get_absolute_url()).content.decode()
    author_client = Client()
    author_client.force_login(w.author)
    assert report_url not in author_client.get(w.target.get_absolute_url()).content.decode()
    assert (
        "举报" in w.fan_client.get(w.target.get_absolute_url() + "?lang=zh-hans").content.decode()
    )
