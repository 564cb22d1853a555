"""`manage.py artwork_hide`: the admin's Hide action from a shell (logged, announced)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import StaffAction
from artworks.models import Artwork
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def test_hides_and_logs_who_and_why(client, django_capture_on_commit_callbacks):
    boss = UserFactory(is_staff=True, is_superuser=True)
    artwork = PublishedArtworkFactory()
    assert client.get(artwork.get_absolute_url()).status_code == 200  # now in the cache
    with django_capture_on_commit_callbacks(execute=True):
        call_command("artwork_hide", str(artwork.pk), "--reason", "takedown request")
    artwork.refresh_from_db()
    assert artwork.moderation == Artwork.Moderation.HIDDEN
    log = StaffAction.objects.get(target_id=artwork.pk)
    assert (log.actor, log.reason) == (boss, "takedown request")
    assert client.get(artwork.get_absolute_url()).status_code == 404


def test_names_the_given_staff_member_and_refuses_a_member():
    UserFactory(is_staff=True, is_superuser=True)
    moderator = make_moderator(username="mod")
    UserFactory(username="plain")
    artwork = PublishedArtworkFactory()
    with pytest.raises(CommandError):
        call_command("artwork_hide", str(artwork.pk), "--actor", "plain")
    call_command("artwork_hide", str(artwork.pk), "--actor", "mod")
    assert StaffAction.objects.get(target_id=artwork.pk).actor == moderator


def test_an_unknown_artwork_or_no_superuser_is_an_error():
    with pytest.raises(CommandError, match="No artwork 999999"):
        call_command("artwork_hide", "999999")
    artwork = PublishedArtworkFactory()
    with pytest.raises(CommandError, match="pass --actor"):
        call_command("artwork_hide", str(artwork.pk))
