"""The notifications page, "mark all as read", the settings page, the bell (its count costs no
query on a warm page) and the member's kept pages (never an outdated count)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from artworks import services as artwork_services
from notifications import services
from notifications.models import Notification, NotificationSettings
from social import services as social_services
from social.comment_display import PAGE_SIZE as COMMENTS_PAGE_SIZE
from tests.factories import PublishedArtworkFactory, UserFactory

from .conftest import signed_in

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
BELL = re.compile(r'<a class="icon-btn bell" href="/notifications" aria-label="([^"]+)"')


def _followers(committed, member, n: int) -> list:
    fans = UserFactory.create_batch(n)
    for fan in fans:
        committed(social_services.user_follow, follower=fan, followee=member)
    return fans


def _bell(response) -> str:
    match = BELL.search(response.content.decode())
    assert match, "no bell"
    return match[1]


class TestPage:
    def test_a_visitor_is_sent_to_sign_in(self, client):
        for url in ["/notifications", "/settings/notifications"]:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/login?next=")
        assert client.post("/notifications/read").status_code == 302

    def test_a_member_reads_their_own_grouped_and_marked_unread(self, committed):
        art = PublishedArtworkFactory(title="Moonlit fox")
        client, _ = signed_in(art.user)
        fans = [UserFactory(username=name) for name in ("ada", "bob", "cy", "dee")]
        for fan in fans:
            committed(artwork_services.artwork_like, artwork_id=art.pk, user=fan)
        other_art = PublishedArtworkFactory(title="Not mine")
        committed(artwork_services.artwork_like, artwork_id=other_art.pk, user=fans[0])
        response = client.get("/notifications")
        html = response.content.decode()
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "Not mine" not in html
        # The newest two named, the rest counted, in one line.
        assert html.count('class="notification is-unread"') == 1
        assert re.search(
            r"@dee</a>, <a [^>]+>@cy</a> and 2 others liked <a [^>]+><em>Moonlit", html
        )
        assert "Moonlit fox" in html
        assert "Unread:" in html
        assert "Mark all as read" in html
        assert _bell(response) == "Notifications, 4 unread"

    def test_a_group_reads_as_chinese_in_chinese(self, committed):
        """The names are listed with 、 and the rest counted as 和另外 N 人: the list was
        joined with the English comma ('@dee, @cy 等另外 2 人')."""
        art = PublishedArtworkFactory(title="Moonlit fox")
        client, _ = signed_in(art.user)
        for name in ("ada", "bob", "cy", "dee"):
            fan = UserFactory(username=name)
            committed(artwork_services.artwork_like, artwork_id=art.pk, user=fan)
        html = client.get("/notifications?lang=zh-hans").content.decode()
        assert re.search(r"@dee</a>、<a [^>]+>@cy</a> 和另外 2 人 赞了 <a [^>]+><em>Moonlit", html)

    def test_when_reads_just_now_for_the_first_minute_then_how_long_ago(self, committed, settings):
        """Under a minute old, a notification was made 'just now' (timesince says '0 minutes',
        which read '0 minutes ago'); later it says how long ago, in the reader's language."""
        settings.MEMBER_PAGE_CACHE_SECONDS = 0  # each look renders anew, as minutes pass
        me = UserFactory()
        _followers(committed, me, 1)
        client, _ = signed_in(me)
        html = client.get("/notifications").content.decode()
        assert "just now" in html and "0 minutes" not in html
        assert "刚刚" in client.get("/notifications?lang=zh-hans").content.decode()
        Notification.objects.filter(recipient=me).update(
            created_at=timezone.now() - timedelta(hours=3)
        )
        html = client.get("/notifications").content.decode()
        assert "3\xa0hours ago" in html and "just now" not in html

    def test_empty(self, client, user):
        client.force_login(user)
        html = client.get("/notifications").content.decode()
        assert "No notifications yet" in html
        assert "Mark all as read" not in html
        assert _bell(client.get("/notifications")) == "Notifications"

    def test_load_more_without_and_with_htmx(self, committed, settings):
        me = UserFactory()
        client, _ = signed_in(me)
        art = PublishedArtworkFactory(user=me)
        for _ in range(35):  # comments are one line each
            committed(
                social_services.comment_create, author=UserFactory(), artwork_id=art.pk, body="Hi"
            )
        first = client.get("/notifications").content.decode()
        assert first.count('<li class="notification') == 30
        (next_url,) = re.findall(r'href="(\?cursor=[^"]+)"[^>]*rel="next"', first)
        second = client.get("/notifications" + next_url.replace("&amp;", "&"))
        assert second.content.decode().count('<li class="notification') == 5
        more = client.get("/notifications" + next_url.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        assert "<html" not in more.content.decode()
        assert more.content.decode().count('<li class="notification') == 5

    def test_a_comment_beyond_the_first_page_of_comments_is_linked_where_it_shows(self, committed):
        """The line links the page of comments holding it: the artwork's first page showed
        the first 20 threads, without the comment its anchor named."""
        art = PublishedArtworkFactory()
        for i in range(COMMENTS_PAGE_SIZE):
            social_services.comment_create(author=UserFactory(), artwork_id=art.pk, body=f"{i}")
        late = committed(
            social_services.comment_create, author=UserFactory(), artwork_id=art.pk, body="late"
        )
        reply = committed(
            social_services.comment_create,
            author=UserFactory(),
            artwork_id=art.pk,
            body="an answer",
            parent_id=late.pk,
        )
        for member, comment in ((art.user, late), (late.author, reply)):
            client, _ = signed_in(member)
            html = client.get("/notifications").content.decode()
            link = re.search(rf'href="([^"#]+)#comment-{comment.pk}"', html)[1]
            assert f'id="comment-{comment.pk}"' in client.get(link).content.decode()

    def test_a_bad_cursor_says_so_and_starts_again(self, client, user):
        client.force_login(user)
        response = client.get("/notifications?cursor=nonsense", follow=True)
        assert response.redirect_chain[-1][0] == "/notifications"
        assert "no longer valid" in response.content.decode()

    def test_mark_all_read_needs_csrf_and_leaves_others_alone(self, committed):
        me, other = UserFactory(), UserFactory()
        _followers(committed, me, 2)
        _followers(committed, other, 1)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(me)
        assert strict.post("/notifications/read").status_code == 403
        page = strict.get("/notifications").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        response = strict.post("/notifications/read", {"csrfmiddlewaretoken": token}, follow=True)
        assert "marked as read" in response.content.decode()
        assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
        assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
        assert _bell(response) == "Notifications"

    def test_mark_all_read_leaves_what_came_after_the_page_unread(self, committed):
        """ "Mark all as read" marks what the member was shown: a notification made while the
        page was open stays unread, or the member would never see it as new."""
        me = UserFactory()
        _followers(committed, me, 2)
        client, _ = signed_in(me)
        page = client.get("/notifications").content.decode()
        (late,) = _followers(committed, me, 1)
        form = re.search(r'(?s)<form method="post" action="/notifications/read">.*?</form>', page)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[0]))
        response = client.post("/notifications/read", fields, follow=True)
        assert "marked as read" in response.content.decode()
        unread = Notification.objects.filter(recipient=me, read_at__isnull=True)
        assert list(unread.values_list("actor_id", flat=True)) == [late.pk]
        assert _bell(response) == "Notifications, 1 unread"

    def test_a_bad_id_is_an_error_in_the_readers_language(self, client, user):
        client.force_login(user)
        response = client.post("/notifications/read?lang=zh-hans", {"up_to_id": "x"}, follow=True)
        assert response.status_code == 200
        response = client.post("/notifications/read", {"up_to_id": "-3"}, follow=True)
        assert "positive whole number" in response.content.decode()


