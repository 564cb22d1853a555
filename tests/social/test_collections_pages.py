"""Collections on the pages: a member's list and a collection's page for every kind of viewer
(private ones are their owner's alone, 404 for everyone else), only the artworks the viewer
may see, constant queries, the owner's controls, the save control of the artwork page with
and without JavaScript, the page cache, the Atom feed and the sitemap."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from artworks.models import Artwork
from artworks.services import artwork_hide
from social import services
from social.models import Collection, CollectionItem
from social.services import user_block
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _client(actor=None) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor)
    return client


@pytest.fixture
def world():
    owner = UserFactory(username="curator", name="Cura Tor")
    public = services.collection_create(owner=owner, name="Golden hours", description="Warm")
    private = services.collection_create(owner=owner, name="Secret stash", is_public=False)
    shown = PublishedArtworkFactory(title="Shown sunset")
    draft = ArtworkFactory(user=owner, title="Own draft")
    hidden = PublishedArtworkFactory(title="Hidden one")
    for artwork in (shown, draft, hidden):
        services.collection_item_add(actor=owner, collection=public, artwork_id=artwork.pk)
    services.collection_item_add(actor=owner, collection=private, artwork_id=shown.pk)
    artwork_hide(artwork=hidden, actor=make_moderator(), reason="spam")
    blocked = UserFactory(username="blocked")
    user_block(blocker=owner, blocked=blocked)
    return {
        "owner": owner,
        "public": public,
        "private": private,
        "shown": shown,
        "draft": draft,
        "hidden": hidden,
        "actors": {
            "anonymous": None,
            "owner": owner,
            "member": UserFactory(username="member"),
            "blocked": blocked,
            "staff": make_moderator(username="staff"),
            "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        },
    }


ACTORS = ["anonymous", "owner", "member", "blocked", "staff", "superuser"]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_list_shows_public_collections_and_the_private_ones_to_the_owner(world, actor):
    response = _client(world["actors"][actor]).get("/user/curator/collections")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Golden hours" in html
    assert ("Secret stash" in html) is (actor == "owner")
    assert ("New collection" in html) is (actor == "owner")


def test_a_list_without_a_public_collection_is_not_indexed(world):
    # Its <meta name="robots"> said noindex; the header, as on every other list page, did not.
    UserFactory(username="hoarder")
    response = _client().get("/user/hoarder/collections")
    assert 'content="noindex' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"
    assert "X-Robots-Tag" not in _client().get("/user/curator/collections")


@pytest.mark.parametrize("actor", ACTORS)
def test_a_public_collection_shows_each_viewer_what_they_may_see(world, actor):
    response = _client(world["actors"][actor]).get("/user/curator/collections/golden-hours")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shown sunset" in html
    # The owner's draft is theirs (and staff who see every artwork's); hidden work is staff's.
    sees_all = actor in ("staff", "superuser")
    assert ("Own draft" in html) is (actor == "owner" or sees_all)
    assert ("Hidden one" in html) is sees_all
    assert ("Edit collection" in html) is (actor == "owner")
    assert 'type="application/atom+xml"' in html
    assert "/user/curator/collections/golden-hours/feed.atom" in html
    assert "CollectionPage" in html
    assert "X-Robots-Tag" not in response


@pytest.mark.parametrize("actor", ACTORS)
def test_a_private_collection_is_the_owners_alone(world, actor):
    client = _client(world["actors"][actor])
    response = client.get("/user/curator/collections/secret-stash")
    if actor == "owner":
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex"
        assert 'type="application/atom+xml"' not in response.content.decode()
    else:
        assert response.status_code == 404
    assert client.get("/user/curator/collections/secret-stash/feed.atom").status_code == 404


def test_a_suspended_owners_collections_are_gone(world):
    account_services.user_suspend(
        user=world["owner"],
        actor=make_moderator(extra_perms=("accounts.suspend_user",)),
        reason="spam",
    )
    client = _client(world["actors"]["member"])
    assert client.get("/user/curator/collections").status_code == 404
    assert client.get("/user/curator/collections/golden-hours").status_code == 404
    assert client.get("/user/curator/collections/golden-hours/feed.atom").status_code == 404


def test_the_owners_name_in_another_case_leads_to_the_same_page_and_language(world):
    client = _client()
    response = client.get("/user/CURATOR/collections?lang=zh-hans")
    assert response.status_code == 301
    assert response["Location"] == "/user/curator/collections?lang=zh-hans"
    response = client.get("/user/Curator/collections/golden-hours?lang=zh-hans")
    assert response.status_code == 301
    assert response["Location"] == "/user/curator/collections/golden-hours?lang=zh-hans"


def test_the_counts_and_covers_leave_out_what_the_viewer_may_not_see(world):
    html = _client().get("/user/curator/collections").content.decode()
    assert "1 artwork<" in html or "1 artwork " in html
    owner_html = _client(world["owner"]).get("/user/curator/collections").content.decode()
    assert "2 artworks" in owner_html


def test_the_profile_links_to_the_collections(world):
    html = _client().get("/user/curator").content.decode()
    assert 'href="/user/curator/collections"' in html


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_costs_the_same_queries_whatever_the_number(world, n, django_assert_num_queries):
    owner = UserFactory(username="many")
    for i in range(n):
        collection = services.collection_create(owner=owner, name=f"C{i}")
        services.collection_item_add(
            actor=owner, collection=collection, artwork_id=PublishedArtworkFactory().pk
        )
    client = _client()
    with django_assert_num_queries(3):  # the member, the collections, the covers
        assert client.get("/user/many/collections").status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_a_collection_costs_the_same_queries_whatever_the_number(
    world, n, django_assert_num_queries
):
    owner = UserFactory(username="many")
    collection = services.collection_create(owner=owner, name="Lots")
    for _ in range(n):
        services.collection_item_add(
            actor=owner, collection=collection, artwork_id=PublishedArtworkFactory().pk
        )
    client = _client()
    with django_assert_num_queries(3):  # the member, the collection, its page of artworks
        assert client.get("/user/many/collections/lots").status_code == 200


def test_load_more_walks_the_whole_collection(world, settings):
    owner = world["owner"]
    collection = services.collection_create(owner=owner, name="Long")
    ids = []
    for _ in range(30):
        artwork = PublishedArtworkFactory()
        services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
        ids.append(artwork.pk)
    client = _client()
    first = client.get("/user/curator/collections/long").content.decode()
    assert 'rel="next"' in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    more = client.get(f"/user/curator/collections/long?cursor={cursor}", HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    html = more.content.decode()
    assert "<html" not in html
    assert 'id="load-more"' in html
    assert client.get("/user/curator/collections/long?cursor=bogus").status_code == 302


# --- the owner's controls -------------------------------------------------------------------


def test_the_owner_makes_a_collection_from_the_list(world):
    client = _client(world["owner"])
    response = client.post(
        "/user/curator/collections", {"name": "Night skies", "description": "", "private": "1"}
    )
    made = Collection.objects.get(owner=world["owner"], slug="night-skies")
    assert response.status_code == 302
    assert response["Location"] == "/user/curator/collections/night-skies"
    assert not made.is_public


def test_a_bad_name_is_shown_on_the_form_and_nothing_is_made(world):
    client = _client(world["owner"])
    response = client.post("/user/curator/collections", {"name": "x" * 81})
    assert response.status_code == 400
    assert "at most 80 characters" in response.content.decode()
    assert Collection.objects.filter(owner=world["owner"]).count() == 2


@pytest.mark.parametrize("actor", ["member", "staff"])
def test_nobody_else_makes_or_changes_the_owners_collections(world, actor):
    """A public collection (and the list) is seen by all: changing it is refused with why
    (403, as the API answers); a private one is not there for them (404)."""
    client = _client(world["actors"][actor])
    response = client.post("/user/curator/collections", {"name": "Mine"})
    assert response.status_code == 403
    assert "Only its owner can make collections here." in response.content.decode()
    base = "/user/curator/collections/golden-hours"
    response = client.post(f"{base}/edit", {"name": "Mine"})
    assert response.status_code == 403
    assert "Only its owner can change this collection." in response.content.decode()
    assert client.post(f"{base}/delete").status_code == 403
    remove = client.post(f"{base}/remove", {"artwork": world["shown"].pk})
    assert remove.status_code == 403
    private = f"/user/curator/collections/{world['private'].slug}"
    assert client.post(f"{private}/edit", {"name": "Mine"}).status_code == 404
    assert client.post(f"{private}/delete").status_code == 404
    assert Collection.objects.filter(owner=world["owner"]).count() == 2
    assert CollectionItem.objects.filter(collection=world["public"]).count() == 3


def test_visitors_are_sent_to_sign_in(world):
    response = _client().post("/user/curator/collections", {"name": "Mine"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")
    response = _client().post(f"/artwork/{world['shown'].pk}/collections/save", {})
    assert response["Location"].startswith("/login?next=")


def test_the_owner_edits_removes_and_deletes(world):
    client = _client(world["owner"])
    base = "/user/curator/collections/golden-hours"
    response = client.post(f"{base}/edit", {"name": "Warm light", "description": "New words"})
    assert response["Location"] == "/user/curator/collections/warm-light"
    base = "/user/curator/collections/warm-light"
    response = client.post(f"{base}/remove", {"artwork": world["shown"].pk})
    assert response.status_code == 302
    assert not CollectionItem.objects.filter(artwork=world["shown"], collection=world["public"])
    response = client.post(f"{base}/delete")
    assert response["Location"] == "/user/curator/collections"
    assert not Collection.objects.filter(pk=world["public"].pk).exists()


# --- the save control ------------------------------------------------------------------------


def test_the_artwork_page_offers_visitors_to_sign_in(world):
    html = _client().get(world["shown"].get_absolute_url()).content.decode()
    assert "Sign in to save to a collection" in html
    assert "/login?next=" in html


def test_the_artwork_page_lists_the_members_collections_ticked(world):
    html = _client(world["owner"]).get(world["shown"].get_absolute_url()).content.decode()
    assert "Save to collection" in html
    assert f'value="{world["public"].pk}"' in html
    assert html.count("checked") >= 2


def test_a_member_blocked_by_the_author_is_told_they_cannot_save(world):
    artwork = PublishedArtworkFactory(user=world["owner"])
    html = _client(world["actors"]["blocked"]).get(artwork.get_absolute_url()).content.decode()
    assert "You cannot save this member" in html


def test_saving_without_javascript_redirects_back(world):
    member = world["actors"]["member"]
    mine = services.collection_create(owner=member, name="Mine")
    artwork = world["shown"]
    client = _client(member)
    response = client.post(
        f"/artwork/{artwork.pk}/collections/save",
        {"shown": [mine.pk], "collection": [mine.pk], "next": artwork.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{artwork.get_absolute_url()}#save-{artwork.pk}"
    assert CollectionItem.objects.filter(collection=mine, artwork=artwork).exists()
    client.post(f"/artwork/{artwork.pk}/collections/save", {"shown": [mine.pk]})
    assert not CollectionItem.objects.filter(collection=mine, artwork=artwork).exists()


def test_saving_with_htmx_answers_the_control(world):
    member = world["actors"]["member"]
    mine = services.collection_create(owner=member, name="Mine")
    artwork = world["shown"]
    response = _client(member).post(
        f"/artwork/{artwork.pk}/collections/save",
        {"shown": [mine.pk], "collection": [mine.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div class="collection-save" id="save-')
    assert "checked" in html
    assert "Your collections are saved." in html


def test_a_new_collection_from_the_artwork_page(world):
    member = world["actors"]["member"]
    artwork = world["shown"]
    client = _client(member)
    response = client.post(
        f"/artwork/{artwork.pk}/collections/new", {"name": "Fresh", "private": "1"}
    )
    assert response.status_code == 302
    made = Collection.objects.get(owner=member)
    assert (made.name, made.is_public) == ("Fresh", False)
    assert CollectionItem.objects.filter(collection=made, artwork=artwork).exists()
    response = client.post(
        f"/artwork/{artwork.pk}/collections/new", {"name": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Give the collection a name." in response.content.decode()
    assert Collection.objects.filter(owner=member).count() == 1


def test_saving_an_artwork_one_may_not_see_is_a_404(world):
    member = world["actors"]["member"]
    mine = services.collection_create(owner=member, name="Mine")
    for artwork in (world["draft"], world["hidden"]):
        response = _client(member).post(
            f"/artwork/{artwork.pk}/collections/save", {"collection": [mine.pk]}
        )
        assert response.status_code == 404
    assert not CollectionItem.objects.filter(collection=mine).exists()


# --- page cache, feed, sitemap ---------------------------------------------------------------


def test_the_cached_pages_follow_every_change(world, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 600
    settings.CARD_CACHE_SECONDS = 600
    client = _client()
    path = "/user/curator/collections/golden-hours"
    assert "Shown sunset" in client.get(path).content.decode()
    assert client.get(path)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_item_remove(
            actor=world["owner"], collection=world["public"], artwork_id=world["shown"].pk
        )
    assert "Shown sunset" not in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_update(
            actor=world["owner"], collection=world["public"], is_public=False
        )
    assert client.get(path).status_code == 404
    assert "Golden hours" not in client.get("/user/curator/collections").content.decode()


def test_a_hidden_artwork_leaves_the_cached_page(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    client = _client()
    path = "/user/curator/collections/golden-hours"
    assert "Shown sunset" in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        artwork_hide(artwork=world["shown"], actor=make_moderator(), reason="spam")
    assert "Shown sunset" not in client.get(path).content.decode()


def test_the_collection_feed_parses_and_carries_public_work_only(world):
    response = _client().get("/user/curator/collections/golden-hours/feed.atom")
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries] == ["Shown sunset"]
    assert parsed.feed.title.startswith("Golden hours")


def test_an_entry_of_the_collection_feed_is_updated_when_it_was_added(world):
    # Feed readers date and order Atom entries by <updated>: an older work just added must
    # not come dated (and sorted) as of its last edit, before it was in the collection.
    old = PublishedArtworkFactory(title="Old work")
    Artwork.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=300))
    services.collection_item_add(
        actor=world["owner"], collection=world["public"], artwork_id=old.pk
    )
    response = _client().get("/user/curator/collections/golden-hours/feed.atom")
    entry = feedparser.parse(response.content).entries[0]
    assert entry.title == "Old work"
    added = CollectionItem.objects.get(artwork=old).added_at
    assert entry.published_parsed == entry.updated_parsed == added.utctimetuple()


def test_the_sitemap_lists_public_collections_only(world):
    xml = _client().get("/sitemap-collections.xml").content.decode()
    assert "/user/curator/collections/golden-hours" in xml
    assert "secret-stash" not in xml
    assert "/sitemap-collections.xml" in _client().get("/sitemap.xml").content.decode()


def test_the_members_cached_artwork_page_follows_their_collections(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    member = world["actors"]["member"]
    mine = services.collection_create(owner=member, name="Mine")
    client = _client(member)
    path = world["shown"].get_absolute_url()
    client.get(path)
    assert client.get(path)["X-Page-Cache"] == "hit"
    box = f'value="{mine.pk}" id="save-{world["shown"].pk}-{mine.pk}" checked'
    assert box not in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/artwork/{world['shown'].pk}/collections/save",
            {"shown": [mine.pk], "collection": [mine.pk]},
        )
    assert box in client.get(path).content.decode()


def test_staff_read_every_collection_in_the_admin(world):
    client = _client(world["actors"]["superuser"])
    response = client.get("/admin/social/collection/")
    assert response.status_code == 200
    assert "Secret stash" in response.content.decode()
    assert client.get(f"/admin/social/collection/{world['private'].pk}/change/").status_code == 200


def test_the_collection_pages_say_their_counts_in_chinese(world):
    """The count of a collection's artworks and the list's description, in Chinese: they
    said '1 次收藏' (one favorite) and that members follow the owner."""
    client = Client()
    listing = client.get("/user/curator/collections?lang=zh-hans").content.decode()
    description = "Cura Tor（@curator）整理的 1 个 AI 艺术收藏集。"
    assert f'<meta name="description" content="{description}">' in listing
    assert "1 件作品" in listing
    assert "关注" not in listing.split('name="description"')[1].split(">")[0]
    collection = client.get("/user/curator/collections/golden-hours?lang=zh-hans")
    html = collection.content.decode()
    assert "1 件作品" in html
    assert "次收藏 ·" not in html
