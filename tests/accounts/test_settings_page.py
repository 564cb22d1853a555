"""/settings/profile: a member edits their own username, display name and avatar."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from accounts.services import user_update_profile
from tests.factories import UserFactory, tiny_jpeg

pytestmark = pytest.mark.django_db
URL = "/settings/profile"


def jpeg_with_exif(size=(400, 300)) -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # GPS latitude: the kind of thing we must drop
    Image.new("RGB", size, (30, 90, 160)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def upload(data: bytes, name="me.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_url_name_and_login_requirement(client):
    assert reverse("accounts:settings") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_the_page_renders_the_form_with_labels(client, user):
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert f'value="{user.username}"' in page
    for field in ("id_username", "id_name", "id_avatar"):
        assert f'<label for="{field}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_changing_username_and_name(client, user):
    client.force_login(user)
    response = client.post(URL, {"username": "New_Name-1", "name": "  Grace Hopper "})
    assert response.status_code == 302
    # the confirmation is shown on the page the redirect leads to
    assert "Your profile has been saved." in client.get(response.url).content.decode()
    user.refresh_from_db()
    assert (user.username, user.name) == ("New_Name-1", "Grace Hopper")
    # The old address is freed; the new one works.
    assert client.get(f"/user/{user.username}").status_code == 200


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u202eevil\u202c", "evil"),  # an override would turn "(@username)" beside it around
        ("a\u2066b\u2069c\u202ad\u202be", "abcde"),
        ("Ada\x01\x1b[31m\x7f", "Ada[31m"),
        ("\u200bAda Lovelace\ufeff", "Ada Lovelace"),
        ("李白 👩\u200d🎨", "李白 👩\u200d🎨"),  # other text stays as typed
    ],
)
def test_a_display_name_keeps_no_controls(client, user, typed, stored):
    client.force_login(user)
    response = client.post(URL, {"username": user.username, "name": typed})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == stored


@pytest.mark.parametrize("typed", ["\u202e", "\u200b\u200d", "\x01\x02", "\u2066 \u2069"])
def test_a_display_name_of_invisible_characters_alone_is_refused(client, user, typed):
    client.force_login(user)
    response = client.post(URL, {"username": user.username, "name": typed})
    assert response.status_code == 200
    assert "at least one visible character" in response.content.decode()
    user.refresh_from_db()
    assert user.name != typed
    # Blank stays allowed: the username stands in for the name.
    assert client.post(URL, {"username": user.username, "name": "  "}).status_code == 302
    user.refresh_from_db()
    assert user.name == "" and user.display_name == user.username


def test_the_profile_service_cleans_the_name_for_every_caller(user):
    user_update_profile(user=user, username=user.username, name="\u202eReversed\x00")
    user.refresh_from_db()
    assert user.name == "Reversed"
    with pytest.raises(ValidationError) as refused:
        user_update_profile(user=user, username=user.username, name="\u2067\u200b")
    assert "name" in refused.value.message_dict


def test_saving_the_profile_writes_only_what_the_form_changes(user, staff_user):
    """The member's row as the request read it was saved whole: a suspension, a new follower
    or a password change that landed while the profile was being saved (an avatar takes a
    moment to render) was undone — the member active again, the count one too low."""
    from accounts.services import user_suspend

    as_read = User.objects.get(pk=user.pk)  # request.user, read as the request began
    user_suspend(user=User.objects.get(pk=user.pk), actor=staff_user, reason="spam")
    User.objects.filter(pk=user.pk).update(follower_count=7)
    user_update_profile(user=as_read, username="renamed", name="New Name", noai=True)
    saved = User.objects.get(pk=user.pk)
    assert (saved.username, saved.name, saved.noai) == ("renamed", "New Name", True)
    assert not saved.is_active
    assert saved.follower_count == 7


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("ab", "3–30 characters"),
        ("has space", "3–30 characters"),
        ("ünïcode", "3–30 characters"),
        ("x" * 31, "3–30"),
        ("admin", "reserved"),
        ("TAKEN", "taken"),
    ],
)
def test_bad_usernames_are_refused_with_a_message(client, user, username, error):
    UserFactory(username="taken")
    original = user.username
    client.force_login(user)
    response = client.post(URL, {"username": username, "name": "x"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    user.refresh_from_db()
    assert user.username == original
    assert user.name != "x"


def test_changing_only_the_case_of_your_own_username_is_allowed(client, user):
    original = user.username
    client.force_login(user)
    response = client.post(URL, {"username": original.upper(), "name": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.username == original.upper() != original


def test_avatar_is_reencoded_to_webp_without_exif(client, user, stored_files):
    client.force_login(user)
    response = client.post(
        URL, {"username": user.username, "name": "n", "avatar": upload(jpeg_with_exif())}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    name = user.profile_pic.name
    assert name.startswith("users/avatars/") and name.endswith(".webp")
    assert "me" not in name.rsplit("/", 1)[1]  # never the uploader's filename
    assert stored_files() == [name]
    with user.profile_pic.open("rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert image.size == (256, 256)
    assert not image.getexif()
    assert b"SecretCamera" not in data


def test_a_phone_jpeg_carrying_a_second_picture_is_taken_as_its_photo(client, user, stored_files):
    # Phones write a gain map or a depth map after the photo (MPO); Pillow names it "MPO".
    buf = io.BytesIO()
    photo, after = Image.new("RGB", (300, 300), (200, 0, 0)), Image.new("RGB", (300, 300), "blue")
    photo.save(buf, "MPO", save_all=True, append_images=[after])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    client.force_login(user)
    response = client.post(URL, {"username": user.username, "avatar": upload(buf.getvalue())})
    assert response.status_code == 302, response.content.decode()
    user.refresh_from_db()
    with user.profile_pic.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
    red, _green, blue = image.convert("RGB").getpixel((128, 128))
    assert red > 150 and blue < 60  # the photo, not the picture after it


def test_replacing_and_removing_the_avatar_deletes_old_files(
    client, user, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"username": user.username, "avatar": upload(tiny_jpeg())})
    first = User.objects.get(pk=user.pk).profile_pic.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"username": user.username, "avatar": upload(jpeg_with_exif())})
    second = User.objects.get(pk=user.pk).profile_pic.name
    assert second != first
    assert stored_files() == [second]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"username": user.username, "remove_avatar": "on"})
    assert not User.objects.get(pk=user.pk).profile_pic
    assert stored_files() == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<?php echo 'hi'; ?>", "shell.jpg"),
        (b"GIF89a" + b"\x00" * 20, "broken.gif"),
        (b"%PDF-1.4 not an image", "doc.png"),
    ],
)
def test_files_that_are_not_images_are_refused(client, user, stored_files, data, name):
    client.force_login(user)
    response = client.post(URL, {"username": user.username, "avatar": upload(data, name)})
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    assert stored_files() == []
    user.refresh_from_db()
    assert not user.profile_pic


def test_oversized_avatars_are_refused(client, user, settings, stored_files):
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(user)
    response = client.post(
        URL, {"username": user.username, "avatar": upload(jpeg_with_exif((800, 800)))}
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert stored_files() == []


def test_images_with_too_many_pixels_are_refused(client, user, settings, stored_files):
    settings.UPLOAD_MAX_PIXELS = 100 * 100
    client.force_login(user)
    response = client.post(
        URL, {"username": user.username, "avatar": upload(jpeg_with_exif((200, 200)))}
    )
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode()
    assert stored_files() == []


def test_a_post_cannot_change_someone_else(client, user, other_user):
    """There is no user id in the URL or the form; extra fields naming another user are
    ignored and only the signed-in member changes."""
    before = (other_user.username, other_user.name, other_user.email)
    client.force_login(user)
    response = client.post(
        URL,
        {
            "id": other_user.pk,
            "pk": other_user.pk,
            "user": other_user.pk,
            "user_id": other_user.pk,
            "email": "hijack@example.com",
            "username": "hijacked",
            "name": "Hijacked",
        },
    )
    assert response.status_code == 302
    other_user.refresh_from_db()
    assert (other_user.username, other_user.name, other_user.email) == before
    user.refresh_from_db()
    assert user.username == "hijacked"
    assert user.email != "hijack@example.com"  # email changes go through allauth's flow


def test_the_settings_form_needs_csrf(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(URL, {"username": "sneaky", "name": "x"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.username != "sneaky"


def test_new_pictures_are_rate_limited_per_member(client, user, settings, stored_files):
    """Each picture sent is decoded (up to UPLOAD_MAX_PIXELS: over a second of a worker for a
    100 KB PNG), so each counts, refused ones too, as an artwork's upload does; the rest of the
    profile stays editable."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "avatar": (2, 3600)}
    client.force_login(user)
    not_an_image = upload(b"not an image", name="x.png", content_type="image/png")
    assert client.post(URL, {"username": user.username, "avatar": not_an_image}).status_code == 200
    assert (
        client.post(URL, {"username": user.username, "avatar": upload(tiny_jpeg())}).status_code
        == 302
    )
    user.refresh_from_db()
    kept = user.profile_pic.name
    response = client.post(
        URL, {"username": user.username, "name": "New", "avatar": upload(tiny_jpeg())}
    )
    assert response.status_code == 429
    assert "Too many new pictures in a short time; try again later." in response.content.decode()
    user.refresh_from_db()
    assert user.profile_pic.name == kept and user.name != "New"  # nothing saved
    assert client.post(URL, {"username": user.username, "name": "New"}).status_code == 302
    user.refresh_from_db()
    assert user.name == "New" and user.profile_pic.name == kept
    other = Client()
    other.force_login(UserFactory())  # another member has their own count
    assert (
        other.post(URL, {"username": "someone", "avatar": upload(tiny_jpeg())}).status_code == 302
    )
