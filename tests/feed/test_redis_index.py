"""The Redis feed index against a real Redis: kept in step by the feed task, read by the list
readers (cache-aside), rebuilt and reconciled from the database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from artworks import services
from artworks.models import Artwork
from artworks.selectors import artworks_public
from artworks.signals import ArtworkEvent, artwork_changed
from feed.redis_index import feed_index as index
from feed.selectors import feed_page, user_artworks_page
from feed.services import index_rebuild, index_sync_artwork
from feed.tasks import reconcile_redis
from tests.conftest import REDIS_TEST_URL
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

from .redis_helpers import dump_index, hot_rank_order, ids_in_index

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit work (announcements, the feed task) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def walk(fetch) -> list[int]:
    ids, cursor = [], None
    while True:
        page = fetch(cursor)
        ids += [a.id for a in page.items]
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


def db_hot_order() -> list[int]:
    return list(artworks_public().order_by("-hot_score", "-id").values_list("id", flat=True))


def db_new_order(**filters) -> list[int]:
    qs = artworks_public().filter(**filters).order_by("-published_at", "-id")
    return list(qs.values_list("id", flat=True))


def hide(artwork: Artwork) -> None:
    """What moderation will do: hide the row and announce it."""
    Artwork.objects.filter(pk=artwork.pk).update(moderation=Artwork.Moderation.HIDDEN)
    artwork_changed.send(
        sender=Artwork, artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.HIDDEN
    )


@pytest.fixture
def community(commit):
    """Published artworks of two authors with reactions, a draft and a hidden artwork."""
    now = timezone.now()
    alice, bob = UserFactory(), UserFactory()
    fans = UserFactory.create_batch(3)
    published = [
        PublishedArtworkFactory(user=alice if i % 2 else bob, published_at=now - timedelta(hours=i))
        for i in range(7)
    ]
    with commit():
        for i, fan in enumerate(fans):
            for artwork in published[: i + 2]:
                services.artwork_like(artwork_id=artwork.pk, user=fan)
            services.artwork_favorite(artwork_id=published[-1].pk, user=fan)
    draft = ArtworkFactory(user=alice)
    hidden = PublishedArtworkFactory(user=bob, moderation=Artwork.Moderation.HIDDEN)
    return {
        "alice": alice,
        "bob": bob,
        "fans": fans,
        "published": published,
        "draft": draft,
        "hidden": hidden,
    }


def test_a_cold_index_is_refilled_by_the_first_reads(redis_index, community):
    # Reactions set like counts and favorites, but never create a partial hot_rank or list.
    assert not [k for k in dump_index(redis_index) if k == "hot_rank" or k.endswith("artworks")]
    assert "feed_queue" not in dump_index(redis_index)
    page = feed_page(tab="hot")
    assert [a.id for a in page.items] == db_hot_order()
    feed_page(tab="new")
    user_artworks_page(author=community["alice"], viewer=None)
    assert hot_rank_order(redis_index) == db_hot_order()
    assert [int(i) for i in redis_index.lrange("feed_queue", 0, -1)] == db_new_order()
    alice_key = f"user:{community['alice'].pk}:artworks"
    assert [int(i) for i in redis_index.lrange(alice_key, 0, -1)] == db_new_order(
        user=community["alice"]
    )


def test_with_the_index_warm_a_feed_page_is_one_query(
    redis_index, community, django_assert_num_queries
):
    call_command("rebuild_redis")
    for tab in ("hot", "new"):
        with django_assert_num_queries(1):
            page = feed_page(tab=tab, limit=5)
            assert [a.user.username for a in page.items]  # authors come with the rows
    with django_assert_num_queries(1):
        user_artworks_page(author=community["bob"], viewer=None)


def test_hot_rank_follows_reactions_and_equals_the_database_order(redis_index, community, commit):
    call_command("rebuild_redis")
    published, fans = community["published"], community["fans"]
    with commit():
        for fan in fans:
            services.artwork_favorite(artwork_id=published[5].pk, user=fan)
            services.artwork_like(artwork_id=published[6].pk, user=fan)
        services.artwork_unlike(artwork_id=published[0].pk, user=fans[0])
    assert hot_rank_order(redis_index) == db_hot_order()
    for artwork in artworks_public():
        assert redis_index.zscore("hot_rank", artwork.pk) == artwork.hot_score
        assert int(redis_index.get(f"artwork:{artwork.pk}:likes")) == artwork.like_count
    assert walk(lambda c: feed_page(tab="hot", cursor=c, limit=2)) == db_hot_order()


def test_drafts_and_hidden_artworks_are_never_in_any_key(redis_index, community, commit):
    call_command("rebuild_redis")
    published, alice = community["published"], community["alice"]
    for artwork in artworks_public():
        feed_page(tab="hot")
        user_artworks_page(author=artwork.user, viewer=None)
    fan = community["fans"][0]
    with commit():
        services.artwork_favorite(artwork_id=published[1].pk, user=fan)
        services.artwork_unpublish(artwork=published[1], actor=published[1].user)
        hide(published[2])
        services.artwork_delete(artwork=published[3], actor=published[3].user)
        draft = services.artwork_create_draft(author=alice, title="Not yet", source="uploaded")
    not_public = {
        community["draft"].pk,
        community["hidden"].pk,
        published[1].pk,
        published[2].pk,
        published[3].pk,
        draft.pk,
    }
    assert ids_in_index(redis_index) & not_public == set()
    assert ids_in_index(redis_index) == set(artworks_public().values_list("id", flat=True))
    assert hot_rank_order(redis_index) == db_hot_order()
    assert [int(i) for i in redis_index.lrange("feed_queue", 0, -1)] == db_new_order()

    call_command("rebuild_redis")
    assert ids_in_index(redis_index) & not_public == set()


def test_publishing_again_puts_the_artwork_back_in_its_place(redis_index, community, commit):
    call_command("rebuild_redis")
    artwork = community["published"][2]
    with commit():
        services.artwork_unpublish(artwork=artwork, actor=artwork.user)
    assert artwork.pk not in ids_in_index(redis_index)
    with commit():
        services.artwork_publish(artwork=artwork, actor=artwork.user)
    # published_at is kept: it returns to its old place in New, not to the top.
    assert [int(i) for i in redis_index.lrange("feed_queue", 0, -1)] == db_new_order()
    assert hot_rank_order(redis_index) == db_hot_order()
    fans_sets = [redis_index.smembers(f"user:{f.pk}:favorites") for f in community["fans"]]
    assert all(str(community["published"][-1].pk) in s for s in fans_sets)


def test_favorites_sets_follow_favorites(redis_index, community, commit):
    call_command("rebuild_redis")
    fan, published = community["fans"][0], community["published"]
    key = f"user:{fan.pk}:favorites"
    assert redis_index.smembers(key) == {str(published[-1].pk)}
    with commit():
        services.artwork_favorite(artwork_id=published[0].pk, user=fan)
        services.artwork_unfavorite(artwork_id=published[-1].pk, user=fan)
    assert redis_index.smembers(key) == {str(published[0].pk)}
    redis_index.delete(key)  # an absent set is built whole, never partly
    with commit():
        services.artwork_favorite(artwork_id=published[1].pk, user=fan)
    assert redis_index.smembers(key) == {str(published[0].pk), str(published[1].pk)}


def test_flushing_redis_mid_run_keeps_every_reader_right(redis_index, community, commit):
    call_command("rebuild_redis")
    first = feed_page(tab="hot", limit=3)
    redis_index.flushdb()
    rest = walk(lambda c: feed_page(tab="hot", cursor=c or first.next_cursor, limit=3))
    assert [a.id for a in first.items] + rest == db_hot_order()
    fan = community["fans"][0]
    with commit():  # reactions keep working on an empty index, and never create partial keys
        services.artwork_like(artwork_id=community["published"][4].pk, user=fan)
    assert walk(lambda c: feed_page(tab="new", cursor=c, limit=4)) == db_new_order()
    assert walk(
        lambda c: user_artworks_page(author=community["bob"], viewer=None, cursor=c, limit=2)
    ) == db_new_order(user=community["bob"])
    assert hot_rank_order(redis_index) == db_hot_order()  # refilled by the reads

    redis_index.flushdb()
    call_command("rebuild_redis")
    assert hot_rank_order(redis_index) == db_hot_order()
    assert [int(i) for i in redis_index.lrange("feed_queue", 0, -1)] == db_new_order()


def test_a_dead_redis_degrades_to_the_database(settings, redis_index, community, commit):
    settings.REDIS_INDEX_URL = "redis://127.0.0.1:1/0"
    started = time.monotonic()
    for _ in range(10):
        assert [a.id for a in feed_page(tab="hot").items] == db_hot_order()
        assert [a.id for a in feed_page(tab="new").items] == db_new_order()
    assert time.monotonic() - started < 3  # the outage is remembered, not retried each call
    fan = community["fans"][0]
    artwork = community["published"][5]
    with commit():
        services.artwork_like(artwork_id=artwork.pk, user=fan)
        services.artwork_unpublish(artwork=artwork, actor=artwork.user)
    assert artwork.pk not in [a.id for a in feed_page(tab="hot").items]

    # Back up, with whatever Redis held before: a rebuild makes it right.
    settings.REDIS_INDEX_URL = REDIS_TEST_URL
    redis_index.zadd("hot_rank", {str(artwork.pk): 99.0})
    call_command("rebuild_redis")
    assert hot_rank_order(redis_index) == db_hot_order()
    assert artwork.pk not in ids_in_index(redis_index)


def test_rebuild_redis_refuses_without_redis(settings):
    from django.core.management.base import CommandError

    settings.REDIS_INDEX_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL is not set"):
        call_command("rebuild_redis")
    settings.REDIS_INDEX_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError, match="unreachable"):
        call_command("rebuild_redis")


def test_rebuild_swaps_atomically_and_drops_stale_keys(redis_index, community):
    redis_index.sadd("user:999999:favorites", "1")
    redis_index.set("artwork:999999:likes", 4)
    redis_index.set("aic:1:unrelated", "kept")  # not an index key
    counts = index_rebuild()
    assert counts["hot_rank"] == artworks_public().count()
    assert not redis_index.exists("user:999999:favorites", "artwork:999999:likes")
    assert redis_index.get("aic:1:unrelated") == "kept"
    assert not [k for k in redis_index.scan_iter("rebuild:*")]  # no temporary keys left
    assert redis_index.ttl("hot_rank") == -1  # permanent


def test_reconcile_repairs_drift(redis_index, community):
    call_command("rebuild_redis")
    for artwork in artworks_public():
        user_artworks_page(author=artwork.user, viewer=None)
    expected = dump_index(redis_index)
    published, fan = community["published"], community["fans"][0]
    redis_index.zadd("hot_rank", {str(community["draft"].pk): 50.0, str(published[0].pk): -1.0})
    redis_index.zrem("hot_rank", published[1].pk)
    redis_index.set(f"artwork:{published[2].pk}:likes", 77)
    redis_index.delete(f"artwork:{published[3].pk}:likes")
    redis_index.set(f"artwork:{community['hidden'].pk}:likes", 1)
    redis_index.lpush("feed_queue", published[6].pk)
    redis_index.rpush(f"user:{community['alice'].pk}:artworks", community["draft"].pk)
    redis_index.sadd(f"user:{fan.pk}:favorites", community["hidden"].pk)
    assert dump_index(redis_index) != expected

    repaired = reconcile_redis.delay().get()
    assert dump_index(redis_index) == expected
    assert repaired["hot_rank"] == 3 and repaired["feed_queue"] == 1
    assert repaired["user_favorites"] == 1 and repaired["user_artworks"] == 1
    assert reconcile_redis.delay().get() == dict.fromkeys(repaired, 0)  # nothing left to fix


def test_walks_stay_exact_with_equal_scores_and_past_the_capped_lists(
    settings, redis_index, commit
):
    settings.FEED_QUEUE_LENGTH = 4
    settings.USER_ARTWORKS_LIST_LENGTH = 3
    author = UserFactory()
    now = timezone.now()
    # Ids 10, 9, … share scores: Redis sorts equal scores by member text ("10" < "9").
    for i in range(13):
        PublishedArtworkFactory(
            user=author, published_at=now - timedelta(minutes=i), hot_score=i % 3
        )
    call_command("rebuild_redis")
    assert walk(lambda c: feed_page(tab="hot", cursor=c, limit=2)) == db_hot_order()
    assert walk(lambda c: feed_page(tab="hot", cursor=c, limit=5)) == db_hot_order()
    assert walk(lambda c: feed_page(tab="new", cursor=c, limit=3)) == db_new_order()
    assert walk(
        lambda c: user_artworks_page(author=author, viewer=None, cursor=c, limit=2)
    ) == db_new_order(user=author)
    assert redis_index.llen("feed_queue") == 4


def test_a_stale_index_entry_is_not_shown_and_gets_repaired(redis_index, community):
    call_command("rebuild_redis")
    gone = community["published"][0]
    # A change the index was never told about (an author suspended, say).
    Artwork.objects.filter(pk=gone.pk).update(status=Artwork.Status.DRAFT)
    assert [a.id for a in feed_page(tab="hot").items] == db_hot_order()
    assert [a.id for a in feed_page(tab="new").items] == db_new_order()
    assert gone.pk not in ids_in_index(redis_index)


def test_without_redis_every_reader_uses_the_database(
    settings, community, django_assert_num_queries
):
    settings.REDIS_INDEX_URL = ""
    assert not index.enabled()
    expected = db_hot_order()
    with django_assert_num_queries(1):
        assert [a.id for a in feed_page(tab="hot").items] == expected
    assert walk(lambda c: feed_page(tab="new", cursor=c, limit=2)) == db_new_order()
    assert index.hot_page(after=None, count=5) is None
    assert index.artwork_put(artwork_id=1, hot_score=1.0, like_count=1) is False


def test_a_sync_that_read_before_a_later_change_never_leaves_its_stale_value(
    redis_index, community, commit, monkeypatch
):
    """Two syncs of one artwork race: the first reads the count, a like commits and is
    synced, then the first writes its older count. It must check again and correct it."""
    call_command("rebuild_redis")
    artwork, late_fan = community["published"][0], UserFactory()
    real_put = index.artwork_put
    raced = []

    def put_after_a_concurrent_like(**kwargs):
        if not raced:
            raced.append(True)
            with commit():
                services.artwork_like(artwork_id=artwork.pk, user=late_fan)
        return real_put(**kwargs)

    monkeypatch.setattr(index, "artwork_put", put_after_a_concurrent_like)
    index_sync_artwork(artwork_id=artwork.pk)
    artwork.refresh_from_db()
    assert raced
    assert int(redis_index.get(f"artwork:{artwork.pk}:likes")) == artwork.like_count
    assert redis_index.zscore("hot_rank", artwork.pk) == artwork.hot_score


def test_redis_coming_back_after_an_outage_is_reconciled(redis_index, community, commit):
    call_command("rebuild_redis")
    artwork = community["published"][0]
    index.breaker.trip(index.where, ConnectionError("simulated outage"))
    assert not index.available()
    with commit():  # a change Redis misses while it is unreachable
        services.artwork_unpublish(artwork=artwork, actor=artwork.user)
    assert redis_index.zscore("hot_rank", artwork.pk) is not None  # stale

    index.breaker.down_until[index.where] = 0.0  # the pause is over
    feed_page(tab="hot")  # the first answer after the outage triggers a reconcile
    assert artwork.pk not in ids_in_index(redis_index)
    assert hot_rank_order(redis_index) == db_hot_order()


def test_likes_join_a_queued_sync_of_their_artwork_and_it_reads_them_all(
    redis_index, community, commit, monkeypatch
):
    """A like or unlike whose artwork already has a sync queued (not yet started) queues no
    other: the queued one reads every like committed before it starts. Favorites, which
    change the member's own set, are never joined."""
    import feed.services.sync as sync

    call_command("rebuild_redis")
    queued = []
    monkeypatch.setattr(sync, "enqueue", lambda task, *args, **kwargs: queued.append(args))
    first, second = community["published"][4], community["published"][5]
    members = UserFactory.create_batch(3)
    with commit():
        for member in members:
            services.artwork_like(artwork_id=first.pk, user=member)
        services.artwork_unlike(artwork_id=first.pk, user=members[0])
        services.artwork_like(artwork_id=second.pk, user=members[0])
        services.artwork_favorite(artwork_id=first.pk, user=members[1])
        services.artwork_favorite(artwork_id=first.pk, user=members[2])
    assert [args[0] for args in queued] == [first.pk, second.pk, first.pk, first.pk]
    stale = int(redis_index.get(f"artwork:{first.pk}:likes"))
    first.refresh_from_db()
    assert stale != first.like_count  # nothing ran yet

    # The queued sync starts: it reads every like so far, and a later like queues anew.
    index_sync_artwork(artwork_id=first.pk, user_id=members[0].pk, event=ArtworkEvent.LIKED)
    assert int(redis_index.get(f"artwork:{first.pk}:likes")) == first.like_count
    assert redis_index.zscore("hot_rank", first.pk) == first.hot_score
    with commit():
        services.artwork_like(artwork_id=first.pk, user=members[0])
    assert [args[0] for args in queued][4:] == [first.pk]


