"""Atom feeds: /feed.atom and /user/<username>/feed.atom parse cleanly (feedparser) and hold
the elements Atom 1.0 requires, carry public work only (never a draft, a hidden artwork, a
suspended member's work or a hidden prompt), with the file as an enclosure and a thumbnail;
the pages that list the same work point to them; they are kept in the page cache and follow
a publication at once; a feed costs the same queries for 2 and for 20 artworks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from artworks.models import Artwork
from artworks.services import artwork_edit, artwork_hide, artwork_publish
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def world():
    now = timezone.now()
    ada = UserFactory(username="ada", name="Ada <Lovelace>")
    works = [
        PublishedArtworkFactory(
            user=ada,
            title=f"Study {i} <b>",
            published_at=now - timedelta(hours=i),
            thumbnails=[{"name": f"artworks/thumb/s{i}_640.webp", "width": 640, "height": 480}],
        )
        for i in range(3)
    ]
    other = PublishedArtworkFactory(title="Elsewhere", published_at=now - timedelta(hours=5))
    secret = PublishedArtworkFactory(
        user=ada,
        title="Quiet one",
        prompt="a secret-word-xyzzy prompt",
        prompt_hidden=True,
        published_at=now - timedelta(hours=6),
    )
    ArtworkFactory(user=ada, title="A draft")
    hidden = PublishedArtworkFactory(user=ada, title="Hidden away")
    artwork_hide(artwork=hidden, actor=make_moderator(), reason="spam")
    gone = UserFactory(username="gone")
    PublishedArtworkFactory(user=gone, title="By a suspended member")
    account_services.user_suspend(
        user=gone, actor=make_moderator(extra_perms=("accounts.suspend_user",)), reason="spam"
    )
    return {"ada": ada, "works": works, "other": other, "secret": secret}


def _get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response


def _parsed(client, path: str):
    parsed = feedparser.parse(_get(client, path).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _rfc3339(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text), text
    return datetime.fromisoformat(text)


def _assert_atom_10(xml: bytes) -> None:
    """The rules of RFC 4287 that a generator can break: one id, title and updated (an RFC 3339
    date) on the feed and on every entry, a self link, an author for every entry, at most one
    alternate link per language and type, and an enclosure with its type."""
    root = ElementTree.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for name in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{name}")) == 1, (element.tag, name)
        _rfc3339(element.find(f"{ATOM}updated").text)
        alternates = [x for x in element.findall(f"{ATOM}link") if x.get("rel") == "alternate"]
        assert len(alternates) == 1
    assert [x for x in root.findall(f"{ATOM}link") if x.get("rel") == "self"]
    for entry in root.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author/{ATOM}name").text
        _rfc3339(entry.find(f"{ATOM}published").text)
        for link in entry.findall(f"{ATOM}link"):
            if link.get("rel") == "enclosure":
                assert link.get("type") and link.get("href").startswith("http")


def test_the_site_feed_holds_public_work_newest_first(client, world):
    parsed = _parsed(client, "/feed.atom")
    titles = [entry.title for entry in parsed.entries]
    assert titles == ["Study 0 <b>", "Study 1 <b>", "Study 2 <b>", "Elsewhere", "Quiet one"]
    first = parsed.entries[0]
    assert first.link.endswith(world["works"][0].get_absolute_url())
    assert first.author == "Ada <Lovelace>"
    (enclosure,) = first.enclosures
    assert enclosure.type == "image/jpeg"
    assert enclosure.href.endswith(world["works"][0].url)
    assert first.media_thumbnail[0]["url"].endswith("artworks/thumb/s0_640.webp")
    assert first.media_thumbnail[0]["width"] == "640"
    _assert_atom_10(client.get("/feed.atom").content)


def test_a_members_feed_holds_their_public_work_only(client, world):
    parsed = _parsed(client, "/user/ada/feed.atom")
    titles = [entry.title for entry in parsed.entries]
    assert titles == ["Study 0 <b>", "Study 1 <b>", "Study 2 <b>", "Quiet one"]
    assert "Ada <Lovelace>" in parsed.feed.title
    assert parsed.feed.link.endswith("/user/ada")
    _assert_atom_10(client.get("/user/ada/feed.atom").content)


def test_a_video_without_its_poster_yet_has_no_empty_thumbnail(client):
    # Published before its poster was made (the poster task runs after the upload).
    PublishedArtworkFactory(
        title="Fresh clip", kind=Artwork.Kind.VIDEO, content_type="video/mp4", poster=""
    )
    root = ElementTree.fromstring(_get(client, "/feed.atom").content)
    (entry,) = root.findall(f"{ATOM}entry")
    assert [t.get("url") for t in entry.findall(f"{MEDIA}thumbnail")] == []


def test_markup_is_escaped_and_a_hidden_prompt_never_shows(client, world):
    for path in ("/feed.atom", "/user/ada/feed.atom"):
        xml = client.get(path).content.decode()
        assert "secret-word-xyzzy" not in xml
        assert "<b>" not in xml
        assert "Study 0 &lt;b&gt;" in xml


def test_an_entrys_id_stays_when_the_title_and_so_the_address_change(client, world):
    """Atom ids are permanent (RFC 4287 4.2.6): a reader that sees a new id shows the edited
    artwork again as a new entry. The link follows the new address."""
    work = world["works"][0]
    before = _parsed(client, "/feed.atom").entries[0]
    artwork_edit(artwork=work, actor=world["ada"], changes={"title": "Renamed study"})
    after = _parsed(client, "/feed.atom").entries[0]
    assert after.title == "Renamed study"
    assert after.link.endswith("/renamed-study")
    assert after.id == before.id


def test_control_characters_typed_into_a_work_or_a_name_do_not_break_the_feeds(client):
    # XML 1.0 has no place for them; the pages and the API take them, so the feeds must too.
    author = UserFactory(username="ctrl", name="Name\x01 with\x1b a bell\x07")
    work = PublishedArtworkFactory(
        user=author,
        title="Title\x01 with\x0b control\x1f",
        description="Line\x08 feed",
        alt_text="Alt\x0c text",
        prompt="a prompt\x02 with one",
    )
    assert work.title.startswith("Title\x01")
    for path in ("/feed.atom", "/user/ctrl/feed.atom"):
        parsed = _parsed(client, path)
        (entry,) = parsed.entries
        assert entry.title == "Title with control"
        assert entry.author == "Name with a bell"
        _assert_atom_10(client.get(path).content)


@pytest.mark.parametrize("who", ["nobody", "gone"])
def test_a_missing_or_suspended_members_feed_is_404(client, world, who):
    assert client.get(f"/user/{who}/feed.atom").status_code == 404


def test_an_empty_site_has_a_valid_empty_feed(client):
    parsed = _parsed(client, "/feed.atom")
    assert parsed.entries == []
    _assert_atom_10(client.get("/feed.atom").content)


def test_the_pages_point_to_their_feeds(client, world):
    link = re.compile(
        r'<link rel="alternate" type="application/atom\+xml"\s+title="[^"]+" '
        r'href="([^"]+)">'
    )
    assert link.findall(client.get("/").content.decode())[0].endswith("/feed.atom")
    assert link.findall(client.get("/feed?tab=new").content.decode())[0].endswith("/feed.atom")
    profile = link.findall(client.get("/user/ada").content.decode())
    assert profile[0].endswith("/user/ada/feed.atom")
    client.force_login(world["ada"])
    assert not link.findall(client.get("/feed?tab=following").content.decode())


def test_the_queries_do_not_grow_with_the_artworks(client, django_assert_num_queries):
    now = timezone.now()
    author = UserFactory(username="maker")
    for i in range(2):
        PublishedArtworkFactory(user=author, published_at=now - timedelta(minutes=i))
    paths = ("/feed.atom", "/user/maker/feed.atom")
    few = {}
    for path in paths:
        client.get(path)  # what a first request warms
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).content.count(b"<entry>") == 2
        few[path] = len(captured)
    for i in range(18):
        PublishedArtworkFactory(user=author, published_at=now - timedelta(hours=i + 1))
    for path in paths:
        client.get(path)
        with django_assert_num_queries(few[path]):
            assert client.get(path).content.count(b"<entry>") == 20
    assert few == {"/feed.atom": 1, "/user/maker/feed.atom": 2}  # (+ the member)


def test_kept_in_the_page_cache_and_a_publication_shows_at_once(
    client, settings, world, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get("/feed.atom")
    again = client.get("/feed.atom")
    assert again.content == first.content
    assert again.headers.get("X-Page-Cache") == "hit"
    draft = ArtworkFactory(user=world["ada"], title="Fresh from the studio")
    with django_capture_on_commit_callbacks(execute=True):
        artwork_publish(artwork=draft, actor=world["ada"])
    for path in ("/feed.atom", "/user/ada/feed.atom"):
        assert _parsed(client, path).entries[0].title == "Fresh from the studio"
