"""Content ratings as written: creators choose one (create form, API, edit), staff change it
in the admin (logged, the author told), members opt in under /settings/content (an age
confirmation first), "wrong rating" is a report reason. Bad input is a clear error and
changes nothing. (Who sees what: tests/feed/test_ratings_everywhere.py.)"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffAction, User
from artworks import services
from artworks.models import Artwork
from moderation.models import Report
from notifications.models import Notification
from tests.artworks.samples import image_bytes
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

RATING_ERROR = "Choose a rating: general, mature or explicit."


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- creators choose -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_ratings_have_one_name_in_each_language(lang):
    """The choices on the forms, the badges and the help that explains them name each rating
    alike: in Chinese the choices said 普通/成人/露骨 under help about 全年龄/成人向/限制级."""
    from django.utils import translation

    from artworks.forms import ArtworkEditForm, GenerateForm

    with translation.override(lang):
        labels = [str(label) for label in Artwork.Rating.labels]
        explained = str(GenerateForm().fields["rating"].help_text)
        edit_form = ArtworkEditForm(artwork=PublishedArtworkFactory(), show_prompt_choice=False)
        edit_help = str(edit_form.fields["rating"].help_text)
        error = str(GenerateForm().fields["rating"].error_messages["invalid_choice"])
        settings_help = str(translation.gettext("Show explicit work"))
    assert all(label in explained for label in labels), (labels, explained)
    assert labels[0] in edit_help, (labels, edit_help)
    assert all(label.lower() in error.lower() for label in labels), (labels, error)
    assert labels[2].lower() in settings_help.lower(), (labels, settings_help)


@pytest.mark.parametrize("rating", ["general", "mature", "explicit"])
def test_the_create_form_keeps_the_chosen_rating(user, rating, django_capture_on_commit_callbacks):
    client = _signed_in(user)
    page = client.get("/create?tab=upload").content.decode()
    assert 'name="rating"' in page and 'value="explicit"' in page
    with django_capture_on_commit_callbacks(execute=True):
        upload = client.post(
            "/create?tab=upload",
            {
                "tab": "upload",
                "file": SimpleUploadedFile("a.png", image_bytes("PNG")),
                "ai_used": "no",
                "rating": rating,
            },
        )
        generate = client.post(
            "/create", {"tab": "generate", "prompt": "a fox", "size": "1024x1024", "rating": rating}
        )
    assert upload.status_code == generate.status_code == 302
    assert list(Artwork.objects.values_list("rating", flat=True)) == [rating, rating]


@pytest.mark.parametrize("tab", ["generate", "upload"])
def test_an_unknown_rating_on_the_create_form_is_a_field_error(user, tab, stored_files):
    client = _signed_in(user)
    data = {"tab": tab, "prompt": "a fox", "rating": "spicy"}
    if tab == "upload":
        data["file"] = SimpleUploadedFile("a.png", image_bytes("PNG"))
    response = client.post(f"/create?tab={tab}", data)
    assert response.status_code == 400
    assert RATING_ERROR in response.content.decode()
    assert not Artwork.objects.exists() and stored_files() == []


def test_the_api_takes_and_shows_the_rating(user, django_capture_on_commit_callbacks):
    client = _signed_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        generated = client.post(
            "/api/artworks/generate",
            json.dumps({"prompt": "a fox", "rating": "explicit"}),
            content_type="application/json",
        )
        uploaded = client.post(
            "/api/artworks/upload",
            {"file": SimpleUploadedFile("a.png", image_bytes("PNG")), "rating": "mature"},
        )
    assert generated.status_code == 202 and generated.json()["rating"] == "explicit"
    assert uploaded.status_code == 201 and uploaded.json()["rating"] == "mature"
    listed = client.get(f"/api/users/{user.pk}/artworks?status=draft").json()
    assert {item["rating"] for item in listed["items"]} == {"explicit", "mature"}


@pytest.mark.parametrize("rating", ["spicy", "", "GENERAL", "explicit\x00"])
def test_an_unknown_rating_in_the_api_is_a_clear_400(user, rating, stored_files):
    client = _signed_in(user)
    generated = client.post(
        "/api/artworks/generate",
        json.dumps({"prompt": "a fox", "rating": rating}),
        content_type="application/json",
    )
    uploaded = client.post(
        "/api/artworks/upload",
        {"file": SimpleUploadedFile("a.png", image_bytes("PNG")), "rating": rating},
    )
    for response in (generated, uploaded):
        assert response.status_code == 400
        assert "rating" in response.json()["detail"]
    assert not Artwork.objects.exists() and stored_files() == []


def test_the_author_edits_the_rating_through_the_edit_service_and_patch(user, other_user):
    artwork = PublishedArtworkFactory(user=user)
    services.artwork_edit(artwork=artwork, actor=user, changes={"rating": "mature"})
    artwork.refresh_from_db()
    assert artwork.rating == "mature"
    with pytest.raises(ValidationError) as refused:
        services.artwork_edit(artwork=artwork, actor=user, changes={"rating": "spicy"})
    assert RATING_ERROR in refused.value.messages
    with pytest.raises(PermissionDenied):
        services.artwork_edit(artwork=artwork, actor=other_user, changes={"rating": "general"})
    client = _signed_in(user)
    patch = client.patch(
        f"/api/artworks/{artwork.pk}", json.dumps({"rating": "explicit"}), "application/json"
    )
    assert patch.status_code == 200 and patch.json()["rating"] == "explicit"
    bad = client.patch(
        f"/api/artworks/{artwork.pk}", json.dumps({"rating": "nope"}), "application/json"
    )
    assert bad.status_code == 400
    foreign = _signed_in(other_user).patch(
        f"/api/artworks/{artwork.pk}", json.dumps({"rating": "general"}), "application/json"
    )
    assert foreign.status_code in (403, 404)
    artwork.refresh_from_db()
    assert artwork.rating == "explicit"
    assert not StaffAction.objects.exists()  # the author's own changes are not staff actions


# --- staff change it -----------------------------------------------------------------------


def test_staff_rate_in_the_admin_logged_and_the_author_is_told(
    django_capture_on_commit_callbacks,
):
    moderator = make_moderator()
    artwork = PublishedArtworkFactory(rating="general")
    client = _signed_in(moderator)
    changelist = reverse("admin:artworks_artwork_changelist")
    assert 'value="rate_explicit"' in client.get(changelist).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            changelist,
            {
                "action": "rate_explicit",
                "_selected_action": [artwork.pk],
                "index": 0,
                "reason": "sexual content",
            },
        )
    artwork.refresh_from_db()
    assert artwork.rating == "explicit"
    logged = StaffAction.objects.get()
    assert (logged.action, logged.target_id, logged.reason) == (
        "artwork_edit",
        artwork.pk,
        "sexual content",
    )
    told = Notification.objects.get(recipient=artwork.user)
    assert told.kind == "rated" and told.reason == "sexual content"
    page = _signed_in(artwork.user).get("/notifications").content.decode()
    assert "Staff changed the rating of your artwork" in page
    # The same rating again changes nothing: no second log entry, nobody told twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_rate(artwork=artwork, actor=moderator, rating="explicit")
    assert StaffAction.objects.count() == 1 and Notification.objects.count() == 1


def test_staff_changing_the_rating_by_an_edit_is_logged_and_told(
    django_capture_on_commit_callbacks,
):
    artwork = PublishedArtworkFactory(rating="explicit")
    moderator = make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_edit(artwork=artwork, actor=moderator, changes={"rating": "mature"})
    artwork.refresh_from_db()
    assert artwork.rating == "mature"
    assert StaffAction.objects.get().action == "artwork_edit"
    assert Notification.objects.get(recipient=artwork.user).kind == "rated"


@pytest.mark.parametrize("by", ["rate", "edit"])
def test_a_rating_changed_without_a_reason_tells_the_author_no_made_up_one(
    by, django_capture_on_commit_callbacks
):
    """The reason the log makes up ('Rating: General → Mature', 'Changed: rating, title') is
    in the staff member's language and the code's field names: the author was shown it as the
    staff's reason ('原因：分级：全年龄 → 成人向' on an English page). The log keeps it."""
    from django.utils import translation

    artwork = PublishedArtworkFactory(rating="general")
    moderator = make_moderator()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        if by == "rate":
            services.artwork_rate(artwork=artwork, actor=moderator, rating="mature")
        else:
            services.artwork_edit(
                artwork=artwork, actor=moderator, changes={"rating": "mature", "title": "New"}
            )
    assert StaffAction.objects.get().reason  # the log says what changed
    told = Notification.objects.get(recipient=artwork.user)
    assert told.kind == "rated" and told.reason == ""
    page = _signed_in(artwork.user).get("/notifications?lang=en").content.decode()
    assert "Staff changed the rating of your artwork" in page
    assert "Reason:" not in page


