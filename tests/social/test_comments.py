"""Comments: the rule for posting, the services (refusals save nothing, counts stay exact,
replies one level deep), who reads what, and the plain-text rendering."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.models import StaffAction
from artworks.models import Artwork
from social.models import COMMENT_MAX_LENGTH, Comment
from social.selectors import (
    InvalidCommentCursor,
    can_delete_comment,
    comment_refusal,
    comments_page,
    mentioned_members,
)
from social.services import (
    CommentRefused,
    comment_create,
    comment_delete,
    comment_hide,
    comment_unhide,
    user_block,
)
from social.text import comment_html
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _count(artwork: Artwork) -> int:
    return Artwork.objects.values_list("comment_count", flat=True).get(pk=artwork.pk)


@pytest.fixture
def art():
    return PublishedArtworkFactory()


@pytest.fixture
def comment_moderator():
    return make_moderator(extra_perms=("social.moderate_comment", "accounts.suspend_user"))


def _say(author, artwork, body="Lovely light.", parent=None) -> Comment:
    return comment_create(
        author=author,
        artwork_id=artwork.pk,
        body=body,
        parent_id=parent.pk if parent is not None else None,
    )


class TestCreate:
    def test_a_comment_is_saved_stripped_and_counted(self, art):
        comment = _say(UserFactory(), art, "  Lovely light.\n ")
        assert comment.body == "Lovely light."
        assert comment.parent_id is None
        assert _count(art) == 1

    @pytest.mark.parametrize(
        "body",
        ["", "   \n\t ", "x" * (COMMENT_MAX_LENGTH + 1), "nul\x00byte", "\u200b\u200d \u3164\x07"],
    )
    def test_a_bad_body_is_refused_and_nothing_is_saved(self, art, body):
        with pytest.raises(ValidationError):
            _say(UserFactory(), art, body)
        assert not Comment.objects.exists()
        assert _count(art) == 0

    def test_control_characters_are_left_out(self, art):
        """They show nothing and are not valid in a page: a bell or an escape in the text
        made the artwork page invalid HTML (line breaks and tabs are kept)."""
        comment = _say(UserFactory(), art, "\u200bWell\x07 done\x1b!\n\tTruly 👩\u200d🎨")
        assert comment.body == "Well done!\n\tTruly 👩\u200d🎨"

    def test_the_longest_body_is_taken(self, art):
        assert len(_say(UserFactory(), art, "x" * COMMENT_MAX_LENGTH).body) == COMMENT_MAX_LENGTH

    def test_a_reply_to_a_reply_goes_under_the_top_level_comment(self, art):
        top = _say(UserFactory(), art)
        reply = _say(UserFactory(), art, "Agreed.", parent=top)
        deeper = _say(UserFactory(), art, "Me too.", parent=reply)
        assert reply.parent_id == top.pk
        assert deeper.parent_id == top.pk
        assert _count(art) == 3

    def test_a_parent_on_another_artwork_is_refused(self, art):
        elsewhere = _say(UserFactory(), PublishedArtworkFactory())
        with pytest.raises(ValidationError, match="same artwork"):
            _say(UserFactory(), art, parent=elsewhere)
        assert Comment.objects.count() == 1
        assert _count(art) == 0

    def test_a_missing_or_hidden_parent_is_refused(self, art, comment_moderator):
        gone = _say(UserFactory(), art)
        gone_id = gone.pk
        gone.delete()
        with pytest.raises(ValidationError, match="no longer there"):
            comment_create(author=UserFactory(), artwork_id=art.pk, body="hi", parent_id=gone_id)
        hidden = comment_hide(actor=comment_moderator, comment=_say(UserFactory(), art))
        with pytest.raises(ValidationError, match="no longer there"):
            _say(UserFactory(), art, parent=hidden)
        assert Comment.objects.count() == 1

    def test_a_moderators_reply_in_a_hidden_thread_leaves_the_public_count(
        self, art, comment_moderator
    ):
        """Moderators read and may answer a hidden comment: their reply is hidden with its
        thread, and the count of what the public reads (1) said 2."""
        hidden = comment_hide(actor=comment_moderator, comment=_say(UserFactory(), art))
        _say(UserFactory(), art)
        assert _count(art) == 1
        assert _say(comment_moderator, art, "Why this went.", parent=hidden).parent_id == hidden.pk
        assert _count(art) == 1
        comment_unhide(actor=comment_moderator, comment=hidden)
        assert _count(art) == 3

    def test_anonymous_and_suspended_members_are_refused(self, art):
        assert comment_refusal(actor=None, artwork=art) == "Sign in to comment."
        suspended = UserFactory(is_active=False)
        with pytest.raises(CommentRefused):
            _say(suspended, art)
        assert not Comment.objects.exists()

    def test_no_comments_on_a_draft_not_even_by_its_author(self):
        draft = ArtworkFactory()
        with pytest.raises(CommentRefused, match="published"):
            _say(draft.user, draft)
        with pytest.raises(Artwork.DoesNotExist):  # others may not even see it
            _say(UserFactory(), draft)
        assert not Comment.objects.exists()

    def test_no_comments_on_a_hidden_artwork(self, art):
        Artwork.objects.filter(pk=art.pk).update(moderation=Artwork.Moderation.HIDDEN)
        for member in (UserFactory(), art.user):
            with pytest.raises(Artwork.DoesNotExist):
                _say(member, art)
        assert not Comment.objects.exists()

    def test_a_blocked_member_cannot_comment_on_the_blockers_work(self, art):
        blocked = UserFactory()
        user_block(blocker=art.user, blocked=blocked)
        with pytest.raises(CommentRefused, match="cannot comment on this member"):
            _say(blocked, art)
        assert not Comment.objects.exists()
        # The block keeps the blocked member away, not the other way round.
        blocker = UserFactory()
        user_block(blocker=blocker, blocked=art.user)
        assert _say(blocker, art).pk
        assert _count(art) == 1

    def test_a_blocked_member_cannot_reply_in_the_blockers_threads(self, art):
        """On a third member's work: the artwork's author blocks no one, the commenter does."""
        commenter, blocked, other = UserFactory(), UserFactory(), UserFactory()
        first = _say(commenter, art)
        answer = _say(other, art, parent=first)
        user_block(blocker=commenter, blocked=blocked)
        # Under the blocker's comment, and under someone's reply in the blocker's thread.
        for parent in (first, answer):
            with pytest.raises(CommentRefused, match="cannot reply to this member's comments"):
                _say(blocked, art, "Let me in.", parent=parent)
        assert Comment.objects.filter(author=blocked).count() == 0
        assert _count(art) == 2
        # They may still comment on the work, and reply to others in their own threads.
        own = _say(blocked, art)
        assert _say(blocked, art, parent=own).parent_id == own.pk
        # The block keeps the blocked member away, not the other way round.
        assert _say(commenter, art, parent=own).parent_id == own.pk
        # Reply to a reply of the blocker in someone else's thread: the reply's author blocks.
        their_reply = _say(commenter, art, parent=own)
        with pytest.raises(CommentRefused, match="cannot reply"):
            _say(blocked, art, parent=their_reply)


class TestDelete:
    def test_the_author_the_artwork_author_and_moderators_may_delete(self, art, comment_moderator):
        commenter = UserFactory()
        comment = _say(commenter, art)
        comment.artwork = art
        assert can_delete_comment(actor=commenter, comment=comment)
        assert can_delete_comment(actor=art.user, comment=comment)
        assert can_delete_comment(actor=comment_moderator, comment=comment)
        assert not can_delete_comment(actor=UserFactory(), comment=comment)
        assert not can_delete_comment(
            actor=UserFactory(is_staff=True), comment=comment
        )  # no permission
        assert not can_delete_comment(actor=None, comment=comment)

    def test_others_are_refused_and_nothing_changes(self, art):
        comment = _say(UserFactory(), art)
        with pytest.raises(CommentRefused):
            comment_delete(actor=UserFactory(), comment_id=comment.pk)
        assert Comment.objects.count() == 1
        assert _count(art) == 1

    def test_a_top_level_comment_takes_its_replies_and_the_count_follows(self, art):
        top = _say(UserFactory(), art)
        for _ in range(3):
            _say(UserFactory(), art, parent=top)
        other = _say(UserFactory(), art)
        assert _count(art) == 5
        comment_delete(actor=top.author, comment_id=top.pk)
        assert list(Comment.objects.all()) == [other]
        assert _count(art) == 1

    def test_a_reply_deleted_counts_once(self, art):
        top = _say(UserFactory(), art)
        reply = _say(UserFactory(), art, parent=top)
        comment_delete(actor=art.user, comment_id=reply.pk)
        assert _count(art) == 1
        assert not StaffAction.objects.exists()  # the artwork's author is not staff acting

    def test_a_moderator_deleting_is_logged(self, art, comment_moderator):
        comment = _say(UserFactory(), art)
        comment_delete(actor=comment_moderator, comment_id=comment.pk)
        entry = StaffAction.objects.get()
        assert entry.action == StaffAction.Action.COMMENT_DELETE
        assert entry.target_type == StaffAction.TargetType.COMMENT
        assert entry.target_id == comment.pk

    def test_a_missing_comment(self, art):
        with pytest.raises(Comment.DoesNotExist):
            comment_delete(actor=art.user, comment_id=123456)

    def test_cascades_keep_the_count(self, art):
        member = UserFactory()
        top = _say(UserFactory(), art)
        _say(member, art, parent=top)
        _say(member, art)
        assert _count(art) == 3
        member.delete()  # their comments go by cascade
        assert _count(art) == 1
        art.delete()  # and the artwork with its comments: no error, nothing left
        assert not Comment.objects.exists()

    def test_a_hidden_comment_deleted_leaves_the_count_alone(self, art, comment_moderator):
        comment = _say(UserFactory(), art)
        _say(UserFactory(), art)
        comment_hide(actor=comment_moderator, comment=comment, reason="spam")
        assert _count(art) == 1
        comment_delete(actor=comment.author, comment_id=comment.pk)
        assert _count(art) == 1


class TestHide:
    def test_hide_and_unhide_are_logged_counted_and_idempotent(self, art, comment_moderator):
        comment = _say(UserFactory(), art)
        for _ in range(2):
            hidden = comment_hide(actor=comment_moderator, comment=comment, reason="spam")
        assert hidden.hidden_at is not None
        assert hidden.hidden_reason == "spam"
        assert _count(art) == 0
        for _ in range(2):
            shown = comment_unhide(actor=comment_moderator, comment=comment)
        assert shown.hidden_at is None
        assert _count(art) == 1
        actions = list(StaffAction.objects.order_by("id").values_list("action", "reason"))
        assert actions == [("comment_hide", "spam"), ("comment_unhide", "")]

    @pytest.mark.parametrize("who", ["member", "artwork author", "staff without permission"])
    def test_only_comment_moderators_hide(self, art, who):
        actor = {"member": UserFactory(), "artwork author": art.user}.get(who) or UserFactory(
            is_staff=True
        )
        comment = _say(UserFactory(), art)
        with pytest.raises(CommentRefused):
            comment_hide(actor=actor, comment=comment)
        comment.refresh_from_db()
        assert comment.hidden_at is None
        assert _count(art) == 1


class TestReading:
    def test_oldest_first_with_replies_and_a_cursor(self, art):
        tops = [_say(UserFactory(), art, f"top {i}") for i in range(5)]
        reply = _say(UserFactory(), art, "reply", parent=tops[0])
        page = comments_page(artwork=art, viewer=None, cursor=None, limit=3)
        assert [c.body for c in page.items] == ["top 0", "top 1", "top 2"]
        assert page.items[0].shown_replies == [reply]
        rest = comments_page(artwork=art, viewer=None, cursor=page.next_cursor, limit=3)
        assert [c.body for c in rest.items] == ["top 3", "top 4"]
        assert rest.next_cursor is None

    def test_a_bad_cursor(self, art):
        with pytest.raises(InvalidCommentCursor):
            comments_page(artwork=art, viewer=None, cursor="nonsense!", limit=3)

    def test_two_queries_whatever_the_number(self, art, django_assert_num_queries):
        for _ in range(10):
            top = _say(UserFactory(), art)
            _say(UserFactory(), art, parent=top)
        with django_assert_num_queries(2):
            page = comments_page(artwork=art, viewer=None, cursor=None, limit=20)
            assert all(c.author.username for t in page.items for c in (t, *t.shown_replies))

    def test_hidden_comments_are_for_staff_only(self, art, comment_moderator):
        kept, hidden = _say(UserFactory(), art), _say(UserFactory(), art)
        reply = _say(UserFactory(), art, parent=kept)
        comment_hide(actor=comment_moderator, comment=hidden)
        comment_hide(actor=comment_moderator, comment=reply)
        for viewer in (None, UserFactory(), art.user, hidden.author, UserFactory(is_staff=True)):
            page = comments_page(artwork=art, viewer=viewer, cursor=None, limit=20)
            assert page.items == [kept]
            assert page.items[0].shown_replies == []
        page = comments_page(artwork=art, viewer=comment_moderator, cursor=None, limit=20)
        assert page.items == [kept, hidden]
        assert page.items[0].shown_replies == [reply]

    def test_a_suspended_members_comments_vanish_and_return(self, art, comment_moderator):
        member = UserFactory()
        _say(member, art, "mine")
        _say(UserFactory(), art, "theirs")
        account_services.user_suspend(user=member, actor=comment_moderator, reason="spam")
        page = comments_page(artwork=art, viewer=None, cursor=None, limit=20)
        assert [c.body for c in page.items] == ["theirs"]
        staff_page = comments_page(artwork=art, viewer=comment_moderator, cursor=None, limit=20)
        assert len(staff_page.items) == 2
        member.refresh_from_db()
        account_services.user_restore(user=member, actor=comment_moderator)
        page = comments_page(artwork=art, viewer=None, cursor=None, limit=20)
        assert [c.body for c in page.items] == ["mine", "theirs"]
        assert Comment.objects.get(body="mine").hidden_at is None  # filtered, never rewritten


class TestText:
    @pytest.mark.parametrize(
        ("body", "html"),
        [
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("<b><i>nested</i></b>", "&lt;b&gt;&lt;i&gt;nested&lt;/i&gt;&lt;/b&gt;"),
            ("javascript:alert(1)", "javascript:alert(1)"),
            ("data:text/html,<x>", "data:text/html,&lt;x&gt;"),
            ("a & b", "a &amp; b"),
            ("two\nlines", "two<br>\nlines"),
            ("https://", "https://"),
        ],
    )
    def test_everything_is_escaped(self, body, html):
        assert str(comment_html(body)) == html

    def test_addresses_become_safe_links(self):
        html = str(comment_html("See https://example.com/a?b=1&c=2). Nice"))
        assert html == (
            'See <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "https://example.com/a?b=1&amp;c=2</a>). Nice"
        )

    def test_an_attribute_cannot_be_smuggled_in(self):
        html = str(comment_html("http://x.example/\"onmouseover=alert(1) 'x"))
        assert html.startswith('<a href="http://x.example/" rel="nofollow ugc noopener">')
        assert "&quot;onmouseover=alert(1) &#x27;x" in html
        assert '"onmouseover' not in html

    def test_a_javascript_address_inside_markup_stays_text(self):
        html = str(comment_html('<a href="javascript:alert(1)">https://ok.example/</a>'))
        assert 'href="javascript' not in html
        assert html.startswith("&lt;a href=&quot;javascript:alert(1)&quot;&gt;")

    def test_long_words_and_long_addresses(self):
        word = "x" * COMMENT_MAX_LENGTH
        assert str(comment_html(word)) == word
        url = "https://example.com/" + "y" * 300
        html = str(comment_html(url))
        assert f'href="{url}"' in html
        assert html.endswith("…</a>")

    def test_mentions_link_active_members_found_in_one_query(self, django_assert_num_queries):
        ada = UserFactory(username="Ada_L")
        UserFactory(username="gone", is_active=False)
        bodies = ["hi @ada_l and @gone", "@nobody, mail me at x@ada_l.example", "no mention"]
        with django_assert_num_queries(1):
            members = mentioned_members(bodies)
        assert members == {"ada_l": ada}
        html = str(comment_html(bodies[0], members))
        assert html == f'hi <a href="{ada.get_absolute_url()}">@Ada_L</a> and @gone'
        assert str(comment_html(bodies[1], members)) == "@nobody, mail me at x@ada_l.example"

    def test_a_mention_written_against_chinese_words_links_the_member(self):
        """Chinese puts no space around a name ("谢谢@ada_l的分享"): a username is Latin
        letters, digits, _ and -, so a Chinese character beside it ends it, as a space does."""
        ada = UserFactory(username="ada_l")
        body = "谢谢@ada_l的分享！问@ada_l好"
        members = mentioned_members([body])
        assert members == {"ada_l": ada}
        link = f'<a href="{ada.get_absolute_url()}">@ada_l</a>'
        assert str(comment_html(body, members)) == f"谢谢{link}的分享！问{link}好"

    def test_no_query_without_mentions(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert mentioned_members(["plain", "a@b.example"]) == {}
