"""Who is told what: each kind created after its event's commit, once per event and day,
never to the actor, to a member who blocks or mutes the actor, for a kind turned off, nor
about what the recipient may not see."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import services as account_services
from artworks import services as artwork_services
from artworks.models import Artwork
from notifications import services
from notifications.models import Notification
from notifications.selectors import notifications_shown_to, unread_count
from social import services as social_services
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def art():
    return PublishedArtworkFactory(title="Moonlit fox")


@pytest.fixture
def moderator():
    return make_moderator(
        extra_perms=("artworks.change_artwork", "social.moderate_comment", "accounts.suspend_user")
    )


def _kinds(member) -> list[str]:
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def _like(committed, member, artwork) -> None:
    committed(artwork_services.artwork_like, artwork_id=artwork.pk, user=member)


def _comment(committed, author, artwork, body="Lovely.", parent=None):
    return committed(
        social_services.comment_create,
        author=author,
        artwork_id=artwork.pk,
        body=body,
        parent_id=parent.pk if parent else None,
    )


class TestEachKind:
    def test_a_like_and_a_favorite_tell_the_author(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        committed(artwork_services.artwork_favorite, artwork_id=art.pk, user=fan)
        rows = Notification.objects.filter(recipient=art.user).order_by("kind")
        assert [(n.kind, n.actor_id, n.artwork_id) for n in rows] == [
            (Kind.FAVORITE, fan.pk, art.pk),
            (Kind.LIKE, fan.pk, art.pk),
        ]
        assert all(n.read_at is None for n in rows)

    def test_an_unlike_or_unfavorite_tells_nobody(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        Notification.objects.all().delete()
        committed(artwork_services.artwork_unlike, artwork_id=art.pk, user=fan)
        assert not Notification.objects.exists()

    def test_a_follow_tells_the_followee(self, committed):
        ada, bob = UserFactory(), UserFactory()
        committed(social_services.user_follow, follower=ada, followee=bob)
        row = Notification.objects.get()
        assert (row.recipient, row.kind, row.actor, row.artwork) == (bob, Kind.FOLLOW, ada, None)

    def test_a_comment_tells_the_artworks_author(self, committed, art):
        commenter = UserFactory()
        comment = _comment(committed, commenter, art)
        row = Notification.objects.get()
        assert (row.recipient, row.kind, row.actor, row.comment) == (
            art.user,
            Kind.COMMENT,
            commenter,
            comment,
        )

    def test_a_reply_tells_the_parents_author_and_the_artworks_author(self, committed, art):
        first, second = UserFactory(), UserFactory()
        parent = _comment(committed, first, art)
        Notification.objects.all().delete()
        _comment(committed, second, art, parent=parent)
        assert _kinds(first) == [Kind.REPLY]
        assert _kinds(art.user) == [Kind.COMMENT]

    def test_the_author_replied_to_on_their_own_artwork_is_told_once(self, committed, art):
        parent = _comment(committed, art.user, art)
        _comment(committed, UserFactory(), art, parent=parent)
        assert _kinds(art.user) == [Kind.REPLY]

    def test_mentions_tell_each_active_member_once(self, committed, art):
        ada, bob, gone = UserFactory(username="ada"), UserFactory(username="bob"), UserFactory()
        gone.is_active = False
        gone.save()
        body = f"@ada look, @Ada again, @bob and @{gone.username} and @nobody"
        _comment(committed, UserFactory(), art, body=body)
        assert _kinds(ada) == [Kind.MENTION]
        assert _kinds(bob) == [Kind.MENTION]
        assert _kinds(gone) == []
        assert _kinds(art.user) == [Kind.COMMENT]

    def test_past_the_most_mentions_those_written_first_are_told(self, committed, art):
        """The members beyond MENTIONS_MAX were whoever the database listed last, not the last
        ones written."""
        members = [UserFactory(username=f"m{i:02d}") for i in range(services.MENTIONS_MAX + 2)]
        written = list(reversed(members))  # the newest accounts named first
        _comment(committed, UserFactory(), art, body=" ".join(f"@{m.username}" for m in written))
        told = set(
            Notification.objects.filter(kind=Kind.MENTION).values_list("recipient_id", flat=True)
        )
        assert told == {m.pk for m in written[: services.MENTIONS_MAX]}

    def test_a_mentioned_artwork_author_is_told_of_the_comment_only(self, committed, art):
        _comment(committed, UserFactory(), art, body=f"@{art.user.username} wow")
        assert _kinds(art.user) == [Kind.COMMENT]

    def test_staff_featuring_and_hiding_tell_the_author_with_the_reason(
        self, committed, art, moderator
    ):
        committed(artwork_services.artwork_feature, artwork=art, actor=moderator, reason="Lovely")
        committed(artwork_services.artwork_hide, artwork=art, actor=moderator, reason="Spam")
        rows = {n.kind: n for n in Notification.objects.filter(recipient=art.user)}
        assert set(rows) == {Kind.FEATURED, Kind.HIDDEN}
        assert rows[Kind.FEATURED].reason == "Lovely"
        assert rows[Kind.HIDDEN].reason == "Spam"
        assert rows[Kind.HIDDEN].actor is None  # the staff member is not named
        # The hidden artwork's author still reads why.
        assert list(notifications_shown_to(recipient=art.user).filter(kind=Kind.HIDDEN))

    def test_restoring_or_unfeaturing_tells_nobody(self, committed, art, moderator):
        art.moderation = Artwork.Moderation.HIDDEN
        art.save()
        committed(artwork_services.artwork_restore, artwork=art, actor=moderator)
        assert not Notification.objects.exists()


class TestOnce:
    def test_like_unlike_like_again_notifies_once_a_day(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        committed(artwork_services.artwork_unlike, artwork_id=art.pk, user=fan)
        _like(committed, fan, art)
        assert Notification.objects.count() == 1

    def test_follow_unfollow_follow_again_notifies_once(self, committed):
        ada, bob = UserFactory(), UserFactory()
        for _ in range(2):
            committed(social_services.user_follow, follower=ada, followee=bob)
            committed(social_services.user_unfollow, follower=ada, followee=bob)
        assert Notification.objects.count() == 1

    def test_reactions_in_one_window_are_told_by_one_task(
        self, committed, art, settings, monkeypatch
    ):
        """The like path pays one cache round trip while a batch is open, not a task: the
        first reaction opens the window and its task tells of the batch."""
        from notifications import tasks

        settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 60
        queued = []
        original = tasks.notify_reactions.run
        monkeypatch.setattr(
            tasks.notify_reactions, "run", lambda *a, **k: queued.append(a) or original(*a, **k)
        )
        fan = UserFactory()
        for _ in range(3):
            _like(committed, fan, art)
            committed(artwork_services.artwork_unlike, artwork_id=art.pk, user=fan)
        assert queued == [(art.pk,)]
        assert Notification.objects.count() == 1

    def test_a_batch_tells_of_every_reaction_in_it(self, committed, art):
        fans = UserFactory.create_batch(3)
        with transaction.atomic():  # no task runs until the end: one batch
            for fan in fans:
                artwork_services.artwork_like(artwork_id=art.pk, user=fan)
            artwork_services.artwork_favorite(artwork_id=art.pk, user=fans[0])
        committed(services.notify_reactions, artwork_id=art.pk)
        rows = Notification.objects.filter(recipient=art.user)
        assert sorted((n.kind, n.actor_id) for n in rows) == sorted(
            [(Kind.LIKE, fan.pk) for fan in fans] + [(Kind.FAVORITE, fans[0].pk)]
        )

    def test_a_reaction_taken_back_before_the_batch_tells_nothing(self, committed, art):
        fan = UserFactory()
        with transaction.atomic():
            artwork_services.artwork_like(artwork_id=art.pk, user=fan)
            artwork_services.artwork_unlike(artwork_id=art.pk, user=fan)
        committed(services.notify_reactions, artwork_id=art.pk)
        assert not Notification.objects.exists()

    def test_without_the_cache_the_event_still_goes(self, monkeypatch, settings):
        from django.core.cache import cache

        def down(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(cache, "add", down)
        assert services.event_first_today(kind=Kind.FOLLOW, actor_id=1, target_id=2)
        settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 60
        told: list[bool] = []
        services.reactions_window_opens(artwork_id=2, then=told.append)
        assert told == [True]

    def test_a_task_run_twice_stores_one(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        for _ in range(2):
            committed(services.notify_reactions, artwork_id=art.pk)
        assert Notification.objects.count() == 1

    def test_the_next_day_is_a_new_event(self, committed, art, monkeypatch):
        import datetime as dt

        from django.utils import timezone

        fan = UserFactory()
        _like(committed, fan, art)
        later = timezone.now() + dt.timedelta(days=1, seconds=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        committed(services.notify_reactions, artwork_id=art.pk)
        assert Notification.objects.count() == 1  # a like kept from yesterday tells nothing new
        committed(artwork_services.artwork_unlike, artwork_id=art.pk, user=fan)
        _like(committed, fan, art)
        assert Notification.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_batch_is_told_beside_the_requests(settings):
    """The embedded default: likes return at once; a thread tells of the window's batch once
    it closes."""
    import time

    settings.NOTIFICATIONS_IN_BACKGROUND_THREAD = True
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 0.5
    art = PublishedArtworkFactory()
    fans = UserFactory.create_batch(3)
    for fan in fans:
        artwork_services.artwork_like(artwork_id=art.pk, user=fan)
    assert not Notification.objects.exists()  # not in the requests
    deadline = time.monotonic() + 10
    while Notification.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(Notification.objects.values_list("actor_id", flat=True)) == sorted(
        fan.pk for fan in fans
    )


class TestNever:
    def test_never_to_the_actor(self, committed, art):
        _like(committed, art.user, art)
        _comment(committed, art.user, art, body=f"@{art.user.username} me")
        assert not Notification.objects.exists()

    def test_never_to_a_member_who_blocks_the_actor(self, committed, art):
        troll = UserFactory()
        social_services.user_block(blocker=art.user, blocked=troll)
        _like(committed, troll, art)
        assert not Notification.objects.filter(recipient=art.user).exists()

    def test_a_mention_never_reaches_a_member_who_blocks_the_commenter(self, committed, art):
        ada, troll = UserFactory(username="ada"), UserFactory()
        social_services.user_block(blocker=ada, blocked=troll)
        _comment(committed, troll, art, body="@ada hello")
        assert _kinds(ada) == []

    def test_never_from_a_muted_member(self, committed, art):
        loud = UserFactory()
        social_services.user_mute(muter=art.user, muted=loud)
        _like(committed, loud, art)
        committed(social_services.user_follow, follower=loud, followee=art.user)
        assert not Notification.objects.exists()

    def test_never_a_kind_turned_off(self, committed, art):
        services.notification_settings_update(user=art.user, disabled=[Kind.LIKE])
        fan = UserFactory()
        _like(committed, fan, art)
        committed(artwork_services.artwork_favorite, artwork_id=art.pk, user=fan)
        assert _kinds(art.user) == [Kind.FAVORITE]

    def test_an_unknown_kind_cannot_be_turned_off(self, user):
        with pytest.raises(ValidationError):
            services.notification_settings_update(user=user, disabled=["spam"])

    def test_never_from_a_suspended_actor(self, committed, art):
        gone = UserFactory(is_active=False)
        with transaction.atomic():
            artwork_services.artwork_like(artwork_id=art.pk, user=gone)
        committed(services.notify_reactions, artwork_id=art.pk)
        assert not Notification.objects.exists()

    def test_a_rolled_back_like_makes_none(self, django_capture_on_commit_callbacks, art):
        fan = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    artwork_services.artwork_like(artwork_id=art.pk, user=fan)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        assert not Notification.objects.exists()

    def test_nothing_is_created_before_commit(self, django_capture_on_commit_callbacks, art):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            artwork_services.artwork_like(artwork_id=art.pk, user=UserFactory())
            assert not Notification.objects.exists()
        assert callbacks


class TestVisibility:
    def test_no_comment_notification_on_a_hidden_artwork(self, committed, art, moderator):
        comment = _comment(committed, UserFactory(username="ada"), art)
        Notification.objects.all().delete()
        art.moderation = Artwork.Moderation.HIDDEN
        art.save()
        committed(services.notify_comment, comment_id=comment.pk)
        assert not Notification.objects.exists()

    def test_no_mention_on_a_suspended_authors_artwork(self, committed, art, moderator):
        ada = UserFactory(username="ada")
        comment = _comment(committed, UserFactory(), art, body="@ada look")
        Notification.objects.all().delete()
        committed(account_services.user_suspend, user=art.user, actor=moderator, reason="x")
        committed(services.notify_comment, comment_id=comment.pk)
        assert _kinds(ada) == []

    def test_a_staff_recipient_is_told_like_anyone(self, committed, moderator):
        art = PublishedArtworkFactory(user=moderator)
        _like(committed, UserFactory(), art)
        assert _kinds(moderator) == [Kind.LIKE]

    def test_a_mention_on_an_artwork_the_mentioned_cannot_see_is_left_out_when_read(
        self, committed, art, moderator
    ):
        ada = UserFactory(username="ada")
        _comment(committed, UserFactory(), art, body="@ada see")
        assert notifications_shown_to(recipient=ada).count() == 1
        committed(artwork_services.artwork_hide, artwork=art, actor=moderator, reason="x")
        assert notifications_shown_to(recipient=ada).count() == 0

    def test_a_suspended_commenters_notifications_vanish_and_come_back(
        self, committed, art, moderator
    ):
        commenter = UserFactory()
        _comment(committed, commenter, art)
        assert notifications_shown_to(recipient=art.user).count() == 1
        committed(account_services.user_suspend, user=commenter, actor=moderator, reason="spam")
        assert notifications_shown_to(recipient=art.user).count() == 0
        committed(account_services.user_restore, user=commenter, actor=moderator)
        assert notifications_shown_to(recipient=art.user).count() == 1

    def test_a_hidden_comment_vanishes_from_notifications(self, committed, art, moderator):
        comment = _comment(committed, UserFactory(), art)
        committed(social_services.comment_hide, comment=comment, actor=moderator, reason="rude")
        assert notifications_shown_to(recipient=art.user).count() == 0

    @pytest.mark.parametrize("how", ["hidden", "suspended"])
    def test_a_reply_in_a_thread_gone_from_the_page_vanishes_too(
        self, committed, art, moderator, how
    ):
        """Hiding a comment, or suspending its author, takes its replies off the page: the
        notifications about them (their excerpt, a link to nothing) go with them, and come
        back when it is undone; the bell's count follows at once."""
        first = _comment(committed, UserFactory(), art)
        ada = UserFactory(username="ada")
        _comment(committed, UserFactory(), art, body="@ada see this", parent=first)
        assert notifications_shown_to(recipient=ada).count() == 1
        assert unread_count(user=ada) == 1
        if how == "hidden":
            committed(social_services.comment_hide, comment=first, actor=moderator, reason="x")
        else:
            committed(account_services.user_suspend, user=first.author, actor=moderator, reason="x")
        assert notifications_shown_to(recipient=ada).count() == 0
        assert unread_count(user=ada) == 0
        if how == "hidden":
            committed(social_services.comment_unhide, comment=first, actor=moderator)
        else:
            committed(account_services.user_restore, user=first.author, actor=moderator)
        assert notifications_shown_to(recipient=ada).count() == 1
        assert unread_count(user=ada) == 1

    def test_muting_later_hides_what_came_before_and_recounts(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        assert unread_count(user=art.user) == 1
        committed(social_services.user_mute, muter=art.user, muted=fan)
        assert unread_count(user=art.user) == 0
        committed(social_services.user_unmute, muter=art.user, muted=fan)
        assert unread_count(user=art.user) == 1


class TestMarkRead:
    def test_all_or_up_to_an_id(self, committed):
        me = UserFactory()
        fans = UserFactory.create_batch(3)
        for fan in fans:
            committed(social_services.user_follow, follower=fan, followee=me)
        ids = sorted(Notification.objects.values_list("id", flat=True))
        assert unread_count(user=me) == 3
        assert committed(services.notifications_mark_read, recipient=me, up_to_id=ids[1]) == 1
        assert unread_count(user=me) == 1
        assert committed(services.notifications_mark_read, recipient=me) == 0

    def test_another_members_ids_do_not_matter(self, committed):
        me, other = UserFactory(), UserFactory()
        committed(social_services.user_follow, follower=other, followee=me)
        committed(social_services.user_follow, follower=me, followee=other)
        theirs = Notification.objects.get(recipient=other)
        services.notifications_mark_read(recipient=me, up_to_id=theirs.pk)
        assert Notification.objects.get(pk=theirs.pk).read_at is None

    def test_a_bad_id_is_refused(self, user):
        with pytest.raises(ValidationError):
            services.notifications_mark_read(recipient=user, up_to_id=0)


class TestCountFollows:
    """The cached unread count follows what changes what the recipient may read."""

    def test_a_commenters_suspension_and_restoration(self, committed, art, moderator):
        commenter = UserFactory()
        _comment(committed, commenter, art)
        assert unread_count(user=art.user) == 1
        committed(account_services.user_suspend, user=commenter, actor=moderator, reason="x")
        assert unread_count(user=art.user) == 0
        committed(account_services.user_restore, user=commenter, actor=moderator)
        assert unread_count(user=art.user) == 1

    def test_a_comment_hidden_and_unhidden(self, committed, art, moderator):
        comment = _comment(committed, UserFactory(), art)
        assert unread_count(user=art.user) == 1
        committed(social_services.comment_hide, comment=comment, actor=moderator, reason="x")
        assert unread_count(user=art.user) == 0
        committed(social_services.comment_unhide, comment=comment, actor=moderator)
        assert unread_count(user=art.user) == 1

    def test_an_artwork_hidden_for_a_mention(self, committed, art, moderator):
        ada = UserFactory(username="ada")
        _comment(committed, UserFactory(), art, body="@ada look")
        assert unread_count(user=ada) == 1
        committed(artwork_services.artwork_hide, artwork=art, actor=moderator, reason="x")
        assert unread_count(user=ada) == 0

    def test_a_row_gone_by_cascade(self, committed, art):
        fan = UserFactory()
        _like(committed, fan, art)
        assert unread_count(user=art.user) == 1
        committed(fan.delete)
        assert unread_count(user=art.user) == 0


def _batch_of(fans: list, art: Artwork, *, favorite_too: list = ()) -> int:
    """The queries one batch of these fans' likes (and favorites) costs to tell."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():  # no task runs until the end: one batch, told below
        for fan in fans:
            artwork_services.artwork_like(artwork_id=art.pk, user=fan)
        for fan in favorite_too:
            artwork_services.artwork_favorite(artwork_id=art.pk, user=fan)
    with CaptureQueriesContext(connection) as queries:
        services.notify_reactions(artwork_id=art.pk)
    return len(queries)


def test_a_batch_costs_the_same_queries_however_many_reactions_it_holds():
    small, large = PublishedArtworkFactory(), PublishedArtworkFactory()
    few = _batch_of(UserFactory.create_batch(2), small, favorite_too=UserFactory.create_batch(1))
    fans = UserFactory.create_batch(12)
    many = _batch_of(fans, large, favorite_too=fans[:5])
    assert few == many
    assert Notification.objects.filter(recipient=large.user).count() == 17
    told_again = _batch_of([], large)  # nothing new: nothing stored, fewer queries
    assert told_again < many
    assert Notification.objects.filter(recipient=large.user).count() == 17


def test_a_batch_leaves_out_whom_the_author_blocks_or_mutes_and_tells_the_rest(art):
    told, blocked, muted, gone = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    social_services.user_block(blocker=art.user, blocked=blocked)
    social_services.user_mute(muter=art.user, muted=muted)
    with transaction.atomic():
        for fan in (told, blocked, muted, gone, art.user):
            artwork_services.artwork_like(artwork_id=art.pk, user=fan)
            artwork_services.artwork_favorite(artwork_id=art.pk, user=fan)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    delivered = services.notify_reactions(artwork_id=art.pk)
    assert sorted((n.kind, n.actor_id) for n in delivered) == [
        (Kind.FAVORITE, told.pk),
        (Kind.LIKE, told.pk),
    ]
    rows = Notification.objects.filter(recipient=art.user)
    assert sorted(rows.values_list("kind", "actor_id")) == [
        (Kind.FAVORITE, told.pk),
        (Kind.LIKE, told.pk),
    ]
    assert services.notify_reactions(artwork_id=art.pk) == []  # told already: nothing new