class TestSettings:
    def test_turn_kinds_off_and_on(self, client, user):
        client.force_login(user)
        page = client.get("/settings/notifications").content.decode()
        assert page.count('type="checkbox"') == len(Kind.values)
        assert page.count("checked") == len(Kind.values)
        on = [k for k in Kind.values if k not in ("like", "mention")]
        response = client.post("/settings/notifications", {"enabled": on}, follow=True)
        assert "saved" in response.content.decode()
        assert NotificationSettings.objects.get(user=user).disabled_kinds == ["like", "mention"]
        assert response.content.decode().count("checked") == len(on)

    def test_a_made_up_kind_is_refused(self, client, user):
        client.force_login(user)
        response = client.post("/settings/notifications", {"enabled": ["nonsense"]})
        assert response.status_code == 200
        assert "not one of the available choices" in response.content.decode()
        assert not NotificationSettings.objects.exists()

    def test_a_tab_of_the_account_settings(self, client, user):
        client.force_login(user)
        assert 'href="/settings/notifications"' in client.get("/settings/profile").content.decode()


class TestBell:
    def test_no_bell_for_visitors(self, client):
        PublishedArtworkFactory()
        assert 'class="icon-btn bell"' not in client.get("/feed").content.decode()

    def test_the_count_costs_no_query_on_a_warm_page(self, committed):
        me = UserFactory()
        _followers(committed, me, 3)
        client, _ = signed_in(me)
        assert _bell(client.get("/feed")) == "Notifications, 3 unread"  # counted once
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/feed")
        assert _bell(response) == "Notifications, 3 unread"
        assert not [q["sql"] for q in queries.captured_queries if "notifications" in q["sql"]]

    def test_a_new_notification_and_reading_change_the_count(self, committed):
        me = UserFactory()
        client, _ = signed_in(me)
        assert _bell(client.get("/feed")) == "Notifications"
        _followers(committed, me, 1)
        assert _bell(client.get("/feed")) == "Notifications, 1 unread"
        committed(services.notifications_mark_read, recipient=me)
        assert _bell(client.get("/feed")) == "Notifications"


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300


