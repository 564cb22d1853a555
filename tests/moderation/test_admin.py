"""The admin as staff use it: actions posted to the admin's own changelists, permissions from
the "Moderators" group, and list pages whose query count does not grow with their rows."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffAction, User
from artworks.models import Artwork
from artworks.services import artwork_make_thumbnails
from moderation.models import Report
from tests.factories import (
    ArtworkFactory,
    LikeFactory,
    PublishedArtworkFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ARTWORKS = "admin:artworks_artwork_changelist"
USERS = "admin:accounts_user_changelist"
REPORTS = "admin:moderation_report_changelist"


def act(client, changelist: str, action: str, rows, reason: str = "", follow=True):
    return client.post(
        reverse(changelist),
        {
            "action": action,
            "_selected_action": [r.pk for r in rows],
            "index": 0,
            "reason": reason,
        },
        follow=follow,
    )


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the group ------------------------------------------------------------------------------


def test_the_moderators_group_can_moderate_but_not_administer():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert {
        ("artworks", "moderate_artwork"),
        ("artworks", "change_artwork"),
        ("accounts", "view_user"),
        ("accounts", "suspend_user"),
        ("accounts", "view_staffaction"),
        ("moderation", "view_report"),
        ("moderation", "resolve_report"),
    } <= codenames
    forbidden_apps = {"auth", "sites", "contenttypes", "sessions", "admin", "socialaccount"}
    assert not {c for c in codenames if c[0] in forbidden_apps}
    assert ("accounts", "change_user") not in codenames
    assert ("accounts", "delete_user") not in codenames


# --- artworks -------------------------------------------------------------------------------


def test_a_moderator_hides_and_restores_from_the_changelist(
    moderator_client, moderator, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = act(moderator_client, ARTWORKS, "hide", [artwork], reason="spam")
    assert response.status_code == 200
    assert "Hid 1 artwork(s)." in message_texts(response)
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.HIDDEN
    entry = StaffAction.objects.get()
    assert (entry.actor, entry.action, entry.reason) == (moderator, "artwork_hide", "spam")

    act(moderator_client, ARTWORKS, "restore", [artwork])
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.VISIBLE


def test_an_action_counts_only_the_rows_it_changed(moderator_client):
    # Rows already in the state asked for are left alone, and the message says so instead of
    # counting them as done (nothing was logged or told for them).
    hidden = PublishedArtworkFactory(moderation="hidden")
    shown = PublishedArtworkFactory()
    response = act(moderator_client, ARTWORKS, "hide", [hidden, shown], reason="spam")
    assert message_texts(response) == ["Hid 1 artwork(s).", "1 selected row(s) needed no change."]
    response = act(moderator_client, ARTWORKS, "hide", [hidden, shown])
    assert message_texts(response) == ["2 selected row(s) needed no change."]
    member, gone = UserFactory(), UserFactory(is_active=False)
    response = act(moderator_client, USERS, "suspend", [member, gone], reason="spam")
    assert message_texts(response) == [
        "Suspended 1 member(s).",
        "1 selected row(s) needed no change.",
    ]
    assert StaffAction.objects.filter(action="artwork_hide").count() == 1
    assert StaffAction.objects.filter(action="user_suspend").count() == 1


def test_feature_unfeature_and_unpublish_actions(moderator_client):
    artworks = PublishedArtworkFactory.create_batch(2)
    act(moderator_client, ARTWORKS, "feature", artworks)
    assert Artwork.objects.filter(featured_at__isnull=False).count() == 2
    act(moderator_client, ARTWORKS, "unfeature", artworks[:1])
    assert list(Artwork.objects.filter(featured_at__isnull=False)) == [artworks[1]]
    act(moderator_client, ARTWORKS, "unpublish", artworks[:1])
    assert Artwork.objects.get(pk=artworks[0].pk).status == Artwork.Status.DRAFT
    # A draft cannot be featured: the service's words reach the moderator.
    response = act(moderator_client, ARTWORKS, "feature", artworks[:1])
    assert any("Only published, visible" in m for m in message_texts(response))


def test_djangos_bulk_delete_is_replaced_by_delete_with_files(
    client, stored_files, django_capture_on_commit_callbacks
):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    artworks = PublishedArtworkFactory.create_batch(2)
    page = client.get(reverse(ARTWORKS)).content.decode()
    assert 'value="delete_selected"' not in page
    assert 'value="delete_with_files"' in page

    # First the confirmation page, which changes nothing…
    response = act(client, ARTWORKS, "delete_with_files", artworks, follow=False)
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    assert Artwork.objects.count() == 2
    # …then the confirmed POST, as the confirmation form sends it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(ARTWORKS),
            {
                "action": "delete_with_files",
                "_selected_action": [a.pk for a in artworks],
                "post": "yes",
                "reason": "illegal",
            },
        )
    assert Artwork.objects.count() == 0
    assert stored_files() == []
    assert StaffAction.objects.filter(action="artwork_delete").count() == 2


def test_moderators_cannot_delete(moderator_client):
    artwork = PublishedArtworkFactory()
    page = moderator_client.get(reverse(ARTWORKS)).content.decode()
    assert 'value="delete_with_files"' not in page
    act(moderator_client, ARTWORKS, "delete_with_files", [artwork])
    assert Artwork.objects.filter(pk=artwork.pk).exists()


def test_state_fields_are_read_only_on_the_change_form(moderator_client):
    artwork = PublishedArtworkFactory(title="Old title")
    url = reverse("admin:artworks_artwork_change", args=[artwork.pk])
    assert moderator_client.get(url).status_code == 200
    moderator_client.post(
        url,
        {
            "title": "New title",
            "description": "",
            "alt_text": "",
            "moderation": "hidden",
            "status": "draft",
        },
    )
    artwork.refresh_from_db()
    assert artwork.title == "New title"
    assert artwork.slug == "new-title"
    assert (artwork.moderation, artwork.status) == ("visible", "published")
    assert StaffAction.objects.get().action == "artwork_edit"


@pytest.mark.parametrize("title", ["\u200b\u200b", "\x01\x02", "\u202e", "\u2066 \u3164"])
def test_a_title_of_invisible_characters_alone_is_a_form_error(moderator_client, title):
    # The title is stored cleaned (common.text.title_clean); one that cleans to nothing is
    # refused on the form, as a blank one is, instead of failing in the service.
    artwork = PublishedArtworkFactory(title="Old title")
    url = reverse("admin:artworks_artwork_change", args=[artwork.pk])
    response = moderator_client.post(url, {"title": title, "description": "", "alt_text": ""})
    assert response.status_code == 200
    assert "Give the artwork a title." in response.content.decode()
    artwork.refresh_from_db()
    assert artwork.title == "Old title"
    assert not StaffAction.objects.exists()


def test_the_form_stores_a_title_as_the_service_cleans_it(moderator_client):
    artwork = PublishedArtworkFactory(title="Old title")
    url = reverse("admin:artworks_artwork_change", args=[artwork.pk])
    moderator_client.post(
        url, {"title": "\u202eNew\x07 title\u200b", "description": "a\x01b", "alt_text": ""}
    )
    artwork.refresh_from_db()
    assert (artwork.title, artwork.slug, artwork.description) == ("New title", "new-title", "ab")


@pytest.mark.parametrize(
    ("make", "who"),
    [
        (lambda: PublishedArtworkFactory(), "Everyone"),
        (lambda: PublishedArtworkFactory(rating="mature"), "Members who chose to see mature work"),
        (
            lambda: PublishedArtworkFactory(rating="explicit"),
            "Members who chose to see explicit work",
        ),
        (lambda: ArtworkFactory(rating="explicit"), "The author and staff (draft)"),
        (lambda: PublishedArtworkFactory(moderation="hidden"), "Staff only (hidden by moderation)"),
    ],
)
def test_the_change_page_says_who_can_see_the_artwork(moderator_client, make, who):
    # A published mature or explicit work is not a draft: its page is public (a notice for
    # those who did not choose to see it), and the change page links to it.
    artwork = make()
    page = moderator_client.get(reverse("admin:artworks_artwork_change", args=[artwork.pk]))
    text = page.content.decode()
    assert f'<div class="readonly">{who}</div>' in text
    public = artwork.status == "published" and artwork.moderation == "visible"
    assert (f'href="{artwork.get_absolute_url()}" target="_blank"' in text) == public


def test_the_reason_box_says_when_the_author_reads_it(
    moderator_client, django_capture_on_commit_callbacks
):
    # What is typed beside an artwork's or a report's action also reaches the author (their
    # notification of a hidden, featured or re-rated work): the box says so, where the
    # members' and comments' boxes stay in the staff log alone.
    from notifications.models import Notification
    from social.services import comment_create

    report = ReportFactory()
    comment_create(author=report.reporter, artwork_id=report.artwork_id, body="Nice")
    told = "the author reads it"
    for changelist in (ARTWORKS, REPORTS):
        assert told in moderator_client.get(reverse(changelist)).content.decode()
    for changelist in (USERS, "admin:social_comment_changelist"):
        page = moderator_client.get(reverse(changelist)).content.decode()
        assert "Reason (logged" in page and told not in page
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator_client, REPORTS, "resolve_hide_artwork", [report], reason="seen on x.test")
    notice = Notification.objects.get(recipient=report.artwork.user, kind="hidden")
    assert "seen on x.test" in notice.reason


def test_an_objects_history_lists_what_staff_did_to_it(moderator_client, moderator):
    # The moderation actions write the staff log, not Django's change history: the History
    # page of an artwork, a member, a comment or a report lists the log's entries about it,
    # who and what and why, instead of saying it has no history.
    from social.services import comment_create

    report = ReportFactory()
    artwork, member = report.artwork, report.artwork.user
    comment = comment_create(author=report.reporter, artwork_id=artwork.pk, body="Rude words")
    act(moderator_client, ARTWORKS, "hide", [artwork], reason="stolen art")
    act(moderator_client, USERS, "suspend", [member], reason="ban evasion")
    act(moderator_client, "admin:social_comment_changelist", "hide", [comment], reason="insult")
    act(moderator_client, REPORTS, "dismiss", [report], reason="looked fine")
    for name, pk, action, reason in (
        ("admin:artworks_artwork_history", artwork.pk, "Hid artwork", "stolen art"),
        ("admin:accounts_user_history", member.pk, "Suspended user", "ban evasion"),
        ("admin:social_comment_history", comment.pk, "Hid comment", "insult"),
        ("admin:moderation_report_history", report.pk, "Dismissed report", "looked fine"),
    ):
        page = moderator_client.get(reverse(name, args=[pk])).content.decode()
        assert action in page and reason in page and moderator.username in page, name
    other = PublishedArtworkFactory()
    page = moderator_client.get(reverse("admin:artworks_artwork_history", args=[other.pk]))
    assert "stolen art" not in page.content.decode()


# --- users ----------------------------------------------------------------------------------


def test_the_members_reason_box_says_a_suspension_needs_one(moderator_client):
    # The suspension refuses to go without a reason: the box does not call it optional.
    UserFactory()
    page = moderator_client.get(reverse(USERS)).content.decode()
    assert "required to suspend" in page
    assert 'placeholder="optional"' not in page


def test_view_on_site_is_offered_only_for_a_profile_that_is_there(moderator_client, moderator):
    # A suspended member's profile is 404 (staff included): no button leads there.
    member = UserFactory()
    change = reverse("admin:accounts_user_change", args=[member.pk])
    assert 'class="viewsitelink"' in moderator_client.get(change).content.decode()
    act(moderator_client, USERS, "suspend", [member], reason="spam")
    assert moderator_client.get(member.get_absolute_url()).status_code == 404
    assert 'class="viewsitelink"' not in moderator_client.get(change).content.decode()


def test_a_moderator_suspends_and_restores_a_member(moderator_client, moderator):
    member = UserFactory()
    response = act(moderator_client, USERS, "suspend", [member])  # no reason given
    assert "Give a reason" in " ".join(message_texts(response))
    assert User.objects.get(pk=member.pk).is_active

    response = act(moderator_client, USERS, "suspend", [member], reason="spam bot")
    assert "Suspended 1 member(s)." in message_texts(response)
    assert not User.objects.get(pk=member.pk).is_active
    act(moderator_client, USERS, "restore", [member])
    assert User.objects.get(pk=member.pk).is_active
    assert list(StaffAction.objects.order_by("id").values_list("action", flat=True)) == [
        "user_suspend",
        "user_restore",
    ]


def test_a_moderator_cannot_change_members_or_their_passwords(moderator_client):
    member = UserFactory()
    change = reverse("admin:accounts_user_change", args=[member.pk])
    assert moderator_client.get(change).status_code == 200  # may look
    password = reverse("admin:auth_user_password_change", args=[member.pk])
    assert moderator_client.get(password).status_code == 403
    response = moderator_client.post(
        password, {"password1": "n3w-Passw0rd!x", "password2": "n3w-Passw0rd!x"}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=member.pk).check_password("correct-horse-battery")
    moderator_client.post(change, {"username": member.username, "email": "evil@example.com"})
    assert User.objects.get(pk=member.pk).email == member.email
    assert moderator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert moderator_client.get(reverse("admin:sites_site_changelist")).status_code == 403


def test_the_password_section_is_only_for_staff_who_may_change_it(moderator_client, client):
    # A moderator is offered no "Reset password" button that only leads to a 403, nor the
    # password hash's algorithm and salt; a superuser still has both.
    member = UserFactory()
    change = reverse("admin:accounts_user_change", args=[member.pk])
    password = reverse("admin:auth_user_password_change", args=[member.pk])
    page = moderator_client.get(change).content.decode()
    assert member.email in page  # the member's page itself is there
    assert "Reset password" not in page and "../password/" not in page and password not in page
    assert "algorithm" not in page
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(change).content.decode()
    assert "Reset password" in page and "algorithm" in page


# --- who gets in ----------------------------------------------------------------------------


def test_non_staff_reach_neither_the_admin_nor_the_actions(client, user):
    artwork = PublishedArtworkFactory()
    member = UserFactory()
    client.force_login(user)
    for name in ("admin:index", ARTWORKS, USERS, REPORTS):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    act(client, ARTWORKS, "hide", [artwork], follow=False)
    act(client, USERS, "suspend", [member], reason="x", follow=False)
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.VISIBLE
    assert User.objects.get(pk=member.pk).is_active
    assert StaffAction.objects.count() == 0


def test_staff_without_the_group_cannot_moderate(client):
    plain_staff = UserFactory(is_staff=True)
    client.force_login(plain_staff)
    artwork = PublishedArtworkFactory()
    assert client.get(reverse(ARTWORKS)).status_code == 403
    act(client, ARTWORKS, "hide", [artwork], follow=False)
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.VISIBLE
    # Even with view rights the actions stay out of reach without `moderate_artwork`.
    from django.contrib.auth.models import Permission

    plain_staff.user_permissions.add(Permission.objects.get(codename="view_artwork"))
    page = client.get(reverse(ARTWORKS)).content.decode()
    assert 'value="hide"' not in page
    act(client, ARTWORKS, "hide", [artwork])
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.VISIBLE


# --- reports queue --------------------------------------------------------------------------


def test_the_queue_opens_on_open_reports_with_counts(moderator_client):
    busy = PublishedArtworkFactory(title="Busy artwork")
    ReportFactory.create_batch(3, artwork=busy)
    ReportFactory(status="dismissed", resolved_at=busy.created_at, artwork=busy)
    closed = ReportFactory(status="resolved", resolved_at=busy.created_at)
    response = moderator_client.get(reverse(REPORTS))
    shown = [r.pk for r in response.context["cl"].result_list]
    assert closed.pk not in shown
    assert len(shown) == 3
    assert {r._open_on_artwork for r in response.context["cl"].result_list} == {3}
    everything = moderator_client.get(reverse(REPORTS), {"status": "all"})
    assert len(everything.context["cl"].result_list) == 5
    by_reason = moderator_client.get(reverse(REPORTS), {"status": "all", "reason": "violence"})
    assert len(by_reason.context["cl"].result_list) == 0


def test_resolving_from_the_queue(moderator_client, moderator):
    artwork = PublishedArtworkFactory()
    reports = ReportFactory.create_batch(2, artwork=artwork)
    other = ReportFactory()
    response = act(moderator_client, REPORTS, "resolve_hide_artwork", [*reports], reason="spam")
    assert not any(m.startswith(str(reports[1])) for m in message_texts(response))
    assert Artwork.objects.get(pk=artwork.pk).moderation == Artwork.Moderation.HIDDEN
    for report in reports:
        report.refresh_from_db()
        assert (report.status, report.resolved_by, report.resolution) == (
            "resolved",
            moderator,
            "hide_artwork",
        )
    act(moderator_client, REPORTS, "dismiss", [other])
    assert Report.objects.get(pk=other.pk).status == "dismissed"


def test_the_staff_log_is_visible_and_read_only(moderator_client, moderator):
    artwork = PublishedArtworkFactory()
    act(moderator_client, ARTWORKS, "hide", [artwork], reason="spam")
    entry = StaffAction.objects.get()
    response = moderator_client.get(reverse("admin:accounts_staffaction_changelist"))
    assert response.status_code == 200
    assert artwork.title in response.content.decode()
    change = reverse("admin:accounts_staffaction_change", args=[entry.pk])
    moderator_client.post(change, {"reason": "nothing happened"})
    assert StaffAction.objects.get().reason == "spam"
    delete = reverse("admin:accounts_staffaction_delete", args=[entry.pk])
    assert moderator_client.post(delete, {"post": "yes"}).status_code == 403
    assert StaffAction.objects.count() == 1


def test_the_staff_log_links_only_targets_that_are_still_there(moderator_client, moderator):
    # A deleted comment (like a deleted artwork or member) is named, not linked to an admin
    # page that would only say it no longer exists.
    from social.services import comment_create, comment_delete

    artwork = PublishedArtworkFactory()
    comment = comment_create(author=UserFactory(), artwork_id=artwork.pk, body="Rude words")
    kept = comment_create(author=UserFactory(), artwork_id=artwork.pk, body="Kind words")
    act(moderator_client, "admin:social_comment_changelist", "hide", [kept], reason="check")
    comment_delete(actor=moderator, comment_id=comment.pk)
    page = moderator_client.get(reverse("admin:accounts_staffaction_changelist")).content.decode()
    assert StaffAction.objects.filter(action="comment_delete").exists()
    assert reverse("admin:social_comment_change", args=[comment.pk]) not in page
    assert reverse("admin:social_comment_change", args=[kept.pk]) in page


# --- lists stay fast ------------------------------------------------------------------------


def count_queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(name: str, n: int, moderator) -> None:
    if name == ARTWORKS:
        for artwork in PublishedArtworkFactory.create_batch(n):
            artwork_make_thumbnails(artwork_id=artwork.pk)
    elif name == USERS:
        UserFactory.create_batch(n)
    elif name == REPORTS:
        ReportFactory.create_batch(n)
    elif name == "admin:artworks_like_changelist":
        LikeFactory.create_batch(n)
    elif name == "admin:accounts_staffaction_changelist":
        from artworks.services import artwork_hide

        for artwork in PublishedArtworkFactory.create_batch(n):
            artwork_hide(artwork=artwork, actor=moderator)


@pytest.mark.parametrize(
    "name",
    [
        ARTWORKS,
        USERS,
        REPORTS,
        "admin:artworks_like_changelist",
        "admin:accounts_staffaction_changelist",
    ],
)
def test_changelist_query_count_is_constant(moderator_client, moderator, name):
    _grow(name, 1, moderator)
    url = reverse(name)
    params = {"status": "all"} if name == REPORTS else {}
    moderator_client.get(url, params)  # the moderator's row is kept from now on
    one = count_queries(moderator_client, url, params)
    _grow(name, 29, moderator)
    thirty = count_queries(moderator_client, url, params)
    assert one == thirty, f"{name}: {one} queries with 1 row, {thirty} with 30"
    # And with a search and filters applied.
    if name == ARTWORKS:
        assert (
            count_queries(moderator_client, url, {"q": "Artwork", "moderation__exact": "hidden"})
            == one
        )


@pytest.mark.parametrize(
    "name",
    [
        ARTWORKS,
        USERS,
        REPORTS,
        "admin:artworks_like_changelist",
        "admin:accounts_staffaction_changelist",
        "admin:social_comment_changelist",
        "admin:social_follow_changelist",
        "admin:social_collection_changelist",
        "admin:notifications_notification_changelist",
    ],
)
def test_no_list_counts_every_filter_option_over_the_whole_table(client, name):
    # Facet counts are one COUNT per filter option over the whole table: no list offers them,
    # and asking by the address counts nothing more (the lists are read at 100,000s of rows).
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(name)
    page = client.get(url).content.decode()
    assert "_facets" not in page
    assert count_queries(client, url, {"_facets": "True"}) == count_queries(client, url)
    if name == "admin:notifications_notification_changelist":
        # Nor a count of the whole table beside a search's results.
        from notifications.models import Notification

        Notification.objects.create(recipient=UserFactory(), kind="follow", dedupe_key="one")
        searched = client.get(url, {"q": "nobody-by-this-name"}).content.decode()
        assert "0 notifications" in searched and "1 total" not in searched


def test_artwork_list_shows_the_smallest_webp_thumbnail(moderator_client):
    artwork = PublishedArtworkFactory()
    artwork = artwork_make_thumbnails(artwork_id=artwork.pk)
    page = moderator_client.get(reverse(ARTWORKS)).content.decode()
    webp = sorted(
        (t for t in artwork.thumbnails if t["format"] == "webp"), key=lambda t: t["width"]
    )
    assert webp, "the pipeline makes WebP thumbnails"
    assert f'src="/media/{webp[0]["name"]}"' in page


def test_every_admin_page_renders_for_a_superuser(
    client, stored_files, django_capture_on_commit_callbacks
):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    report = ReportFactory(details="Looks like a copy of my work")
    like = LikeFactory(artwork=report.artwork)
    artwork_make_thumbnails(artwork_id=report.artwork_id)
    from artworks.services import artwork_hide

    artwork_hide(artwork=report.artwork, actor=superuser, reason="check")
    entry = StaffAction.objects.get()
    pages = [
        ("admin:artworks_artwork_change", report.artwork_id),
        ("admin:accounts_user_change", report.reporter_id),
        ("admin:moderation_report_change", report.pk),
        ("admin:artworks_like_change", like.pk),
        ("admin:accounts_staffaction_change", entry.pk),
    ]
    for name, pk in pages:
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
    for name in (ARTWORKS, USERS, REPORTS, "admin:artworks_favorite_changelist"):
        assert client.get(reverse(name), {"q": "copy"}).status_code == 200, name
    page = client.get(reverse("admin:artworks_artwork_change", args=[report.artwork_id]))
    assert "Staff only (hidden by moderation)" in page.content.decode()

    # The change page's own delete goes through the service too: files go, the log records it.
    files_before = stored_files()
    assert files_before
    client.post(reverse("admin:artworks_artwork_delete", args=[report.artwork_id]), {"post": "yes"})
    assert not Artwork.objects.filter(pk=report.artwork_id).exists()
    assert StaffAction.objects.filter(action="artwork_delete").count() == 1


def test_searching_artworks_by_id_username_and_prompt(moderator_client):
    target = PublishedArtworkFactory(prompt="a lighthouse in fog")
    PublishedArtworkFactory(prompt="a cat")

    def found(q):
        response = moderator_client.get(reverse(ARTWORKS), {"q": q})
        return [a.pk for a in response.context["cl"].result_list]

    # A bare number also matches titles like "Artwork 12"; "#12" means the id only.
    assert target.pk in found(str(target.pk))
    assert found(f"#{target.pk}") == [target.pk]
    assert found("lighthouse") == [target.pk]
    assert target.pk in found(target.user.username)
    assert found(target.user.email) == [target.pk]


def test_the_admin_index_names_every_app_and_model_in_chinese(client):
    # Staff reading the admin in Chinese see the site's sections and lists in Chinese, as they
    # see Django's own words there.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").context["app_list"]
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese, chinese_page = response.context["app_list"], response.content.decode()
    ours = {"accounts", "artworks", "social", "notifications", "moderation", "memberdata", "feed"}

    def names(app_list) -> dict[str, str]:
        found = {}
        for app in app_list:
            if app["app_label"] in ours:
                found[app["app_label"]] = str(app["name"])
                for model in app["models"]:
                    found[f"{app['app_label']}.{model['object_name']}"] = str(model["name"])
        return found

    with translation.override("en"):
        in_english = names(english)
    with translation.override("zh-hans"):
        in_chinese = names(chinese)
    assert "用户" in chinese_page  # the names, as the page shows them
    assert in_english.keys() == in_chinese.keys()
    untranslated = {key: name for key, name in in_chinese.items() if name == in_english[key]}
    assert untranslated == {}
