"""Tags: one spelling per subject (NFKC, case-folded, spaces → "-", Chinese kept), up to 10 per
artwork, set on create (page and API) and on edit (API) by whoever may edit the artwork's
text; a bad tag is refused with the reason and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tokens import token_pair_issue
from artworks.models import Artwork, ArtworkTag, Tag
from artworks.services import artwork_set_tags
from artworks.tags import tag_normalise, tags_clean, tags_split
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Sunset", "sunset"),
        ("  Neon   City ", "neon-city"),
        ("#Landscape", "landscape"),
        ("ＡＢＣ　ｄｅｆ", "abc-def"),  # full-width letters and space
        ("日落", "日落"),
        ("Straße", "strasse"),
        ("sci-fi_art.v2", "sci-fi_art.v2"),
        # Invisible characters pasted with a word (zero-width space, byte order mark, soft
        # hyphen): refused, the reason named nothing one could see.
        ("sunset\u200b", "sunset"),
        ("\ufeffSunset", "sunset"),
        ("sun\u00adset", "sunset"),
    ],
)
def test_names_are_normalised(typed, name):
    assert tag_normalise(typed) == name
    assert tags_clean([typed]) == [name]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("   ", "cannot be empty"),
        ("#", "cannot be empty"),
        ("x" * 51, "too long"),
        ("<script>", "characters a tag cannot have"),
        ("a/b", "characters a tag cannot have"),
        # Its page would be /tag/. or /tag/..: a dot segment, which browsers resolve away.
        (".", "cannot be “.” or “..”"),
        ("..", "cannot be “.” or “..”"),
        ("．", "cannot be “.” or “..”"),  # full-width
    ],
)
def test_bad_names_are_refused_with_the_reason(typed, reason):
    with pytest.raises(ValidationError, match=reason):
        tags_clean([typed])


def test_a_name_of_dots_and_more_is_a_tag():
    assert tags_clean(["...", ".net", "v1.5"]) == ["...", ".net", "v1.5"]


def test_the_longest_name_and_ten_tags_are_taken_eleven_are_not():
    assert tags_clean(["x" * 50]) == ["x" * 50]
    assert len(tags_clean([f"t{i}" for i in range(10)])) == 10
    with pytest.raises(ValidationError, match="At most 10 tags"):
        tags_clean([f"t{i}" for i in range(11)])


def test_a_typed_list_splits_on_commas_of_both_languages():
    assert tags_split("sunset, 日落，海边、neon city;;") == ["sunset", " 日落", "海边", "neon city"]
    assert tags_clean(["Sunset", "sunset", "SUNSET "]) == ["sunset"]


class TestService:
    def test_set_replace_and_clear_in_order(self):
        art = ArtworkFactory()
        assert artwork_set_tags(artwork=art, actor=art.user, tags=["B", "a"]) == ["b", "a"]
        art.refresh_from_db()
        assert art.tag_names == ["b", "a"]
        assert list(art.tag_rows.order_by("position").values_list("tag__name", flat=True)) == [
            "b",
            "a",
        ]
        artwork_set_tags(artwork=art, actor=art.user, tags=["c"])
        art.refresh_from_db()
        assert art.tag_names == ["c"]
        assert ArtworkTag.objects.filter(artwork=art).count() == 1
        artwork_set_tags(artwork=art, actor=art.user, tags=[])
        art.refresh_from_db()
        assert art.tag_names == [] and not art.tag_rows.exists()
        assert set(Tag.objects.values_list("name", flat=True)) == {"a", "b", "c"}

    def test_refusals_save_nothing(self):
        art = ArtworkFactory()
        artwork_set_tags(artwork=art, actor=art.user, tags=["kept"])
        with pytest.raises(ValidationError):
            artwork_set_tags(artwork=art, actor=art.user, tags=["fine", "<bad>"])
        with pytest.raises(PermissionDenied):
            artwork_set_tags(artwork=art, actor=UserFactory(), tags=["mine-now"])
        art.refresh_from_db()
        assert art.tag_names == ["kept"]
        assert not Tag.objects.filter(name__in=["fine", "mine-now"]).exists()

    def test_staff_may_correct_tags_and_it_is_logged(self):
        from accounts.models import StaffAction

        art = PublishedArtworkFactory()
        moderator = make_moderator()
        artwork_set_tags(artwork=art, actor=moderator, tags=["corrected"])
        assert StaffAction.objects.filter(target_id=art.pk).exists()


class TestCreatePage:
    def test_tags_typed_on_the_upload_form_are_saved(self, client, user):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.factories import tiny_jpeg

        client.force_login(user)
        upload = SimpleUploadedFile("a.jpg", tiny_jpeg(), content_type="image/jpeg")
        response = client.post(
            "/create?tab=upload",
            {"tab": "upload", "file": upload, "tags": "Sunset, 日落", "ai_used": "yes"},
        )
        assert response.status_code == 302
        assert Artwork.objects.get(user=user).tag_names == ["sunset", "日落"]

    def test_a_bad_tag_is_shown_in_the_form_and_nothing_is_made(self, client, user):
        client.force_login(user)
        response = client.post(
            "/create?tab=generate", {"tab": "generate", "prompt": "a lake", "tags": "ok, <no>"}
        )
        assert response.status_code == 400
        assert "characters a tag cannot have" in response.content.decode()
        assert not Artwork.objects.exists()


def _bearer(member) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


class TestApi:
    def test_generate_with_tags_and_read_them_back(self, client, user):
        response = client.post(
            "/api/artworks/generate",
            {"prompt": "a quiet lake", "tags": ["Lake", "湖"]},
            content_type="application/json",
            **_bearer(user),
        )
        assert response.status_code == 202
        assert response.json()["tags"] == ["lake", "湖"]

    def test_a_bad_tag_makes_nothing(self, client, user):
        response = client.post(
            "/api/artworks/generate",
            {"prompt": "a quiet lake", "tags": [f"t{i}" for i in range(11)]},
            content_type="application/json",
            **_bearer(user),
        )
        assert response.status_code == 400
        assert "At most 10 tags" in response.json()["detail"]
        assert not Artwork.objects.exists()

    def test_edit_replaces_them_for_the_author_only(self, client):
        art = PublishedArtworkFactory()
        path = f"/api/artworks/{art.pk}"
        body = {"tags": ["Neon", "city"]}
        response = client.patch(path, body, content_type="application/json", **_bearer(art.user))
        assert response.status_code == 200
        assert response.json()["tags"] == ["neon", "city"]
        other = client.patch(
            path, {"tags": ["x"]}, content_type="application/json", **_bearer(UserFactory())
        )
        assert other.status_code == 403
        bad = client.patch(
            path,
            {"tags": ["ok"], "title": "New"},
            content_type="application/json",
            **_bearer(art.user),
        )
        assert bad.status_code == 200
        refused = client.patch(
            path,
            {"tags": ["<no>"], "title": "Newer"},
            content_type="application/json",
            **_bearer(art.user),
        )
        assert refused.status_code == 400
        art.refresh_from_db()
        assert art.tag_names == ["ok"] and art.title == "New"


class TestOnThePages:
    def test_the_artwork_page_and_its_card_link_the_tags(self, client):
        art = PublishedArtworkFactory(title="Tagged one")
        artwork_set_tags(
            artwork=art, actor=art.user, tags=["sunset", "日落", "sea", "quiet", "<x>"[1:2]]
        )
        page = client.get(art.get_absolute_url()).content.decode()
        for name in ("sunset", "日落", "sea", "quiet", "x"):
            assert f'rel="tag">#{name}</a>' in page
        assert 'href="/tag/%E6%97%A5%E8%90%BD"' in page
        feed = client.get("/feed?tab=new").content.decode()
        card = feed[feed.index("Tagged one") :]
        assert card.count('class="tag-chip"') == 3  # a card shows the first three

    def test_an_artwork_without_tags_shows_no_list(self, client):
        art = PublishedArtworkFactory()
        assert "tag-chips" not in client.get(art.get_absolute_url()).content.decode()

    def test_suggestions_complete_the_last_tag_typed(self, client):
        for name in ("sunset", "sunrise", "sea"):
            art = PublishedArtworkFactory()
            artwork_set_tags(artwork=art, actor=art.user, tags=[name])
        html = client.get("/tags/suggest", {"tags": "lake, sun"}).content.decode()
        assert (
            html
            == '<option value="lake, sunrise"></option><option value="lake, sunset"></option>\n'
        )
        assert client.get("/tags/suggest", {"tags": "sun, "}).content.decode().strip() == ""
        assert client.get("/tags/suggest", {"tags": ""}).content.decode().strip() == ""

    def test_the_form_asks_for_suggestions_as_one_types(self, client, user):
        client.force_login(user)
        html = client.get("/create?tab=upload").content.decode()
        assert 'list="tag-suggestions"' in html and '<datalist id="tag-suggestions">' in html
        assert 'data-hx-get="/tags/suggest"' in html
