"""Tag pages: /tag/<name> with Hot and New tabs (public work only, the canonical spelling, a
404 for a tag nobody used), their meta, the API's GET /api/tags/{name}/artworks and the
suggestions of GET /api/tags?prefix=, with constant queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from artworks.services import artwork_delete, artwork_hide, artwork_set_tags
from tests.factories import ArtworkFactory, PublishedArtworkFactory, make_moderator

pytestmark = pytest.mark.django_db


def _tagged(title: str, tags: list[str], **kwargs):
    art = PublishedArtworkFactory(title=title, **kwargs)
    artwork_set_tags(artwork=art, actor=art.user, tags=tags)
    return art


@pytest.fixture
def sunsets():
    now = timezone.now()
    hot = _tagged("Hot sunset", ["Sunset"], hot_score=9.0, published_at=now - timedelta(days=1))
    new = _tagged("New sunset", ["sunset", "sea"], hot_score=1.0, published_at=now)
    _tagged("A lake", ["lake"])
    draft = ArtworkFactory(title="Draft sunset")
    artwork_set_tags(artwork=draft, actor=draft.user, tags=["sunset"])
    hidden = _tagged("Hidden sunset", ["sunset"])
    artwork_hide(artwork=hidden, actor=make_moderator(), reason="spam")
    gone = _tagged("Suspended sunset", ["sunset"])
    account_services.user_suspend(
        user=gone.user, actor=make_moderator(extra_perms=("accounts.suspend_user",)), reason="x"
    )
    return hot, new


def test_hot_and_new_hold_the_public_work_with_the_tag(client, sunsets):
    hot_page = client.get("/tag/sunset").content.decode()
    assert "<h1>#sunset</h1>" in hot_page
    assert hot_page.index("Hot sunset") < hot_page.index("New sunset")
    new_page = client.get("/tag/sunset?tab=new").content.decode()
    assert new_page.index("New sunset") < new_page.index("Hot sunset")
    for html in (hot_page, new_page):
        for absent in ("A lake", "Draft sunset", "Hidden sunset", "Suspended sunset"):
            assert absent not in html


def test_other_spellings_lead_to_the_tag_and_unknown_ones_are_404(client, sunsets):
    response = client.get("/tag/SUNSET?tab=new")
    assert response.status_code == 301
    assert response["Location"] == "/tag/sunset?tab=new"
    assert client.get("/tag/sunset%E2%80%8B")["Location"] == "/tag/sunset"  # zero-width space
    assert client.get("/tag/nothing-here").status_code == 404
    assert client.get("/tag/sunset?tab=weird").status_code == 404


def test_a_tag_without_public_work_has_an_empty_state(client):
    mature = PublishedArtworkFactory(rating="mature")  # listed, but not for a visitor
    artwork_set_tags(artwork=mature, actor=mature.user, tags=["quiet"])
    response = client.get("/tag/quiet")
    html = response.content.decode()
    assert "Nothing public with this tag yet" in html
    # A thin page: kept out of search indexes.
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("state", ["draft", "hidden", "suspended", "deleted"])
def test_a_tag_only_unlisted_work_carries_is_404_like_one_nobody_used(client, state):
    """A tag only a draft, hidden work or a suspended member's work carries is their words:
    its page, feed and API answer as for a tag nobody used, not with an empty page that says
    it exists."""
    artwork = PublishedArtworkFactory() if state != "draft" else ArtworkFactory()
    artwork_set_tags(artwork=artwork, actor=artwork.user, tags=["surprise-for-ada"])
    moderator = make_moderator(extra_perms=("accounts.suspend_user", "artworks.delete_artwork"))
    if state == "hidden":
        artwork_hide(artwork=artwork, actor=moderator, reason="spam")
    elif state == "suspended":
        account_services.user_suspend(user=artwork.user, actor=moderator, reason="x")
    elif state == "deleted":
        artwork_delete(artwork=artwork, actor=moderator)
    for path in ("/tag/surprise-for-ada", "/tag/surprise-for-ada/feed.atom"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/tags/surprise-for-ada/artworks").status_code == 404
    client.force_login(artwork.user)  # nor for its author: the page lists public work only
    assert client.get("/tag/surprise-for-ada").status_code == 404


def test_meta_and_a_bad_cursor(client, sunsets):
    html = client.get("/tag/sunset").content.decode()
    assert re.search(r'<link rel="canonical" href="https?://[^"/]+/tag/sunset">', html)
    assert '"CollectionPage"' in html
    response = client.get("/tag/sunset?cursor=bogus", follow=True)
    assert response.redirect_chain[-1][0] == "/tag/sunset"


def test_chinese_tags_have_their_page(client):
    _tagged("湖边日落", ["日落"])
    response = client.get("/tag/日落")
    assert response.status_code == 200
    assert "湖边日落" in response.content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_costs_the_same_queries_whatever_the_number(
    client, count, django_assert_num_queries
):
    for i in range(count):
        _tagged(f"Work {i}", ["many"])
    client.get("/tag/many")  # the cards are cached for every viewer after the first render
    # the tag, the page of artworks (a visitor has no likes to look up)
    with django_assert_num_queries(2):
        assert client.get("/tag/many").status_code == 200


def test_the_api_lists_the_tags_artworks(client, sunsets):
    hot, new = sunsets
    body = client.get("/api/tags/Sunset/artworks").json()
    assert [item["id"] for item in body["items"]] == [hot.pk, new.pk]
    assert body["items"][0]["tags"] == ["sunset"]
    body = client.get("/api/tags/sunset/artworks", {"tab": "new", "limit": 1}).json()
    assert [item["id"] for item in body["items"]] == [new.pk]
    rest = client.get("/api/tags/sunset/artworks", {"tab": "new", "cursor": body["next_cursor"]})
    assert [item["id"] for item in rest.json()["items"]] == [hot.pk]
    assert client.get("/api/tags/nothing/artworks").status_code == 404
    assert client.get("/api/tags/sunset/artworks", {"cursor": "bogus"}).status_code == 400


def test_suggestions_by_prefix_count_public_work_only(client, sunsets):
    _tagged("Another sea", ["sea"])
    _tagged("Seafoam", ["seafoam"])
    assert client.get("/api/tags", {"prefix": "SE"}).json()["items"] == [
        {"name": "sea", "count": 2},
        {"name": "seafoam", "count": 1},
    ]
    assert client.get("/api/tags", {"prefix": "sun"}).json()["items"] == [
        {"name": "sunset", "count": 2}
    ]
    assert client.get("/api/tags", {"prefix": ""}).json()["items"] == []
    assert client.get("/api/tags", {"prefix": "zzz"}).json()["items"] == []


def test_a_tag_change_shows_at_once_in_the_kept_pages(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    art = _tagged("Changing", ["before"])
    assert "Changing" in client.get("/tag/before").content.decode()
    assert "Changing" in client.get("/tag/before").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        artwork_set_tags(artwork=art, actor=art.user, tags=["after"])
    assert "Changing" not in client.get("/tag/before").content.decode()
    assert "Changing" in client.get("/tag/after").content.decode()


def test_the_sitemap_lists_the_tags_public_work_carries(client, sunsets):
    draft = ArtworkFactory()
    artwork_set_tags(artwork=draft, actor=draft.user, tags=["only-in-drafts"])
    xml = client.get("/sitemap-tags.xml").content.decode()
    locs = sorted(re.findall(r"<loc>[^<]*/tag/([^<]+)</loc>", xml))
    assert locs == ["lake", "sea", "sunset"]


def test_a_tags_atom_feed(client, sunsets):
    import feedparser

    response = client.get("/tag/Sunset/feed.atom")
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["New sunset", "Hot sunset"]
    assert client.get("/tag/nothing/feed.atom").status_code == 404
    html = client.get("/tag/sunset").content.decode()
    feed_link = r'type="application/atom\+xml"\s+title="[^"]+" href="[^"]+/tag/sunset/feed\.atom"'
    assert re.search(feed_link, html)
