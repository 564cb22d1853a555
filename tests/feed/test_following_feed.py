"""The following feed: /feed?tab=following and GET /api/feed?tab=following, the newest
published work of the members a member follows (fan-out on read: one query whatever the
number of followees), its empty state with creators to follow, and its copies in the page
cache (a member's own, renewed by their follows and by every publication)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import redis
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import user_suspend
from accounts.tokens import token_pair_issue
from aicommunity.api import api
from artworks.models import Artwork
from artworks.services import artwork_hide, artwork_publish, artwork_unpublish
from feed.selectors import InvalidCursor, following_page
from social.models import Follow
from social.selectors import creators_to_follow
from social.services import user_block, user_follow, user_mute, user_unfollow, user_unmute
from tests.conftest import REDIS_TEST_URL, point_cache_at, require_service
from tests.factories import (
    ArtworkFactory,
    LikeFactory,
    PublishedArtworkFactory,
    UserFactory,
    make_moderator,
)

pytestmark = pytest.mark.django_db

URL = "/feed?tab=following"
API_URL = "/api/feed?tab=following"
CARD_LINK = re.compile(r'<article class="art-card">.*?href="/artwork/(\d+)/', re.S)
SUGGESTION = re.compile(r'<li class="follow-suggestion">.*?href="/user/([\w-]+)"', re.S)
NEXT_LINK = re.compile(r'href="(\?[^"]*cursor=[^"]+)"')


def _ids_on(html: str) -> list[int]:
    return [int(i) for i in CARD_LINK.findall(html)]


def _published(author: User, minutes_ago: int, **kwargs: object) -> Artwork:
    return PublishedArtworkFactory(
        user=author, published_at=timezone.now() - timedelta(minutes=minutes_ago), **kwargs
    )


def _member_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _bearer(member: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _follow_many(follower: User, count: int) -> list[User]:
    """`count` new creators that `follower` follows, written in bulk (no services, no counts:
    the feed reads the rows)."""
    password = make_password(None)
    creators = User.objects.bulk_create(
        User(
            username=f"bulk{follower.pk}x{i}",
            email=f"bulk{follower.pk}x{i}@example.com",
            password=password,
        )
        for i in range(count)
    )
    Follow.objects.bulk_create(Follow(follower=follower, followee=c) for c in creators)
    return creators


@pytest.fixture
def member() -> User:
    return UserFactory(username="reader", name="Reader Rae")


# --- the selector -------------------------------------------------------------------------


class TestFollowingPage:
    def test_newest_publication_first_ties_by_id_and_only_followees(self, member):
        ada, bo, stranger = UserFactory(), UserFactory(), UserFactory()
        Follow.objects.create(follower=member, followee=ada)
        Follow.objects.create(follower=member, followee=bo)
        old = _published(ada, 60)
        newest = _published(bo, 1)
        same_time = timezone.now() - timedelta(minutes=30)
        tie_first = PublishedArtworkFactory(user=ada, published_at=same_time)
        tie_second = PublishedArtworkFactory(user=bo, published_at=same_time)
        _published(stranger, 0)  # not followed
        _published(member, 0)  # their own work is not "following"
        page = following_page(viewer=member)
        assert [a.pk for a in page.items] == [newest.pk, tie_second.pk, tie_first.pk, old.pk]
        assert page.next_cursor is None

    def test_cursor_pagination_walks_every_artwork_once_in_order(self, member):
        creators = [UserFactory() for _ in range(3)]
        for creator in creators:
            Follow.objects.create(follower=member, followee=creator)
        artworks = [_published(creators[i % 3], i) for i in range(12)]
        seen, cursor, pages = [], None, 0
        while True:
            page = following_page(viewer=member, cursor=cursor, limit=5)
            seen += [a.pk for a in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == 3
        assert seen == [a.pk for a in artworks]  # minutes ago 0, 1, 2, …: newest first

    def test_what_the_public_may_not_see_never_shows(self, member):
        moderator = make_moderator(extra_perms=("accounts.suspend_user",))
        shown, hidden_owner, suspended = UserFactory(), UserFactory(), UserFactory()
        for followee in (shown, hidden_owner, suspended):
            Follow.objects.create(follower=member, followee=followee)
        visible = _published(shown, 5, title="Visible piece")
        ArtworkFactory(user=shown, title="A draft")
        unpublished = _published(shown, 4)
        artwork_unpublish(artwork=unpublished, actor=shown)
        hidden = _published(hidden_owner, 3)
        artwork_hide(artwork=hidden, actor=moderator, reason="spam")
        _published(suspended, 2)
        user_suspend(user=suspended, actor=moderator, reason="ban evasion")
        assert [a.pk for a in following_page(viewer=member).items] == [visible.pk]

    def test_a_muted_followee_vanishes_until_unmuted(self, member):
        muted, kept = UserFactory(), UserFactory()
        for followee in (muted, kept):
            user_follow(follower=member, followee=followee)
        muted_art, kept_art = _published(muted, 1), _published(kept, 2)
        user_mute(muter=member, muted=muted)
        assert [a.pk for a in following_page(viewer=member).items] == [kept_art.pk]
        user_unmute(muter=member, muted=muted)
        assert [a.pk for a in following_page(viewer=member).items] == [muted_art.pk, kept_art.pk]

    def test_a_visitor_follows_nobody_and_a_foreign_cursor_is_refused(self, member):
        from django.contrib.auth.models import AnonymousUser

        assert following_page(viewer=AnonymousUser()).items == []
        assert following_page(viewer=None).items == []
        with pytest.raises(InvalidCursor):
            following_page(viewer=member, cursor="not-a-cursor")

    @pytest.mark.parametrize("followees", [1, 1000])
    def test_one_query_whatever_the_number_of_followees(
        self, member, django_assert_num_queries, followees
    ):
        creators = _follow_many(member, followees)
        for i, creator in enumerate(creators[:30]):
            _published(creator, i)
        with django_assert_num_queries(1):
            page = following_page(viewer=member)
        assert len(page.items) == min(followees, 24)
        assert all(a.user.username.startswith("bulk") for a in page.items)  # authors loaded


# --- creators to follow -------------------------------------------------------------------


class TestCreatorsToFollow:
    def test_most_followed_then_most_liked_without_self_followed_or_unpublished(
        self, member, django_assert_num_queries
    ):
        popular = UserFactory(username="popular")
        liked = UserFactory(username="liked")
        quiet = UserFactory(username="quiet")
        followed = UserFactory(username="followed")
        drafts_only = UserFactory(username="draftsonly")
        suspended = UserFactory(username="suspended", is_active=False)
        for creator in (popular, liked, quiet, followed, suspended):
            _published(creator, 1)
        ArtworkFactory(user=drafts_only)
        _published(member, 1)
        LikeFactory(artwork=_published(liked, 2))
        User.objects.filter(pk__in=[popular.pk, member.pk, followed.pk]).update(follower_count=9)
        Follow.objects.create(follower=member, followee=followed)
        with django_assert_num_queries(1):
            suggested = creators_to_follow(viewer=member)
        assert [u.username for u in suggested] == ["popular", "liked", "quiet"]

    def test_never_whom_they_mute_or_block_nor_who_blocks_them(self, member):
        muted, blocked, blocker, welcome = (
            UserFactory(username=n) for n in ("muted", "blocked", "blocker", "welcome")
        )
        for creator in (muted, blocked, blocker, welcome):
            _published(creator, 1)
        user_mute(muter=member, muted=muted)
        user_block(blocker=member, blocked=blocked)
        user_block(blocker=blocker, blocked=member)
        assert [u.username for u in creators_to_follow(viewer=member)] == ["welcome"]

    def test_a_few_only(self, member):
        for _ in range(8):
            _published(UserFactory(), 1)
        assert len(creators_to_follow(viewer=member, limit=3)) == 3


# --- the page -----------------------------------------------------------------------------


class TestFollowingTab:
    def test_a_visitor_is_sent_to_sign_in_and_back(self, client):
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == "/login?next=%2Ffeed%3Ftab%3Dfollowing"
        load_more = client.get(URL + "&cursor=x", HTTP_HX_REQUEST="true")
        assert load_more.status_code == 204
        assert load_more["HX-Redirect"] == "/login?next=%2Ffeed%3Ftab%3Dfollowing"

    def test_the_tab_is_shown_to_members_only(self, client, member):
        assert 'href="/feed?tab=following"' not in client.get("/feed").content.decode()
        html = _member_client(member).get("/feed").content.decode()
        assert 'href="/feed?tab=following"' in html
        assert ">Following<" in html or "Following" in html

    def test_newest_first_with_load_more_and_htmx_pages(self, member):
        creator = UserFactory()
        Follow.objects.create(follower=member, followee=creator)
        artworks = [_published(creator, i) for i in range(30)]
        client = _member_client(member)
        response = client.get(URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'aria-current="page"' in html and "creators you follow" in html
        assert _ids_on(html) == [a.pk for a in artworks[:24]]
        next_query = NEXT_LINK.search(html).group(1).replace("&amp;", "&")
        assert "tab=following" in next_query
        second = client.get("/feed" + next_query).content.decode()
        assert _ids_on(second) == [a.pk for a in artworks[24:]]
        assert "You have reached the end." in second
        partial = client.get("/feed" + next_query, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in partial and len(_ids_on(partial)) == 6

    def test_a_members_page_is_private_and_never_indexed(self, member):
        response = _member_client(member).get(URL)
        assert response["X-Robots-Tag"] == "noindex"
        assert 'name="robots" content="noindex' in response.content.decode()
        assert "private" in response["Cache-Control"]

    def test_an_invalid_cursor_restarts_on_the_first_page(self, member):
        response = _member_client(member).get(URL + "&cursor=not-a-cursor", follow=True)
        assert response.redirect_chain[-1][0] == URL
        assert "That page link is no longer valid" in response.content.decode()

    def test_following_nobody_suggests_creators_but_never_themselves(self, member):
        top = UserFactory(username="topcreator", name="Top Creator")
        second = UserFactory(username="secondcreator")
        _published(top, 1)
        _published(second, 1)
        _published(member, 1)
        User.objects.filter(pk__in=[top.pk, member.pk]).update(follower_count=5)
        html = _member_client(member).get(URL).content.decode()
        assert "You do not follow anyone yet" in html
        assert "Creators to follow" in html
        assert SUGGESTION.findall(html) == ["topcreator", "secondcreator"]
        assert "Top Creator" in html and 'class="avatar' in html
        assert "5 followers" in html
        # Each with a follow button (a form that works without JavaScript).
        assert 'action="/user/topcreator/follow"' in html
        assert 'action="/user/secondcreator/follow"' in html

    def test_followees_without_visible_work_leave_it_empty_and_are_not_suggested(self, member):
        quiet = UserFactory(username="quietone")
        ArtworkFactory(user=quiet)  # a draft
        user_follow(follower=member, followee=quiet)
        other = UserFactory(username="otherone")
        _published(other, 1)
        member.refresh_from_db()
        html = _member_client(member).get(URL).content.decode()
        assert "Nothing new from the creators you follow" in html
        assert SUGGESTION.findall(html) == ["otherone"]

    @pytest.mark.parametrize("followees", [1, 1000])
    def test_a_page_is_three_queries_whatever_the_followees(
        self, member, django_assert_num_queries, followees
    ):
        creators = _follow_many(member, followees)
        for i, creator in enumerate(creators[:30]):
            LikeFactory(user=member, artwork=_published(creator, i))
        client = _member_client(member)
        # the member (the session comes from the cache), the page, their likes and favorites,
        # the bell's unread count (cold here; cached after)
        with django_assert_num_queries(4):
            response = client.get(URL)
        assert len(_ids_on(response.content.decode())) == min(followees, 24)

    def test_the_empty_state_is_three_queries_too(self, member, django_assert_num_queries):
        _follow_many(member, 1000)  # none of them has published
        for _ in range(10):
            _published(UserFactory(), 1)
        client = _member_client(member)
        # the member, the (empty) page, the suggestions, the bell's unread count (cold here;
        # cached after)
        with django_assert_num_queries(4):
            html = client.get(URL).content.decode()
        assert len(SUGGESTION.findall(html)) == 6


# --- the API ------------------------------------------------------------------------------


class TestFollowingApi:
    def test_without_credentials_it_is_401_json(self, client):
        response = client.get(API_URL)
        assert response.status_code == 401
        assert set(response.json()) == {"detail"} and response.json()["detail"]

    def test_with_a_bearer_token_or_a_session_the_same_page(self, client, member):
        creator = UserFactory()
        Follow.objects.create(follower=member, followee=creator)
        artworks = [_published(creator, i) for i in range(5)]
        _published(UserFactory(), 0)  # not followed
        by_token = client.get(API_URL + "&limit=3", **_bearer(member)).json()
        assert [i["id"] for i in by_token["items"]] == [a.pk for a in artworks[:3]]
        assert by_token["items"][0]["isLiked"] is False
        rest = client.get(API_URL + f"&cursor={by_token['next_cursor']}", **_bearer(member))
        assert [i["id"] for i in rest.json()["items"]] == [a.pk for a in artworks[3:]]
        assert rest.json()["next_cursor"] is None
        by_session = _member_client(member).get(API_URL + "&limit=3").json()
        assert by_session == by_token

    def test_a_foreign_cursor_is_400(self, client, member):
        response = client.get(API_URL + "&cursor=not-a-cursor", **_bearer(member))
        assert response.status_code == 400 and response.json()["detail"]

    def test_openapi_lists_the_tab(self):
        schema = api.get_openapi_schema()
        parameters = schema["paths"]["/api/feed"]["get"]["parameters"]
        (tab,) = [p for p in parameters if p["name"] == "tab"]
        assert set(tab["schema"]["enum"]) == {"hot", "new", "following"}

    @pytest.mark.parametrize("followees", [1, 1000])
    def test_three_queries_whatever_the_followees(
        self, client, member, django_assert_num_queries, followees
    ):
        for i, creator in enumerate(_follow_many(member, followees)[:30]):
            _published(creator, i)
        bearer = _bearer(member)
        session = _member_client(member)
        # the member, the page, their likes and favorites
        with django_assert_num_queries(3):
            assert len(client.get(API_URL, **bearer).json()["items"]) == min(followees, 24)
        # the same without the member, whose row this process keeps now
        with django_assert_num_queries(2):
            assert len(session.get(API_URL).json()["items"]) == min(followees, 24)


# --- the page cache -----------------------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300


class TestFollowingFeedInThePageCache:
    def test_follow_publish_mute_and_unfollow_show_on_the_next_request(
        self, page_cache, member, django_capture_on_commit_callbacks
    ):
        author = UserFactory(username="followedauthor")
        first = _published(author, 10)
        client = _member_client(member)
        bearer = _bearer(member)

        def page() -> tuple[list[int], str]:
            response = client.get(URL)
            return _ids_on(response.content.decode()), response["X-Page-Cache"]

        def api_ids() -> list[int]:
            return [i["id"] for i in client.get(API_URL, **bearer).json()["items"]]

        assert page() == ([], "miss")
        assert page() == ([], "hit")
        assert api_ids() == []
        with django_capture_on_commit_callbacks(execute=True):
            user_follow(follower=member, followee=author)
        assert page() == ([first.pk], "miss")
        assert page() == ([first.pk], "hit")
        assert api_ids() == [first.pk]
        draft = ArtworkFactory(user=author)
        with django_capture_on_commit_callbacks(execute=True):
            artwork_publish(artwork=draft, actor=author)
        assert page() == ([draft.pk, first.pk], "miss")
        assert api_ids() == [draft.pk, first.pk]
        with django_capture_on_commit_callbacks(execute=True):
            user_mute(muter=member, muted=author)
        assert page() == ([], "miss")
        assert api_ids() == []
        with django_capture_on_commit_callbacks(execute=True):
            user_unmute(muter=member, muted=author)
        assert page() == ([draft.pk, first.pk], "miss")
        with django_capture_on_commit_callbacks(execute=True):
            user_unfollow(follower=member, followee=author)
        assert page() == ([], "miss")
        assert api_ids() == []

    def test_a_member_never_gets_another_members_following_feed(
        self, page_cache, django_capture_on_commit_callbacks
    ):
        xavier, yara = UserFactory(name="Xavier X"), UserFactory(name="Yara Y")
        ann, ben = UserFactory(), UserFactory()
        ann_art, ben_art = _published(ann, 1), _published(ben, 2)
        with django_capture_on_commit_callbacks(execute=True):
            user_follow(follower=xavier, followee=ann)
            user_follow(follower=yara, followee=ben)
        x_client, y_client = _member_client(xavier), _member_client(yara)
        for client in (x_client, y_client):
            client.get(URL)
        x_page, y_page = x_client.get(URL), y_client.get(URL)
        assert x_page["X-Page-Cache"] == y_page["X-Page-Cache"] == "hit"
        x_html, y_html = x_page.content.decode(), y_page.content.decode()
        assert _ids_on(x_html) == [ann_art.pk] and "Xavier X" in x_html
        assert _ids_on(y_html) == [ben_art.pk] and "Yara Y" in y_html
        assert "Yara Y" not in x_html and "Xavier X" not in y_html
        # A visitor asking for the same address is sent to sign in, never served a copy.
        assert Client().get(URL).status_code == 302


@pytest.fixture
def redis_page_cache(settings, page_cache):
    require_service("Redis", REDIS_TEST_URL)
    point_cache_at(settings, REDIS_TEST_URL)
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def sent(monkeypatch) -> list:
    """What is written to Redis's sockets from now on, one entry per write (a pipeline is one):
    each is one round trip."""
    writes: list = []
    real = redis.connection.Connection.send_packed_command

    def send(self: redis.connection.Connection, command: object, check_health: bool = True):
        writes.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", send)
    return writes


@pytest.mark.redis
def test_redis_round_trips_of_the_following_page(
    redis_page_cache, member, sent, django_assert_num_queries, django_capture_on_commit_callbacks
):
    creators = _follow_many(member, 1000)
    for i, creator in enumerate(creators[:30]):
        _published(creator, i)
    client = _member_client(member)
    client.get(URL)  # the first copy: its versions are made (once per tag, ever)
    with django_capture_on_commit_callbacks(execute=True):
        user_unfollow(follower=member, followee=creators[0])  # bumps their tag and `lists`
    sent.clear()
    with django_assert_num_queries(3):  # the member, the page, their likes and favorites
        response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    # the page with its versions and the session (one MGET: this process read the session
    # before and knows whom it names); the bell's unread count (kept since the first copy);
    # the copy kept
    assert len(sent) == 3
    sent.clear()
    with django_assert_num_queries(0):  # the member's row is kept since the miss
        response = client.get(URL)
    assert response["X-Page-Cache"] == "hit"
    assert len(sent) == 1  # the page with its versions, the member's stamp and the session
    assert len(_ids_on(response.content.decode())) == 24


@pytest.mark.once
def test_the_following_pages_are_valid_html(member, tmp_path):
    from tests.page_tools import validate_html

    creator = UserFactory(username="validcreator", name='Valid & <tricky> "name"')
    _published(creator, 1)
    client = _member_client(member)
    documents = {"following, empty, with suggestions": client.get(URL).content.decode()}
    Follow.objects.create(follower=member, followee=creator)
    documents["following, one artwork"] = client.get(URL).content.decode()
    assert "follow-suggestion" in documents["following, empty, with suggestions"]
    assert validate_html(documents, tmp_path) == {}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_page_agrees_with_the_plain_rule_over_a_random_world(seed):
    """Walked page by page (pages of 1, 3 and 4, with the cursor's redundant bound), the
    following feed is exactly what the visibility rule and the follows say, newest first,
    through follows, mutes, drafts, hides and suspensions, and ties on the publication time."""
    import random

    from artworks.selectors import artworks_public
    from feed.selectors import _following_authors

    rng = random.Random(seed)
    viewer = UserFactory()
    authors = UserFactory.create_batch(12)
    for author in authors:
        for _ in range(rng.randint(0, 7)):
            minutes = rng.choice([5, 5, 30, 90, rng.randint(1, 5000)])  # ties on purpose
            art = _published(author, minutes)
            if rng.random() < 0.15:
                Artwork.objects.filter(pk=art.pk).update(moderation=Artwork.Moderation.HIDDEN)
            elif rng.random() < 0.1:
                Artwork.objects.filter(pk=art.pk).update(status=Artwork.Status.DRAFT)
    for author in rng.sample(authors, 9):
        user_follow(follower=viewer, followee=author)
    for author in rng.sample(authors, 2):
        user_mute(muter=viewer, muted=author)
    for author in rng.sample(authors, 2):
        User.objects.filter(pk=author.pk).update(is_active=False)
    expected = list(
        artworks_public()
        .filter(user_id__in=_following_authors(viewer=viewer))
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)
    )
    assert expected, "the random world must show something"
    seen: list[int] = []
    cursor = None
    for _ in range(50):
        page = following_page(viewer=viewer, cursor=cursor, limit=rng.choice([1, 3, 4]))
        seen += [a.id for a in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
