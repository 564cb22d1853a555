"""Reports on comments: who may report which comment, one open report per member per comment,
resolving by hiding the comment (through the comments' service, logged), the queue showing the
comment, the Moderators group's comment permissions (and their migration, both ways), and the
comments admin at scale."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from accounts import services as account_services
from accounts.models import StaffAction
from moderation.models import Report
from moderation.services import report_comment_create, report_create, report_resolve
from social.models import Comment
from social.services import comment_create, comment_hide
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

REPORTS = "admin:moderation_report_changelist"
COMMENTS = "admin:social_comment_changelist"


@pytest.fixture
def comment():
    art = PublishedArtworkFactory()
    return comment_create(author=UserFactory(), artwork_id=art.pk, body="Buy cheap pills here")


def _report(reporter, comment, reason="spam", details="") -> Report:
    return report_comment_create(reporter=reporter, comment=comment, reason=reason, details=details)


class TestReporting:
    def test_a_report_of_a_comment_is_on_its_artwork_too(self, comment):
        report = _report(UserFactory(), comment)
        assert (report.comment, report.artwork_id) == (comment, comment.artwork_id)
        assert report.is_open

    def test_one_open_report_per_member_per_comment(self, comment):
        reporter = UserFactory()
        _report(reporter, comment)
        with pytest.raises(ValidationError, match="already reported this comment"):
            _report(reporter, comment)
        # The artwork and another comment on it are other targets.
        report_create(reporter=reporter, artwork=comment.artwork, reason="spam")
        other = comment_create(author=UserFactory(), artwork_id=comment.artwork_id, body="x")
        _report(reporter, other)
        assert Report.objects.filter(reporter=reporter).count() == 3

    def test_the_database_keeps_one_open_report_per_comment(self, comment):
        reporter = UserFactory()
        Report.objects.create(
            reporter=reporter, artwork=comment.artwork, comment=comment, reason="spam"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(
                reporter=reporter, artwork=comment.artwork, comment=comment, reason="sexual"
            )

    def test_not_ones_own_comment(self, comment):
        with pytest.raises(ValidationError, match="your own comment"):
            _report(comment.author, comment)

    def test_only_a_comment_one_may_see(self, comment):
        moderator = make_moderator()
        comment_hide(actor=moderator, comment=comment)
        comment.refresh_from_db()
        with pytest.raises(Comment.DoesNotExist):
            _report(UserFactory(), comment)
        assert _report(moderator, comment).comment == comment  # staff see hidden comments

    def test_not_a_suspended_authors_comment(self, comment):
        account_services.user_suspend(user=comment.author, actor=make_moderator(), reason="spam")
        comment.author.refresh_from_db()
        with pytest.raises(Comment.DoesNotExist):
            _report(UserFactory(), comment)

    def test_the_reason_rules_are_the_artworks(self, comment):
        with pytest.raises(ValidationError):
            _report(UserFactory(), comment, reason="nonsense")
        with pytest.raises(ValidationError):
            _report(UserFactory(), comment, reason="other", details="  ")


class TestTheReportPage:
    def test_reporting_from_the_page(self, client, comment):
        client.force_login(UserFactory())
        url = reverse("moderation:report_comment", args=[comment.pk])
        page = client.get(url).content.decode()
        assert "Report a comment" in page and "Buy cheap pills here" in page
        assert "<title>Report a comment · " in page  # it was "Report a comment· "
        response = client.post(url, {"reason": "spam"})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        assert Report.objects.get().comment == comment

    def test_errors_and_ones_own_comment(self, client, comment):
        client.force_login(UserFactory())
        url = reverse("moderation:report_comment", args=[comment.pk])
        response = client.post(url, {"reason": "other"})
        assert response.status_code == 400
        client.force_login(comment.author)
        page = client.get(url).content.decode()
        assert "You cannot report your own comment" in page
        # 400 with why, as for one's own artwork and as the API answers (it was 403 here).
        response = client.post(url, {"reason": "spam"})
        assert response.status_code == 400
        assert "You cannot report your own comment" in response.content.decode()
        api = client.post(
            f"/api/comments/{comment.pk}/report",
            {"reason": "spam"},
            content_type="application/json",
        )
        assert api.status_code == 400, api.content
        assert not Report.objects.exists()

    def test_a_missing_or_hidden_comment_is_404(self, client, comment):
        client.force_login(UserFactory())
        assert client.get(reverse("moderation:report_comment", args=[999999])).status_code == 404
        comment_hide(actor=make_moderator(), comment=comment)
        url = reverse("moderation:report_comment", args=[comment.pk])
        assert client.get(url).status_code == 404

    def test_the_link_is_on_other_members_comments_only(self, client, comment):
        url = reverse("moderation:report_comment", args=[comment.pk])
        page = comment.artwork.get_absolute_url()
        assert url not in client.get(page).content.decode()  # a visitor
        client.force_login(comment.author)
        assert url not in client.get(page).content.decode()
        client.force_login(UserFactory())
        assert url in client.get(page).content.decode()


class TestResolving:
    def test_hiding_the_comment_resolves_its_reports_only(self, comment):
        moderator = make_moderator()
        first, second = _report(UserFactory(), comment), _report(UserFactory(), comment)
        artwork_report = report_create(
            reporter=UserFactory(), artwork=comment.artwork, reason="spam"
        )
        report_resolve(report=first, actor=moderator, action="hide_comment", note="pills")
        comment.refresh_from_db()
        assert comment.is_hidden
        for report in (first, second):
            report.refresh_from_db()
            assert (report.status, report.resolution) == ("resolved", "hide_comment")
        artwork_report.refresh_from_db()
        assert artwork_report.is_open
        hide = StaffAction.objects.get(action="comment_hide")
        assert (hide.actor, hide.target_id) == (moderator, comment.pk)
        assert "pills" in hide.reason

    def test_hiding_a_comment_needs_a_report_of_a_comment(self):
        report = report_create(
            reporter=UserFactory(), artwork=PublishedArtworkFactory(), reason="spam"
        )
        with pytest.raises(ValidationError):
            report_resolve(report=report, actor=make_moderator(), action="hide_comment")
        report.refresh_from_db()
        assert report.is_open

    def test_hiding_a_comment_needs_the_comment_permission(self, comment):
        staff = make_moderator()
        staff.groups.clear()
        from tests.factories import grant_perms

        grant_perms(staff, "moderation.resolve_report")
        report = _report(UserFactory(), comment)
        with pytest.raises(PermissionDenied):
            report_resolve(report=report, actor=staff, action="hide_comment")
        comment.refresh_from_db()
        assert not comment.is_hidden

    def test_suspending_from_a_comment_report_suspends_the_comments_author(self, comment):
        moderator = make_moderator()
        report = _report(UserFactory(), comment)
        report_resolve(report=report, actor=moderator, action="suspend_author")
        comment.author.refresh_from_db()
        comment.artwork.user.refresh_from_db()
        assert not comment.author.is_active
        assert comment.artwork.user.is_active


class TestTheQueue:
    def test_the_queue_shows_the_comment_and_links_to_its_admin(self, client, comment):
        _report(UserFactory(), comment)
        client.force_login(make_moderator())
        page = client.get(reverse(REPORTS)).content.decode()
        assert "Buy cheap pills here" in page
        assert reverse("admin:social_comment_change", args=[comment.pk]) in page
        assert "Resolve: hide the comment" in page

    def test_hiding_from_the_queue(self, client, comment):
        report = _report(UserFactory(), comment)
        moderator = make_moderator()
        client.force_login(moderator)
        client.post(
            reverse(REPORTS),
            {
                "action": "resolve_hide_comment",
                "_selected_action": [report.pk],
                "index": 0,
                "reason": "pills",
            },
            follow=True,
        )
        comment.refresh_from_db()
        report.refresh_from_db()
        assert comment.is_hidden and report.resolution == "hide_comment"
        assert StaffAction.objects.filter(action="comment_hide", actor=moderator).exists()

    def test_queue_queries_do_not_grow(self, client, django_assert_num_queries):
        client.force_login(make_moderator())

        def fill(n: int) -> None:
            for _ in range(n):
                art = PublishedArtworkFactory()
                said = comment_create(author=UserFactory(), artwork_id=art.pk, body="words")
                _report(UserFactory(), said)

        fill(2)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(reverse(REPORTS))  # the moderator's row is kept from now on
        with CaptureQueriesContext(connection) as few:
            client.get(reverse(REPORTS))
        fill(20)
        with django_assert_num_queries(len(few)):
            assert client.get(reverse(REPORTS)).status_code == 200


class TestModeratorsGroup:
    PERMS = {
        ("social", "view_comment"),
        ("social", "change_comment"),
        ("social", "moderate_comment"),
    }

    def _codenames(self) -> set:
        group = Group.objects.get(name="Moderators")
        return set(group.permissions.values_list("content_type__app_label", "codename"))

    def test_the_group_moderates_comments(self, client, comment):
        assert self._codenames() >= self.PERMS
        assert ("social", "delete_comment") not in self._codenames()
        client.force_login(make_moderator())
        assert client.get(reverse(COMMENTS)).status_code == 200
        assert (
            client.get(reverse("admin:social_comment_change", args=[comment.pk])).status_code == 200
        )

    def test_the_migration_goes_both_ways(self):
        migration = importlib.import_module(
            "moderation.migrations.0004_moderators_moderate_comments"
        )
        migration.revoke(global_apps, None)
        assert not (self.PERMS & self._codenames())
        assert ("moderation", "resolve_report") in self._codenames()  # the rest stays
        migration.grant(global_apps, None)
        assert self._codenames() >= self.PERMS


class TestCommentsAdmin:
    def test_search_and_filters(self, client, comment):
        moderator = make_moderator()
        client.force_login(moderator)
        other = comment_create(
            author=UserFactory(username="quietone"), artwork_id=comment.artwork_id, body="Nice"
        )
        _report(UserFactory(), comment)
        url = reverse(COMMENTS)

        def ids(query: str) -> set[int]:
            response = client.get(url + query)
            assert response.status_code == 200
            return {row.pk for row in response.context["cl"].result_list}

        assert ids("?q=pills") == {comment.pk}
        assert ids("?q=quietone") == {other.pk}
        assert ids("?q=" + comment.artwork.title.split()[0]) >= {comment.pk, other.pk}
        assert ids("?reported=open") == {comment.pk}
        assert ids("?reported=any") == {comment.pk}
        comment_hide(actor=moderator, comment=other)
        assert ids("?hidden=yes") == {other.pk}
        assert ids("?hidden=no") == {comment.pk}

    def test_the_changelist_queries_do_not_grow(self, client, django_assert_num_queries):
        client.force_login(make_moderator())
        art = PublishedArtworkFactory()

        def fill(n: int) -> None:
            for _ in range(n):
                comment_create(author=UserFactory(), artwork_id=art.pk, body="words")

        fill(2)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(reverse(COMMENTS))  # the moderator's row is kept from now on
        with CaptureQueriesContext(connection) as few:
            client.get(reverse(COMMENTS))
        fill(30)
        with django_assert_num_queries(len(few)):
            response = client.get(reverse(COMMENTS))
        assert len(response.context["cl"].result_list) == 32


def test_the_report_constraints_are_conditional():
    constraints = {c.name: c for c in Report._meta.constraints}
    assert constraints["reports_one_open_per_reporter_comment"].condition == Q(
        status="open", comment__isnull=False
    )
    assert constraints["reports_one_open_per_reporter_artwork"].condition == Q(
        status="open", comment__isnull=True
    )
