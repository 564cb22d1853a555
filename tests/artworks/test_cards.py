"""The card cache (artworks/cards.py): the same HTML as a fresh render, for every viewer, and
never one viewer's state in another's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from artworks import services
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NONCE = re.compile(r'nonce="[^"]+"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="[^"]+">')


@pytest.fixture
def card_cache(settings):
    settings.CARD_CACHE_SECONDS = 600


def _page(client: Client, url: str) -> tuple[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    templates = [t.name for t in response.templates]
    # Each response masks the CSRF token anew and has its own CSP nonce: compare without them.
    page = TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    page = META_TOKEN.sub('<meta name="csrf-token" content="">', page)
    return NONCE.sub('nonce=""', page), templates


def _member_client(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize("url", ["/feed", "/feed?tab=new", "/", "profile", "artwork"])
def test_a_cached_card_is_the_card_a_fresh_render_gives(settings, who, url):
    artworks = [PublishedArtworkFactory(title=f"Card {n}") for n in range(4)]
    author = artworks[0].user
    PublishedArtworkFactory(title="Beside", user=author)
    member = UserFactory()
    services.artwork_like(artwork_id=artworks[1].pk, user=member)
    services.artwork_favorite(artwork_id=artworks[2].pk, user=member)
    url = {"profile": f"/user/{author.username}", "artwork": artworks[0].get_absolute_url()}.get(
        url, url
    )
    client = Client() if who == "anonymous" else _member_client(member)

    settings.CARD_CACHE_SECONDS = 0
    fresh, _ = _page(client, url)
    settings.CARD_CACHE_SECONDS = 600
    miss, miss_templates = _page(client, url)
    hit, hit_templates = _page(client, url)
    assert miss == fresh
    assert hit == fresh
    assert "components/card.html" in miss_templates
    assert "components/card.html" not in hit_templates  # every card came from the cache


def test_a_member_never_sees_another_members_reactions_or_token(card_cache):
    artwork = PublishedArtworkFactory(title="Shared card")
    fan, other = UserFactory(), UserFactory()
    services.artwork_like(artwork_id=artwork.pk, user=fan)
    fan_client, other_client = _member_client(fan), _member_client(other)

    fan_page = fan_client.get("/feed").content.decode()
    other_page = other_client.get("/feed").content.decode()  # served from the cache
    assert f'id="like-{artwork.pk}" aria-pressed="true"' in fan_page
    assert f'id="like-{artwork.pk}" aria-pressed="false"' in other_page
    fan_tokens = set(TOKEN.findall(fan_page))
    other_tokens = set(TOKEN.findall(other_page))
    assert fan_tokens and other_tokens and not fan_tokens & other_tokens


def test_the_token_in_a_cached_card_is_the_viewers_own(card_cache):
    artwork = PublishedArtworkFactory()
    fan = UserFactory()
    _member_client(UserFactory()).get("/feed")  # someone else fills the cache
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    page = client.get("/feed?tab=new").content.decode()
    form = re.search(
        rf'action="(/artwork/{artwork.pk}/actions/like)".*?'
        rf'name="csrfmiddlewaretoken" value="([^"]+)".*?name="next" value="([^"]+)"',
        page,
        re.S,
    )
    action, token, back = form.groups()
    assert back == "/feed?tab=new"
    response = client.post(action, {"csrfmiddlewaretoken": token, "next": back})
    assert response.status_code == 302
    assert artwork.likes.filter(user=fan).exists()


def test_a_like_and_a_rename_show_on_the_cached_card_at_once(
    card_cache, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory(title="Counted card")
    fan = UserFactory()
    client = Client()
    assert 'aria-hidden="true">0</span>' in client.get("/feed").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    assert 'aria-hidden="true">1</span>' in client.get("/feed").content.decode()

    author = artwork.user
    author.name = "A Brand New Name"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()
    assert "A Brand New Name" in client.get("/feed").content.decode()


def test_the_authors_own_cards_come_from_the_cache_but_owner_actions_are_drawn_in_place(
    card_cache,
):
    artwork = PublishedArtworkFactory()
    draft = ArtworkFactory(user=artwork.user, title="Still a draft")
    client = _member_client(artwork.user)
    profile = f"/user/{artwork.user.username}"
    first, _ = _page(client, profile)
    # The author's published work: the same card as anyone's, from the cache the second time.
    second, templates = _page(client, profile)
    assert "components/card.html" not in templates
    assert second == first
    # The drafts tab draws owner actions (edit, publish, delete): rendered in place each time.
    _page(client, f"{profile}?tab=drafts")
    page, templates = _page(client, f"{profile}?tab=drafts")
    assert "components/card.html" in templates
    assert draft.title in page


def test_a_new_template_is_a_new_card(card_cache, monkeypatch):
    from artworks import cards

    PublishedArtworkFactory()
    client = Client()
    client.get("/feed")
    _, templates = _page(client, "/feed")
    assert "components/card.html" not in templates
    monkeypatch.setattr(cards, "code_digest", lambda: "another-deploy")
    _, templates = _page(client, "/feed")
    assert "components/card.html" in templates