def test_only_moderating_staff_rate(user):
    artwork = PublishedArtworkFactory()
    plain_staff = UserFactory(is_staff=True)
    for actor in (user, plain_staff, artwork.user):
        if actor == artwork.user:
            continue  # the author changes it by editing (above), not by staff's action
        with pytest.raises(PermissionDenied):
            services.artwork_rate(artwork=artwork, actor=actor, rating="mature")
    with pytest.raises(ValidationError):
        services.artwork_rate(artwork=artwork, actor=make_moderator(), rating="spicy")
    artwork.refresh_from_db()
    assert artwork.rating == "general" and not StaffAction.objects.exists()
    page = _signed_in(plain_staff).get(reverse("admin:artworks_artwork_changelist"))
    assert 'value="rate_mature"' not in page.content.decode()


def test_wrong_rating_is_a_report_reason(user):
    artwork = PublishedArtworkFactory()
    client = _signed_in(user)
    form = client.get(f"/artwork/{artwork.pk}/report").content.decode()
    assert 'value="wrong_rating"' in form
    client.post(f"/artwork/{artwork.pk}/report", {"reason": "wrong_rating"})
    assert Report.objects.get().reason == "wrong_rating"


# --- viewers choose ------------------------------------------------------------------------


def test_the_content_settings_page_is_for_members_and_linked_from_settings(client, user):
    assert client.get("/settings/content").status_code == 302
    member = _signed_in(user)
    assert 'href="/settings/content"' in member.get("/settings/profile").content.decode()
    page = member.get("/settings/content").content.decode()
    for name in ("age_confirmed", "show_mature", "show_explicit", "blur_sensitive"):
        assert f'name="{name}"' in page
    assert 'aria-current="page"' in page


