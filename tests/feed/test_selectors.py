from datetime import timedelta

import pytest
from django.utils import timezone

from artworks.models import Artwork
from feed.selectors import (
    InvalidCursor,
    feed_page,
    user_artworks_page,
    user_favorites_page,
)
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    PublishedArtworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def walk(fetch) -> list[int]:
    ids, cursor = [], None
    while True:
        page = fetch(cursor)
        ids += [a.id for a in page.items]
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


@pytest.fixture
def catalogue():
    now = timezone.now()
    published = [
        PublishedArtworkFactory(published_at=now - timedelta(hours=i), hot_score=float(i % 4))
        for i in range(11)
    ]
    ArtworkFactory()  # draft
    PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    return published


def test_hot_pages_walk_every_public_artwork_once_in_score_order(catalogue):
    ids = walk(lambda c: feed_page(tab="hot", cursor=c, limit=4))
    expected = [a.id for a in sorted(catalogue, key=lambda a: (-a.hot_score, -a.id))]
    assert ids == expected


def test_new_pages_walk_by_publication_time(catalogue):
    ids = walk(lambda c: feed_page(tab="new", cursor=c, limit=3))
    expected = [a.id for a in sorted(catalogue, key=lambda a: a.published_at, reverse=True)]
    assert ids == expected


def test_a_tampered_cursor_is_refused():
    with pytest.raises(InvalidCursor):
        feed_page(tab="hot", cursor="bm90LWEtY3Vyc29y")
    with pytest.raises(InvalidCursor):
        feed_page(tab="new", cursor="%%%")


def test_one_query_per_page_whatever_its_size(django_assert_num_queries, catalogue):
    with django_assert_num_queries(1):
        page = feed_page(tab="hot", limit=10)
        assert [a.user.username for a in page.items]  # authors come with the rows


def test_user_pages_show_drafts_only_to_their_author():
    author, stranger = UserFactory(), UserFactory()
    published = PublishedArtworkFactory(user=author)
    draft = ArtworkFactory(user=author)
    assert [a.id for a in user_artworks_page(author=author, viewer=stranger).items] == [
        published.id
    ]
    assert user_artworks_page(author=author, viewer=stranger, drafts=True).items == []
    assert [a.id for a in user_artworks_page(author=author, viewer=author, drafts=True).items] == [
        draft.id
    ]


def test_favorites_newest_first_and_only_what_the_viewer_may_see():
    owner = UserFactory()
    first = FavoriteFactory(user=owner)
    second = FavoriteFactory(user=owner)
    hidden = FavoriteFactory(user=owner)
    Artwork.objects.filter(pk=hidden.artwork_id).update(moderation="hidden")
    ids = walk(lambda c: user_favorites_page(owner=owner, viewer=owner, cursor=c, limit=1))
    assert ids == [second.artwork_id, first.artwork_id]
