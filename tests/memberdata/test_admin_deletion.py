"""A member deleted from their admin page: the same deletion as the member's own request
(no row, no file, others' counts exact, every session ended), logged in the staff log, and
only for whom `accounts.selectors.can_delete_user` allows."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts import tokens
from accounts.models import StaffAction, User
from artworks.models import Artwork
from artworks.signals import ArtworkEvent, artwork_changed
from social.models import Collection
from tests.factories import UserFactory, make_moderator

from .conftest import PASSWORD
from .test_deletion import counts, member_files, member_rows

pytestmark = pytest.mark.django_db


def delete_url(user: User) -> str:
    return reverse("admin:accounts_user_delete", args=[user.pk])


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_superuser_deletes_a_member_with_everything_of_theirs(
    world, superuser_client, django_capture_on_commit_callbacks
):
    member_id = world.member.pk
    files = member_files(world)
    assert len(files) >= 4 and all(default_storage.exists(n) for n in files)
    browser = Client()
    assert browser.post("/login", {"login": "leaver", "password": PASSWORD}).status_code == 302
    pair = tokens.token_pair_issue(user=world.member)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {pair.access_token}"}

    page = superuser_client.get(delete_url(world.member)).content.decode()
    assert "doesn’t have permission" not in page and "doesn't have permission" not in page
    announced = []

    def listen(sender, **kwargs):
        announced.append((kwargs["event"], kwargs["artwork_id"]))

    artwork_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = superuser_client.post(delete_url(world.member), {"post": "yes"}, follow=True)
    finally:
        artwork_changed.disconnect(listen)
    assert response.status_code == 200
    assert not User.objects.filter(pk=member_id).exists()
    assert member_rows(member_id) == {}
    assert not [n for n in files if default_storage.exists(n)]
    # Others' counts follow, as when the member deletes their own account.
    assert counts(world.others_art, world.others_second) == [(1, 1, 1, 1), (1, 1, 0, 0)]
    world.other.refresh_from_db()
    world.others_art.refresh_from_db()
    assert (world.other.follower_count, world.others_art.comment_count) == (0, 0)
    assert Artwork.objects.get(title="Remix").remix_of_id is None
    assert not Collection.objects.filter(pk=world.collection.pk).exists()
    for artwork in (world.published, world.draft, world.hidden):
        assert (ArtworkEvent.DELETED, artwork.pk) in announced
    # Signed out everywhere.
    assert browser.get("/settings/export").status_code == 302
    assert Client().get("/api/auth/me", **bearer).status_code == 401
    assert tokens.token_pair_refresh(refresh_token=pair.refresh_token) is None
    # Who did it: the staff log and the admin's own history.
    entry = StaffAction.objects.get(action=StaffAction.Action.USER_DELETE)
    assert (entry.actor_username, entry.target_id) == ("root", member_id)
    assert entry.target_repr == "leaver"
    assert LogEntry.objects.filter(object_id=str(member_id), action_flag=DELETION).exists()
    log = superuser_client.get(reverse("admin:accounts_staffaction_changelist")).content.decode()
    assert "leaver" in log


def test_only_a_superuser_deletes_staff_and_nobody_deletes_themselves(client):
    deleter = make_moderator(extra_perms=("accounts.delete_user",))
    other_staff = UserFactory(is_staff=True)
    member = UserFactory()
    client.force_login(deleter)
    for target in (other_staff, deleter):
        assert client.get(delete_url(target)).status_code == 403
        assert client.post(delete_url(target), {"post": "yes"}).status_code == 403
        assert User.objects.get(pk=target.pk).is_active
    assert client.get(delete_url(member)).status_code == 200
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(delete_url(other_staff)).status_code == 200
    assert client.post(delete_url(superuser), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=superuser.pk).exists()


def test_a_moderator_cannot_delete_members(client):
    moderator = make_moderator()
    member = UserFactory()
    client.force_login(moderator)
    assert client.post(delete_url(member), {"post": "yes"}).status_code == 403
    assert User.objects.get(pk=member.pk).is_active
    assert not StaffAction.objects.exists()


def test_a_member_who_asked_to_leave_cannot_be_restored(world, client):
    # Their account is inactive, as a suspended one is, until the deletion has run: lifting
    # a "suspension" would bring back the work of someone who asked to leave.
    from memberdata import services
    from tests.moderation.test_admin import USERS, act, message_texts

    services.account_deletion_request(user=world.member, confirmation=PASSWORD)  # not run yet
    moderator = make_moderator()
    client.force_login(moderator)
    response = act(client, USERS, "restore", [world.member])
    assert "being deleted at its member's request" in " ".join(message_texts(response))
    assert not User.objects.get(pk=world.member.pk).is_active
    assert not StaffAction.objects.filter(action="user_restore").exists()
