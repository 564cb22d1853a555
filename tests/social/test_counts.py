"""The counts on profiles and cards hold what the pages show: a suspended member leaves the
follower and following counts of the members on the other side of their follows, and the
comment counts of the artworks they commented on, and comes back with the restoration; a
hidden comment takes its replies out of the count; every way a row goes sets the count again
from the rows left."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import User
from artworks.models import Artwork
from social.models import Comment
from social.services import (
    comment_counts_recount,
    comment_create,
    comment_delete,
    comment_hide,
    comment_unhide,
    follow_counts_recount,
    user_follow,
    user_unfollow,
)
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _counts(*members: User) -> list[tuple[int, int]]:
    rows = User.objects.filter(pk__in=[m.pk for m in members])
    values = rows.values_list("pk", "follower_count", "following_count")
    counts = {pk: (followers, following) for pk, followers, following in values}
    return [counts[m.pk] for m in members]


def _comment_count(artwork: Artwork) -> int:
    return Artwork.objects.values_list("comment_count", flat=True).get(pk=artwork.pk)


@pytest.fixture
def moderator():
    return make_moderator(extra_perms=("social.moderate_comment", "accounts.suspend_user"))


@pytest.fixture
def suspend(moderator, django_capture_on_commit_callbacks):
    def act(member: User, *, restore: bool = False) -> None:
        member.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            if restore:
                account_services.user_restore(user=member, actor=moderator)
            else:
                account_services.user_suspend(user=member, actor=moderator, reason="spam")

    return act


def test_a_suspended_member_leaves_the_follow_counts_and_comes_back(suspend):
    ada, bob, cy = UserFactory(), UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bob)
    user_follow(follower=bob, followee=cy)
    user_follow(follower=cy, followee=bob)
    assert _counts(ada, bob, cy) == [(0, 1), (2, 1), (1, 1)]

    suspend(bob)
    assert _counts(ada, cy) == [(0, 0), (0, 0)]

    suspend(bob, restore=True)
    assert _counts(ada, bob, cy) == [(0, 1), (2, 1), (1, 1)]


def test_unfollowing_or_deleting_a_suspended_member_does_not_count_twice(suspend):
    ada, bob, cy = UserFactory(), UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bob)
    user_follow(follower=cy, followee=bob)
    user_follow(follower=bob, followee=cy)
    suspend(bob)
    user_unfollow(follower=ada, followee=bob)
    assert _counts(ada, cy) == [(0, 0), (0, 0)]
    suspend(bob, restore=True)
    assert _counts(ada, bob, cy) == [(0, 0), (1, 1), (1, 1)]
    suspend(bob)
    User.objects.get(pk=bob.pk).delete()  # the follows go by cascade
    assert _counts(ada, cy) == [(0, 0), (0, 0)]


def test_a_suspended_commenter_leaves_the_count_with_the_replies_to_them(suspend):
    art = PublishedArtworkFactory()
    member, other = UserFactory(), UserFactory()
    top = comment_create(author=member, artwork_id=art.pk, body="mine")
    comment_create(author=other, artwork_id=art.pk, body="a reply to them", parent_id=top.pk)
    comment_create(author=other, artwork_id=art.pk, body="theirs")
    assert _comment_count(art) == 3

    suspend(member)
    assert _comment_count(art) == 1  # their comment and the reply under it left the page

    suspend(member, restore=True)
    assert _comment_count(art) == 3


def test_a_hidden_comment_takes_its_replies_out_of_the_count(moderator):
    art = PublishedArtworkFactory()
    top = comment_create(author=UserFactory(), artwork_id=art.pk, body="top")
    comment_create(author=UserFactory(), artwork_id=art.pk, body="reply", parent_id=top.pk)
    comment_hide(actor=moderator, comment=top)
    assert _comment_count(art) == 0
    comment_unhide(actor=moderator, comment=top)
    assert _comment_count(art) == 2


def test_deleting_a_suspended_members_comment_leaves_the_count_alone(suspend, moderator):
    art = PublishedArtworkFactory()
    member = UserFactory()
    theirs = comment_create(author=member, artwork_id=art.pk, body="mine")
    comment_create(author=UserFactory(), artwork_id=art.pk, body="kept")
    suspend(member)
    comment_delete(actor=moderator, comment_id=theirs.pk)
    assert _comment_count(art) == 1
    assert Comment.objects.count() == 1


def test_a_recount_mends_a_count_gone_wrong():
    art = PublishedArtworkFactory()
    comment_create(author=UserFactory(), artwork_id=art.pk, body="one")
    ada, bob = UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bob)
    Artwork.objects.filter(pk=art.pk).update(comment_count=40)
    User.objects.filter(pk__in=[ada.pk, bob.pk]).update(follower_count=9, following_count=9)

    comment_counts_recount(artwork_ids=[art.pk])
    follow_counts_recount(user_ids=[ada.pk, bob.pk])

    assert _comment_count(art) == 1
    assert _counts(ada, bob) == [(0, 1), (1, 0)]
