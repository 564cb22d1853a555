"""One rule per action, the same answer at every door.

Every action × every actor × every entry point that offers it (the site's HTML forms, the JSON
API, the Django admin): an allowed action changes the database; a refused one answers
401/403/404 (a login redirect for an anonymous form, whatever the admin answers at its door)
and changes nothing. The expected answers are written out here, independently of the code's
predicates, so a layer that spells the rule differently fails.

The admin is a staff tool: members get their allowed actions on the site, and the admin
refuses them at its door.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts.models import User
from artworks.models import Artwork
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "author", "other_member", "plain_staff", "moderator", "superuser")
STAFF_ACTORS = {"plain_staff", "moderator", "superuser"}


def _make_actor(name: str, author: User) -> User | None:
    return {
        "anonymous": lambda: None,
        "author": lambda: author,
        "other_member": UserFactory,
        "plain_staff": lambda: UserFactory(is_staff=True),  # is_staff, no permission at all
        "moderator": make_moderator,  # the "Moderators" group, as the migration made it
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[name]()


# --- what each action starts from, and how to tell that it happened -----------------------


def _published(author: User) -> Artwork:
    return PublishedArtworkFactory(user=author, prompt="a lighthouse at dusk")


def _draft(author: User) -> Artwork:
    return ArtworkFactory(user=author)


def _hidden(author: User) -> Artwork:
    return PublishedArtworkFactory(user=author, moderation=Artwork.Moderation.HIDDEN)


def _member(author: User) -> User:
    return UserFactory()


def _suspended_member(author: User) -> User:
    return UserFactory(is_active=False)


def _staff_colleague(author: User) -> User:
    return make_moderator()


def _suspended_staff_colleague(author: User) -> User:
    return make_moderator(is_active=False)


def _artwork_row(target: Artwork) -> Artwork | None:
    return Artwork.objects.filter(pk=target.pk).first()


def _is_active(target: User) -> bool:
    return User.objects.get(pk=target.pk).is_active


@dataclass(frozen=True)
class Action:
    name: str
    setup: Callable
    happened: Callable[[object], bool]
    allowed: frozenset[str]
    entries: tuple[str, ...]


NEW_TITLE = "Renamed by someone"

ACTIONS = [
    Action(
        "edit",
        _published,
        lambda a: _artwork_row(a).title == NEW_TITLE,
        frozenset({"author", "moderator", "superuser"}),
        ("html", "api", "admin"),
    ),
    Action(
        "rating",
        _published,
        lambda a: _artwork_row(a).rating == Artwork.Rating.MATURE,
        frozenset({"author", "moderator", "superuser"}),
        ("html", "api"),
    ),
    # Any member may start a new artwork from a public one's prompt; "happened": a remix of
    # it exists.
    Action(
        "remix",
        _published,
        lambda a: Artwork.objects.filter(remix_of=a).exists(),
        frozenset({"author", "other_member", "plain_staff", "moderator", "superuser"}),
        ("html", "api"),
    ),
    Action(
        "prompt_visibility",
        _published,
        lambda a: _artwork_row(a).prompt_hidden,
        frozenset({"author"}),
        ("html", "api", "admin"),
    ),
    Action(
        "publish",
        _draft,
        lambda a: _artwork_row(a).status == Artwork.Status.PUBLISHED,
        frozenset({"author"}),
        ("html", "api"),
    ),
    Action(
        "unpublish",
        _published,
        lambda a: _artwork_row(a).status == Artwork.Status.DRAFT,
        frozenset({"author", "moderator", "superuser"}),
        ("html", "api", "admin"),
    ),
    Action(
        "delete",
        _published,
        lambda a: _artwork_row(a) is None,
        frozenset({"author", "superuser"}),
        ("html", "api", "admin"),
    ),
    Action(
        "hide",
        _published,
        lambda a: _artwork_row(a).moderation == Artwork.Moderation.HIDDEN,
        frozenset({"moderator", "superuser"}),
        ("admin",),
    ),
    Action(
        "restore",
        _hidden,
        lambda a: _artwork_row(a).moderation == Artwork.Moderation.VISIBLE,
        frozenset({"moderator", "superuser"}),
        ("admin",),
    ),
    Action(
        "feature",
        _published,
        lambda a: _artwork_row(a).featured_at is not None,
        frozenset({"moderator", "superuser"}),
        ("admin",),
    ),
    Action(
        "suspend_member",
        _member,
        lambda u: not _is_active(u),
        frozenset({"moderator", "superuser"}),
        ("admin",),
    ),
    Action(
        "restore_member",
        _suspended_member,
        _is_active,
        frozenset({"moderator", "superuser"}),
        ("admin",),
    ),
    Action(
        "suspend_staff",
        _staff_colleague,
        lambda u: not _is_active(u),
        frozenset({"superuser"}),
        ("admin",),
    ),
    Action(
        "restore_staff",
        _suspended_staff_colleague,
        _is_active,
        frozenset({"superuser"}),
        ("admin",),
    ),
    # Seeing a draft is the visibility rule; "happened" is the page or the JSON answering.
    Action(
        "see_draft",
        _draft,
        lambda response: response.status_code == 200,
        frozenset({"author", "moderator", "superuser"}),
        ("html", "api", "admin"),
    ),
]


# --- the doors ----------------------------------------------------------------------------


def _patch(client, url: str, data: dict):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def _admin_change_form(client, artwork: Artwork, **overrides):
    data = {
        "title": artwork.title,
        "description": artwork.description,
        "alt_text": artwork.alt_text,
        "_save": "Save",
        **overrides,
    }
    return client.post(f"/admin/artworks/artwork/{artwork.pk}/change/", data)


def _admin_action(client, model: str, action: str, pk: int, **extra):
    data = {"action": action, "_selected_action": [pk], "reason": "permission table", **extra}
    return client.post(f"/admin/{model}/", data)


def _edit_form(client, artwork: Artwork, **overrides):
    data = {
        "title": artwork.title,
        "description": artwork.description,
        "alt_text": artwork.alt_text,
        "tags": "",
        "rating": artwork.rating,
        **overrides,
    }
    return client.post(f"/artwork/{artwork.pk}/{artwork.slug}/edit", data)


def _remix_form(client, artwork: Artwork):
    data = {"tab": "generate", "prompt": "again", "size": "1024x1024", "remix_of": artwork.pk}
    return client.post("/create", data)


def _html(client, action: str, target):
    base = f"/artwork/{target.pk}/actions"
    return {
        "edit": lambda: _edit_form(client, target, title=NEW_TITLE),
        "rating": lambda: _edit_form(client, target, rating="mature"),
        "remix": lambda: _remix_form(client, target),
        "prompt_visibility": lambda: client.post(f"{base}/prompt", {"prompt_hidden": "1"}),
        "publish": lambda: client.post(f"{base}/publish"),
        "unpublish": lambda: client.post(f"{base}/unpublish"),
        "delete": lambda: client.post(f"{base}/delete"),
        "see_draft": lambda: client.get(target.get_absolute_url()),
    }[action]()


def _api(client, action: str, target):
    url = f"/api/artworks/{target.pk}"
    return {
        "edit": lambda: _patch(client, url, {"title": NEW_TITLE}),
        "rating": lambda: _patch(client, url, {"rating": "mature"}),
        "remix": lambda: client.post(
            "/api/artworks/generate",
            data=json.dumps({"prompt": "again", "remix_of": target.pk}),
            content_type="application/json",
        ),
        "prompt_visibility": lambda: _patch(client, url, {"prompt_hidden": True}),
        "publish": lambda: client.post(f"{url}/publish"),
        "unpublish": lambda: client.post(f"{url}/unpublish"),
        "delete": lambda: client.delete(url),
        "see_draft": lambda: client.get(url),
    }[action]()


def _admin(client, action: str, target):
    artworks, users = "artworks/artwork", "accounts/user"
    return {
        "edit": lambda: _admin_change_form(client, target, title=NEW_TITLE),
        "prompt_visibility": lambda: _admin_change_form(client, target, prompt_hidden="on"),
        "unpublish": lambda: _admin_action(client, artworks, "unpublish", target.pk),
        "delete": lambda: _admin_action(
            client, artworks, "delete_with_files", target.pk, post="yes"
        ),
        "hide": lambda: _admin_action(client, artworks, "hide", target.pk),
        "restore": lambda: _admin_action(client, artworks, "restore", target.pk),
        "feature": lambda: _admin_action(client, artworks, "feature", target.pk),
        "suspend_member": lambda: _admin_action(client, users, "suspend", target.pk),
        "restore_member": lambda: _admin_action(client, users, "restore", target.pk),
        "suspend_staff": lambda: _admin_action(client, users, "suspend", target.pk),
        "restore_staff": lambda: _admin_action(client, users, "restore", target.pk),
        "see_draft": lambda: client.get(f"/admin/artworks/artwork/{target.pk}/change/"),
    }[action]()


DOORS = {"html": _html, "api": _api, "admin": _admin}

CASES = [
    pytest.param(action, actor, entry, id=f"{action.name}-{actor}-{entry}")
    for action in ACTIONS
    for entry in action.entries
    for actor in ACTORS
]


@pytest.mark.parametrize(("action", "actor_name", "entry"), CASES)
def test_every_door_gives_the_same_answer(client, action: Action, actor_name: str, entry: str):
    author = UserFactory()
    target = action.setup(author)
    actor = _make_actor(actor_name, author)
    if actor is not None:
        client.force_login(actor)

    response = DOORS[entry](client, action.name, target)

    expected = actor_name in action.allowed
    if entry == "admin":
        expected = expected and actor_name in STAFF_ACTORS  # the admin's door
    happened = action.happened(response if action.name == "see_draft" else target)
    assert response.status_code < 500
    assert happened is expected, (
        f"{actor_name} via {entry}: {action.name} "
        f"{'happened' if happened else 'was refused'} ({response.status_code})"
    )
    if expected or entry == "admin":
        return
    if actor is None and entry == "html" and response.status_code == 302:
        assert response["Location"].startswith("/login")  # a form sends visitors to sign in
    else:
        assert response.status_code in (401, 403, 404), response.status_code


def test_an_empty_edit_asks_the_edit_rule_too(client):
    artwork = _published(UserFactory())
    client.force_login(UserFactory())
    assert _patch(client, f"/api/artworks/{artwork.pk}", {}).status_code == 403
    client.force_login(artwork.user)
    assert _patch(client, f"/api/artworks/{artwork.pk}", {}).status_code == 200


def test_the_change_user_power_cannot_be_turned_on_the_accounts_above_it(client):
    """Staff allowed to edit members (`accounts.change_user`) cannot reset a superuser's or a
    colleague's password, nor make anyone (themselves included) staff or superuser."""
    from tests.factories import grant_perms

    editor = UserFactory(is_staff=True)
    grant_perms(editor, "accounts.view_user", "accounts.change_user")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    colleague = make_moderator()
    member = UserFactory()
    client.force_login(editor)
    for target in (superuser, colleague):
        url = f"/admin/accounts/user/{target.pk}/password/"
        response = client.post(url, {"password1": "Taken-0ver!", "password2": "Taken-0ver!"})
        assert response.status_code == 403
        assert User.objects.get(pk=target.pk).check_password("correct-horse-battery")
    response = client.post(
        f"/admin/accounts/user/{editor.pk}/change/",
        {
            "username": editor.username,
            "name": editor.name,
            "email": editor.email,
            "is_superuser": "on",
            "is_staff": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=editor.pk).is_superuser
    # A member's account stays theirs to correct.
    response = client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": "Reset-by-staff-1", "password2": "Reset-by-staff-1"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).check_password("Reset-by-staff-1")
