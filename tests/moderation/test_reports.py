"""Members report artworks; staff resolve the reports."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import StaffAction
from artworks.models import Artwork
from moderation import services
from moderation.models import Report
from tests.factories import ArtworkFactory, PublishedArtworkFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def report_url(artwork) -> str:
    return reverse("moderation:report", args=[artwork.pk])


# --- the service ----------------------------------------------------------------------------


def test_one_open_report_per_member_per_artwork(user):
    artwork = PublishedArtworkFactory()
    services.report_create(reporter=user, artwork=artwork, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(reporter=user, artwork=artwork, reason="violence")
    # The database holds the rule too (two requests racing past the check).
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(reporter=user, artwork=artwork, reason="sexual")
    # Another member may report it; and once handled, the same member may report again.
    services.report_create(reporter=UserFactory(), artwork=artwork, reason="spam")
    Report.objects.filter(reporter=user).update(status="dismissed", resolved_at=artwork.created_at)
    services.report_create(reporter=user, artwork=artwork, reason="copyright", details="mine")
    assert Report.objects.filter(artwork=artwork).count() == 3


def test_reporting_an_artwork_the_member_cannot_see_is_a_not_found(user):
    hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    foreign_draft = ArtworkFactory()
    for artwork in (hidden, foreign_draft):
        with pytest.raises(Artwork.DoesNotExist):
            services.report_create(reporter=user, artwork=artwork, reason="spam")
    assert Report.objects.count() == 0


def test_members_cannot_report_their_own_artwork(user):
    artwork = PublishedArtworkFactory(user=user)
    with pytest.raises(ValidationError, match="own artwork"):
        services.report_create(reporter=user, artwork=artwork, reason="spam")


def test_other_needs_details_and_reasons_come_from_the_list(user):
    artwork = PublishedArtworkFactory()
    with pytest.raises(ValidationError) as exc:
        services.report_create(reporter=user, artwork=artwork, reason="other", details="  ")
    assert "details" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.report_create(reporter=user, artwork=artwork, reason="i-dont-like-it")
    assert Report.objects.count() == 0


def test_details_and_staff_notes_are_stored_without_control_characters(
    user, staff_user, django_capture_on_commit_callbacks
):
    # As every stored text (common.text.text_clean): they are shown in the admin, and a
    # staff note reaches the author's notifications.
    from notifications.models import Notification

    artwork = PublishedArtworkFactory()
    report = services.report_create(
        reporter=user, artwork=artwork, reason="other", details="\x07Looks\x1b copied\x08"
    )
    assert report.details == "Looks copied"
    with pytest.raises(ValidationError):  # nothing but control characters is no detail
        services.report_create(
            reporter=UserFactory(), artwork=artwork, reason="other", details="\x07\x08"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(
            report=report, actor=staff_user, action="hide_artwork", note="seen\x07 elsewhere"
        )
    report.refresh_from_db()
    assert report.resolution_note == "seen elsewhere"
    assert "\x07" not in StaffAction.objects.get(action="artwork_hide").reason
    assert "\x07" not in Notification.objects.get(kind="hidden").reason


def test_reports_are_rate_limited(user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (2, 3600)}
    artworks = PublishedArtworkFactory.create_batch(3)
    services.report_create(reporter=user, artwork=artworks[0], reason="spam")
    services.report_create(reporter=user, artwork=artworks[1], reason="spam")
    with pytest.raises(services.ReportRateLimited):
        services.report_create(reporter=user, artwork=artworks[2], reason="spam")
    assert Report.objects.count() == 2


def test_resolving_by_hiding_records_who_when_and_what(
    staff_user, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    first, second = ReportFactory.create_batch(2, artwork=artwork)
    elsewhere = ReportFactory()
    with django_capture_on_commit_callbacks(execute=True):
        resolved = services.report_resolve(
            report=first, actor=staff_user, action="hide_artwork", note="clear spam"
        )
    assert resolved.status == Report.Status.RESOLVED
    assert resolved.resolved_by == staff_user
    assert resolved.resolved_at is not None
    assert (resolved.resolution, resolved.resolution_note) == ("hide_artwork", "clear spam")
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.HIDDEN
    # Every open report on that artwork is answered; others are untouched.
    second.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (second.status, second.resolved_by) == (Report.Status.RESOLVED, staff_user)
    assert elsewhere.status == Report.Status.OPEN
    actions = sorted(StaffAction.objects.values_list("action", "target_type"))
    assert actions == [
        ("artwork_hide", "artwork"),
        ("report_resolve", "report"),
        ("report_resolve", "report"),
    ]
    with pytest.raises(ValidationError, match="already been handled"):
        services.report_resolve(report=first, actor=staff_user, action="dismiss")


def test_dismissing_closes_only_that_report(staff_user):
    artwork = PublishedArtworkFactory()
    first, second = ReportFactory.create_batch(2, artwork=artwork)
    services.report_resolve(report=first, actor=staff_user, action="dismiss")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.resolution) == (Report.Status.DISMISSED, "dismiss")
    assert second.status == Report.Status.OPEN
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.VISIBLE
    assert StaffAction.objects.get().action == "report_dismiss"


def test_resolving_by_suspending_the_author(staff_user):
    report = ReportFactory()
    services.report_resolve(report=report, actor=staff_user, action="suspend_author")
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert report.artwork.user.is_active is False


def test_only_staff_resolve(user):
    report = ReportFactory()
    with pytest.raises(Exception) as exc:
        services.report_resolve(report=report, actor=user, action="dismiss")
    assert exc.type.__name__ == "PermissionDenied"
    assert Report.objects.get(pk=report.pk).status == Report.Status.OPEN


# --- the page -------------------------------------------------------------------------------


def test_the_form_lists_every_reason_as_labelled_radio_buttons(client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    response = client.get(report_url(artwork))
    assert response.status_code == 200
    html = response.content.decode()
    for value, label in Report.Reason.choices:
        assert f'value="{value}"' in html
        assert str(label) in html
    assert html.count('type="radio"') == len(Report.Reason.choices)
    assert "<legend>" in html
    assert "csrfmiddlewaretoken" in html
    assert f"<title>Report “{artwork.title}” · " in html  # it was "Report “…”· "


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    artwork = PublishedArtworkFactory()
    for response in (client.get(report_url(artwork)), client.post(report_url(artwork))):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={report_url(artwork)}"
    assert Report.objects.count() == 0


def test_a_report_is_sent_and_the_member_is_thanked(client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    response = client.post(report_url(artwork), {"reason": "living_artist", "details": "x"})
    assert response.status_code == 302
    assert response["Location"] == artwork.get_absolute_url()
    report = Report.objects.get()
    assert (report.reporter, report.artwork, report.reason) == (user, artwork, "living_artist")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Thank you. Your report was sent; moderators will review it."
    ]


def test_other_without_text_is_a_form_error(client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    response = client.post(report_url(artwork), {"reason": "other", "details": ""})
    assert response.status_code == 400
    assert "Tell us what is wrong" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert Report.objects.count() == 0


def test_no_reason_is_a_form_error(client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    response = client.post(report_url(artwork), {"reason": "", "details": ""})
    assert response.status_code == 400
    assert "Choose a reason." in response.content.decode()
    # A POST with no fields at all is a submitted (empty) form too, not a fresh one.
    response = client.post(report_url(artwork), {})
    assert response.status_code == 400
    assert "Choose a reason." in response.content.decode()


def test_a_second_open_report_is_refused_with_a_clear_message(client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    client.post(report_url(artwork), {"reason": "spam"})
    response = client.post(report_url(artwork), {"reason": "spam"})
    assert response.status_code == 400
    assert "already reported this artwork" in response.content.decode()
    assert Report.objects.count() == 1


def test_reporting_a_hidden_artwork_or_a_foreign_draft_is_404(client, user):
    client.force_login(user)
    for artwork in (
        PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN),
        ArtworkFactory(),
    ):
        assert client.get(report_url(artwork)).status_code == 404
        assert client.post(report_url(artwork), {"reason": "spam"}).status_code == 404
    assert (
        client.post(reverse("moderation:report", args=[999999]), {"reason": "spam"}).status_code
        == 404
    )
    assert Report.objects.count() == 0


def test_own_artwork_shows_an_explanation_not_a_form(client, user):
    artwork = PublishedArtworkFactory(user=user)
    client.force_login(user)
    response = client.get(report_url(artwork))
    assert "You cannot report your own artwork" in response.content.decode()
    assert 'type="radio"' not in response.content.decode()
    assert client.post(report_url(artwork), {"reason": "spam"}).status_code == 400
    assert Report.objects.count() == 0


def test_rate_limited_reports_get_429_and_a_message(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (1, 3600)}
    first, second = PublishedArtworkFactory.create_batch(2)
    client.force_login(user)
    client.post(report_url(first), {"reason": "spam"})
    response = client.post(report_url(second), {"reason": "spam"})
    assert response.status_code == 429
    assert "many reports" in response.content.decode()
    # The message is in the reader's language.
    response = client.post(report_url(second) + "?lang=zh-hans", {"reason": "spam"})
    assert "你在短时间内提交了太多举报" in response.content.decode()


def test_csrf_is_enforced(user):
    artwork = PublishedArtworkFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(report_url(artwork), {"reason": "spam"}).status_code == 403
    assert Report.objects.count() == 0
    # With the token from the form page it goes through.
    client.get(report_url(artwork))
    token = client.cookies["csrftoken"].value
    response = client.post(report_url(artwork), {"reason": "spam", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_the_report_path_wins_over_an_artwork_slug(client, user):
    # /artwork/<id>/report is the form, never the artwork page of an artwork titled "Report".
    artwork = PublishedArtworkFactory(title="Report")
    assert artwork.get_absolute_url().endswith("/report-artwork")
    assert client.get(artwork.get_absolute_url()).status_code == 200


def test_the_report_button_partial(rf, user):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    artwork = PublishedArtworkFactory()

    def render(viewer):
        request = rf.get("/")
        request.user = viewer
        return render_to_string(
            "moderation/partials/report_button.html",
            {"artwork": artwork, "user": viewer},
            request=request,
        )

    assert f'href="{report_url(artwork)}"' in render(user)
    assert "Report" in render(user)
    assert render(artwork.user).strip() == ""  # not for the author
    assert render(AnonymousUser()).strip() == ""
