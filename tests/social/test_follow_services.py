from __future__ import annotations

import pytest

from social.models import Follow
from social.services import FollowRefused, user_follow, user_unfollow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts(user) -> tuple[int, int]:
    user.refresh_from_db(fields=["follower_count", "following_count"])
    return user.follower_count, user.following_count


def test_follow_counts_once_and_unfollow_counts_down():
    ada, bo = UserFactory(), UserFactory()
    state = user_follow(follower=ada, followee=bo)
    assert (state.following, state.follower_count) == (True, 1)
    again = user_follow(follower=ada, followee=bo)
    assert (again.following, again.follower_count) == (True, 1)
    assert Follow.objects.filter(follower=ada, followee=bo).count() == 1
    assert _counts(bo) == (1, 0)
    assert _counts(ada) == (0, 1)
    gone = user_unfollow(follower=ada, followee=bo)
    assert (gone.following, gone.follower_count) == (False, 0)
    assert user_unfollow(follower=ada, followee=bo).follower_count == 0
    assert _counts(bo) == (0, 0)
    assert _counts(ada) == (0, 0)


def test_following_yourself_is_refused_and_saves_nothing():
    ada = UserFactory()
    with pytest.raises(FollowRefused, match="yourself"):
        user_follow(follower=ada, followee=ada)
    assert not Follow.objects.exists()
    assert _counts(ada) == (0, 0)


def test_a_suspended_member_cannot_be_followed():
    ada, gone = UserFactory(), UserFactory(is_active=False)
    with pytest.raises(FollowRefused):
        user_follow(follower=ada, followee=gone)
    assert not Follow.objects.exists()


def test_a_suspended_member_cannot_follow():
    ada, bo = UserFactory(is_active=False), UserFactory()
    with pytest.raises(FollowRefused):
        user_follow(follower=ada, followee=bo)
    assert not Follow.objects.exists()


def test_a_deleted_member_takes_their_follows_and_the_counts_follow():
    ada, bo, cy = UserFactory(), UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bo)
    user_follow(follower=bo, followee=cy)
    user_follow(follower=cy, followee=bo)
    bo.delete()
    assert not Follow.objects.exists()
    assert _counts(ada) == (0, 0)
    assert _counts(cy) == (0, 0)


def test_each_follow_is_announced_once_after_commit(django_capture_on_commit_callbacks):
    from social.signals import follow_changed

    ada, bo = UserFactory(), UserFactory()
    heard = []

    def listen(sender, **kwargs):
        heard.append((kwargs["follower_id"], kwargs["followee_id"], kwargs["event"]))

    follow_changed.connect(listen, dispatch_uid="test-listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            user_follow(follower=ada, followee=bo)
            user_follow(follower=ada, followee=bo)
            user_unfollow(follower=ada, followee=bo)
            user_unfollow(follower=ada, followee=bo)
    finally:
        follow_changed.disconnect(dispatch_uid="test-listen")
    assert heard == [(ada.pk, bo.pk, "followed"), (ada.pk, bo.pk, "unfollowed")]
