"""The create page and the author's actions, with and without htmx; object permissions."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from artworks.models import Artwork
from artworks.providers import ProviderError, register_provider
from artworks.selectors import artwork_cache_invalidate
from tests.artworks.samples import image_bytes
from tests.factories import ArtworkFactory, PublishedArtworkFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_create_page_requires_sign_in(client):
    response = client.get(reverse("artworks:create"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_create_page_has_two_tabs_that_work_without_javascript(client, user):
    client.force_login(user)
    generate = client.get("/create").content.decode()
    assert 'href="?tab=upload"' in generate
    assert 'name="prompt"' in generate and 'name="negative_prompt"' in generate
    assert 'name="size"' in generate and 'name="seed"' in generate
    assert 'name="reference_image"' in generate and 'name="prompt_hidden"' in generate
    assert 'name="file"' not in generate
    upload = client.get("/create?tab=upload").content.decode()
    assert 'name="file"' in upload and 'name="prompt"' not in upload
    assert 'enctype="multipart/form-data"' in upload
    for page in (generate, upload):
        for name in ("title", "description", "alt_text"):
            assert f'name="{name}"' in page
        assert 'aria-current="page"' in page


def test_the_upload_tab_states_the_limits_the_site_applies(client, user, settings):
    # A self-hoster's limits, not "up to the size limit" and "up to a minute" whatever they are.
    settings.UPLOAD_MAX_IMAGE_BYTES = 5 * 1024 * 1024
    settings.UPLOAD_MAX_VIDEO_BYTES = 50 * 1024 * 1024
    settings.UPLOAD_MAX_VIDEO_SECONDS = 30
    client.force_login(user)
    help_text = "Images up to 5.0\xa0MB; videos up to 50.0\xa0MB and 30 seconds."
    assert help_text in client.get("/create?tab=upload").content.decode()
    chinese = client.get("/create?tab=upload", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "图片不超过 5.0\xa0MB；视频不超过 50.0\xa0MB、30 秒。" in chinese


def test_every_input_is_labelled(client, user):
    import re

    client.force_login(user)
    for tab in ("generate", "upload"):
        page = client.get(f"/create?tab={tab}").content.decode()
        ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
        assert ids
        for field_id in ids:
            assert f'for="{field_id}"' in page, field_id


def test_generate_form_creates_a_draft_and_redirects_to_it(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/create",
            {
                "tab": "generate",
                "prompt": "星空 下的猫",
                "negative_prompt": "blur",
                "size": "1344x768",
                "seed": "5",
                "title": "",
                "alt_text": "A cat under the stars",
                "prompt_hidden": "on",
            },
        )
    artwork = Artwork.objects.get()
    assert response.status_code == 302
    assert response["Location"] == artwork.get_absolute_url()
    assert artwork.user == user
    assert artwork.status == Artwork.Status.DRAFT
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert (artwork.width, artwork.height, artwork.seed) == (1344, 768, 5)
    assert artwork.prompt_hidden is True
    assert artwork.alt_text == "A cat under the stars"
    page = client.get(response["Location"]).content.decode()
    assert "星空 下的猫" in page  # the author sees the hidden prompt
    assert reverse("artworks:publish", args=[artwork.pk]) in page


def test_file_pickers_offer_the_formats_the_site_takes(client, user):
    """A phone's picker (and a desktop's dialog) offers the accepted formats: without
    `accept`, any file could be chosen, only to be refused after the upload."""
    client.force_login(user)
    images = "image/jpeg,image/png,image/webp,image/gif,image/avif"
    upload = client.get("/create?tab=upload").content.decode()
    videos = "video/mp4,video/webm"
    assert re.search(rf'<input type="file" name="file" accept="{images},{videos}"', upload)
    generate = client.get("/create").content.decode()
    assert re.search(rf'<input type="file" name="reference_image" accept="{images}"', generate)


def test_upload_form_creates_a_draft(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/create?tab=upload",
            {
                "tab": "upload",
                "file": SimpleUploadedFile("a.webp", image_bytes("WEBP")),
                "title": "Green",
                "ai_used": "no",
            },
        )
    artwork = Artwork.objects.get()
    assert response.status_code == 302
    assert artwork.source == Artwork.Source.UPLOADED
    assert artwork.original.name.endswith(".webp")
    assert artwork.title == "Green"


@pytest.mark.parametrize(
    ("tab", "field", "data"),
    [
        ("upload", "file", {"title": "Green"}),  # no answer to "Was AI used?"
        ("generate", "reference_image", {"prompt": "", "size": "1024x1024"}),
    ],
)
def test_a_form_sent_back_with_an_error_asks_for_its_file_again(client, user, tab, field, data):
    """A browser never fills a file input again: after an error elsewhere the chosen file is
    gone, so the form says so beside it (or the next try fails on a missing file)."""
    client.force_login(user)
    sent = {"tab": tab, field: SimpleUploadedFile("a.webp", image_bytes("WEBP")), **data}
    response = client.post(f"/create?tab={tab}", sent)
    assert response.status_code == 400
    again = "Choose the file again"
    assert again in response.content.decode()
    assert Artwork.objects.count() == 0
    response = client.post(f"/create?tab={tab}", {"tab": tab, **data})
    assert again not in response.content.decode()
    sent[field].seek(0)
    response = client.post(f"/create?tab={tab}&lang=zh-hans", sent)
    assert "重新选择" in response.content.decode()


def test_invalid_generate_form_shows_field_errors(client, user):
    client.force_login(user)
    response = client.post("/create", {"tab": "generate", "prompt": "", "size": "1x1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('class="field-error"') >= 2
    assert Artwork.objects.count() == 0


def test_creation_is_rate_limited(client, user, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create": (1, 3600)}
    client.force_login(user)
    data = {"tab": "generate", "prompt": "one", "size": "1024x1024"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/create", data).status_code == 302
        second = client.post("/create", data)
    assert second.status_code == 429
    assert "quickly" in second.content.decode()
    assert Artwork.objects.count() == 1


@pytest.mark.parametrize(
    ("tab", "lang", "shown", "not_shown"),
    [
        ("generate", "en", "titled after the prompt", "Untitled"),
        ("upload", "en", "called “Untitled”", "titled after the prompt"),
        ("generate", "zh-hans", "以提示词作为标题", "无标题"),
        ("upload", "zh-hans", "标题为“无标题”", "以提示词作为标题"),
    ],
)
def test_each_tab_says_what_a_blank_title_becomes(client, user, tab, lang, shown, not_shown):
    # An upload has no prompt: left blank, its title is "Untitled".
    client.force_login(user)
    page = client.get(f"/create?tab={tab}&lang={lang}", HTTP_ACCEPT_LANGUAGE=lang)
    help_text = page.content.decode().split('id="id_title_helptext"', 1)[1].split("</", 1)[0]
    assert shown in help_text
    assert not_shown not in help_text


@pytest.mark.parametrize("tab", ["generate", "upload"])
def test_the_create_form_shown_again_repeats_no_control_character(client, user, tab):
    # A blank prompt (or a missing file): the form comes back with what was typed, which a
    # control character would make invalid HTML.
    client.force_login(user)
    typed = {"title": "Bell\x07", "description": "a\x08b", "alt_text": "c\x1bd", "tags": "x\x01y"}
    extra = {"prompt": "\x01", "negative_prompt": "fog\x7f", "size": "1024x1024"}
    response = client.post("/create", {"tab": tab, **typed, **(extra if tab == "generate" else {})})
    assert response.status_code == 400
    page = response.content.decode()
    assert not any(chr(c) in page for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
    assert 'value="Bell"' in page


def test_refused_attempts_do_not_use_up_the_creation_limit(
    client, user, settings, django_capture_on_commit_callbacks
):
    # A member who mistypes three times has made nothing, and used none of their creations.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create": (2, 3600)}
    client.force_login(user)
    for mistake in ({"prompt": ""}, {"rating": "spicy"}, {"seed": "-1"}):
        data = {"tab": "generate", "prompt": "one", "size": "1024x1024", **mistake}
        assert client.post("/create", data).status_code == 400
    data = {"tab": "generate", "prompt": "one", "size": "1024x1024"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/create", data).status_code == 302
        assert client.post("/create", data).status_code == 302
        third = client.post("/create", data)
    assert third.status_code == 429
    assert "quickly" in third.content.decode()
    assert Artwork.objects.count() == 2


def test_attempts_have_a_limit_of_their_own(client, user, settings):
    # Each attempt may decode an upload: refused ones are limited too, if more generously.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create_attempt": (3, 3600)}
    client.force_login(user)
    not_an_image = {"tab": "upload", "file": SimpleUploadedFile("a.png", b"not an image")}
    for _ in range(3):
        assert client.post("/create", not_an_image).status_code == 400
    upload = {"tab": "upload", "file": SimpleUploadedFile("a.png", image_bytes("PNG"))}
    fourth = client.post("/create", upload)
    assert fourth.status_code == 429
    assert "quickly" in fourth.content.decode()
    assert Artwork.objects.count() == 0


# --- publish / unpublish / delete ---------------------------------------------------------


def test_publish_and_unpublish_without_javascript(client, user):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    response = client.post(reverse("artworks:publish", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.PUBLISHED and draft.published_at is not None
    response = client.post(
        reverse("artworks:unpublish", args=[draft.pk]), {"next": "/user/" + user.username}
    )
    assert response["Location"] == "/user/" + user.username
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.DRAFT


def test_publish_with_htmx_returns_the_actions_fragment(client, user):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    response = client.post(reverse("artworks:publish", args=[draft.pk]), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="owner-actions-{draft.pk}"' in body
    assert reverse("artworks:unpublish", args=[draft.pk]) in body
    assert "<html" not in body
    # Only a draft's card sends htmx: the block it gets back unpublishes in place too.
    assert f'data-hx-post="{reverse("artworks:unpublish", args=[draft.pk])}"' in body


def test_the_artwork_page_publishes_with_a_whole_page_but_a_draft_card_in_place(
    client, user, django_capture_on_commit_callbacks
):
    """On the artwork page the draft banner, the badge and the closed comments all change
    with the status, so its Publish reloads the page; a card in the drafts tab swaps only
    its own actions."""
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    publish = reverse("artworks:publish", args=[draft.pk])
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f'action="{publish}"' in page
    assert f'data-hx-post="{publish}"' not in page
    drafts = client.get(f"/user/{user.username}?tab=drafts").content.decode()
    assert f'data-hx-post="{publish}"' in drafts
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish, {"next": draft.get_absolute_url()})
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "This is a draft" not in page
    assert "Published. It is now in the feed." in page


def test_publishing_a_draft_still_generating_explains_why_not(client, user):
    draft = ArtworkFactory(user=user, with_file=False, generation_status="running")
    client.force_login(user)
    response = client.post(reverse("artworks:publish", args=[draft.pk]), **HTMX)
    assert "wait for it to finish" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.DRAFT


def test_an_open_redirect_through_next_is_refused(client, user):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    response = client.post(
        reverse("artworks:publish", args=[draft.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == draft.get_absolute_url()


def test_actions_are_post_only(client, user):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    for name in ("publish", "unpublish", "retry"):
        assert client.get(reverse(f"artworks:{name}", args=[draft.pk])).status_code == 405


def test_actions_require_csrf(user):
    from django.test import Client

    draft = ArtworkFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("artworks:publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.DRAFT


def test_delete_asks_for_confirmation_then_removes_row_and_files(
    client, user, stored_files, django_capture_on_commit_callbacks
):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    confirm = client.get(reverse("artworks:delete", args=[draft.pk]))
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert Artwork.objects.filter(pk=draft.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("artworks:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == user.get_absolute_url()
    assert not Artwork.objects.filter(pk=draft.pk).exists()
    assert stored_files() == []


def test_delete_with_htmx_redirects_the_browser(client, user):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    response = client.post(reverse("artworks:delete", args=[draft.pk]), **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == user.get_absolute_url()


# --- object permissions -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["publish", "unpublish", "delete", "retry"])
def test_another_user_cannot_act_on_someones_draft(client, user, other_user, action):
    draft = ArtworkFactory(user=user, status=Artwork.Status.DRAFT)
    client.force_login(other_user)
    response = client.post(reverse(f"artworks:{action}", args=[draft.pk]))
    assert response.status_code == 404  # a foreign draft does not exist for them
    assert Artwork.objects.get(pk=draft.pk).status == Artwork.Status.DRAFT


def test_another_user_cannot_see_someones_draft_or_its_status(client, user, other_user):
    draft = ArtworkFactory(user=user)
    client.force_login(other_user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("artworks:generation_status", args=[draft.pk])).status_code == 404
    assert client.get(reverse("artworks:delete", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("action", ["unpublish", "delete"])
def test_another_user_cannot_unpublish_or_delete_a_published_artwork(
    client, user, other_user, action
):
    artwork = PublishedArtworkFactory(user=user)
    client.force_login(other_user)
    response = client.post(reverse(f"artworks:{action}", args=[artwork.pk]))
    assert response.status_code == 403
    assert Artwork.objects.get(pk=artwork.pk).status == Artwork.Status.PUBLISHED


def test_visitors_see_no_owner_actions(client, user, other_user):
    artwork = PublishedArtworkFactory(user=user)
    client.force_login(other_user)
    page = client.get(artwork.get_absolute_url()).content.decode()
    assert reverse("artworks:unpublish", args=[artwork.pk]) not in page
    assert "owner-actions" not in page


def test_anonymous_actions_go_to_sign_in(client, user):
    draft = ArtworkFactory(user=user)
    response = client.post(reverse("artworks:publish", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login")


# --- generation progress --------------------------------------------------------------------


class FailingProvider:
    name = "failing"
    model = "failing-1"

    def generate(self, request):
        raise ProviderError("The image service is overloaded. Try again later.")


@pytest.mark.django_db
def test_a_failed_generation_offers_try_again_once(client, user):
    # The artwork page's progress block has the button; the author's actions below it had a
    # second one. A draft's card, which has no progress block, keeps its own.
    failed = ArtworkFactory(
        user=user,
        prompt="a lighthouse",
        with_file=False,
        generation_status=Artwork.GenerationStatus.FAILED,
        generation_error="The generation failed unexpectedly. Try again.",
    )
    client.force_login(user)
    retry_form = f'action="{reverse("artworks:retry", args=[failed.pk])}"'
    page = client.get(failed.get_absolute_url()).content.decode()
    assert page.count(retry_form) == 1
    drafts = client.get(reverse("feed:profile", args=[user.username]), {"tab": "drafts"})
    assert drafts.content.decode().count(retry_form) == 1


def test_a_failed_generation_shows_the_reason_and_a_retry_button(
    client, user, settings, stored_files, django_capture_on_commit_callbacks
):
    register_provider("failing", FailingProvider)
    settings.AI_PROVIDER = "failing"
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/create", {"tab": "generate", "prompt": "x", "size": "1024x1024"})
    artwork = Artwork.objects.get()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "The image service is overloaded. Try again later." in page
    assert reverse("artworks:retry", args=[artwork.pk]) in page
    assert "Try again" in page
    assert stored_files() == []

    # the retry button works (and this time the provider succeeds)
    settings.AI_PROVIDER = "offline"
    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post(reverse("artworks:retry", args=[artwork.pk]), **HTMX)
    assert retry.status_code == 200
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert stored_files()  # now it has files


def test_status_fragment_polls_while_queued_and_stops_when_done(client, user):
    queued = ArtworkFactory(user=user, with_file=False, generation_status="queued")
    client.force_login(user)
    url = reverse("artworks:generation_status", args=[queued.pk])
    body = client.get(url, **HTMX).content.decode()
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 2s"' in body
    assert "Refresh" in body  # the no-JavaScript fallback

    Artwork.objects.filter(pk=queued.pk).update(generation_status="running")
    assert 'hx-trigger="every 2s"' in client.get(url, **HTMX).content.decode()

    done = ArtworkFactory(user=user, generation_status="done")
    url = reverse("artworks:generation_status", args=[done.pk])
    response = client.get(url, **HTMX)
    assert "hx-trigger" not in response.content.decode()
    assert response["HX-Refresh"] == "true"  # reload to show the picture and Publish
    assert response["Cache-Control"] == "no-store"


def test_the_artwork_page_of_a_queued_draft_polls(client, user):
    queued = ArtworkFactory(user=user, with_file=False, generation_status="queued")
    client.force_login(user)
    page = client.get(queued.get_absolute_url()).content.decode()
    assert reverse("artworks:generation_status", args=[queued.pk]) in page


def test_generation_parameters_are_shown_and_a_hidden_prompt_is_not(client, user, other_user):
    artwork = PublishedArtworkFactory(
        user=user,
        prompt="secret recipe prompt",
        negative_prompt="secret negative",
        seed=1234,
        provider="offline",
        model="procedural-v1",
        size="1024x768",
    )
    public = client.get(artwork.get_absolute_url()).content.decode()
    assert "secret recipe prompt" in public and "1234" in public and "procedural-v1" in public
    Artwork.objects.filter(pk=artwork.pk).update(prompt_hidden=True)
    # A raw update announces nothing: drop the cached artwork as the services' announcement
    # would (the page reads through the cache).
    artwork_cache_invalidate(artwork.pk)
    for viewer in (None, other_user):
        if viewer:
            client.force_login(viewer)
        page = client.get(artwork.get_absolute_url()).content.decode()
        assert "secret recipe prompt" not in page
        assert "secret negative" not in page
        assert "1234" not in page
        assert "procedural-v1" in page
    client.force_login(user)
    assert "secret recipe prompt" in client.get(artwork.get_absolute_url()).content.decode()
