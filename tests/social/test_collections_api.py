"""Collections in the JSON API: the contract (statuses, shapes, errors), object-level checks
for every kind of caller, what a collection shows each caller, bearer and session auth."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tokens import token_pair_issue
from artworks.services import artwork_hide
from social import services
from social.models import Collection, CollectionItem
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict[str, str]:
    if user is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=user).access_token}"}


def _get(path, user=None):
    return Client().get(path, **_bearer(user))


def _send(method, path, user=None, body=None):
    call = getattr(Client(), method)
    return call(path, body or {}, content_type="application/json", **_bearer(user))


@pytest.fixture
def world():
    owner = UserFactory(username="curator")
    public = services.collection_create(owner=owner, name="Open", description="Warm")
    private = services.collection_create(owner=owner, name="Closed", is_public=False)
    shown = PublishedArtworkFactory(title="Shown")
    hidden = PublishedArtworkFactory(title="Hidden")
    draft = ArtworkFactory(user=owner, title="Draft")
    for artwork in (shown, hidden, draft):
        services.collection_item_add(actor=owner, collection=public, artwork_id=artwork.pk)
    artwork_hide(artwork=hidden, actor=make_moderator(), reason="spam")
    return {
        "owner": owner,
        "public": public,
        "private": private,
        "shown": shown,
        "member": UserFactory(username="member"),
        "staff": make_moderator(username="staff"),
    }


def test_the_callers_own_collections_with_private_ones(world):
    response = _get("/api/collections", world["owner"])
    assert response.status_code == 200
    items = response.json()["items"]
    assert {c["name"] for c in items} == {"Open", "Closed"}
    open_one = next(c for c in items if c["name"] == "Open")
    assert open_one["item_count"] == 2  # the owner's draft counts for them; hidden work not
    assert open_one["owner"]["username"] == "curator"
    assert open_one["url"].endswith("/user/curator/collections/open")
    assert set(open_one) >= {"id", "slug", "description", "is_public", "created_at"}


@pytest.mark.parametrize("caller", [None, "member", "staff"])
def test_someone_elses_public_collections_only(world, caller):
    response = _get("/api/collections?username=curator", world.get(caller))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["name"] for c in items] == ["Open"]
    assert items[0]["item_count"] == (3 if caller == "staff" else 1)  # staff see all


def test_without_credentials_or_username_is_401(world):
    response = _get("/api/collections")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert _get("/api/collections?username=nobody").status_code == 404
    # In the caller's language, as every other refusal (it was English whatever was asked).
    in_chinese = Client().get("/api/collections", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert in_chinese.json() == {"detail": "请登录，或指明要查看谁的收藏集（username）。"}


def test_create_and_its_errors(world):
    member = world["member"]
    response = _send("post", "/api/collections", member, {"name": "Mine", "is_public": False})
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["slug"], body["is_public"], body["item_count"]) == (
        "Mine",
        "mine",
        False,
        0,
    )
    assert _send("post", "/api/collections", member, {"name": "  "}).status_code == 400
    assert _send("post", "/api/collections", member, {"name": ""}).status_code == 422
    assert _send("post", "/api/collections", member, {}).status_code == 422
    assert _send("post", "/api/collections", None, {"name": "x"}).status_code == 401
    assert Collection.objects.filter(owner=member).count() == 1


@pytest.mark.parametrize(
    ("caller", "public_status", "private_status"),
    [(None, 200, 404), ("member", 200, 404), ("staff", 200, 404), ("owner", 200, 200)],
)
def test_reading_one_collection(world, caller, public_status, private_status):
    user = world.get(caller)
    assert _get(f"/api/collections/{world['public'].pk}", user).status_code == public_status
    assert _get(f"/api/collections/{world['private'].pk}", user).status_code == private_status
    items = _get(f"/api/collections/{world['private'].pk}/items", user)
    assert items.status_code == private_status


@pytest.mark.parametrize(
    ("caller", "public_status", "private_status"),
    [(None, 401, 401), ("member", 403, 404), ("staff", 403, 404), ("owner", 200, 200)],
)
def test_changing_is_the_owners_alone(world, caller, public_status, private_status):
    user = world.get(caller)
    for collection, status in (
        (world["public"], public_status),
        (world["private"], private_status),
    ):
        base = f"/api/collections/{collection.pk}"
        assert _send("patch", base, user, {"description": "changed"}).status_code == status
        add = _send("post", f"{base}/items", user, {"artwork_id": world["shown"].pk})
        assert add.status_code == (status if status != 200 else add.status_code)
    if caller != "owner":
        assert Collection.objects.get(pk=world["public"].pk).description == "Warm"


def test_items_in_and_out(world):
    owner, private = world["owner"], world["private"]
    base = f"/api/collections/{private.pk}/items"
    artwork = world["shown"]
    response = _send("post", base, owner, {"artwork_id": artwork.pk})
    assert response.status_code == 201
    assert response.json() == {
        "collection_id": private.pk,
        "artwork_id": artwork.pk,
        "added": True,
        "removed": False,
        "item_count": 1,
    }
    assert _send("post", base, owner, {"artwork_id": artwork.pk}).status_code == 200
    page = _get(base, owner).json()
    assert [a["id"] for a in page["items"]] == [artwork.pk]
    assert page["next_cursor"] is None
    response = _send("delete", f"{base}/{artwork.pk}", owner)
    assert response.status_code == 200
    assert response.json()["removed"] is True
    _send("post", base, owner, {"artwork_id": artwork.pk})
    response = _send("delete", base, owner, {"artwork_id": artwork.pk})
    assert response.json()["removed"] is True
    assert not CollectionItem.objects.filter(collection=private).exists()


def test_the_count_after_a_change_is_the_one_the_collection_shows_the_caller(world):
    # The public collection holds a hidden artwork: the owner sees 2 of its 3 rows.
    owner, public = world["owner"], world["public"]
    base = f"/api/collections/{public.pk}/items"
    artwork = PublishedArtworkFactory()
    added = _send("post", base, owner, {"artwork_id": artwork.pk}).json()
    shown = _get(f"/api/collections/{public.pk}", owner).json()["item_count"]
    assert added["item_count"] == shown == 3
    removed = _send("delete", f"{base}/{artwork.pk}", owner).json()
    assert (
        removed["item_count"]
        == _get(f"/api/collections/{public.pk}", owner).json()["item_count"]
        == 2
    )


def test_an_artwork_the_caller_may_not_see_is_404(world):
    foreign_draft = ArtworkFactory()
    response = _send(
        "post",
        f"/api/collections/{world['private'].pk}/items",
        world["owner"],
        {"artwork_id": foreign_draft.pk},
    )
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_items_show_each_caller_what_they_may_see(world):
    base = f"/api/collections/{world['public'].pk}/items"
    assert [a["title"] for a in _get(base).json()["items"]] == ["Shown"]
    assert {a["title"] for a in _get(base, world["owner"]).json()["items"]} == {"Shown", "Draft"}
    assert _get(f"{base}?cursor=nonsense").status_code == 400


def test_delete(world):
    base = f"/api/collections/{world['public'].pk}"
    assert _send("delete", base, world["member"]).status_code == 403
    response = _send("delete", base, world["owner"])
    assert response.json() == {"deleted": True, "collection_id": world["public"].pk}
    assert _get(base, world["owner"]).status_code == 404


def test_the_session_works_too_with_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    assert client.get("/api/collections").status_code == 200
    response = client.post("/api/collections", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_writes_are_rate_limited(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "collection": (1, 3600)}
    member = world["member"]
    assert _send("post", "/api/collections", member, {"name": "a"}).status_code == 201
    response = _send("post", "/api/collections", member, {"name": "b"})
    assert response.status_code == 429
    assert response.json()["detail"]
