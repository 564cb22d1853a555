"""/settings/delete: confirmed with the password (or, for a member who signed up with Google
alone, their username), the account is deactivated and signed out at once, then deleted in the
background with everything of theirs: no row in any table, no file in storage (local and S3),
others' like and favorite counts still exact, the username and email free again."""

from __future__ import annotations

import boto3
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db.models import ForeignKey, OneToOneField
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from accounts import tokens
from accounts.models import User
from artworks.models import Artwork, Favorite, Like
from artworks.signals import ArtworkEvent, artwork_changed
from memberdata import services
from memberdata.models import AccountDeletion, DataExport
from social.models import Collection
from tests.factories import UserFactory, make_moderator
from tests.s3_bucket import BUCKET

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def member_rows(user_id: int) -> dict[str, int]:
    """Rows that point at the member, in every table with a foreign key to users."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, ForeignKey | OneToOneField)
                and field.concrete
                and field.related_model is get_user_model()
            ):
                count = model._base_manager.filter(**{field.name: user_id}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def member_files(world) -> list[str]:
    artworks = Artwork.objects.filter(user=world.member)
    names = [world.member.profile_pic.name]
    for artwork in artworks:
        names.append(artwork.original.name)
        names += [t["name"] for t in artwork.thumbnails]
        names.append(artwork.poster)
    names += list(DataExport.objects.filter(user=world.member).values_list("file", flat=True))
    return [n for n in names if n]


def counts(*artworks: Artwork) -> list[tuple[int, int, int, int]]:
    """(likes, favorites) stored on each artwork, and the rows that back them."""
    out = []
    for artwork in artworks:
        artwork.refresh_from_db()
        out.append(
            (
                artwork.like_count,
                Like.objects.filter(artwork=artwork).count(),
                artwork.favorite_count,
                Favorite.objects.filter(artwork=artwork).count(),
            )
        )
    return out


def delete_through_page(client: Client, capture, confirmation: str = PASSWORD):
    with capture(execute=True):
        return client.post("/settings/delete", {"confirmation": confirmation})


def with_an_export(world, client, capture) -> DataExport:
    with capture(execute=True):
        client.post("/settings/export")
    export = DataExport.objects.get(user=world.member)
    assert default_storage.exists(export.file)
    return export


def test_deletion_leaves_no_row_no_file_and_exact_counts(
    world, client, django_capture_on_commit_callbacks
):
    member_id = world.member.pk
    assert member_rows(member_id)  # the check sees them while they are there
    client.force_login(world.member)
    export = with_an_export(world, client, django_capture_on_commit_callbacks)
    files = member_files(world)
    assert len(files) >= 5 and all(default_storage.exists(n) for n in files)
    assert counts(world.others_art, world.others_second) == [(2, 2, 2, 2), (2, 2, 0, 0)]
    announced = []

    def listen(sender, **kwargs):
        announced.append((kwargs["event"], kwargs["artwork_id"], kwargs["user_id"]))

    artwork_changed.connect(listen)
    try:
        response = delete_through_page(client, django_capture_on_commit_callbacks)
    finally:
        artwork_changed.disconnect(listen)
    assert response.status_code == 302 and response["Location"] == "/settings/delete/done"
    assert not User.objects.filter(pk=member_id).exists()
    assert member_rows(member_id) == {}
    assert not [n for n in [*files, export.file] if default_storage.exists(n)]
    # Others' counts: one like and one favorite fewer, as their rows say.
    assert counts(world.others_art, world.others_second) == [(1, 1, 1, 1), (1, 1, 0, 0)]
    # Announced as unlikes, unfavorites and deletions are, so the feed keeps Redis in step.
    assert (ArtworkEvent.UNLIKED, world.others_art.pk, member_id) in announced
    assert (ArtworkEvent.UNLIKED, world.others_second.pk, member_id) in announced
    assert (ArtworkEvent.UNFAVORITED, world.others_art.pk, member_id) in announced
    for artwork in (world.published, world.draft, world.hidden):
        assert (ArtworkEvent.DELETED, artwork.pk, member_id) in announced
    # Others keep what is theirs: the remix (its parent gone), their comment on their art.
    remix = Artwork.objects.get(title="Remix")
    assert remix.remix_of_id is None
    world.other.refresh_from_db()
    assert world.other.follower_count == 0
    world.others_art.refresh_from_db()
    assert world.others_art.comment_count == 0  # the member's comment and its reply went
    assert not Collection.objects.filter(pk=world.collection.pk).exists()
    # The confirmation page, signed out.
    page = client.get("/settings/delete/done")
    assert page.status_code == 200
    assert "Your account is being deleted" in page.content.decode()
    assert client.get("/settings/export").status_code == 302


def test_username_and_email_are_free_again(world, client, django_capture_on_commit_callbacks):
    email = world.member.email
    client.force_login(world.member)
    delete_through_page(client, django_capture_on_commit_callbacks)
    newcomer = UserFactory(username="leaver", email=email)
    assert newcomer.pk != world.member.pk
    # And through the sign-up form's own check.
    from accounts.services import username_suggest

    assert username_suggest(name="someone else") == "someone-else"


def test_wrong_password_is_refused_and_nothing_changes(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    before = member_rows(world.member.pk)
    response = delete_through_page(client, django_capture_on_commit_callbacks, "wrong password")
    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.is_active and world.member.check_password(PASSWORD)
    assert not AccountDeletion.objects.exists()
    assert member_rows(world.member.pk) == before
    assert client.get("/settings/export").status_code == 200  # still signed in
    response = delete_through_page(client, django_capture_on_commit_callbacks, "")
    assert response.status_code == 400
    assert "Type your password to confirm." in response.content.decode()
    # In the reader's language.
    response = client.post(
        "/settings/delete", {"confirmation": "nope"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    with translation.override("zh-hans"):
        expected = gettext("That is not your password. Nothing was deleted.")
    assert response.status_code == 400 and expected in response.content.decode()
    assert User.objects.get(pk=world.member.pk).is_active


def test_google_member_without_password_confirms_with_username(
    world, client, django_capture_on_commit_callbacks
):
    world.member.set_unusable_password()
    world.member.save()
    client.force_login(world.member)
    page = client.get("/settings/delete").content.decode()
    assert "You signed up with Google" in page
    assert 'type="password"' not in page
    response = delete_through_page(client, django_capture_on_commit_callbacks, "someone")
    assert response.status_code == 400
    assert "That is not your username." in response.content.decode()
    assert User.objects.get(pk=world.member.pk).is_active
    response = delete_through_page(client, django_capture_on_commit_callbacks, "LEAVER")
    assert response.status_code == 302
    assert not User.objects.filter(pk=world.member.pk).exists()


def test_every_session_and_token_ends(world, django_capture_on_commit_callbacks):
    browser, other_browser = Client(), Client()
    for c in (browser, other_browser):
        assert c.post("/login", {"login": "leaver", "password": PASSWORD}).status_code == 302
        assert c.get("/settings/export").status_code == 200
    pair = tokens.token_pair_issue(user=world.member)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {pair.access_token}"}
    assert Client().get("/api/auth/me", **bearer).status_code == 200
    sessions_before = Session.objects.count()
    assert sessions_before >= 3

    # Asked for, not yet run: the account is already unusable everywhere.
    browser.post("/settings/delete", {"confirmation": PASSWORD})
    assert other_browser.get("/settings/export").status_code == 302
    assert Client().get("/api/auth/me", **bearer).status_code == 401
    assert tokens.token_pair_refresh(refresh_token=pair.refresh_token) is None
    assert Client().post("/login", {"login": "leaver", "password": PASSWORD}).status_code != 302

    with django_capture_on_commit_callbacks(execute=True):
        assert services.account_delete(user_id=world.member.pk)
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(world.member.pk) not in remaining
    assert Client().get("/api/auth/me", **bearer).status_code == 401


def test_deletion_is_idempotent_and_beat_resumes_a_lost_one(
    world, client, settings, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    client.post("/settings/delete", {"confirmation": PASSWORD})  # the task never ran
    assert AccountDeletion.objects.filter(user=world.member).exists()
    assert not User.objects.get(pk=world.member.pk).is_active
    settings.ACCOUNT_DELETION_RETRY_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.account_deletions_resume() == 1
    assert not User.objects.filter(pk=world.member.pk).exists()
    assert services.account_delete(user_id=world.member.pk) is False
    assert services.account_deletions_resume() == 0


def test_a_suspended_member_is_not_deleted_by_beat(world, settings):
    # Only members who asked: a deactivated account without a pending deletion stays.
    User.objects.filter(pk=world.member.pk).update(is_active=False)
    settings.ACCOUNT_DELETION_RETRY_MINUTES = 0
    assert services.account_deletions_resume() == 0
    assert services.account_delete(user_id=world.member.pk) is False
    assert User.objects.filter(pk=world.member.pk).exists()


def test_hostile_callers_delete_nothing(world, django_capture_on_commit_callbacks):
    anonymous = Client()
    response = anonymous.post("/settings/delete", {"confirmation": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login")
    # Another member, or staff, typing the member's password deletes only their own account
    # if it is theirs: here it is not, so nothing happens to anyone.
    for intruder in (
        UserFactory(),
        make_moderator(),
        UserFactory(is_superuser=True, is_staff=True),
    ):
        c = Client()
        c.force_login(intruder)
        with django_capture_on_commit_callbacks(execute=True):
            response = c.post("/settings/delete", {"confirmation": "not-theirs"})
        assert response.status_code == 400
        assert User.objects.get(pk=intruder.pk).is_active
    assert User.objects.get(pk=world.member.pk).is_active
    assert not AccountDeletion.objects.exists()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.member)
    assert csrf_client.post("/settings/delete", {"confirmation": PASSWORD}).status_code == 403
    assert User.objects.get(pk=world.member.pk).is_active


def test_deletion_in_the_bucket_leaves_no_object(
    bucket, s3_server, world, client, settings, django_capture_on_commit_callbacks
):
    from artworks import services as artwork_services
    from tests.factories import PublishedArtworkFactory

    # Everything in the bucket (the world was built after it): an avatar, artworks, one with
    # thumbnails, an export.
    member = User.objects.get(pk=world.member.pk)
    assert member.profile_pic.name in bucket()
    own = PublishedArtworkFactory(user=member)
    artwork_services.artwork_make_thumbnails(artwork_id=own.pk)
    others = PublishedArtworkFactory(user=world.other)
    artwork_services.artwork_like(artwork_id=others.pk, user=member)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/export")
    export = DataExport.objects.get(user=member)
    keys = bucket()
    assert export.file in keys and member.profile_pic.name in keys
    # The export is as private as the bucket: no grant to anyone but its owner.
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    grants = s3.get_object_acl(Bucket=BUCKET, Key=export.file)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
    own.refresh_from_db()
    assert own.thumbnails and all(t["name"] in keys for t in own.thumbnails)
    mine = set(member_files(world)) | {t["name"] for t in own.thumbnails}
    assert len(mine) >= 7 and mine <= set(keys)
    delete_through_page(client, django_capture_on_commit_callbacks)
    left = set(bucket())
    assert not (mine & left)
    theirs = Artwork.objects.exclude(user_id=member.pk).values_list("original", flat=True)
    assert left == set(theirs) | {"exports/old.zip"}
    others.refresh_from_db()
    assert others.like_count == 0
    assert member_rows(member.pk) == {}


def test_redis_follows_the_deletion(redis_index, world, client, django_capture_on_commit_callbacks):
    """The feed's index is kept in step through the announcements: the member's artworks
    leave hot_rank, the others' like counts drop, the member's favorites key goes."""
    from django.core.management import call_command

    from feed.selectors import user_favorites_page
    from tests.feed.redis_helpers import dump_index

    call_command("rebuild_redis")
    user_favorites_page(owner=world.member, viewer=world.member)  # fills the member's key
    before = dump_index(redis_index)
    assert world.published.pk in before["hot_rank"]
    assert before[f"artwork:{world.others_art.pk}:likes"] == 2
    assert before[f"user:{world.member.pk}:favorites"] == {world.others_art.pk}
    client.force_login(world.member)
    delete_through_page(client, django_capture_on_commit_callbacks)
    after = dump_index(redis_index)
    assert world.published.pk not in after["hot_rank"]
    assert after[f"artwork:{world.others_art.pk}:likes"] == 1
    assert after[f"artwork:{world.others_second.pk}:likes"] == 1
    assert f"user:{world.member.pk}:favorites" not in after
    assert not [k for k in after if k.startswith(f"user:{world.member.pk}:")]
    # What a rebuild from the database gives, for the keys a rebuild writes.
    call_command("rebuild_redis")
    rebuilt = dump_index(redis_index)
    assert after["hot_rank"] == rebuilt["hot_rank"]
    for key, value in rebuilt.items():
        if key.startswith("artwork:"):
            assert after.get(key) == value, key


def test_without_a_broker_the_deletion_runs_beside_the_request(
    world, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from memberdata.services import deletion

    settings.MEMBER_DATA_IN_BACKGROUND_THREAD = True
    started = []
    monkeypatch.setattr(deletion, "run_beside_requests", lambda work, what: started.append(work))
    client.force_login(world.member)
    assert delete_through_page(client, django_capture_on_commit_callbacks).status_code == 302
    assert User.objects.filter(pk=world.member.pk, is_active=False).exists()
    [work] = started
    with django_capture_on_commit_callbacks(execute=True):
        work()
    assert not User.objects.filter(pk=world.member.pk).exists()


def test_guessing_the_password_is_locked_out_like_sign_in(
    world, client, django_capture_on_commit_callbacks
):
    # Each confirmation checks the password: unlimited, the page would let whoever holds a
    # session guess it, past the sign-in lockout. Five wrong tries, then even the right one
    # waits.
    client.force_login(world.member)
    for n in range(5):
        response = delete_through_page(client, django_capture_on_commit_callbacks, f"guess {n}")
        assert response.status_code == 400
    response = delete_through_page(client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert User.objects.get(pk=world.member.pk).is_active
    assert not AccountDeletion.objects.exists()


def test_the_deleted_page_is_for_the_member_who_just_left(client, user):
    # Its header's "Log in" comes back to it: whoever signs in there must not be told that
    # their account is being deleted.
    assert "Your account is being deleted" in client.get("/settings/delete/done").content.decode()
    client.force_login(user)
    response = client.get("/settings/delete/done")
    assert response.status_code == 302 and response["Location"] == "/feed"
