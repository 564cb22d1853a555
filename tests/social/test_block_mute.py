"""Block and mute: services, the follow rule across a block, and the API for every caller."""

from __future__ import annotations

import pytest

from accounts.tokens import token_pair_issue
from social.models import Block, CollectionItem, Follow, Mute
from social.selectors import follow_refusal, member_standing
from social.services import (
    FollowRefused,
    collection_create,
    collection_item_add,
    user_block,
    user_follow,
    user_mute,
    user_unblock,
    user_unmute,
)
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bearer(member) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _counts(member) -> tuple[int, int]:
    member.refresh_from_db(fields=["follower_count", "following_count"])
    return member.follower_count, member.following_count


def test_blocking_removes_the_follows_both_ways_with_their_counts():
    ada, bo, cy = UserFactory(), UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bo)
    user_follow(follower=bo, followee=ada)
    user_follow(follower=cy, followee=ada)
    assert user_block(blocker=ada, blocked=bo) is True
    assert user_block(blocker=ada, blocked=bo) is True  # twice: one row
    assert Block.objects.filter(blocker=ada, blocked=bo).count() == 1
    assert list(Follow.objects.values_list("follower", "followee")) == [(cy.pk, ada.pk)]
    assert _counts(ada) == (1, 0)
    assert _counts(bo) == (0, 0)


@pytest.mark.parametrize("who_blocks", ["author", "reader"])
def test_nobody_follows_across_a_block(who_blocks):
    author, reader = UserFactory(), UserFactory()
    if who_blocks == "author":
        user_block(blocker=author, blocked=reader)
    else:
        user_block(blocker=reader, blocked=author)
    with pytest.raises(FollowRefused):
        user_follow(follower=reader, followee=author)
    with pytest.raises(FollowRefused):
        user_follow(follower=author, followee=reader)
    assert not Follow.objects.exists()
    # The one who blocked is told how to undo it; the blocked member is not told why.
    blocker, blocked = (author, reader) if who_blocks == "author" else (reader, author)
    assert "unblock" in follow_refusal(actor=blocker, user=blocked)
    assert "block" not in follow_refusal(actor=blocked, user=blocker)


def test_unblocking_allows_following_again_but_restores_nothing():
    ada, bo = UserFactory(), UserFactory()
    user_follow(follower=bo, followee=ada)
    user_block(blocker=ada, blocked=bo)
    assert user_unblock(blocker=ada, blocked=bo) is False
    assert user_unblock(blocker=ada, blocked=bo) is False
    assert not Follow.objects.exists()
    user_follow(follower=bo, followee=ada)
    assert _counts(ada) == (1, 0)


def test_blocking_or_muting_yourself_is_refused():
    ada = UserFactory()
    with pytest.raises(FollowRefused, match="block yourself"):
        user_block(blocker=ada, blocked=ada)
    with pytest.raises(FollowRefused, match="mute yourself"):
        user_mute(muter=ada, muted=ada)
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_muting_keeps_the_follow_and_is_idempotent():
    ada, bo = UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bo)
    assert user_mute(muter=ada, muted=bo) is True
    assert user_mute(muter=ada, muted=bo) is True
    assert Mute.objects.count() == 1
    assert Follow.objects.filter(follower=ada, followee=bo).exists()
    assert user_unmute(muter=ada, muted=bo) is False
    assert user_unmute(muter=ada, muted=bo) is False
    assert not Mute.objects.exists()


def test_standing_is_read_in_one_query(django_assert_num_queries):
    ada, bo = UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bo)
    user_mute(muter=ada, muted=bo)
    with django_assert_num_queries(1):
        standing = member_standing(viewer=ada, user=bo)
    assert standing == {"following": True, "blocking": False, "muting": True, "blocked_by": False}
    user_block(blocker=bo, blocked=ada)
    assert member_standing(viewer=ada, user=bo)["blocked_by"] is True
    assert member_standing(viewer=ada, user=bo)["following"] is False
    with django_assert_num_queries(0):
        assert not any(member_standing(viewer=ada, user=ada).values())


@pytest.mark.parametrize(
    ("kind", "field"), [("block", "blocking"), ("mute", "muting")], ids=["block", "mute"]
)
def test_the_api_blocks_and_mutes_for_members_only(client, kind, field):
    ada, bo, gone = UserFactory(), UserFactory(), UserFactory(is_active=False)
    path = f"/api/users/{bo.pk}/{kind}"
    anonymous = client.post(path)
    assert anonymous.status_code == 401
    for _ in range(2):
        response = client.post(path, **_bearer(ada))
        assert response.status_code == 200
        assert response.json() == {field: True}
    yourself = client.post(f"/api/users/{ada.pk}/{kind}", **_bearer(ada))
    assert yourself.status_code == 403
    assert kind in yourself.json()["detail"]
    missing = client.post(f"/api/users/{gone.pk}/{kind}", **_bearer(ada))
    assert missing.status_code == 404
    for _ in range(2):
        response = client.delete(path, **_bearer(ada))
        assert response.json() == {field: False}
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_the_api_refuses_a_follow_across_a_block(client):
    ada, bo = UserFactory(), UserFactory()
    client.post(f"/api/users/{bo.pk}/block", **_bearer(ada))
    response = client.post(f"/api/users/{ada.pk}/follow", **_bearer(bo))
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot follow this member."}
    assert not Follow.objects.exists()


def test_blocking_takes_the_blockers_work_out_of_the_blocked_members_collections(
    client, django_capture_on_commit_callbacks
):
    """The blocked member may no longer save the blocker's work: what they saved before goes
    too (as the follows do), from every collection of theirs and for every reader; the
    blocker's own collections keep what they chose."""
    aurora, evil = UserFactory(username="aurora"), UserFactory(username="evil")
    hers, theirs, other = (
        PublishedArtworkFactory(user=aurora, title="Aurora's dawn"),
        PublishedArtworkFactory(user=evil, title="Evil's night"),
        PublishedArtworkFactory(title="Someone's noon"),
    )
    picks = collection_create(owner=evil, name="Picks")
    for artwork in (hers, other):
        collection_item_add(actor=evil, collection=picks, artwork_id=artwork.pk)
    kept = collection_create(owner=aurora, name="Kept")
    collection_item_add(actor=aurora, collection=kept, artwork_id=theirs.pk)
    assert "Aurora&#x27;s dawn" in client.get(picks.get_absolute_url()).content.decode()
    page = client.get(picks.get_absolute_url()).content.decode()  # from the page cache now
    assert "Aurora&#x27;s dawn" in page
    client.force_login(aurora)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/user/{evil.username}/block").status_code == 302
    client.logout()
    html = client.get(picks.get_absolute_url()).content.decode()
    assert "Aurora&#x27;s dawn" not in html and "Someone&#x27;s noon" in html
    items = client.get(f"/api/collections/{picks.pk}/items").json()["items"]
    assert [item["id"] for item in items] == [other.pk]
    assert client.get(f"/api/collections/{picks.pk}").json()["item_count"] == 1
    picks.refresh_from_db()
    assert picks.item_count == 1
    assert list(
        CollectionItem.objects.filter(collection=kept).values_list("artwork", flat=True)
    ) == [theirs.pk]
