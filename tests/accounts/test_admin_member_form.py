"""The admin's member form keeps the rules the settings page keeps: a username nobody may
take is refused, one taken in another letter case is refused with the site's words; an
address typed by staff is the member's primary, confirmed one."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password


def change(client, member: User, **fields):
    data = {"username": member.username, "name": member.name, "email": member.email}
    data.update(fields)
    return client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("username", ["settings", "Admin", "FEED", "api"])
def test_a_reserved_username_is_refused(superuser_client, username):
    member = UserFactory(username="member")
    response = change(superuser_client, member, username=username)
    assert response.status_code == 200
    assert "That username is reserved." in response.content.decode()
    member.refresh_from_db()
    assert member.username == "member"


def test_a_username_taken_in_another_case_is_refused_in_the_sites_words(superuser_client):
    member = UserFactory(username="member")
    UserFactory(username="taken_name")
    response = change(superuser_client, member, username="TAKEN_Name")
    page = response.content.decode()
    assert response.status_code == 200
    assert "That username is taken." in page
    assert "users_username_ci_unique" not in page


def test_the_members_own_name_in_another_case_is_theirs_to_keep(superuser_client):
    member = UserFactory(username="member")
    assert change(superuser_client, member, username="Member").status_code == 302
    member.refresh_from_db()
    assert member.username == "Member"


def test_a_new_account_added_in_the_admin_may_not_take_a_reserved_name(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "Settings",
            "email": "new@example.com",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "That username is reserved." in response.content.decode()
    assert not User.objects.filter(username__iexact="settings").exists()


def addresses(member: User) -> list[tuple[str, bool, bool]]:
    rows = EmailAddress.objects.filter(user=member).order_by("email")
    return list(rows.values_list("email", "verified", "primary"))


def sign_in_goes_to(login: str) -> str:
    response = Client().post("/login", {"login": login, "password": PASSWORD})
    return response.get("Location", "") if response.status_code == 302 else ""


def test_an_address_set_in_the_admin_replaces_the_primary_one(superuser_client):
    # Staff vouch for the address they type, as an operator does: it signs the member in at
    # once, and the address it replaces no longer does (another address of theirs stays).
    member = UserFactory(username="member", email="old@example.com")
    EmailAddress.objects.create(user=member, email="second@example.com", verified=True)
    assert sign_in_goes_to("old@example.com") == "/feed"
    assert change(superuser_client, member, email="new@example.com").status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.com"
    assert set(addresses(member)) == {
        ("new@example.com", True, True),
        ("second@example.com", True, False),
    }
    assert sign_in_goes_to("new@example.com") == "/feed"
    assert sign_in_goes_to("old@example.com") == ""
    assert sign_in_goes_to("second@example.com") == "/feed"


def test_other_changes_leave_the_addresses_alone(superuser_client):
    member = UserFactory(username="member", email="old@example.com")
    before = addresses(member)
    assert change(superuser_client, member, name="New name").status_code == 302
    after = addresses(member)
    assert after == before == [("old@example.com", True, True)]


def test_an_account_added_in_the_admin_signs_in_with_its_address(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert sign_in_goes_to("newcomer@example.com") == "/feed"


def jpeg_with_camera_data(width: int, height: int) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # the camera's maker
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_a_picture_set_in_the_admin_is_stored_as_the_settings_page_stores_it(
    superuser_client, settings, django_capture_on_commit_callbacks
):
    # Square WebP of AVATAR_SIZE without metadata (a photo's camera or place stays private),
    # and the picture it replaces leaves storage, as on /settings/profile.
    member = UserFactory(username="member")
    member.profile_pic.save("old.webp", ContentFile(b"old picture"), save=True)
    old = member.profile_pic.name
    upload = SimpleUploadedFile("my home.jpg", jpeg_with_camera_data(1200, 800), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert change(superuser_client, member, profile_pic=upload).status_code == 302
    member.refresh_from_db()
    assert member.profile_pic.name.endswith(".webp") and "home" not in member.profile_pic.name
    with default_storage.open(member.profile_pic.name) as stored:
        picture = Image.open(io.BytesIO(stored.read()))
    assert picture.format == "WEBP"
    assert picture.size == (settings.AVATAR_SIZE, settings.AVATAR_SIZE)
    assert not dict(picture.getexif())
    assert not default_storage.exists(old)

    # Cleared: the file goes too.
    current = member.profile_pic.name
    with django_capture_on_commit_callbacks(execute=True):
        assert change(superuser_client, member, **{"profile_pic-clear": "on"}).status_code == 302
    member.refresh_from_db()
    assert not member.profile_pic and not default_storage.exists(current)


def test_a_picture_too_large_for_the_settings_page_is_refused_in_the_admin(
    superuser_client, settings
):
    settings.AVATAR_MAX_BYTES = 1000
    member = UserFactory(username="member")
    upload = SimpleUploadedFile("big.jpg", jpeg_with_camera_data(600, 600), "image/jpeg")
    response = change(superuser_client, member, profile_pic=upload)
    assert response.status_code == 200
    assert "The image is too large" in response.content.decode()
    member.refresh_from_db()
    assert not member.profile_pic
