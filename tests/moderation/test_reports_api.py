"""POST /api/artworks/{id}/report and POST /api/comments/{id}/report: the report pages' rules
for app clients (who may report what, validation, one open report, the rate limit)."""

from __future__ import annotations

import pytest

from accounts.tokens import token_pair_issue
from artworks.models import Artwork
from moderation.models import Report
from social.services import comment_create
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bearer(member) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _report(client, path: str, member=None, **body):
    headers = _bearer(member) if member is not None else {}
    return client.post(path, body, content_type="application/json", **headers)


def test_a_member_reports_an_artwork(client):
    art = PublishedArtworkFactory()
    member = UserFactory()
    response = _report(
        client, f"/api/artworks/{art.pk}/report", member, reason="copyright", details=" link "
    )
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get()
    assert body["id"] == report.pk and body["artwork_id"] == art.pk
    assert body["comment_id"] is None
    assert (body["reason"], body["details"], body["status"]) == ("copyright", "link", "open")
    assert report.reporter == member


def test_a_member_reports_a_comment(client):
    art = PublishedArtworkFactory()
    comment = comment_create(author=UserFactory(), artwork_id=art.pk, body="Buy now!")
    response = _report(client, f"/api/comments/{comment.pk}/report", UserFactory(), reason="spam")
    assert response.status_code == 201
    assert response.json()["comment_id"] == comment.pk
    assert Report.objects.get().comment == comment


def test_signing_in_is_required(client):
    art = PublishedArtworkFactory()
    assert _report(client, f"/api/artworks/{art.pk}/report", reason="spam").status_code == 401
    assert not Report.objects.exists()


def test_what_the_member_cannot_see_is_not_found(client):
    member = UserFactory()
    hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    draft = ArtworkFactory()
    for artwork_id in (hidden.pk, draft.pk, 999999):
        response = _report(client, f"/api/artworks/{artwork_id}/report", member, reason="spam")
        assert response.status_code == 404, artwork_id
    response = _report(client, "/api/comments/999999/report", member, reason="spam")
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_bad_input_own_work_and_a_second_open_report_are_refused(client):
    art = PublishedArtworkFactory()
    member = UserFactory()
    path = f"/api/artworks/{art.pk}/report"
    assert _report(client, path, member, reason="nonsense").status_code == 422
    response = _report(client, path, member, reason="other", details="  ")
    assert response.status_code == 400
    assert "Other" in response.json()["detail"]
    response = _report(client, path, art.user, reason="spam")
    assert response.status_code == 400
    assert "your own" in response.json()["detail"]
    assert _report(client, path, member, reason="spam").status_code == 201
    response = _report(client, path, member, reason="spam")
    assert response.status_code == 409
    assert "already reported" in response.json()["detail"]
    assert Report.objects.count() == 1


def test_reports_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (1, 3600)}
    member = UserFactory()
    first, second = PublishedArtworkFactory(), PublishedArtworkFactory()
    assert _report(client, f"/api/artworks/{first.pk}/report", member, reason="spam").status_code
    response = _report(client, f"/api/artworks/{second.pk}/report", member, reason="spam")
    assert response.status_code == 429
    assert "many reports" in response.json()["detail"]
    assert Report.objects.count() == 1
