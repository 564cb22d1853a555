"""Editing after publishing: the service (rating, edited_at, one transaction with the tags),
the edit page (/artwork/<id>/<slug>/edit), PATCH /api/artworks/{id}, the slug redirect, and
the page cache dropping the old text."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import StaffAction
from artworks import services
from artworks.models import Artwork
from tests.common.test_pagecache import page_cache  # noqa: F401 (a fixture)
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _row(artwork: Artwork) -> Artwork:
    return Artwork.objects.get(pk=artwork.pk)


def _edit_url(artwork: Artwork) -> str:
    return f"/artwork/{artwork.pk}/{artwork.slug}/edit"


def _form(artwork: Artwork, **changes: str) -> dict[str, str]:
    data = {
        "title": artwork.title,
        "description": artwork.description,
        "alt_text": artwork.alt_text,
        "tags": ", ".join(artwork.tag_names),
        "rating": artwork.rating,
    }
    return {**data, **changes}


def _patch(client, artwork: Artwork, body: object):
    return client.patch(
        f"/api/artworks/{artwork.pk}", data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def art(db) -> Artwork:
    return PublishedArtworkFactory(title="Harbour lights", prompt="a harbour at night")


# --- the service ---------------------------------------------------------------------------


class TestService:
    def test_the_authors_edit_of_published_work_is_marked_edited(self, art):
        assert art.edited_at is None
        edited = services.artwork_edit(
            artwork=art, actor=art.user, changes={"title": "Harbour at dusk", "rating": "mature"}
        )
        row = _row(art)
        assert row.edited_at is not None and row.edited_at == edited.edited_at
        assert (row.title, row.slug, row.rating) == ("Harbour at dusk", "harbour-at-dusk", "mature")

    def test_a_draft_is_not_marked_edited(self):
        draft = ArtworkFactory(title="Study")
        services.artwork_edit(artwork=draft, actor=draft.user, changes={"title": "Study two"})
        assert _row(draft).title == "Study two"
        assert _row(draft).edited_at is None

    def test_an_edit_that_changes_nothing_is_not_marked(self, art):
        services.artwork_edit(artwork=art, actor=art.user, changes={"title": art.title})
        assert _row(art).edited_at is None

    def test_tags_changed_by_the_author_mark_it_edited(self, art):
        services.artwork_set_tags(artwork=art, actor=art.user, tags=["sea"])
        assert _row(art).edited_at is not None

    def test_a_staff_correction_is_logged_not_marked(self, art):
        moderator = make_moderator()
        services.artwork_edit(artwork=art, actor=moderator, changes={"title": "Corrected"})
        assert _row(art).title == "Corrected"
        assert _row(art).edited_at is None
        assert StaffAction.objects.filter(target_id=art.pk, actor=moderator).exists()

    def test_an_unknown_rating_is_a_clear_error_and_changes_nothing(self, art):
        with pytest.raises(ValidationError) as caught:
            services.artwork_edit(
                artwork=art, actor=art.user, changes={"rating": "spicy", "title": "New"}
            )
        assert caught.value.message_dict["rating"] == [
            "Choose a rating: general, mature or explicit."
        ]
        assert (_row(art).title, _row(art).rating) == ("Harbour lights", "general")

    # Invisible characters alone (zero-width space, joiners, word joiner, byte order mark,
    # bidi overrides and isolates) are blank too: the title would show as nothing.
    @pytest.mark.parametrize(
        "title",
        ["", "   ", "\t\n", "\u200b", "\u200c\u200d\u2060\ufeff", "\u202e \u2066\u2069\u202c"],
    )
    def test_a_blank_title_is_refused_and_changes_nothing(self, art, title):
        with pytest.raises(ValidationError) as caught:
            services.artwork_edit(artwork=art, actor=art.user, changes={"title": title})
        assert caught.value.message_dict["title"] == ["Give the artwork a title."]
        assert (_row(art).title, _row(art).slug) == ("Harbour lights", "harbour-lights")

    @pytest.mark.parametrize("field", ["rating", "title", "prompt_hidden"])
    def test_another_member_changes_nothing(self, art, field):
        value = {"rating": "explicit", "title": "Mine now", "prompt_hidden": True}[field]
        with pytest.raises(PermissionDenied):
            services.artwork_edit(artwork=art, actor=UserFactory(), changes={field: value})
        row = _row(art)
        assert (row.rating, row.title, row.prompt_hidden) == ("general", "Harbour lights", False)

    def test_update_is_one_transaction(self, art):
        # The tag is refused after the text was changed: the text is rolled back with it.
        with pytest.raises(ValidationError):
            services.artwork_update(
                artwork=art, actor=art.user, changes={"title": "New"}, tags=["x" * 80]
            )
        assert _row(art).title == "Harbour lights"
        assert _row(art).edited_at is None


# --- the edit page ---------------------------------------------------------------------------


class TestEditPage:
    def test_the_author_gets_the_form_filled_in(self, client, art):
        services.artwork_set_tags(artwork=art, actor=art.user, tags=["sea", "night"])
        art.refresh_from_db()
        client.force_login(art.user)
        response = client.get(_edit_url(art))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in html
        assert 'value="Harbour lights"' in html
        assert 'value="sea, night"' in html
        assert re.search(r'<input[^>]*value="general"[^>]*checked', html)
        assert 'name="prompt_hidden"' in html
        for label in ("Title", "Description", "Alt text", "Tags", "Rating"):
            assert label in html

    def test_saving_changes_everything_and_the_old_address_redirects(self, client, art):
        old_url = art.get_absolute_url()
        client.force_login(art.user)
        response = client.post(
            _edit_url(art),
            _form(
                art,
                title="Harbour at dusk",
                description="Boats.",
                alt_text="Boats in a harbour",
                tags="sea, boats",
                rating="mature",
                prompt_hidden="on",
            ),
        )
        row = _row(art)
        assert response.status_code == 302
        assert (
            response["Location"] == row.get_absolute_url() == f"/artwork/{art.pk}/harbour-at-dusk"
        )
        assert (row.title, row.description, row.alt_text) == (
            "Harbour at dusk",
            "Boats.",
            "Boats in a harbour",
        )
        assert (row.tag_names, row.rating, row.prompt_hidden) == (["sea", "boats"], "mature", True)
        assert row.edited_at is not None
        redirect = client.get(old_url)
        assert redirect.status_code == 301
        assert redirect["Location"] == row.get_absolute_url()
        page = client.get(row.get_absolute_url()).content.decode()
        assert "Your changes are saved." in page
        stamp = row.edited_at.strftime("%Y-%m-%dT%H:%M:%S")
        assert re.search(rf'<dt>Edited</dt>\s*<dd>\s*<time datetime="{stamp}', page)

    def test_an_unknown_rating_says_which_ratings_there_are(self, client, art):
        # As the create form and the API do, in the reader's language.
        client.force_login(art.user)
        response = client.post(_edit_url(art), _form(art, rating="spicy"))
        assert response.status_code == 400
        assert "Choose a rating: general, mature or explicit." in response.content.decode()

    def test_a_form_shown_again_repeats_no_control_character(self, client, art):
        # Forbidden in HTML: the values and messages of a form shown again with an error.
        client.force_login(art.user)
        typed = {"description": "a\x01b", "alt_text": "c\x02d", "tags": "bad\x03tag, " + "x" * 80}
        response = client.post(_edit_url(art), _form(art, rating="spicy", **typed))
        assert response.status_code == 400
        page = response.content.decode()
        assert not any(chr(c) in page for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))
        assert "badtag" in page and "ab" in page

    def test_bad_input_is_shown_and_changes_nothing(self, client, art):
        client.force_login(art.user)
        for bad in (
            {"title": "  "},
            {"rating": "spicy"},
            {"tags": ", ".join(["t"] * 3 + ["x" * 80])},
        ):
            response = client.post(_edit_url(art), _form(art, **bad))
            assert response.status_code == 400, bad
            assert "Please correct the errors below." in response.content.decode()
        row = _row(art)
        assert (row.title, row.rating, row.tag_names, row.edited_at) == (
            "Harbour lights",
            "general",
            [],
            None,
        )

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_another_member_is_refused_with_a_message(self, client, art, method):
        client.force_login(UserFactory())
        call = getattr(client, method)
        response = call(_edit_url(art), _form(art, title="Mine now") if method == "post" else {})
        assert response.status_code == 403
        html = response.content.decode()
        assert "You cannot edit this artwork" in html
        assert "Only its author can change it." in html
        assert _row(art).title == "Harbour lights"

    def test_the_refusal_speaks_chinese_to_a_chinese_reader(self, client, art):
        client.force_login(UserFactory())
        response = client.get(_edit_url(art), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 403
        assert response["Content-Language"] == "zh-hans"

    def test_someone_elses_draft_does_not_exist(self, client):
        draft = ArtworkFactory(title="Secret draft")
        client.force_login(UserFactory())
        response = client.post(_edit_url(draft), _form(draft, title="Mine"))
        assert response.status_code == 404
        assert _row(draft).title == "Secret draft"

    def test_a_visitor_is_sent_to_sign_in(self, client, art):
        response = client.post(_edit_url(art), _form(art, title="Mine"))
        assert response.status_code == 302
        assert response["Location"].startswith("/login")
        assert _row(art).title == "Harbour lights"

    def test_a_moderator_corrects_the_text_but_not_the_prompt_choice(self, client, art):
        moderator = make_moderator()
        client.force_login(moderator)
        html = client.get(_edit_url(art)).content.decode()
        assert 'name="prompt_hidden"' not in html
        response = client.post(_edit_url(art), _form(art, title="Corrected", prompt_hidden="on"))
        assert response.status_code == 302
        row = _row(art)
        assert (row.title, row.prompt_hidden, row.edited_at) == ("Corrected", False, None)

    def test_a_plain_staff_account_is_refused(self, client, art):
        client.force_login(UserFactory(is_staff=True))
        assert client.post(_edit_url(art), _form(art, title="x")).status_code == 403
        assert _row(art).title == "Harbour lights"

    def test_a_draft_is_edited_too(self, client):
        draft = ArtworkFactory(title="Study")
        client.force_login(draft.user)
        html = client.get(_edit_url(draft)).content.decode()
        assert "This is a draft" in html
        client.post(_edit_url(draft), _form(draft, title="Study two"))
        assert (_row(draft).title, _row(draft).edited_at) == ("Study two", None)

    def test_a_chinese_title_is_its_own_address(self, client):
        art = PublishedArtworkFactory(title="星空 下的猫")
        client.force_login(art.user)
        assert client.get(_edit_url(art)).status_code == 200
        response = client.post(_edit_url(art), _form(art, title="月光 下的狗"))
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
        assert _row(art).slug == "月光-下的狗"

    def test_a_stale_slug_redirects_to_the_edit_address(self, client, art):
        client.force_login(art.user)
        response = client.get(f"/artwork/{art.pk}/old-name/edit")
        assert response.status_code == 301
        assert response["Location"] == _edit_url(art)

    def test_the_artwork_page_links_to_it_for_its_author_only(self, client, art):
        link = f'href="{_edit_url(art)}"'
        assert link not in client.get(art.get_absolute_url()).content.decode()
        client.force_login(UserFactory())
        assert link not in client.get(art.get_absolute_url()).content.decode()
        client.force_login(art.user)
        assert link in client.get(art.get_absolute_url()).content.decode()

    def test_the_cached_page_shows_the_new_title(
        self,
        client,
        art,
        page_cache,  # noqa: F811
        django_capture_on_commit_callbacks,
    ):
        url = art.get_absolute_url()
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
        author = signed_in_client(art.user)
        with django_capture_on_commit_callbacks(execute=True):
            author.post(_edit_url(art), _form(art, title="Harbour at dusk", description="New"))
        new_url = _row(art).get_absolute_url()
        assert client.get(url)["Location"] == new_url
        response = client.get(new_url)
        assert response["X-Page-Cache"] == "miss"
        html = response.content.decode()
        assert "Harbour at dusk" in html and "Harbour lights" not in html
        assert "<dt>Edited</dt>" in html


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- the API -------------------------------------------------------------------------------


class TestApi:
    def test_the_author_changes_rating_title_and_sees_edited_at(self, client, art):
        client.force_login(art.user)
        assert client.get(f"/api/artworks/{art.pk}").json()["edited_at"] is None
        response = _patch(client, art, {"rating": "explicit", "title": "Harbour at dusk"})
        body = response.json()
        assert response.status_code == 200, body
        assert body["edited_at"] is not None
        assert body["slug"] == "harbour-at-dusk"
        assert body["page_url"] == f"/artwork/{art.pk}/harbour-at-dusk"
        assert _row(art).rating == "explicit"

    def test_an_unknown_rating_is_400_and_changes_nothing(self, client, art):
        client.force_login(art.user)
        response = _patch(client, art, {"rating": "spicy", "title": "New"})
        assert response.status_code == 400
        assert response.json() == {"detail": "Choose a rating: general, mature or explicit."}
        assert (_row(art).rating, _row(art).title) == ("general", "Harbour lights")

    def test_a_blank_title_is_400_as_on_the_edit_page(self, client, art):
        client.force_login(art.user)
        response = _patch(client, art, {"title": "   "})
        assert response.status_code == 400
        assert response.json() == {"detail": "Give the artwork a title."}
        assert _row(art).title == "Harbour lights"

    def test_an_unknown_rating_in_chinese(self, client, art):
        client.force_login(art.user)
        response = client.patch(
            f"/api/artworks/{art.pk}",
            data=json.dumps({"rating": "spicy"}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 400
        assert response["Content-Language"] == "zh-hans"

    @pytest.mark.parametrize("body", [{"rating": "mature"}, {"title": "Mine"}, {"tags": ["x"]}])
    def test_another_member_is_403_and_changes_nothing(self, client, art, body):
        client.force_login(UserFactory())
        response = _patch(client, art, body)
        assert response.status_code == 403
        assert response.json() == {"detail": "You do not have permission to do that."}
        row = _row(art)
        assert (row.rating, row.title, row.tag_names) == ("general", "Harbour lights", [])

    def test_someone_elses_draft_is_404(self, client):
        draft = ArtworkFactory()
        client.force_login(UserFactory())
        assert _patch(client, draft, {"rating": "mature"}).status_code == 404
        assert _row(draft).rating == "general"

    def test_a_visitor_is_401(self, client, art):
        assert _patch(client, art, {"rating": "mature"}).status_code == 401

    def test_the_openapi_document_offers_the_ratings(self, client):
        schema = client.get("/api/openapi.json").json()
        edit_in = schema["components"]["schemas"]["ArtworkEditIn"]["properties"]["rating"]
        assert "explicit" in json.dumps(edit_in)
