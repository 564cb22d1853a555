"""The admin's member form keeps the rules the settings page keeps: a username nobody may
take is refused, one taken in another letter case is refused with the site's words; an
address typed by staff is the member's primary, confirmed one."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

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