@pytest.mark.parametrize("turned_on", [{"show_mature": "on"}, {"show_explicit": "on"}])
def test_opting_in_without_the_age_confirmation_is_refused(user, turned_on):
    response = _signed_in(user).post("/settings/content", turned_on)
    assert response.status_code == 400
    assert "Confirm that you are 18 or older" in response.content.decode()
    user.refresh_from_db()
    assert user.age_confirmed_at is None
    assert not user.show_mature and not user.show_explicit and user.blur_sensitive


def test_opting_in_and_out(user):
    client = _signed_in(user)
    response = client.post(
        "/settings/content",
        {"age_confirmed": "on", "show_explicit": "on", "next": "/artwork/1/x"},
    )
    assert response.status_code == 302 and response["Location"] == "/artwork/1/x"
    user.refresh_from_db()
    confirmed = user.age_confirmed_at
    assert confirmed is not None and user.show_explicit and not user.show_mature
    assert not user.blur_sensitive
    client.post("/settings/content", {"age_confirmed": "on", "show_mature": "on"})
    user.refresh_from_db()
    assert user.age_confirmed_at == confirmed  # the first confirmation's time is kept
    assert user.show_mature and not user.show_explicit
    # A hostile next is not followed.
    away = client.post("/settings/content", {"next": "https://evil.example/"})
    assert away["Location"] == "/settings/content"
    user.refresh_from_db()
    assert user.age_confirmed_at is None and not user.show_mature


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("slug", ["", "/some-old-title"])
def test_a_rated_work_shows_its_notice_where_asked_without_its_slug(user, signed_in, slug):
    """The title is the work's own words: a viewer shown the notice meets no redirect to the
    address that spells it, nor that address in the page."""
    artwork = PublishedArtworkFactory(title="Lurid Confession", rating=Artwork.Rating.EXPLICIT)
    client = _signed_in(user) if signed_in else Client()
    response = client.get(f"/artwork/{artwork.pk}{slug}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "rated-notice" in page
    assert "lurid" not in page.lower() and "confession" not in page.lower()
    assert f'rel="canonical" href="{settings.SITE_URL}/artwork/{artwork.pk}"' in page
    # Once opted in, the same address leads to the work under its own.
    user.age_confirmed_at, user.show_explicit = timezone.now(), True
    user.save()
    opted_in = _signed_in(user).get(f"/artwork/{artwork.pk}{slug}")
    assert opted_in.status_code == 301 and opted_in["Location"] == artwork.get_absolute_url()


def test_an_author_reacts_to_their_own_rated_work_whatever_they_opted_in_to(user):
    """Their page shows them their own mature work with its Like and Favorite buttons (the
    visibility rule gives authors their work whatever its rating): the buttons work, on the
    page and in the API; for a member who has not opted in it stays a 404."""
    artwork = PublishedArtworkFactory(user=user, rating=Artwork.Rating.MATURE)
    author = _signed_in(user)
    page = author.get(artwork.get_absolute_url()).content.decode()
    assert f"/artwork/{artwork.pk}/actions/like" in page
    assert author.post(f"/artwork/{artwork.pk}/actions/like").status_code == 302
    favorite = author.post(f"/api/artworks/{artwork.pk}/favorite")
    assert favorite.status_code == 200 and favorite.json()["is_favorite"] is True
    artwork.refresh_from_db()
    assert (artwork.like_count, artwork.favorite_count) == (1, 1)
    unliked = author.delete(f"/api/artworks/{artwork.pk}/like")
    assert unliked.status_code == 200 and unliked.json() == {"like_count": 0, "isLiked": False}
    stranger = _signed_in(UserFactory())
    assert stranger.post(f"/artwork/{artwork.pk}/actions/like").status_code == 404
    assert stranger.post(f"/api/artworks/{artwork.pk}/favorite").status_code == 404
    artwork.refresh_from_db()
    assert (artwork.like_count, artwork.favorite_count) == (0, 1)


@pytest.mark.parametrize(
    "lang, rating, words",
    [
        ("en", Artwork.Rating.MATURE, "Show mature artwork"),
        ("en", Artwork.Rating.EXPLICIT, "Show explicit artwork"),
        ("zh-hans", Artwork.Rating.MATURE, "显示成人向作品"),
    ],
)
def test_the_button_that_shows_a_blurred_work_reads_as_a_sentence(user, lang, rating, words):
    """The rating's name sits mid-sentence: 'Show Mature artwork' was capitalised as a badge."""
    artwork = PublishedArtworkFactory(rating=rating)
    user.age_confirmed_at, user.show_mature, user.show_explicit = timezone.now(), True, True
    user.blur_sensitive = True
    user.save()
    page = _signed_in(user).get(artwork.get_absolute_url(), {"lang": lang}).content.decode()
    assert words in " ".join(page.split())
