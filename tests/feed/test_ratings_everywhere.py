"""Content ratings on every read path: a planted mature and a planted explicit artwork (and a
general one beside them) are looked for by a visitor, a member who has not opted in, a member
who opted in to mature work only, and one who opted in to explicit work only. Each path shows
the title, the image and the address of rated work only to whom it is allowed: pages, the
JSON API (lists and detail), feeds, profile, tag, search, collections, sitemap and Atom (general
only, whoever asks), and link previews (a neutral image for rated work, whoever asks).

The walk runs from the database, from a warm Redis index, and through the page and card
caches with the opted-in viewers going first, so that no copy they leave behind reaches the
others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from artworks import services
from artworks.models import Artwork
from feed.services.search_index import search_rebuild
from social.models import Follow
from social.services.collections import collection_create, collection_item_add
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEWERS = ("visitor", "member", "mature", "explicit")
ALLOWED = {
    "visitor": {"general"},
    "member": {"general"},
    "mature": {"general", "mature"},
    "explicit": {"general", "explicit"},
}


@dataclass
class World:
    author: User
    works: dict[str, Artwork]
    collection_url: str
    collection_id: int
    clients: dict[str, Client]


def _opted_in(*, mature: bool, explicit: bool, blur: bool = True) -> User:
    return UserFactory(
        age_confirmed_at=timezone.now(),
        show_mature=mature,
        show_explicit=explicit,
        blur_sensitive=blur,
    )


@pytest.fixture
def world(db) -> World:
    author = UserFactory(username="plantedauthor")
    now = timezone.now()
    works = {}
    for offset, (rating, word) in enumerate(
        [("general", "Gnuplanted"), ("mature", "Zebraplanted"), ("explicit", "Quokkaplanted")]
    ):
        artwork = PublishedArtworkFactory(
            user=author,
            title=f"{word} dusk {rating}",
            rating=rating,
            published_at=now - timedelta(minutes=offset),
            prompt=f"{word} planted prompt words",
        )
        services.artwork_set_tags(artwork=artwork, actor=author, tags=["plantedtag"])
        works[rating] = artwork
    search_rebuild()
    collection = collection_create(owner=author, name="Planted set", is_public=True)
    for artwork in works.values():
        collection_item_add(actor=author, collection=collection, artwork_id=artwork.pk)
    viewers = {
        "member": UserFactory(),
        "mature": _opted_in(mature=True, explicit=False),
        "explicit": _opted_in(mature=False, explicit=True),
    }
    clients = {"visitor": Client()}
    for name, member in viewers.items():
        Follow.objects.create(follower=member, followee=author)
        client = Client()
        client.force_login(member)
        clients[name] = client
    return World(
        author=author,
        works=works,
        collection_url=collection.get_absolute_url(),
        collection_id=collection.pk,
        clients=clients,
    )


def _markers(artwork: Artwork) -> list[str]:
    """What gives a work away: its title, the uuid in each of its file names, its address."""
    return [artwork.title, str(artwork.uuid), f"/artwork/{artwork.pk}/"]


def _shown(text: str, artwork: Artwork) -> bool:
    found = [marker in text for marker in _markers(artwork)]
    assert all(found) or not any(found[:2]), (artwork.rating, found)
    return found[0]


def _html_paths(w: World, viewer: str) -> list[str]:
    author = w.author.username
    paths = [
        "/",
        "/feed?tab=hot",
        "/feed?tab=new",
        f"/user/{author}",
        "/tag/plantedtag",
        "/tag/plantedtag?tab=new",
        "/search?q=dusk",
        w.collection_url,
        f"/user/{author}/collections",
        # The general work's page: its "more from the author" strip.
        w.works["general"].get_absolute_url(),
    ]
    if viewer != "visitor":
        paths.append("/feed?tab=following")
    return paths


def _api_paths(w: World, viewer: str) -> list[str]:
    paths = [
        "/api/feed?tab=hot",
        "/api/feed?tab=new",
        f"/api/users/{w.author.pk}/artworks",
        "/api/tags/plantedtag/artworks",
        "/api/tags/plantedtag/artworks?tab=new",
        "/api/search?q=dusk",
        f"/api/collections/{w.collection_id}/items",
    ]
    if viewer != "visitor":
        paths.append("/api/feed?tab=following")
    return paths


def _get(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _walk_lists(w: World, viewer: str) -> None:
    client = w.clients[viewer]
    for path in _html_paths(w, viewer) + _api_paths(w, viewer):
        text = _get(client, path)
        if path.endswith("/collections"):
            # One cover per collection: the latest added work the viewer may see.
            cover = "explicit" if "explicit" in ALLOWED[viewer] else "mature"
            cover = cover if cover in ALLOWED[viewer] else "general"
            for rating, artwork in w.works.items():
                assert (str(artwork.uuid) in text) is (rating == cover), (viewer, rating)
            continue
        assert _shown(text, w.works["general"]) or path.startswith("/artwork/"), path
        for rating in ("mature", "explicit"):
            expected = rating in ALLOWED[viewer]
            assert _shown(text, w.works[rating]) is expected, (viewer, path, rating)


def _walk_details(w: World, viewer: str) -> None:
    client = w.clients[viewer]
    for rating in ("mature", "explicit"):
        artwork = w.works[rating]
        html = _get(client, artwork.get_absolute_url())
        head = html.split("</head>", 1)[0]
        # Link previews of rated work show the neutral card, whoever asks.
        assert "img/og-rated.png" in head
        assert str(artwork.uuid) not in head and "application/ld+json" not in head
        api = client.get(f"/api/artworks/{artwork.pk}")
        if rating in ALLOWED[viewer]:
            assert artwork.title in html and str(artwork.uuid) in html
            assert 'class="artwork-stage m-0 rated-blur"' in html  # blurred: the default
            assert api.status_code == 200 and api.json()["rating"] == rating
        else:
            assert artwork.title not in html and str(artwork.uuid) not in html
            assert "rated-notice" in html
            settings_or_sign_in = "/settings/content" if viewer != "visitor" else "/login?next="
            assert settings_or_sign_in in html
            assert api.status_code == 403 and artwork.title not in api.content.decode()
            assert "rated" in api.json()["detail"]
    # The collection's preview is its cover, the latest added work the viewer sees: never a
    # rated one's picture.
    head = _get(client, w.collection_url).split("</head>", 1)[0]
    for rating in ("mature", "explicit"):
        assert str(w.works[rating].uuid) not in head, (viewer, rating)
    general = w.works["general"]
    html = _get(client, general.get_absolute_url())
    assert str(general.uuid) in html.split("</head>", 1)[0]  # its own picture as preview
    assert client.get(f"/api/artworks/{general.pk}").json()["rating"] == "general"


def _walk_general_only(w: World, viewer: str) -> None:
    """Sitemaps and Atom feeds are read by machines for everyone: general work only."""
    client = w.clients[viewer]
    author = w.author.username
    index = _get(client, "/sitemap.xml")
    sections = re.findall(r"<loc>https?://[^/]+(/sitemap-[a-z]+\.xml)</loc>", index)
    assert "/sitemap-artworks.xml" in sections
    atoms = ["/feed.atom", f"/user/{author}/feed.atom", "/tag/plantedtag/feed.atom"]
    atoms.append(w.collection_url + "/feed.atom")
    for path in sections + atoms:
        text = _get(client, path)
        for rating in ("mature", "explicit"):
            assert not _shown(text, w.works[rating]), (viewer, path, rating)
    assert w.works["general"].title in _get(client, "/feed.atom")
    assert str(w.works["general"].pk) in _get(client, "/sitemap-artworks.xml")


def _walk_media(w: World, viewer: str) -> None:
    for rating, artwork in w.works.items():
        response = w.clients[viewer].get(f"/media/{artwork.original.name}")
        assert (response.status_code == 200) is (rating in ALLOWED[viewer]), (viewer, rating)


def _walk(w: World) -> None:
    # The opted-in viewers first: whatever they leave in a cache must not reach the others.
    for viewer in ("explicit", "mature", "member", "visitor"):
        _walk_lists(w, viewer)
        _walk_details(w, viewer)
        _walk_general_only(w, viewer)
        _walk_media(w, viewer)


def test_every_read_path_from_the_database(world):
    _walk(world)


@pytest.mark.redis
def test_every_read_path_from_the_redis_index(world, redis_index):
    call_command("rebuild_redis")
    assert redis_index.zcard("hot_rank") == 3  # the index holds every rating
    _walk(world)


def test_every_read_path_through_the_page_and_card_caches(world, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300
    settings.CARD_CACHE_SECONDS = 600
    _walk(world)
    _walk(world)  # now from the caches


def test_opting_in_shows_rated_work_at_once_despite_the_member_page_cache(world, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300
    settings.CARD_CACHE_SECONDS = 600
    client = world.clients["member"]
    mature = world.works["mature"]
    assert not _shown(_get(client, "/feed"), mature)
    assert client.get("/feed")["X-Page-Cache"] == "hit"
    response = client.post(
        "/settings/content", {"age_confirmed": "on", "show_mature": "on", "blur_sensitive": "on"}
    )
    assert response.status_code == 302
    html = _get(client, "/feed")
    assert _shown(html, mature) and "art-card-media is-blurred" in html
    assert not _shown(html, world.works["explicit"])
    # Turning the blur off: the same cards, unblurred (a card's copy is kept per blur).
    client.post("/settings/content", {"age_confirmed": "on", "show_mature": "on"})
    html = _get(client, "/feed")
    assert _shown(html, mature) and "is-blurred" not in html
    # Withdrawing the age confirmation turns the ratings off again.
    client.post("/settings/content", {"show_mature": ""})
    assert not _shown(_get(client, "/feed"), mature)


def test_the_author_sees_their_own_rated_work_without_opting_in(world):
    client = Client()
    client.force_login(world.author)
    profile = _get(client, f"/user/{world.author.username}")
    page = _get(client, world.works["explicit"].get_absolute_url())
    for rating in ("mature", "explicit"):
        assert _shown(profile, world.works[rating])
    assert "rated-notice" not in page and "rated-blur" not in page


@pytest.mark.parametrize("viewer", ["visitor", "member", "mature", "author"])
def test_a_profiles_artwork_count_counts_the_cards_its_viewer_is_shown(viewer):
    """The Artworks tab and the statistic count what the tab lists for this viewer: an author
    who has not opted in still sees their own mature work there, an opted-in member too; a
    visitor sees neither, in the list or the count."""
    author = UserFactory(username="painter")
    PublishedArtworkFactory(user=author, title="Open work", like_count=2)
    PublishedArtworkFactory(user=author, title="Rated work", rating="mature", like_count=3)
    client = Client()
    if viewer != "visitor":
        client.force_login(
            author
            if viewer == "author"
            else _opted_in(mature=viewer == "mature", explicit=False, blur=False)
        )
    page = client.get("/user/painter").content.decode()
    shown = page.count('class="art-card"')
    assert shown == (2 if viewer in ("mature", "author") else 1)
    stats = page.split('class="stats"', 1)[1].split("</ul>", 1)[0]
    assert re.search(rf"<strong>{shown}</strong>\s*<span>\s*artworks?\s*</span>", stats), stats
    likes = 5 if shown == 2 else 2
    assert f"<strong>{likes}</strong><span>likes received</span>" in stats
    tab = page.split('<nav class="tabs"', 1)[1].split("</a>", 1)[0]
    assert f'<span class="tab-count">{shown}</span>' in tab, tab
