"""bench/fanout.py: both ways of the following feed reach a follower, and the prototype's
page is the same as the site's, on a small population (the full measurement is run by hand)."""

from __future__ import annotations

import pytest

from bench import fanout
from feed.selectors import following_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return fanout.population(followers=30, followees=12, works=2)


def test_the_population_is_what_was_asked_for(people):
    assert people["creator"].follower_rows.count() == 30
    assert people["reader"].following_rows.count() == 12
    assert len(following_page(viewer=people["reader"], limit=50).items) == 24


def test_a_publication_reaches_a_follower_on_read(people):
    assert fanout.reach_on_read(people["creator"], people["fans"][0]) > 0


def test_the_prototype_reaches_every_follower_and_reads_the_same_page(people, redis_index):
    fanout.reach_on_write(redis_index, people["creator"], people["fans"][0])
    lists = [f"{fanout.PREFIX}:following:{fan.pk}" for fan in people["fans"]]
    assert all(redis_index.zcard(key) == 1 for key in lists)

    fanout.fill_reader_list(redis_index, people["reader"])
    on_write = fanout.read_on_write(redis_index, people["reader"], limit=10)
    assert on_write == following_page(viewer=people["reader"], limit=10).items

    fanout.clear_prototype(redis_index)
    assert not redis_index.keys(f"{fanout.PREFIX}:*")
