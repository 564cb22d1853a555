"""Like / unlike and favorite / unfavorite from the pages: plain POST forms without JavaScript,
htmx swaps of the reactions block, sign-in and back for anonymous visitors, CSRF, 404 for what
takes no reactions, and the rate limit."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from artworks.models import Artwork, Favorite, Like
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    LikeFactory,
    PublishedArtworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit work (announcements, cache invalidation) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def art(db) -> Artwork:
    return PublishedArtworkFactory(title="Tide pools")


@pytest.fixture
def member(client, user) -> Client:
    client.force_login(user)
    return client


def action(artwork: Artwork, verb: str) -> str:
    return f"/artwork/{artwork.pk}/actions/{verb}"


def reactions_block(html: str, artwork: Artwork) -> str:
    match = re.search(
        rf'<div class="reactions[^"]*" id="reactions-{artwork.pk}">.*?</div>', html, re.S
    )
    assert match, "no reactions block for the artwork"
    return match.group(0)


def pressed(block: str, kind: str) -> bool:
    button = re.search(rf"<button[^>]*reaction-{kind}[^>]*>", block)
    assert button, f"no {kind} button"
    return 'aria-pressed="true"' in button.group(0)


class TestWithoutJavaScript:
    def test_like_redirects_back_and_the_page_shows_it(self, member, user, art, commit):
        with commit():
            response = member.post(action(art, "like"), {"next": "/feed?tab=new"})
        assert response.status_code == 302
        assert response["Location"] == f"/feed?tab=new#reactions-{art.pk}"
        assert Like.objects.filter(user=user, artwork=art).exists()
        art.refresh_from_db()
        assert art.like_count == 1

        block = reactions_block(member.get("/feed?tab=new").content.decode(), art)
        assert pressed(block, "like") and not pressed(block, "favorite")
        assert "1 like<" in block
        assert f'action="{action(art, "unlike")}"' in block  # the next press takes it back

        # The artwork page (read through the cache) shows the new count as well.
        page = reactions_block(member.get(art.get_absolute_url()).content.decode(), art)
        assert pressed(page, "like") and "1 like<" in page

    def test_liking_twice_counts_once_and_unlike_takes_it_back(self, member, user, art):
        member.post(action(art, "like"))
        member.post(action(art, "like"))
        art.refresh_from_db()
        assert art.like_count == 1 == Like.objects.filter(artwork=art).count()
        member.post(action(art, "unlike"))
        member.post(action(art, "unlike"))  # unliking what is not liked changes nothing
        art.refresh_from_db()
        assert art.like_count == 0 == Like.objects.filter(artwork=art).count()

    def test_favorite_and_unfavorite(self, member, user, art):
        response = member.post(action(art, "favorite"), {"next": user.get_absolute_url()})
        assert response["Location"] == f"{user.get_absolute_url()}#reactions-{art.pk}"
        art.refresh_from_db()
        assert art.favorite_count == 1
        favorites = member.get(user.get_absolute_url() + "?tab=favorites").content.decode()
        block = reactions_block(favorites, art)
        assert pressed(block, "favorite") and "1 favorite<" in block
        member.post(action(art, "unfavorite"))
        art.refresh_from_db()
        assert art.favorite_count == 0
        assert not Favorite.objects.filter(user=user).exists()

    def test_without_next_it_comes_back_to_the_artwork(self, member, art):
        response = member.post(action(art, "like"))
        assert response["Location"] == f"{art.get_absolute_url()}#reactions-{art.pk}"

    @pytest.mark.parametrize(
        "unsafe", ["https://evil.example/", "//evil.example/feed", "javascript:alert(1)"]
    )
    def test_an_unsafe_next_is_ignored(self, member, art, unsafe):
        response = member.post(action(art, "like"), {"next": unsafe})
        assert response["Location"] == f"{art.get_absolute_url()}#reactions-{art.pk}"

    def test_get_is_not_allowed(self, member, art):
        assert member.get(action(art, "like")).status_code == 405
        assert not Like.objects.exists()


class TestWithHtmx:
    def test_like_and_unlike_swap_the_block_in_place(self, member, art):
        response = member.post(action(art, "like"), {"next": "/feed"}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        block = reactions_block(html, art)
        assert pressed(block, "like") and not pressed(block, "favorite")
        assert "1 like<" in block and 'class="reaction reaction-like is-active"' in block
        assert f'data-hx-post="{action(art, "unlike")}"' in block
        assert 'name="next" value="/feed"' in block  # still comes back to the page it is on
        assert response["Cache-Control"] == "no-store"

        block = reactions_block(
            member.post(action(art, "unlike"), {"next": "/feed"}, **HTMX).content.decode(), art
        )
        assert not pressed(block, "like") and "0 likes<" in block
        assert f'data-hx-post="{action(art, "like")}"' in block

    def test_liking_twice_counts_once(self, member, art):
        other = UserFactory()
        LikeFactory(user=other, artwork=art)
        art.like_count = 1
        art.save()
        for _ in range(2):
            block = reactions_block(member.post(action(art, "like"), **HTMX).content.decode(), art)
            assert "2 likes<" in block and pressed(block, "like")
        assert Like.objects.filter(artwork=art).count() == 2

    def test_favorite_keeps_the_like_state_and_the_large_size(self, member, user, art):
        LikeFactory(user=user, artwork=art)
        response = member.post(action(art, "favorite"), {"large": "1"}, **HTMX)
        block = reactions_block(response.content.decode(), art)
        assert 'class="reactions reactions-lg"' in block
        assert pressed(block, "favorite") and pressed(block, "like")
        assert "1 favorite<" in block
        block = reactions_block(
            member.post(action(art, "unfavorite"), **HTMX).content.decode(), art
        )
        assert not pressed(block, "favorite") and "0 favorites<" in block

    def test_labels_are_translated(self, member, art):
        member.cookies["django_language"] = "zh-hans"
        block = reactions_block(member.post(action(art, "like"), **HTMX).content.decode(), art)
        assert 'title="取消点赞"' in block and "点赞" in block
        assert "收藏" in block


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, user, art):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        assert browser.post(action(art, "like")).status_code == 403
        assert browser.post(action(art, "like"), **HTMX).status_code == 403
        assert not Like.objects.exists()

    def test_the_token_of_the_page_form_is_accepted(self, user, art):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(art.get_absolute_url()).content.decode()
        block = reactions_block(html, art)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', block).group(1)
        response = browser.post(action(art, "like"), {"csrfmiddlewaretoken": token}, **HTMX)
        assert response.status_code == 200
        # htmx also sends the page's token as a header (static/js/app.js).
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        response = browser.post(action(art, "favorite"), HTTP_X_CSRFTOKEN=meta, **HTMX)
        assert response.status_code == 200
        assert Like.objects.filter(user=user).count() == Favorite.objects.filter(user=user).count()


class TestAnonymous:
    def test_pages_offer_a_sign_in_link_that_comes_back(self, client, art):
        block = reactions_block(client.get("/feed?tab=new").content.decode(), art)
        assert "<form" not in block and "csrfmiddlewaretoken" not in block
        assert 'href="/login?next=/feed%3Ftab%3Dnew"' in block
        block = reactions_block(client.get(art.get_absolute_url()).content.decode(), art)
        assert f'href="/login?next={art.get_absolute_url()}"' in block

    def test_a_post_leads_to_sign_in_and_back(self, client, art):
        response = client.post(action(art, "like"), {"next": "/feed?tab=new"})
        assert response.status_code == 302
        location = urlparse(response["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == ["/feed?tab=new"]
        assert not Like.objects.exists()

    def test_an_htmx_post_redirects_the_whole_page(self, client, art):
        response = client.post(action(art, "favorite"), {"next": "/feed"}, **HTMX)
        assert response["HX-Redirect"] == "/login?next=%2Ffeed"
        assert not Favorite.objects.exists()

    def test_signing_in_lands_back_on_the_page(self, art):
        UserFactory(username="wren")
        browser = Client(enforce_csrf_checks=True)
        page = art.get_absolute_url()
        html = browser.get(page).content.decode()
        sign_in = re.search(r'<a class="reaction reaction-like" href="([^"]+)"', html).group(1)
        login_page = browser.get(sign_in)
        assert login_page.status_code == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.content)
        response = browser.post(
            sign_in,
            {"csrfmiddlewaretoken": token.group(1).decode(), "login": "wren", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == page
        # Back on the page, signed in: the buttons are there.
        block = reactions_block(browser.get(page).content.decode(), art)
        assert not pressed(block, "like") and "<form" in block


class TestNotReactable:
    @pytest.mark.parametrize("verb", ["like", "unlike", "favorite", "unfavorite"])
    def test_draft_hidden_and_missing_are_404(self, member, user, verb):
        own_draft = ArtworkFactory(user=user)
        hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
        suspended = PublishedArtworkFactory(user=UserFactory(is_active=False))
        for target in (own_draft, ArtworkFactory(), hidden, suspended):
            assert member.post(action(target, verb)).status_code == 404
            assert member.post(action(target, verb), **HTMX).status_code == 404
        assert member.post(f"/artwork/999999/actions/{verb}").status_code == 404
        assert not Like.objects.exists() and not Favorite.objects.exists()

    def test_drafts_show_counts_without_buttons(self, member, user):
        draft = ArtworkFactory(user=user, like_count=0)
        block = reactions_block(member.get(draft.get_absolute_url()).content.decode(), draft)
        assert "<form" not in block and "<button" not in block and "/login" not in block
        assert "0 likes" in block


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def _tight_limit(self, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (2, 60)}

    def test_over_the_limit_is_429_without_javascript(self, member, art):
        assert member.post(action(art, "like")).status_code == 302
        assert member.post(action(art, "unlike")).status_code == 302
        response = member.post(action(art, "like"))
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
        assert not Like.objects.exists()

    def test_over_the_limit_is_429_with_the_block_and_a_message(self, member, user, art):
        FavoriteFactory(user=user, artwork=art)
        member.post(action(art, "like"), **HTMX)
        member.post(action(art, "unlike"), **HTMX)
        response = member.post(action(art, "like"), **HTMX)
        assert response.status_code == 429
        block = reactions_block(response.content.decode(), art)
        assert 'role="alert"' in block and "Too many reactions" in block
        assert not pressed(block, "like") and pressed(block, "favorite")  # the real state
        assert not Like.objects.exists()

    def test_the_limit_is_per_user(self, member, art):
        for verb in ("like", "unlike", "like"):
            member.post(action(art, verb))
        other = Client()
        other.force_login(UserFactory())
        assert other.post(action(art, "like")).status_code == 302


@pytest.mark.parametrize("artwork_id", [2**63, 10**30])
def test_an_id_past_the_id_columns_range_is_404_not_a_server_error(user, artwork_id):
    """The reaction's own statement skipped the ORM's range check: such an id reached the
    database (SQLite: OverflowError; PostgreSQL: out of range) and answered 500."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for action in ("like", "unlike", "favorite", "unfavorite"):
        assert client.post(f"/artwork/{artwork_id}/actions/{action}").status_code == 404, action
    for kind in ("like", "favorite"):
        for method in (client.post, client.delete):
            response = method(f"/api/artworks/{artwork_id}/{kind}")
            assert response.status_code == 404, (kind, method)
            assert response.json() == {"detail": "Not found."}
