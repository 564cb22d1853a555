"""The followers / following pages (a member per row with avatar, names, profile link and a
follow button; keyset pages; empty states; noindex), the follow counts on the profile, their
constant query counts, the whole-page cache after a follow, and valid HTML."""

from __future__ import annotations

import re

import pytest

from social.services import user_block, user_follow
from tests.factories import PublishedArtworkFactory, UserFactory
from tests.page_tools import validate_html

from .conftest import add_followers

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROW = re.compile(r'<li class="member-row">(.*?)</li>', re.S)


def rows(html: str) -> list[str]:
    return ROW.findall(html)


def row_of(html: str, person) -> str:
    found = [r for r in rows(html) if f'href="{person.get_absolute_url()}"' in r]
    assert len(found) == 1, f"{person.username} is not listed once"
    return found[0]


@pytest.fixture
def star(db):
    return UserFactory(username="star", name="Stella Ray")


class TestFollowersPage:
    def test_lists_followers_newest_first_with_names_and_buttons(self, client, user, star):
        older, newer = add_followers(star, 2)
        user_follow(follower=user, followee=older)
        client.force_login(user)
        html = client.get("/user/star/followers").content.decode()
        assert '<h1 id="follow-list-title">Followers of Stella Ray</h1>' in html
        listed = rows(html)
        assert len(listed) == 2
        assert newer.username in listed[0] and older.username in listed[1]
        first = row_of(html, older)
        assert older.display_name in first and f"@{older.username}" in first
        assert 'class="avatar' in first
        assert 'aria-pressed="true"' in first  # the viewer follows this one
        assert 'aria-pressed="false"' in row_of(html, newer)
        # The tabs: both lists, with their counts.
        assert 'href="/user/star/following"' in html and 'aria-current="page"' in html

    def test_following_page_lists_whom_they_follow(self, client, star):
        followed = [UserFactory(name=f"Followed {i}") for i in range(2)]
        for person in followed:
            user_follow(follower=star, followee=person)
        html = client.get("/user/star/following").content.decode()
        assert "Followed by Stella Ray" in html
        assert [p.username in r for p, r in zip(reversed(followed), rows(html), strict=True)]
        # A visitor's buttons are links to sign in and come back here.
        assert 'href="/login?next=/user/star/following"' in row_of(html, followed[0])

    def test_the_member_themselves_get_no_button_in_a_list(self, client, user, star):
        user_follow(follower=user, followee=star)
        client.force_login(user)
        html = client.get("/user/star/followers").content.decode()
        assert "<button" not in row_of(html, user) and "/login" not in row_of(html, user)

    def test_suspended_members_are_not_listed(self, client, star):
        (gone,) = add_followers(star, 1)
        gone.is_active = False
        gone.save()
        html = client.get("/user/star/followers").content.decode()
        assert rows(html) == []
        assert "No followers yet" in html

    @pytest.mark.parametrize("direction", ["followers", "following"])
    def test_unknown_and_suspended_members_are_404(self, client, direction):
        UserFactory(username="gone", is_active=False)
        assert client.get(f"/user/gone/{direction}").status_code == 404
        assert client.get(f"/user/nobody-here/{direction}").status_code == 404

    def test_username_case_redirects_to_canonical(self, client, star):
        response = client.get("/user/STAR/followers")
        assert response.status_code == 301 and response["Location"] == "/user/star/followers"
        response = client.get("/user/STAR/following?lang=zh-hans")
        assert response["Location"] == "/user/star/following?lang=zh-hans"

    def test_empty_states(self, client, star):
        followers = client.get("/user/star/followers").content.decode()
        assert "No followers yet" in followers and 'class="empty-state"' in followers
        assert "When members follow Stella Ray, they show up here." in followers
        following = client.get("/user/star/following").content.decode()
        assert "Not following anyone yet" in following
        assert 'id="member-load-more"' not in following

    def test_meta_is_noindex_with_a_title(self, client, star):
        add_followers(star, 1)
        response = client.get("/user/star/followers")
        html = response.content.decode()
        assert "<title>Followers of Stella Ray (@star) · " in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert response["X-Robots-Tag"] == "noindex"
        assert '<link rel="canonical" href="http' in html and "/user/star/followers" in html
        assert "1 member follows Stella Ray (@star)." in html

    def test_the_titles_put_the_handle_by_the_name_in_chinese(self, client, star):
        """'Stella Ray 的关注者 (@star)' read as if the followers were @star: the handle was
        added after the translated heading, in English word order."""
        html = client.get("/user/star/followers?lang=zh-hans").content.decode()
        assert "<title>Stella Ray（@star）的关注者 · " in html
        html = client.get("/user/star/following?lang=zh-hans").content.decode()
        assert "<title>Stella Ray（@star）关注的成员 · " in html
        html = client.get("/user/star/collections?lang=zh-hans").content.decode()
        assert "<title>Stella Ray（@star）的收藏集 · " in html

    @pytest.mark.parametrize("method", ["post", "put"])
    def test_only_get_and_head(self, client, star, method):
        assert getattr(client, method)("/user/star/followers").status_code == 405