class TestKeptPages:
    def test_a_kept_page_never_shows_an_outdated_count(self, committed, page_cache):
        PublishedArtworkFactory()
        me = UserFactory()
        client, _ = signed_in(me)
        client.get("/feed")
        kept = client.get("/feed")
        assert kept["X-Page-Cache"] == "hit"
        assert _bell(kept) == "Notifications"
        _followers(committed, me, 2)
        fresh = client.get("/feed")
        assert _bell(fresh) == "Notifications, 2 unread"
        assert _bell(client.get("/feed")) == "Notifications, 2 unread"
        committed(services.notifications_mark_read, recipient=me)
        assert _bell(client.get("/feed")) == "Notifications"

    def test_a_warm_kept_page_costs_the_member_only(
        self, committed, page_cache, django_assert_max_num_queries
    ):
        PublishedArtworkFactory()
        me = UserFactory()
        _followers(committed, me, 1)
        client, _ = signed_in(me)
        client.get("/feed")
        with django_assert_max_num_queries(1):  # the member
            response = client.get("/feed")
        assert response["X-Page-Cache"] == "hit"
        assert _bell(response) == "Notifications, 1 unread"

    def test_another_members_notification_leaves_my_kept_page(self, committed, page_cache):
        PublishedArtworkFactory()
        me, other = UserFactory(), UserFactory()
        client, _ = signed_in(me)
        client.get("/feed")
        committed(services.notify_follow, follower_id=UserFactory().pk, followee_id=other.pk)
        assert Notification.objects.filter(recipient=other).exists()
        assert client.get("/feed")["X-Page-Cache"] == "hit"


def test_the_settings_tab_is_the_current_one(client, user):
    client.force_login(user)
    html = client.get("/settings/notifications").content.decode()
    current = re.findall(r'<a class="tab" href="([^"]+)" aria-current="page">', html)
    assert current == ["/settings/notifications"]
