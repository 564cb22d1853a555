"""The hidden prompt is the author's alone: only they change `prompt_hidden`, and hiding it
after the fact takes the words made from it (the default title, its slug, an alt text that
repeats it) off every public page, the API, the sitemap and the caches."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from artworks import services
from artworks.models import Artwork
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

SECRET = "zanzibarquux"
PROMPT = f"{SECRET.capitalize()} lighthouse glowing over a stormy sea"


def _artwork_titled_by_its_prompt(author) -> Artwork:
    """What a generation without a title makes (the seed data repeats the prompt in the alt
    text, too)."""
    return PublishedArtworkFactory(
        user=author,
        prompt=PROMPT,
        title=PROMPT,  # shorter than the 80 characters a default title keeps
        slug=Artwork.slug_for(PROMPT),
        alt_text=PROMPT,
        seed=4242,
    )


def _public_pages(artwork: Artwork) -> list[str]:
    return [
        artwork.get_absolute_url(),
        "/",
        "/feed",
        "/feed?tab=new",
        f"/user/{artwork.user.username}",
        "/sitemap.xml",
        "/sitemap-artworks.xml",
        f"/api/artworks/{artwork.pk}",
        "/api/feed",
        "/api/feed?tab=new",
        f"/api/users/{artwork.user_id}/artworks",
    ]


def _hide_prompt(client, artwork: Artwork, door: str):
    client.force_login(artwork.user)
    if door == "html":
        response = client.post(
            f"/artwork/{artwork.pk}/actions/prompt",
            {"prompt_hidden": "1", "next": artwork.get_absolute_url()},
        )
        assert response.status_code == 302
    else:
        response = client.patch(
            f"/api/artworks/{artwork.pk}",
            data=json.dumps({"prompt_hidden": True}),
            content_type="application/json",
        )
        assert response.status_code == 200
        data = response.json()
        assert data["prompt"] == PROMPT  # the author still reads it
        assert SECRET not in f"{data['title']} {data['slug']} {data['alt_text']}".lower()
    client.logout()


@pytest.mark.parametrize("door", ["html", "api"])
def test_hiding_the_prompt_takes_its_words_off_every_public_page(
    client, settings, django_capture_on_commit_callbacks, door
):
    settings.PAGE_CACHE_SECONDS = 600  # cached pages must follow the change too
    artwork = _artwork_titled_by_its_prompt(UserFactory())
    old_url = artwork.get_absolute_url()
    pages = _public_pages(artwork)
    for url in pages:  # warm every cache with the prompt still public
        response = client.get(url)
        assert response.status_code == 200, url
    assert SECRET in client.get(old_url).content.decode().lower()

    with django_capture_on_commit_callbacks(execute=True):
        _hide_prompt(client, artwork, door)

    artwork.refresh_from_db()
    assert artwork.prompt_hidden
    assert SECRET not in f"{artwork.title} {artwork.slug} {artwork.alt_text}".lower()
    new_url = artwork.get_absolute_url()
    assert new_url != old_url
    # The old address (with the prompt's words) moves permanently to the new one.
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == new_url
    for url in [new_url if u == old_url else u for u in pages]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        assert SECRET not in body, url
    data = client.get(f"/api/artworks/{artwork.pk}").json()
    assert data["prompt"] is None and data["seed"] is None


def test_a_title_the_author_chose_is_kept(django_capture_on_commit_callbacks):
    author = UserFactory()
    artwork = PublishedArtworkFactory(user=author, prompt=PROMPT, title="Harbour light")
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_edit(artwork=artwork, actor=author, changes={"prompt_hidden": True})
    artwork.refresh_from_db()
    assert (artwork.title, artwork.slug, artwork.prompt_hidden) == (
        "Harbour light",
        "harbour-light",
        True,
    )


@pytest.mark.parametrize(
    "make_staff",
    [
        make_moderator,
        lambda: UserFactory(is_staff=True, is_superuser=True),
    ],
    ids=["moderator", "superuser"],
)
def test_staff_cannot_reveal_a_hidden_prompt_in_the_admin(client, make_staff):
    artwork = PublishedArtworkFactory(prompt=PROMPT, prompt_hidden=True, seed=4242)
    client.force_login(make_staff())
    url = f"/admin/artworks/artwork/{artwork.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="prompt_hidden"' not in form  # shown read-only
    client.post(
        url,
        {
            "title": artwork.title,
            "description": "",
            "alt_text": "",
            # A hand-made POST: the admin must ignore it.
            "prompt_hidden": "",
            "_save": "Save",
        },
    )
    artwork.refresh_from_db()
    assert artwork.prompt_hidden
    client.logout()
    data = client.get(f"/api/artworks/{artwork.pk}").json()
    assert data["prompt"] is None and data["seed"] is None


def test_only_the_author_changes_prompt_visibility_in_the_service():
    artwork = PublishedArtworkFactory(prompt=PROMPT, prompt_hidden=True)
    for actor in (
        make_moderator(),
        UserFactory(is_staff=True, is_superuser=True),
        UserFactory(),
        AnonymousUser(),
    ):
        with pytest.raises(PermissionDenied):
            services.artwork_edit(artwork=artwork, actor=actor, changes={"prompt_hidden": False})
    artwork.refresh_from_db()
    assert artwork.prompt_hidden


def test_prompts_hidden_before_the_fix_lose_their_derived_titles():
    """Rows whose prompt staff hid in the admin kept the words; the data migration clears
    them (and nothing else)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "artworks.migrations.0004_neutral_titles_for_hidden_prompts"
    )
    leaking = PublishedArtworkFactory(
        prompt=PROMPT, prompt_hidden=True, title=PROMPT, slug=Artwork.slug_for(PROMPT)
    )
    Artwork.objects.filter(pk=leaking.pk).update(alt_text=PROMPT)
    chosen = PublishedArtworkFactory(prompt=PROMPT, prompt_hidden=True, title="Harbour light")
    public = PublishedArtworkFactory(prompt=PROMPT, title=PROMPT)
    migration.neutralise(apps, None)
    leaking.refresh_from_db()
    assert (leaking.title, leaking.slug, leaking.alt_text) == ("Untitled", "untitled", "")
    chosen.refresh_from_db()
    public.refresh_from_db()
    assert chosen.title == "Harbour light"
    assert public.title == PROMPT
