"""The admin's member form keeps the rules the settings page keeps: a username nobody may
take is refused, one taken in another letter case is refused with the site's words."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
