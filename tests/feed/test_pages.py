"""The list pages: landing, features, /feed and profiles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from artworks.models import Artwork
from artworks.services import artwork_set_tags
from social.services import collection_create
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    LikeFactory,
    PublishedArtworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<article class="art-card">')


def cards(html: str) -> int:
    return len(CARD.findall(html))


def publish_many(n: int, **kwargs) -> list[Artwork]:
    now = timezone.now()
    return [
        PublishedArtworkFactory(published_at=now - timedelta(minutes=i), **kwargs) for i in range(n)
    ]


class TestLanding:
    def test_shows_hot_strip_stats_and_calls_to_action(self, client):
        art = PublishedArtworkFactory(title="Moonlit harbour", like_count=3)
        ArtworkFactory(title="Secret draft")
        html = client.get("/").content.decode()
        assert "Moonlit harbour" in html
        assert "Secret draft" not in html
        assert 'href="/feed"' in html
        assert reverse("account_signup") in html
        assert art.get_absolute_url() in html

    def test_empty_site_has_an_empty_state(self, client):
        html = client.get("/").content.decode()
        assert "Nothing published yet" in html

    def test_signed_in_header_shows_user_and_logout_form(self, client, user):
        client.force_login(user)
        html = client.get("/").content.decode()
        assert user.get_absolute_url() in html
        assert f'action="{reverse("account_logout")}"' in html
        assert 'method="post"' in html
        assert ">Log in<" not in html

    def test_anonymous_header_has_log_in(self, client):
        html = client.get("/").content.decode()
        assert ">Log in<" in html


class TestFeatures:
    def test_illustrated_with_live_artworks(self, client):
        PublishedArtworkFactory(title="Live showcase piece")
        response = client.get("/features")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Live showcase piece" in html
        for section in ("Creation", "Publishing", "Reactions", "Feed", "API", "Self-hosting"):
            assert section in html


class TestFeed:
    def test_hot_orders_by_hot_score_and_new_by_published_at(self, client):
        old_hot = PublishedArtworkFactory(
            title="Old but loved", hot_score=99, published_at=timezone.now() - timedelta(days=3)
        )
        fresh = PublishedArtworkFactory(title="Fresh one", hot_score=1)
        hot = client.get("/feed").content.decode()
        new = client.get("/feed?tab=new").content.decode()
        assert hot.index("Old but loved") < hot.index("Fresh one")
        assert new.index("Fresh one") < new.index("Old but loved")
        assert old_hot.get_absolute_url() in hot and fresh.get_absolute_url() in new

    def test_only_published_visible_artworks(self, client):
        PublishedArtworkFactory(title="Public piece")
        ArtworkFactory(title="A draft piece")
        PublishedArtworkFactory(title="Hidden piece", moderation=Artwork.Moderation.HIDDEN)
        PublishedArtworkFactory(title="Suspended author piece", user=UserFactory(is_active=False))
        html = client.get("/feed").content.decode()
        assert "Public piece" in html
        for absent in ("A draft piece", "Hidden piece", "Suspended author piece"):
            assert absent not in html

    def test_cards_show_thumbnail_title_author_and_counts(self, client):
        art = PublishedArtworkFactory(title="Counted", like_count=1234, favorite_count=2)
        html = client.get("/feed").content.decode()
        assert "Counted" in html
        assert art.user.display_name in html
        assert "1.2k" in html
        assert "1234 likes" in html  # the accessible label keeps the exact number
        assert "2 favorites" in html

    def test_empty_state(self, client):
        html = client.get("/feed").content.decode()
        assert "No artworks yet" in html
        assert 'id="load-more"' not in html

    def test_unknown_tab_is_404(self, client):
        assert client.get("/feed?tab=oldest").status_code == 404

    def test_cursor_pagination_walks_every_artwork_once(self, client):
        arts = publish_many(30)
        first = client.get("/feed?tab=new").content.decode()
        assert cards(first) == 24
        match = re.search(r'href="(\?[^"]*cursor=[^"]+)"', first)
        assert match, "the load-more link is a plain link that works without JavaScript"
        second_url = "/feed" + match.group(1).replace("&amp;", "&")
        second = client.get(second_url).content.decode()
        assert cards(second) == 6
        assert "You have reached the end." in second
        seen = set(re.findall(r'href="/artwork/(\d+)/', first + second))
        assert seen == {str(a.id) for a in arts}

    def test_htmx_load_more_returns_only_cards_and_the_next_link(self, client):
        publish_many(30)
        first = client.get("/feed?tab=new").content.decode()
        next_query = re.search(r'data-hx-get="(\?[^"]+)"', first).group(1).replace("&amp;", "&")
        response = client.get("/feed" + next_query, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert cards(html) == 6
        assert 'data-hx-swap-oob="true"' in html
        assert "HX-Request" in response.headers["Vary"]

    def test_tampered_cursor_redirects_to_first_page_with_a_message(self, client):
        response = client.get("/feed?tab=new&cursor=not-a-cursor", follow=True)
        assert response.redirect_chain[-1][0] == "/feed?tab=new"
        assert "That page link is no longer valid" in response.content.decode()

    @pytest.mark.parametrize("tab", ["hot", "new"])
    @pytest.mark.parametrize("n", [1, 50])
    def test_constant_queries_anonymous(self, client, django_assert_num_queries, tab, n):
        publish_many(n)
        with django_assert_num_queries(1):
            response = client.get(f"/feed?tab={tab}")
        assert cards(response.content.decode()) == min(n, 24)

    @pytest.mark.parametrize("n", [1, 50])
    def test_constant_queries_signed_in(self, client, user, django_assert_num_queries, n):
        for art in publish_many(n):
            LikeFactory(user=user, artwork=art)
        client.force_login(user)
        # the member (the session comes from the cache), the page, liked ids, favorited ids,
        # the bell's unread count (cold here; cached after)
        with django_assert_num_queries(4):
            response = client.get("/feed")
        assert response.content.decode().count("reaction-like is-active") == min(n, 24)


class TestFeedWithRedisWarm:
    @pytest.mark.redis
    @pytest.mark.parametrize("tab", ["hot", "new"])
    @pytest.mark.parametrize("n", [1, 50])
    def test_anonymous_feed_is_at_most_two_queries(
        self, client, redis_index, django_assert_max_num_queries, monkeypatch, tab, n
    ):
        from feed.services import repair as services

        publish_many(n)
        call_command("rebuild_redis")
        fell_back = []
        for refill in ("index_refill_hot_rank", "index_refill_feed_queue"):
            monkeypatch.setattr(services, refill, lambda: fell_back.append(True))
        with django_assert_max_num_queries(2):
            response = client.get(f"/feed?tab={tab}")
        assert not fell_back, "the page was read from the database, not the warm index"
        html = response.content.decode()
        assert cards(html) == min(n, 24)
        # The buttons are there (as sign-in links for a visitor).
        assert html.count('class="reaction reaction-like" href="/login?next=') == min(n, 24)

    @pytest.mark.redis
    def test_signed_in_feed_with_buttons_stays_constant(
        self, client, user, redis_index, django_assert_num_queries
    ):
        for art in publish_many(30):
            FavoriteFactory(user=user, artwork=art)
        call_command("rebuild_redis")
        client.force_login(user)
        # the member (the session comes from the cache), the page, the viewer's likes and
        # favorites, the bell's unread count (cold here; cached after)
        with django_assert_num_queries(4):
            response = client.get("/feed")
        html = response.content.decode()
        assert html.count('aria-pressed="true"') == 24  # every favorite button is pressed
        assert html.count("<button") >= 48


class TestLandingAndFeaturesQueries:
    @pytest.mark.parametrize("n", [1, 50])
    def test_landing(self, client, django_assert_num_queries, n):
        artworks = publish_many(n)
        # Every other one featured by staff: 1 or 25 (more than the strip shows).
        Artwork.objects.filter(pk__in=[a.pk for a in artworks[::2]]).update(
            featured_at=timezone.now()
        )
        with django_assert_num_queries(3):  # the featured strip, the hot strip, the stats
            response = client.get("/")
        assert cards(response.content.decode()) == min(n, 8 + 12)

    @pytest.mark.parametrize("n", [1, 50])
    def test_features(self, client, django_assert_num_queries, n):
        publish_many(n)
        with django_assert_num_queries(1):
            client.get("/features")


class TestProfile:
    def test_header_and_published_artworks(self, client):
        author = UserFactory(username="mira", name="Mira Kade")
        PublishedArtworkFactory(user=author, title="Mira first", like_count=4)
        ArtworkFactory(user=author, title="Mira draft")
        html = client.get("/user/mira").content.decode()
        assert "Mira Kade" in html and "@mira" in html
        assert "Mira first" in html
        assert "Mira draft" not in html
        assert "likes received" in html

    @pytest.mark.parametrize(
        ("lang", "joined"), [("en", "Joined March 2025"), ("zh-hans", "2025年3月 加入")]
    )
    def test_the_joining_month_is_written_in_the_readers_language(self, client, lang, joined):
        """It was 'F Y' whatever the language: '三月 2025 加入' on the Chinese page."""
        UserFactory(username="mira", date_joined=datetime(2025, 3, 10, tzinfo=UTC))
        html = client.get(f"/user/mira?lang={lang}").content.decode()
        assert joined in re.sub(r"\s+", " ", html)

    def test_unknown_user_is_404(self, client):
        assert client.get("/user/nobody-here").status_code == 404

    def test_suspended_user_is_404(self, client):
        UserFactory(username="gone", is_active=False)
        assert client.get("/user/gone").status_code == 404

    def test_username_case_redirects_to_canonical(self, client):
        UserFactory(username="Aurora")
        response = client.get("/user/aurora")
        assert response.status_code == 301
        assert response["Location"] == "/user/Aurora"

    def test_username_case_redirect_keeps_the_language_and_tab(self, client):
        UserFactory(username="Aurora")
        response = client.get("/user/aurora?tab=drafts&lang=zh-hans")
        assert response.status_code == 301
        assert response["Location"] == "/user/Aurora?tab=drafts&lang=zh-hans"

    def test_owner_sees_drafts_and_favorites_tabs(self, client, user):
        ArtworkFactory(user=user, title="My private draft")
        fav = PublishedArtworkFactory(title="Something I love")
        FavoriteFactory(user=user, artwork=fav)
        client.force_login(user)
        base = client.get(user.get_absolute_url()).content.decode()
        assert "?tab=drafts" in base and "?tab=favorites" in base
        drafts = client.get(user.get_absolute_url() + "?tab=drafts")
        assert "My private draft" in drafts.content.decode()
        assert 'name="robots" content="noindex' in drafts.content.decode()
        assert drafts["X-Robots-Tag"] == "noindex"
        favorites = client.get(user.get_absolute_url() + "?tab=favorites").content.decode()
        assert "Something I love" in favorites

    def test_a_draft_card_says_how_its_generation_stands(self, client, user):
        """A generation queued, running or failed is told on its draft's card (a failed one
        was a blank card beside a "Try again" with no word why); the artwork page tells the
        whole state once, not twice."""
        states = {"queued": "Queued", "running": "Generating", "failed": "Generation failed."}
        drafts = {
            state: ArtworkFactory(
                user=user, title=f"Draft {state}", generation_status=state, original=""
            )
            for state in states
        }
        ArtworkFactory(user=user, title="Draft uploaded")
        client.force_login(user)
        html = client.get(user.get_absolute_url() + "?tab=drafts").content.decode()
        cards = {
            m.group(1): m.group(0)
            for m in re.finditer(
                r'<article class="art-card">.*?>(Draft \w+)</a>.*?</article>', html, re.S
            )
        }
        assert set(cards) == {"Draft queued", "Draft running", "Draft failed", "Draft uploaded"}
        for state, label in states.items():
            assert label in cards[f"Draft {state}"]
            assert ("badge-danger" in cards[f"Draft {state}"]) is (state == "failed")
        for label in states.values():
            assert label not in cards["Draft uploaded"]
        page = client.get(drafts["failed"].get_absolute_url()).content.decode()
        assert page.count("Generation failed.") == 1

    @pytest.mark.parametrize("tab", ["drafts", "favorites"])
    def test_owner_only_tabs_are_404_for_others(self, client, user, other_user, staff_user, tab):
        ArtworkFactory(user=user, title="My private draft")
        url = f"{user.get_absolute_url()}?tab={tab}"
        assert client.get(url).status_code == 404
        client.force_login(other_user)
        assert client.get(url).status_code == 404
        client.force_login(staff_user)
        assert client.get(url).status_code == 404

    def test_other_visitors_see_no_private_tabs(self, client, user, other_user):
        client.force_login(other_user)
        html = client.get(user.get_absolute_url()).content.decode()
        assert f"{user.get_absolute_url()}?tab=drafts" not in html
        assert f"{user.get_absolute_url()}?tab=favorites" not in html

    def test_unknown_tab_is_404(self, client, user):
        assert client.get(user.get_absolute_url() + "?tab=likes").status_code == 404

    def test_empty_states(self, client, user):
        html = client.get(user.get_absolute_url()).content.decode()
        assert "has not published anything yet" in html
        client.force_login(user)
        assert "No drafts" in client.get(user.get_absolute_url() + "?tab=drafts").content.decode()

    @pytest.mark.parametrize("n", [1, 50])
    def test_constant_queries_public(self, client, django_assert_num_queries, n):
        author = UserFactory()
        publish_many(n, user=author)
        with django_assert_num_queries(3):  # the author, the counts, the page
            response = client.get(author.get_absolute_url())
        assert cards(response.content.decode()) == min(n, 24)

    @pytest.mark.parametrize("tab", ["artworks", "drafts", "favorites"])
    @pytest.mark.parametrize("n", [1, 50])
    def test_constant_queries_owner_tabs(self, client, django_assert_num_queries, tab, n):
        owner = UserFactory()
        now = timezone.now()
        for i in range(n):
            if tab == "drafts":
                ArtworkFactory(user=owner)
            elif tab == "favorites":
                FavoriteFactory(
                    user=owner, artwork=PublishedArtworkFactory(published_at=now - timedelta(i))
                )
            else:
                PublishedArtworkFactory(user=owner, published_at=now - timedelta(minutes=i))
        client.force_login(owner)
        # the member (session: cache), the author, the counts, the page, liked, favorited ids,
        # the bell's unread count (cold here; cached after)
        with django_assert_num_queries(6):
            response = client.get(f"{owner.get_absolute_url()}?tab={tab}")
        assert cards(response.content.decode()) == min(n, 24)

    def test_drafts_tab_includes_owner_actions(self, client, user, tmp_path, settings):
        marker = "<!-- owner actions -->"
        override = tmp_path / "templates" / "artworks" / "partials"
        override.mkdir(parents=True)
        (override / "owner_actions.html").write_text(marker)
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]],
            }
        ]
        ArtworkFactory(user=user)
        client.force_login(user)
        assert marker in client.get(user.get_absolute_url() + "?tab=drafts").content.decode()
        # Not on the public artworks tab of the same owner, nor for anyone else's drafts.
        PublishedArtworkFactory(user=user)
        assert marker not in client.get(user.get_absolute_url()).content.decode()


# --- a later page with nothing left to show --------------------------------------------------

PAST_THE_END_TIME = "MjAwMC0wMS0wMVQwMDowMDowMCswMDowMHwx"  # 2000-01-01, id 1: before every row
PAST_THE_END_SCORE = "LTFlMzAwfDE"  # a hot score below every other
A_RANK = "MHwwLjB8MQ"

# (a later page, whether it needs a member signed in)
LATER_PAGES = [
    (f"/feed?cursor={PAST_THE_END_SCORE}", False),
    (f"/feed?tab=new&cursor={PAST_THE_END_TIME}", False),
    (f"/tag/sunset?cursor={PAST_THE_END_SCORE}", False),
    (f"/tag/sunset?tab=new&cursor={PAST_THE_END_TIME}", False),
    (f"/user/ada?cursor={PAST_THE_END_TIME}", False),
    (f"/search?q=nothing+like+it&cursor={A_RANK}", False),
    (f"/search?q=nothing+like+it&type=users&cursor={A_RANK}", False),
    (f"/user/ada/followers?cursor={PAST_THE_END_TIME}", False),
    (f"/user/ada/following?cursor={PAST_THE_END_TIME}", False),
    (f"/user/ada/collections/golden-hours?cursor={PAST_THE_END_TIME}", False),
    (f"/settings/blocked?cursor={PAST_THE_END_TIME}", True),
    (f"/settings/muted?cursor={PAST_THE_END_TIME}", True),
    (f"/notifications?cursor={PAST_THE_END_TIME}", True),
]


@pytest.mark.parametrize(("url", "signed_in"), LATER_PAGES)
def test_a_later_page_with_nothing_left_is_the_end_not_an_empty_list(client, url, signed_in):
    """Its rows gone since the link was made (or muted): "no followers yet", "has not
    published anything yet" or "nothing found" would contradict the first page."""
    ada = UserFactory(username="ada")
    artwork = PublishedArtworkFactory(user=ada, published_at=timezone.now())
    artwork_set_tags(artwork=artwork, actor=ada, tags=["sunset"])
    collection_create(owner=ada, name="Golden hours")
    if signed_in:
        client.force_login(UserFactory())
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have reached the end." in html
    assert 'class="empty-state"' not in html


@pytest.mark.parametrize(("url", "signed_in"), LATER_PAGES)
def test_load_more_with_nothing_left_says_the_end(client, url, signed_in):
    """The rows above stay; the "Load more" link gives way to the end of the list, not to
    nothing at all."""
    ada = UserFactory(username="ada")
    artwork = PublishedArtworkFactory(user=ada, published_at=timezone.now())
    artwork_set_tags(artwork=artwork, actor=ada, tags=["sunset"])
    collection_create(owner=ada, name="Golden hours")
    if signed_in:
        client.force_login(UserFactory())
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-hx-swap-oob="true"' in html and "You have reached the end." in html
