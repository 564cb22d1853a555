"""GET / POST /api/artworks/{id}/comments and DELETE /api/comments/{id}, for every kind of
caller; the list's query count; the rate limit; the staff list in the admin."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffAction
from accounts.tokens import token_pair_issue
from artworks.models import Artwork
from artworks.services import artwork_hide
from social.models import Comment
from social.services import comment_create, comment_hide, user_block
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "member", "comment author", "artwork author", "blocked member", "staff"]


def _bearer(member) -> dict[str, str]:
    if member is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _list_path(artwork) -> str:
    return f"/api/artworks/{artwork.pk}/comments"


@pytest.fixture
def scene():
    """An artwork with one comment, and a member of each kind."""
    art = PublishedArtworkFactory()
    commenter = UserFactory()
    comment = comment_create(author=commenter, artwork_id=art.pk, body="First!")
    blocked = UserFactory()
    user_block(blocker=art.user, blocked=blocked)
    callers = {
        "anonymous": None,
        "member": UserFactory(),
        "comment author": commenter,
        "artwork author": art.user,
        "blocked member": blocked,
        "staff": make_moderator(extra_perms=("social.moderate_comment",)),
    }
    return art, comment, callers


def _count(art) -> int:
    return Artwork.objects.values_list("comment_count", flat=True).get(pk=art.pk)


# who → (GET can_delete, POST status, DELETE status)
TABLE = {
    "anonymous": (False, 401, 401),
    "member": (False, 201, 403),
    "comment author": (True, 201, 200),
    "artwork author": (True, 201, 200),
    "blocked member": (False, 403, 403),
    "staff": (True, 201, 200),
}


@pytest.mark.parametrize("who", CALLERS)
def test_get_for_every_caller(client, scene, who):
    art, comment, callers = scene
    response = client.get(_list_path(art), **_bearer(callers[who]))
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == comment.pk
    assert item["body"] == item["body_html"] == "First!"
    assert item["author"]["username"] == comment.author.username
    assert set(item["author"]) == {"id", "username", "name", "profile_pic"}
    assert item["parent_id"] is None
    assert item["replies"] == []
    assert item["can_delete"] is TABLE[who][0]
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize("who", CALLERS)
def test_post_for_every_caller(client, scene, who):
    art, comment, callers = scene
    response = client.post(
        _list_path(art),
        {"body": " Reply ", "parent_id": comment.pk},
        content_type="application/json",
        **_bearer(callers[who]),
    )
    assert response.status_code == TABLE[who][1], response.content
    if response.status_code == 201:
        body = response.json()
        assert (body["body"], body["parent_id"], body["replies"]) == ("Reply", comment.pk, [])
        assert body["can_delete"] is True
        assert _count(art) == 2
    else:
        assert Comment.objects.count() == 1
        assert _count(art) == 1
    if who == "blocked member":
        assert response.json() == {"detail": "You cannot comment on this member's work."}


def test_a_reply_under_the_comment_of_a_member_who_blocks_the_caller_is_refused(client, scene):
    art, comment, callers = scene
    stranger = callers["member"]
    user_block(blocker=callers["comment author"], blocked=stranger)
    response = client.post(
        _list_path(art),
        {"body": "Let me in", "parent_id": comment.pk},
        content_type="application/json",
        **_bearer(stranger),
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot reply to this member's comments."}
    assert Comment.objects.count() == 1 and _count(art) == 1
    # A comment of their own on the work is still theirs to make.
    response = client.post(
        _list_path(art), {"body": "Hello"}, content_type="application/json", **_bearer(stranger)
    )
    assert response.status_code == 201


@pytest.mark.parametrize("who", CALLERS)
def test_delete_for_every_caller(client, scene, who):
    art, comment, callers = scene
    response = client.delete(f"/api/comments/{comment.pk}", **_bearer(callers[who]))
    assert response.status_code == TABLE[who][2], response.content
    if response.status_code == 200:
        assert response.json() == {"deleted": True, "comment_id": comment.pk}
        assert not Comment.objects.exists()
        assert _count(art) == 0
    else:
        assert Comment.objects.count() == 1
        assert _count(art) == 1


def test_a_missing_comment_is_404(client, scene):
    _art, _comment, callers = scene
    response = client.delete("/api/comments/987654", **_bearer(callers["member"]))
    assert response.status_code == 404


@pytest.mark.parametrize("state", ["draft", "hidden", "missing"])
def test_an_artwork_the_caller_may_not_see_is_404(client, state):
    art = ArtworkFactory() if state == "draft" else PublishedArtworkFactory()
    if state == "hidden":
        Artwork.objects.filter(pk=art.pk).update(moderation=Artwork.Moderation.HIDDEN)
    path = _list_path(art) if state != "missing" else "/api/artworks/987654/comments"
    member = UserFactory()
    assert client.get(path, **_bearer(member)).status_code == 404
    post = client.post(path, {"body": "hi"}, content_type="application/json", **_bearer(member))
    assert post.status_code == 404
    assert not Comment.objects.exists()


def test_deleting_a_comment_on_an_artwork_the_caller_may_not_see_is_404(
    client, scene, django_capture_on_commit_callbacks
):
    # It was 403 "You cannot delete this comment." (the comment exists) where the page answers
    # 404, and the artwork's author deleted comments on work hidden from them.
    art, comment, callers = scene
    with django_capture_on_commit_callbacks(execute=True):
        artwork_hide(artwork=art, actor=make_moderator(), reason="takedown")
    for who in ("member", "artwork author"):
        response = client.delete(f"/api/comments/{comment.pk}", **_bearer(callers[who]))
        assert response.status_code == 404, who
        browser = Client()
        browser.force_login(callers[who])
        page = browser.post(reverse("social:comment_delete", args=[comment.pk]))
        assert page.status_code == 404, who
    assert Comment.objects.filter(pk=comment.pk).exists()
    staff = client.delete(f"/api/comments/{comment.pk}", **_bearer(callers["staff"]))
    assert staff.status_code == 200


def test_the_author_of_a_draft_is_told_why(client):
    draft = ArtworkFactory()
    response = client.post(
        _list_path(draft), {"body": "hi"}, content_type="application/json", **_bearer(draft.user)
    )
    assert response.status_code == 403
    assert "published" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"body": "   "}, 400),
        ({"body": "x" * 2001}, 400),
        ({"body": "hi", "parent_id": 987654}, 400),
        ({"body": ""}, 422),
        ({}, 422),
        ({"body": "nul\u0000"}, 422),
    ],
)
def test_bad_input(client, scene, payload, status):
    art, _comment, callers = scene
    response = client.post(
        _list_path(art), payload, content_type="application/json", **_bearer(callers["member"])
    )
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    assert Comment.objects.count() == 1


def test_hidden_comments_show_to_comment_moderators_only(client, scene):
    art, comment, callers = scene
    comment_hide(actor=callers["staff"], comment=comment, reason="spam")
    for who in ("anonymous", "member", "comment author", "artwork author"):
        assert client.get(_list_path(art), **_bearer(callers[who])).json()["items"] == []
    items = client.get(_list_path(art), **_bearer(callers["staff"])).json()["items"]
    assert [i["id"] for i in items] == [comment.pk]
    # Marked so, as the page marks it for them: it read like any comment the public reads.
    assert items[0]["hidden"] is True


def test_a_shown_comment_and_its_replies_are_not_marked_hidden(client, scene):
    art, comment, callers = scene
    comment_create(author=callers["member"], artwork_id=art.pk, body="Yes", parent_id=comment.pk)
    (item,) = client.get(_list_path(art), **_bearer(callers["staff"])).json()["items"]
    assert item["hidden"] is False and item["replies"][0]["hidden"] is False


def test_pages_and_a_bad_cursor(client):
    art = PublishedArtworkFactory()
    for i in range(5):
        comment_create(author=UserFactory(), artwork_id=art.pk, body=f"c{i}")
    first = client.get(_list_path(art), {"limit": 3}).json()
    assert [i["body"] for i in first["items"]] == ["c0", "c1", "c2"]
    rest = client.get(_list_path(art), {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["body"] for i in rest["items"]] == ["c3", "c4"]
    assert rest["next_cursor"] is None
    response = client.get(_list_path(art), {"cursor": "bogus"})
    assert response.status_code == 400
    assert "invalid" in response.json()["detail"]


def test_mentions_and_links_in_body_html(client):
    art = PublishedArtworkFactory()
    ada = UserFactory(username="ada")
    comment_create(
        author=UserFactory(), artwork_id=art.pk, body="@ada look <b>https://x.example</b>"
    )
    (item,) = client.get(_list_path(art)).json()["items"]
    assert item["body_html"] == (
        f'<a href="{ada.get_absolute_url()}">@ada</a> look &lt;b&gt;'
        '<a href="https://x.example" rel="nofollow ugc noopener">https://x.example</a>&lt;/b&gt;'
    )


def test_a_member_blocked_by_the_mentioned_one_cannot_mention_them(client):
    art = PublishedArtworkFactory()
    ada, blocked, other = UserFactory(username="ada"), UserFactory(), UserFactory()
    user_block(blocker=ada, blocked=blocked)
    comment_create(author=blocked, artwork_id=art.pk, body="@ada hello")
    comment_create(author=other, artwork_id=art.pk, body="@ada hello")
    items = client.get(_list_path(art)).json()["items"]
    assert [i["body_html"] for i in items] == [
        "@ada hello",
        f'<a href="{ada.get_absolute_url()}">@ada</a> hello',
    ]


def _fill(art, threads: int) -> None:
    for _thread in range(threads):
        mentioned = UserFactory()
        body = f"@{mentioned.username} top"
        top = comment_create(author=UserFactory(), artwork_id=art.pk, body=body)
        for _ in range(2):
            comment_create(author=UserFactory(), artwork_id=art.pk, body="re", parent_id=top.pk)


@pytest.mark.parametrize("viewer_kind", ["anonymous", "member"])
def test_the_list_costs_the_same_queries_for_1_and_30_threads(
    client, django_assert_num_queries, viewer_kind
):
    small, large = PublishedArtworkFactory(), PublishedArtworkFactory()
    _fill(small, 1)
    _fill(large, 30)
    headers = _bearer(UserFactory()) if viewer_kind == "member" else {}
    client.get(_list_path(small), **headers)  # warm the artwork cache, like the second caller
    client.get(_list_path(large), **headers)
    with CaptureQueriesContext(connection) as small_queries:
        response = client.get(_list_path(small), {"limit": 50}, **headers)
    assert len(response.json()["items"]) == 1
    with django_assert_num_queries(len(small_queries)):
        response = client.get(_list_path(large), {"limit": 50}, **headers)
    items = response.json()["items"]
    assert len(items) == 30
    assert all(len(i["replies"]) == 2 for i in items)
    # The page, its replies, the mentioned members, their blocks of the authors (the token's
    # member is kept since the warm-up).
    assert len(small_queries) == 4


def test_comments_are_rate_limited_per_member(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (3, 3600)}
    art = PublishedArtworkFactory()
    headers = _bearer(UserFactory())
    statuses = [
        client.post(
            _list_path(art), {"body": f"c{i}"}, content_type="application/json", **headers
        ).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    assert Comment.objects.count() == 3
    # Another member has a limit of their own.
    other = client.post(
        _list_path(art), {"body": "mine"}, content_type="application/json", **_bearer(UserFactory())
    )
    assert other.status_code == 201


def test_a_comment_shows_in_the_artworks_count(client, django_capture_on_commit_callbacks):
    art = PublishedArtworkFactory()
    assert client.get(f"/api/artworks/{art.pk}").json()["comment_count"] == 0  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=UserFactory(), artwork_id=art.pk, body="hi")
    assert client.get(f"/api/artworks/{art.pk}").json()["comment_count"] == 1


# --- the admin ------------------------------------------------------------------------------


@pytest.fixture
def comment_moderator_client(client):
    moderator = make_moderator(extra_perms=("social.moderate_comment",))
    client.force_login(moderator)
    client.moderator = moderator
    return client


def test_the_admin_list_loads_with_constant_queries(
    comment_moderator_client, django_assert_max_num_queries
):
    client = comment_moderator_client
    url = reverse("admin:social_comment_changelist")
    art = PublishedArtworkFactory()
    comment_create(author=UserFactory(), artwork_id=art.pk, body="one")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(49):
        comment_create(author=UserFactory(), artwork_id=art.pk, body=f"c{i}")
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    for params in ({"hidden": "yes"}, {"hidden": "no"}, {"q": "c1"}):
        assert client.get(url, params).status_code == 200


def test_the_admin_hides_and_unhides_with_the_log(comment_moderator_client):
    client = comment_moderator_client
    art = PublishedArtworkFactory()
    comment = comment_create(author=UserFactory(), artwork_id=art.pk, body="spam spam")
    url = reverse("admin:social_comment_changelist")
    data = {"action": "hide", "_selected_action": [comment.pk], "index": 0, "reason": "spam"}
    response = client.post(url, data, follow=True)
    assert "Hid 1 comment(s)." in [str(m) for m in get_messages(response.wsgi_request)]
    comment.refresh_from_db()
    assert comment.hidden_reason == "spam"
    entry = StaffAction.objects.get()
    assert (entry.actor, entry.action, entry.target_type, entry.reason) == (
        client.moderator,
        "comment_hide",
        "comment",
        "spam",
    )
    assert _count(art) == 0
    client.post(url, {**data, "action": "unhide", "reason": ""}, follow=True)
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert _count(art) == 1


def test_staff_without_the_permission_get_no_actions(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:social_comment_changelist"))
    assert response.status_code == 403


def test_staff_who_may_delete_artworks_may_delete_one_with_comments(client):
    art = PublishedArtworkFactory()
    comment_create(author=UserFactory(), artwork_id=art.pk, body="hi")
    client.force_login(make_moderator(extra_perms=("artworks.delete_artwork",)))
    response = client.get(reverse("admin:artworks_artwork_delete", args=[art.pk]))
    assert response.status_code == 200
    assert not response.context["perms_lacking"]


def test_the_staff_log_links_to_the_comment(comment_moderator_client):
    art = PublishedArtworkFactory()
    comment = comment_create(author=UserFactory(), artwork_id=art.pk, body="spam")
    comment_hide(actor=comment_moderator_client.moderator, comment=comment)
    response = comment_moderator_client.get(reverse("admin:accounts_staffaction_changelist"))
    assert reverse("admin:social_comment_change", args=[comment.pk]) in response.content.decode()
