"""Parallel reactions against real PostgreSQL and Redis: no lost updates anywhere."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from artworks import services
from artworks.models import Artwork, Like
from feed.selectors import feed_page
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

THREADS = 12
ROUNDS = 8


def run_in_threads(work, users) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(users))

    def run(user, index):
        try:
            barrier.wait(timeout=30)
            work(user, index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=run, args=(u, i)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_likes_and_unlikes_lose_nothing(redis_index):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises every writer anyway")
    artwork = PublishedArtworkFactory()
    others = PublishedArtworkFactory.create_batch(3)
    users = UserFactory.create_batch(THREADS)
    feed_page(tab="hot")  # warm hot_rank, so its score is raced on too

    def work(user, index):
        rng = random.Random(index)
        for _ in range(ROUNDS):
            services.artwork_like(artwork_id=artwork.pk, user=user)
            if rng.random() < 0.3:  # a double click
                services.artwork_like(artwork_id=artwork.pk, user=user)
            services.artwork_favorite(artwork_id=others[index % 3].pk, user=user)
            services.artwork_unlike(artwork_id=artwork.pk, user=user)
            services.artwork_unfavorite(artwork_id=others[index % 3].pk, user=user)
        if index % 3:  # two in three users end liking it
            services.artwork_like(artwork_id=artwork.pk, user=user)

    assert run_in_threads(work, users) == []

    artwork.refresh_from_db()
    expected = sum(1 for i in range(THREADS) if i % 3)
    assert artwork.like_count == Like.objects.filter(artwork=artwork).count() == expected
    assert int(redis_index.get(f"artwork:{artwork.pk}:likes")) == expected
    assert redis_index.zscore("hot_rank", artwork.pk) == artwork.hot_score
    for other in Artwork.objects.filter(pk__in=[o.pk for o in others]):
        assert other.favorite_count == 0
    for user in users:
        assert not redis_index.smembers(f"user:{user.pk}:favorites")
