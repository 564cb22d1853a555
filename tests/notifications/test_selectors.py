"""Reading: one query for a page whatever its size, keyset pages that neither skip nor repeat,
and the grouping ("ada, bob and 3 others liked …")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.selectors import (
    InvalidCursor,
    group_notifications,
    notifications_page,
)
from notifications.text import group_html
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def _make(recipient, kind, *, actor=None, artwork=None, ago=timedelta(0), read=False, key=""):
    row = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        artwork=artwork,
        dedupe_key=key or f"{kind}:{actor and actor.pk}:{artwork and artwork.pk}:{ago}",
        read_at=timezone.now() if read else None,
    )
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - ago)
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("n", [1, 40])
def test_a_page_is_one_query_whatever_its_size(django_assert_num_queries, n):
    art = PublishedArtworkFactory()
    # Seconds apart: likes of one artwork group by day, and minutes apart crossed midnight
    # when the test ran in the first 40 minutes of a day.
    for i in range(n):
        _make(art.user, Kind.LIKE, actor=UserFactory(), artwork=art, ago=timedelta(seconds=i))
    with django_assert_num_queries(1):
        page = notifications_page(recipient=art.user, cursor=None)
        lines = [group_html(group) for group in page.groups]
    assert len(page.items) == min(n, 30)
    assert len(lines) == 1


def test_pages_neither_skip_nor_repeat():
    me = UserFactory()
    made = [_make(me, Kind.FOLLOW, actor=UserFactory(), ago=timedelta(minutes=i)) for i in range(7)]
    seen, cursor = [], None
    while True:
        page = notifications_page(recipient=me, cursor=cursor, limit=3)
        seen += [row.pk for row in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [row.pk for row in made]


def test_a_bad_cursor_is_refused():
    with pytest.raises(InvalidCursor):
        notifications_page(recipient=UserFactory(), cursor="bm90IGEgY3Vyc29y")


def test_grouping_by_kind_artwork_and_day():
    me = UserFactory()
    art, other = PublishedArtworkFactory(user=me, title="Fox"), PublishedArtworkFactory(user=me)
    ada, bob, cy = (UserFactory(username=n) for n in ("ada", "bob", "cy"))
    rows = [
        _make(me, Kind.LIKE, actor=ada, artwork=art),
        _make(me, Kind.LIKE, actor=bob, artwork=art, ago=timedelta(minutes=1)),
        _make(me, Kind.FAVORITE, actor=cy, artwork=art, ago=timedelta(minutes=2)),
        _make(me, Kind.LIKE, actor=cy, artwork=other, ago=timedelta(minutes=3)),
        _make(me, Kind.LIKE, actor=cy, artwork=art, ago=timedelta(minutes=4), read=True),
        _make(me, Kind.LIKE, actor=cy, artwork=art, ago=timedelta(days=2), key="older"),
    ]
    groups = group_notifications(rows)
    assert [[row.pk for row in group.items] for group in groups] == [
        [rows[0].pk, rows[1].pk, rows[4].pk],
        [rows[2].pk],
        [rows[3].pk],
        [rows[5].pk],
    ]
    first = groups[0]
    assert [actor.username for actor in first.actors] == ["ada", "bob", "cy"]
    assert first.unread
    assert not groups[3].unread or groups[3].newest.read_at is None
    html = group_html(first)
    assert ">@ada</a>, <a" in html and ">@bob</a> and 1 other liked" in html
    assert html.endswith(f'<a href="{art.get_absolute_url()}"><em>Fox</em></a>')


def test_two_actors_are_both_named_and_names_are_escaped():
    me = UserFactory()
    art = PublishedArtworkFactory(user=me, title="<b>Bold</b>")
    rows = [
        _make(me, Kind.LIKE, actor=UserFactory(username="ada"), artwork=art),
        _make(me, Kind.LIKE, actor=UserFactory(username="bob"), artwork=art),
    ]
    html = group_html(group_notifications(rows)[0])
    assert ">@ada</a> and <a" in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>" not in html


def test_the_hidden_artworks_title_is_not_a_link():
    me = UserFactory()
    art = PublishedArtworkFactory(user=me, title="Gone")
    row = _make(me, Kind.HIDDEN, artwork=art)
    html = group_html(group_notifications([row])[0])
    assert html == "Staff hid your artwork <em>Gone</em>"