def test_a_lost_sync_holds_its_artworks_likes_back_only_until_its_claim_lapses(
    redis_index, community, commit, monkeypatch
):
    import feed.services.sync as sync

    queued = []
    monkeypatch.setattr(sync, "enqueue", lambda task, *args, **kwargs: queued.append(args))
    monkeypatch.setattr(sync, "_PENDING_SECONDS", 1)
    art, member, other = community["published"][3], UserFactory(), UserFactory()
    with commit():
        services.artwork_like(artwork_id=art.pk, user=member)  # its sync is lost
    time.sleep(1.2)
    with commit():
        services.artwork_like(artwork_id=art.pk, user=other)
    assert len(queued) == 2


def test_a_claim_is_the_first_callers_until_it_lapses_or_is_released(redis_index):
    assert index.claim("probe", seconds=1) is True
    assert index.claim("probe", seconds=1) is False  # held
    assert 0 < redis_index.ttl("claim:probe") <= 1
    time.sleep(1.2)
    assert index.claim("probe", seconds=60) is True  # lapsed: a new caller holds it
    index.release("probe")
    assert index.claim("probe", seconds=60) is True


def test_rebuild_redis_waits_longer_than_a_page_would_and_then_goes_back(
    redis_index, community, monkeypatch
):
    """A rebuild writes the whole catalogue in one transaction (a million artworks take
    seconds): the command gives Redis REBUILD_SOCKET_TIMEOUT, the pages keep theirs."""
    from feed.management.commands import rebuild_redis
    from feed.redis_index import feed_index
    from feed.services import repair

    seen = []
    real = repair.index_rebuild

    def spying() -> dict | None:
        counts = real()
        seen.append(feed_index.client.connection_pool.connection_kwargs["socket_timeout"])
        return counts

    monkeypatch.setattr(rebuild_redis, "index_rebuild", spying)
    call_command("rebuild_redis")
    assert seen == [rebuild_redis.REBUILD_SOCKET_TIMEOUT]
    assert feed_index.available()
    page_timeout = feed_index.client.connection_pool.connection_kwargs["socket_timeout"]
    assert (
        page_timeout == settings.REDIS_INDEX_SOCKET_TIMEOUT < rebuild_redis.REBUILD_SOCKET_TIMEOUT
    )