class TestPagination:
    def test_two_pages_walk_every_follower_once(self, client, star):
        members = add_followers(star, 31)
        first = client.get("/user/star/followers").content.decode()
        assert len(rows(first)) == 30
        match = re.search(r'href="(\?[^"]*cursor=[^"]+)" data-hx-get=', first)
        assert match, "the load-more link is a plain link that works without JavaScript"
        second = client.get("/user/star/followers" + match.group(1).replace("&amp;", "&"))
        html = second.content.decode()
        assert len(rows(html)) == 1
        assert "You have reached the end." in html
        listed = rows(first) + rows(html)
        seen = [
            re.search(r'<a class="member-link" href="/user/([^"]+)">', r).group(1) for r in listed
        ]
        # Newest follow first: the oldest follower alone on the second page.
        assert seen == [m.username for m in reversed(members)]

    def test_htmx_load_more_returns_only_rows_and_the_next_link(self, client, star):
        add_followers(star, 31)
        first = client.get("/user/star/followers").content.decode()
        query = re.search(r'data-hx-get="(\?[^"]+)"', first).group(1).replace("&amp;", "&")
        response = client.get("/user/star/followers" + query, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html and len(rows(html)) == 1
        assert 'id="member-load-more" data-hx-swap-oob="true"' in html
        assert "HX-Request" in response.headers["Vary"]

    def test_a_tampered_cursor_goes_back_to_the_first_page(self, client, star):
        response = client.get("/user/star/followers?cursor=not-a-cursor", follow=True)
        assert response.redirect_chain[-1][0] == "/user/star/followers"
        assert "That page link is no longer valid" in response.content.decode()


class TestQueries:
    @pytest.mark.parametrize("n", [1, 30])
    @pytest.mark.parametrize("direction", ["followers", "following"])
    def test_constant_queries_anonymous(
        self, client, star, django_assert_num_queries, n, direction
    ):
        for member in UserFactory.create_batch(n):
            if direction == "followers":
                user_follow(follower=member, followee=star)
            else:
                user_follow(follower=star, followee=member)
        with django_assert_num_queries(2):  # the member, the page of rows (with the members)
            response = client.get(f"/user/star/{direction}")
        assert len(rows(response.content.decode())) == n

    @pytest.mark.parametrize("n", [1, 30])
    def test_constant_queries_signed_in(self, client, user, star, django_assert_num_queries, n):
        for member in add_followers(star, n)[::2]:
            user_follow(follower=user, followee=member)
        client.force_login(user)
        # the viewer (session: cache), the member, the page of rows, the viewer's follows,
        # the bell's unread count (cold here; cached after)
        with django_assert_num_queries(5):
            response = client.get("/user/star/followers")
        html = response.content.decode()
        assert len(rows(html)) == n
        assert html.count('aria-pressed="true"') == (n + 1) // 2

    def test_no_button_where_a_block_stands_either_way(self, client, user, star):
        """As on the profile: a member who blocks the viewer, or whom the viewer blocks, has no
        follow button in the lists (it could only answer that the follow is refused)."""
        blocker, blocked, plain = UserFactory(), UserFactory(), UserFactory()
        for member in (blocker, blocked, plain):
            user_follow(follower=member, followee=star)
        user_block(blocker=blocker, blocked=user)
        user_block(blocker=user, blocked=blocked)
        client.force_login(user)
        html = client.get("/user/star/followers").content.decode()
        assert f"follow-button-{plain.pk}" in row_of(html, plain)
        for member in (blocker, blocked):
            assert "follow-button" not in row_of(html, member), member.username

    def test_a_profile_with_the_button_costs_one_query_more(
        self, client, user, star, django_assert_num_queries
    ):
        PublishedArtworkFactory(user=star)
        client.force_login(user)
        # the viewer, the author, the counts, the page, liked, favorited, is_following,
        # the bell's unread count (cold here; cached after)
        with django_assert_num_queries(7):
            response = client.get(star.get_absolute_url())
        assert 'id="follow-button-' in response.content.decode()


class TestProfileStats:
    def test_counts_link_to_the_lists(self, client, star):
        add_followers(star, 2)
        user_follow(follower=star, followee=UserFactory())
        html = client.get("/user/star").content.decode()
        assert re.search(
            r'<a class="stat-link" href="/user/star/followers"[^>]*>'
            r"<strong>2</strong><span>followers</span></a>",
            html,
        )
        assert (
            '<a class="stat-link" href="/user/star/following">'
            "<strong>1</strong><span>following</span></a>"
        ) in html


class TestPageCache:
    @pytest.fixture(autouse=True)
    def _page_cache_on(self, settings):
        settings.PAGE_CACHE_SECONDS = 600
        settings.MEMBER_PAGE_CACHE_SECONDS = 300

    def test_a_follow_refreshes_the_cached_pages(
        self, client, user, star, django_capture_on_commit_callbacks
    ):
        visitor = client.__class__()
        assert visitor.get("/user/star/followers")["X-Page-Cache"] == "miss"
        assert visitor.get("/user/star/followers")["X-Page-Cache"] == "hit"
        assert visitor.get("/user/star")["X-Page-Cache"] == "miss"
        client.force_login(user)
        assert client.get("/user/star")["X-Page-Cache"] == "miss"
        assert client.get("/user/star")["X-Page-Cache"] == "hit"  # the member's own copy

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/user/star/follow", HTTP_HX_REQUEST="true")
        assert response.status_code == 200

        mine = client.get("/user/star")
        assert mine["X-Page-Cache"] == "miss"
        assert 'aria-pressed="true"' in mine.content.decode()
        listed = visitor.get("/user/star/followers")
        assert listed["X-Page-Cache"] == "miss"
        assert f'href="{user.get_absolute_url()}"' in listed.content.decode()
        profile = visitor.get("/user/star").content.decode()
        assert "<strong>1</strong><span>follower</span>" in profile


@pytest.mark.once
def test_pages_with_follow_buttons_are_valid_html(client, user, star, tmp_path):
    for member in add_followers(star, 3):
        user_follow(follower=user, followee=member)
    art = PublishedArtworkFactory(user=star, title="Harbour lights")
    user_follow(follower=star, followee=user)
    pages: dict[str, str] = {}

    def grab(name: str, url: str, **headers) -> None:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        pages[name] = response.content.decode()

    for lang in ("en", "zh-hans"):
        grab(f"followers (visitor) {lang}", f"/user/star/followers?lang={lang}")
        grab(f"profile (visitor) {lang}", f"/user/star?lang={lang}")
    grab("following (visitor)", "/user/star/following")
    grab("empty following", f"{user.get_absolute_url()}/following")
    grab("artwork (visitor)", art.get_absolute_url())
    client.force_login(user)
    grab("followers (member)", "/user/star/followers")
    grab("profile (member)", "/user/star")
    grab("artwork (member)", art.get_absolute_url())
    grab("own followers", f"{user.get_absolute_url()}/followers")
    assert "follow-button-" in pages["profile (member)"]
    errors = validate_html(pages, tmp_path)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )
