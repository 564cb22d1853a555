"""Suspension: no sign-in through the real form, an open session stops working, the member's
artworks leave the public; restoring undoes it. Staff only, logged, announced after commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services, tokens
from accounts.models import StaffAction, User
from accounts.signals import UserEvent, user_moderated
from artworks.selectors import artworks_public
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password


@pytest.fixture
def events():
    seen: list[tuple[int, str]] = []

    def receiver(sender, user_id, event, **kwargs):
        seen.append((user_id, event))

    user_moderated.connect(receiver, weak=False)
    yield seen
    user_moderated.disconnect(receiver)


def sign_in(client, user) -> bool:
    client.post(reverse("login"), {"login": user.username, "password": PASSWORD})
    return client.session.get("_auth_user_id") == str(user.pk)


def test_suspend_is_logged_and_announced_after_commit(
    user, staff_user, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.user_suspend(user=user, actor=staff_user, reason="ban evasion")
        assert events == []
    assert User.objects.get(pk=user.pk).is_active is False
    entry = StaffAction.objects.get()
    assert (entry.action, entry.target_type, entry.target_id, entry.reason) == (
        "user_suspend",
        "user",
        user.pk,
        "ban evasion",
    )
    assert entry.actor == staff_user
    for callback in callbacks:
        callback()
    assert events == [(user.pk, UserEvent.SUSPENDED)]

    with django_capture_on_commit_callbacks(execute=True):
        services.user_restore(user=user, actor=staff_user)
    assert User.objects.get(pk=user.pk).is_active is True
    assert events[-1] == (user.pk, UserEvent.RESTORED)
    assert list(StaffAction.objects.order_by("id").values_list("action", flat=True)) == [
        "user_suspend",
        "user_restore",
    ]


def test_a_suspended_member_cannot_sign_in_through_the_login_form(client, user, staff_user):
    assert sign_in(client, user)  # the form works for an active member
    client.logout()
    services.user_suspend(user=user, actor=staff_user, reason="spam")
    assert not sign_in(client, user)
    client.logout()
    services.user_restore(user=user, actor=staff_user)
    assert sign_in(client, user)


def test_an_open_session_stops_working_when_suspended(client, user, staff_user):
    artwork = PublishedArtworkFactory()
    report_form = reverse("moderation:report", args=[artwork.pk])
    client.force_login(user)
    assert client.get(report_form).status_code == 200
    services.user_suspend(user=user, actor=staff_user, reason="spam")
    response = client.get(report_form)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_suspension_ends_every_sign_in_for_good(
    user, staff_user, django_capture_on_commit_callbacks
):
    # Browsers and API sign-ins alike are ended, not paused: lifting the suspension does not
    # bring back a session or a refresh token from before it (a stolen one, say).
    browser, other_browser = Client(), Client()
    for each in (browser, other_browser):
        assert sign_in(each, user)
    pair = tokens.token_pair_issue(user=user)
    bystander = UserFactory()
    bystanders_browser = Client()
    assert sign_in(bystanders_browser, bystander)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_suspend(user=user, actor=staff_user, reason="account taken over")
    assert tokens.token_pair_refresh(refresh_token=pair.refresh_token) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.user_restore(user=user, actor=staff_user)
    for each in (browser, other_browser):
        assert each.get(reverse("accounts:settings")).status_code == 302  # to sign in
    assert tokens.token_pair_refresh(refresh_token=pair.refresh_token) is None
    assert sign_in(Client(), user)  # signing in again works
    assert bystanders_browser.get(reverse("accounts:settings")).status_code == 200


def test_suspended_members_artworks_leave_the_public(user, staff_user):
    artwork = PublishedArtworkFactory(user=user)
    services.user_suspend(user=user, actor=staff_user, reason="spam")
    assert not artworks_public().filter(pk=artwork.pk).exists()
    services.user_restore(user=user, actor=staff_user)
    assert artworks_public().filter(pk=artwork.pk).exists()


def test_only_staff_may_suspend(user, other_user):
    with pytest.raises(PermissionDenied):
        services.user_suspend(user=other_user, actor=user, reason="I don't like them")
    assert User.objects.get(pk=other_user.pk).is_active
    with pytest.raises(PermissionDenied):
        services.user_restore(user=other_user, actor=user)
    assert StaffAction.objects.count() == 0


def test_staff_cannot_suspend_themselves_or_other_staff(staff_user):
    with pytest.raises(ValidationError):
        services.user_suspend(user=staff_user, actor=staff_user, reason="oops")
    colleague = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.user_suspend(user=colleague, actor=staff_user, reason="coup")
    assert User.objects.get(pk=colleague.pk).is_active
    superuser = UserFactory(is_staff=True, is_superuser=True)
    services.user_suspend(user=colleague, actor=superuser, reason="left the team")
    assert not User.objects.get(pk=colleague.pk).is_active


def test_a_moderator_cannot_lift_a_superusers_suspension_of_a_staff_account(staff_user):
    # Restoring takes the same power as suspending (finding: user_restore lacked the check).
    colleague = UserFactory(is_staff=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    services.user_suspend(user=colleague, actor=superuser, reason="left the team")
    with pytest.raises(PermissionDenied):
        services.user_restore(user=colleague, actor=staff_user)
    assert not User.objects.get(pk=colleague.pk).is_active
    services.user_restore(user=colleague, actor=superuser)
    assert User.objects.get(pk=colleague.pk).is_active


def test_staff_without_the_suspend_permission_can_neither_suspend_nor_restore(user):
    plain_staff = UserFactory(is_staff=True)  # is_staff alone grants nothing
    with pytest.raises(PermissionDenied):
        services.user_suspend(user=user, actor=plain_staff, reason="no power")
    assert User.objects.get(pk=user.pk).is_active
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        services.user_restore(user=user, actor=plain_staff)
    assert not User.objects.get(pk=user.pk).is_active
