"""The AI label: uploaders declare whether AI was used (a required choice on the form, a field
of the upload API), generations are made with AI, and such work says so on its page, on its
card, in the API and in its JSON-LD. An upload's content credentials show on its page."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from artworks.models import Artwork
from tests.artworks.c2pa_samples import SAMPLE_CREDENTIALS as CREDENTIALS
from tests.artworks.samples import image_bytes
from tests.factories import PublishedArtworkFactory

pytestmark = pytest.mark.django_db

LABEL = "Made with AI"
IPTC_AI = "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def page(client, artwork: Artwork) -> str:
    response = client.get(artwork.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


class TestOnThePage:
    def test_ai_work_is_labelled_and_its_json_ld_says_trained_algorithmic_media(self, client):
        artwork = PublishedArtworkFactory(ai_generated=True)
        html = page(client, artwork)
        badge = re.search(
            r'<span class="badge badge-primary">.*?</span>', html[html.index("<h1") - 2000 :], re.S
        )
        assert badge is not None and LABEL in badge.group(0)
        [data] = [d for d in jsonld(html) if d.get("@type") == "ImageObject"]
        assert data["digitalSourceType"] == IPTC_AI

    def test_work_made_without_ai_has_neither(self, client):
        artwork = PublishedArtworkFactory(ai_generated=False, source=Artwork.Source.UPLOADED)
        html = page(client, artwork)
        assert LABEL not in html
        assert all("digitalSourceType" not in d for d in jsonld(html))

    def test_cards_carry_the_label(self, client):
        made = PublishedArtworkFactory(ai_generated=True, title="Machine dream")
        PublishedArtworkFactory(user=made.user, ai_generated=False, title="Hand drawn")
        html = client.get(made.user.get_absolute_url()).content.decode()
        cards = dict(
            (re.search(r'art-card-title"><a[^>]*>([^<]+)<', card).group(1), card)
            for card in html.split('<article class="art-card">')[1:]
        )
        assert LABEL in cards["Machine dream"]
        assert LABEL not in cards["Hand drawn"]

    def test_content_credentials_are_shown_in_their_own_section(self, client):
        artwork = PublishedArtworkFactory(ai_generated=True, content_credentials=CREDENTIALS)
        html = page(client, artwork)
        section = re.search(
            r'<section class="content-credentials"[^>]*>(.*?)</section>',
            html,
            re.S,
        ).group(1)
        assert 'id="credentials-title">Content credentials</h2>' in section
        for text in (
            "Test Camera Co",
            "Test Signer",
            "Test Camera App 1.0",
            "Created the picture",
            "Resized it",
        ):
            assert text in section, text
        assert "Dreamer 2" in section and "with AI" in section
        assert "Valid: the signature matches the file." in section
        assert "The original file keeps these credentials." in section

    def test_invalid_credentials_say_so(self, client):
        invalid = {**CREDENTIALS, "validation_state": "Invalid", "kept": False}
        html = page(client, PublishedArtworkFactory(content_credentials=invalid))
        assert "Not valid: the file or its credentials were changed after signing." in html
        assert "The stored file does not carry these credentials." in html

    def test_text_from_a_manifest_is_escaped(self, client):
        hostile = {**CREDENTIALS, "issuer": '<script>alert("x")</script>', "tool": "<b>t</b>"}
        html = page(client, PublishedArtworkFactory(content_credentials=hostile))
        assert '<script>alert("x")' not in html and "<b>t</b>" not in html
        assert "&lt;script&gt;" in html

    def test_no_credentials_no_section(self, client):
        html = page(client, PublishedArtworkFactory(content_credentials={}))
        assert "content-credentials" not in html

    def test_the_chinese_page_renders_the_label_and_credentials(self, client):
        artwork = PublishedArtworkFactory(ai_generated=True, content_credentials=CREDENTIALS)
        response = client.get(artwork.get_absolute_url() + "?lang=zh-hans")
        assert response.status_code == 200
        assert 'id="credentials-title"' in response.content.decode()


class TestInTheApi:
    def test_detail_and_lists_carry_ai_generated_and_credentials(self, client):
        made = PublishedArtworkFactory(ai_generated=True, content_credentials=CREDENTIALS)
        plain = PublishedArtworkFactory(user=made.user, ai_generated=False)
        body = client.get(f"/api/artworks/{made.pk}").json()
        assert body["ai_generated"] is True
        assert body["content_credentials"]["issuer"] == "Test Camera Co"
        assert client.get(f"/api/artworks/{plain.pk}").json()["ai_generated"] is False
        items = client.get(f"/api/users/{made.user_id}/artworks").json()["items"]
        flags = {item["id"]: item["ai_generated"] for item in items}
        assert flags == {made.pk: True, plain.pk: False}
        feed = client.get("/api/feed?tab=new").json()["items"]
        assert {item["id"]: item["ai_generated"] for item in feed} == flags


class TestDeclaringAiUse:
    def test_the_upload_form_asks_with_a_required_choice(self, client, user):
        client.force_login(user)
        html = client.get("/create?tab=upload").content.decode()
        fieldset = re.search(r'<fieldset class="field choices".*?</fieldset>', html, re.S).group(0)
        assert "<legend>Was AI used to make it?</legend>" in fieldset
        assert fieldset.count('type="radio" name="ai_used"') == 2
        assert fieldset.count("required") == 2
        assert "checked" not in fieldset  # no answer is chosen for the uploader

    @pytest.mark.parametrize("answer,expected", [("yes", True), ("no", False)])
    def test_the_answer_is_stored(self, client, user, answer, expected):
        client.force_login(user)
        response = client.post(
            "/create?tab=upload",
            {
                "tab": "upload",
                "file": SimpleUploadedFile("a.png", image_bytes()),
                "ai_used": answer,
            },
        )
        assert response.status_code == 302
        assert Artwork.objects.get(user=user).ai_generated is expected

    @pytest.mark.parametrize("answer", [None, "", "maybe"])
    def test_no_answer_or_a_strange_one_is_refused_and_nothing_is_made(
        self, client, user, answer, stored_files
    ):
        client.force_login(user)
        data = {"tab": "upload", "file": SimpleUploadedFile("a.png", image_bytes())}
        if answer is not None:
            data["ai_used"] = answer
        response = client.post("/create?tab=upload", data)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="id_ai_used_error"' in html
        assert 'aria-describedby="id_ai_used_helptext id_ai_used_error"' in html
        assert Artwork.objects.count() == 0 and stored_files() == []

    def test_the_refusal_is_in_chinese_for_a_chinese_reader(self, client, user):
        client.force_login(user)
        response = client.post(
            "/create?tab=upload&lang=zh-hans",
            {"tab": "upload", "file": SimpleUploadedFile("a.png", image_bytes())},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 400
        assert response["Content-Language"] == "zh-hans"

    @pytest.mark.parametrize("sent,expected", [("true", True), ("false", False), (None, False)])
    def test_the_upload_api_takes_ai_generated(self, client, user, sent, expected):
        client.force_login(user)
        data = {"file": SimpleUploadedFile("a.png", image_bytes())}
        if sent is not None:
            data["ai_generated"] = sent
        response = client.post("/api/artworks/upload", data)
        assert response.status_code == 201
        assert response.json()["ai_generated"] is expected
        assert Artwork.objects.get(user=user).ai_generated is expected

    def test_the_upload_api_refuses_a_strange_value(self, client, user, stored_files):
        client.force_login(user)
        response = client.post(
            "/api/artworks/upload",
            {"file": SimpleUploadedFile("a.png", image_bytes()), "ai_generated": "maybe"},
        )
        assert response.status_code == 422
        assert Artwork.objects.count() == 0 and stored_files() == []

    def test_a_generation_is_made_with_ai(self, client, user, django_capture_on_commit_callbacks):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/artworks/generate",
                json.dumps({"prompt": "a lake", "size": "320x256"}),
                content_type="application/json",
            )
        assert response.status_code == 202
        assert response.json()["ai_generated"] is True
