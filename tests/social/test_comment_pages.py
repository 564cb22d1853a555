"""Comments on the artwork page: what each viewer sees, posting, replying and deleting
without JavaScript and with htmx, the refusals and their status codes, escaping, the page
cache following every change, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from artworks.models import Artwork
from artworks.services import artwork_hide
from social.comment_display import PAGE_SIZE
from social.models import Comment
from social.services import comment_create, comment_delete, comment_hide, user_block
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def art():
    return PublishedArtworkFactory(title="Harbour lights")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit work (announcements, cache invalidation) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def comment_moderator():
    return make_moderator(extra_perms=("accounts.suspend_user",))


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _say(author, artwork, body="Lovely light.", parent=None) -> Comment:
    return comment_create(
        author=author,
        artwork_id=artwork.pk,
        body=body,
        parent_id=parent.pk if parent is not None else None,
    )


def _page(client: Client, artwork: Artwork, query: str = "") -> str:
    response = client.get(artwork.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def _post_url(artwork: Artwork) -> str:
    return reverse("social:comment_post", args=[artwork.pk])


def _delete_url(comment: Comment) -> str:
    return reverse("social:comment_delete", args=[comment.pk])


def _report_url(comment: Comment) -> str:
    return reverse("moderation:report_comment", args=[comment.pk])


def _count(artwork: Artwork) -> int:
    return Artwork.objects.values_list("comment_count", flat=True).get(pk=artwork.pk)


class TestReading:
    def test_comments_oldest_first_with_replies_under_their_comment(self, art):
        first = _say(UserFactory(), art, "First!")
        second = _say(UserFactory(), art, "Second")
        reply = _say(UserFactory(), art, "A reply", parent=first)
        html = _page(_client(), art)
        section = html[html.index('id="comments"') :]
        assert section.index("First!") < section.index("A reply") < section.index("Second")
        replies = section[section.index(f'id="replies-{first.pk}"') :]
        assert replies.index(f'id="comment-{reply.pk}"') < replies.index("</ol>")
        assert f'id="comment-{second.pk}"' in section
        assert "3 comments" in section
        assert 'aria-labelledby="comments-title-' in section
        assert first.author.get_absolute_url() in section
        assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', section)

    def test_empty_state_and_sign_in_link_for_a_visitor(self, art):
        html = _page(_client(), art)
        assert "No comments yet — be the first." in html
        assert "Sign in to comment" in html
        assert "next=" + art.get_absolute_url().replace("/", "%2F") in html or (
            "next=" + art.get_absolute_url() in html
        )
        assert 'name="body"' not in html

    def test_a_member_gets_the_form_with_its_label_and_limit(self, art):
        top = _say(UserFactory(), art)
        html = _page(_client(UserFactory()), art)
        assert '<label for="comment-form-body">' in html
        assert f'<label for="reply-form-{top.pk}-body">' in html
        assert html.count('maxlength="2000"') == 2
        assert "Sign in to comment" not in html

    def test_bodies_are_escaped(self, art):
        _say(UserFactory(), art, '<script>alert(1)</script> "><img src=x onerror=alert(2)>')
        html = _page(_client(), art)
        assert "<script>alert(1)" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html

    def test_links_are_nofollow_and_mentions_link_the_member(self, art):
        UserFactory(username="grace")
        _say(UserFactory(), art, "See https://example.com/x and @grace")
        html = _page(_client(), art)
        assert 'href="https://example.com/x" rel="nofollow ugc noopener"' in html
        assert 'href="/user/grace"' in html

    def test_hidden_comments_are_for_comment_moderators_only(self, art, comment_moderator):
        shown, hidden = _say(UserFactory(), art, "kept words"), _say(UserFactory(), art, "spam")
        comment_hide(actor=comment_moderator, comment=hidden)
        for viewer in (None, UserFactory(), art.user, hidden.author, UserFactory(is_staff=True)):
            html = _page(_client(viewer), art)
            assert "kept words" in html
            assert f'id="comment-{hidden.pk}"' not in html
        html = _page(_client(comment_moderator), art)
        assert f'id="comment-{hidden.pk}"' in html and "is-hidden" in html
        assert f'id="comment-{shown.pk}"' in html

    def test_a_suspended_members_comments_vanish_and_come_back(self, art, comment_moderator):
        talker = UserFactory()
        _say(talker, art, "words of a talker")
        account_services.user_suspend(user=talker, actor=comment_moderator, reason="spam")
        assert "words of a talker" not in _page(_client(), art)
        assert "words of a talker" not in _page(_client(UserFactory()), art)
        account_services.user_restore(user=talker, actor=comment_moderator)
        assert "words of a talker" in _page(_client(), art)

    def test_the_next_page_without_and_with_htmx(self, art):
        comments = [_say(UserFactory(), art, f"words {i:02}") for i in range(PAGE_SIZE + 3)]
        html = _page(_client(), art)
        assert "words 00" in html and f"words {PAGE_SIZE - 1:02}" in html
        assert f"words {PAGE_SIZE:02}" not in html
        link = re.search(r'href="([^"]+\?comments=[^"#]+)#comments"[^>]*', html)
        assert link and 'rel="next"' in html
        second = _page(_client(), art, "?" + link.group(1).split("?", 1)[1])
        assert f"words {PAGE_SIZE:02}" in second and "words 00" not in second
        assert "Back to the first comments" in second
        more = re.search(r'data-hx-get="([^"]+)"', html[html.index('id="comments-more') :])
        fragment = _client().get(more.group(1).replace("&amp;", "&"), **HTMX)
        text = fragment.content.decode()
        assert fragment.status_code == 200
        assert f'id="comment-{comments[-1].pk}"' in text and "words 00" not in text
        assert 'data-hx-swap-oob="true"' in text

    def test_a_bad_cursor_shows_the_first_page_with_a_message(self, art):
        _say(UserFactory(), art, "still here")
        html = _page(_client(), art, "?comments=nonsense!")
        assert "still here" in html
        assert "This page link is invalid" in html

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_cursor_whose_time_is_out_of_range_is_a_bad_cursor_not_an_error(self, art, htmx):
        """0001-01-01T00:00:00+14:00 parses, but is before the first day once in UTC."""
        _say(UserFactory(), art, "still here")
        forged = "?comments=MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx"
        if htmx:
            url = reverse("social:comments_more", args=[art.pk]) + forged
            response = _client().get(url, **HTMX)
            assert response.status_code == 400
        else:
            response = _client().get(art.get_absolute_url() + forged)
            assert response.status_code == 200
            assert "still here" in response.content.decode()
        assert "This page link is invalid" in response.content.decode()

    def test_a_forged_cursor_for_htmx_is_refused_not_the_first_page_again(self, art):
        """htmx appends the answer under the comments shown: the first page again would show
        them twice."""
        shown = _say(UserFactory(), art, "still here")
        url = reverse("social:comments_more", args=[art.pk]) + "?comments=garbage"
        response = _client().get(url, **HTMX)
        text = response.content.decode()
        assert response.status_code == 400
        assert "This page link is invalid" in text
        assert f'id="comment-{shown.pk}"' not in text

    def test_the_next_page_without_htmx_redirects_to_the_artwork_page(self, art):
        response = _client().get(reverse("social:comments_more", args=[art.pk]) + "?comments=x")
        assert response.status_code == 302
        assert response["Location"] == f"{art.get_absolute_url()}?comments=x#comments"

    def test_the_card_shows_the_comment_count(self, art):
        _say(UserFactory(), art)
        _say(UserFactory(), art)
        html = _client().get("/feed").content.decode()
        assert "2 comments" in html


class TestPosting:
    def test_without_javascript_a_comment_redirects_to_itself(self, art):
        member = UserFactory()
        response = _client(member).post(_post_url(art), {"body": "  So calm. "})
        comment = Comment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{art.get_absolute_url()}#comment-{comment.pk}"
        assert comment.body == "So calm." and comment.author == member
        assert _count(art) == 1

    def test_line_breaks_count_once_as_the_browser_counts_them(self, art):
        """A form sent without JavaScript writes each line break as two characters (CR LF),
        while the textarea's limit counted one: a comment at the limit with line breaks was
        refused as too long. They are kept as one, as htmx and the API send them."""
        lines = ["x" * 99] * 20  # 1,999 characters as typed
        response = _client(UserFactory()).post(_post_url(art), {"body": "\r\n".join(lines)})
        assert response.status_code == 302
        assert Comment.objects.get().body == "\n".join(lines)

    def test_with_htmx_the_form_is_cleared_and_the_comment_appended(self, art):
        response = _client(UserFactory()).post(_post_url(art), {"body": "So calm."}, **HTMX)
        html = response.content.decode()
        comment = Comment.objects.get()
        assert response.status_code == 200
        assert html.lstrip().startswith("<form")
        assert "So calm.</textarea>" not in html
        assert f'data-hx-swap-oob="beforeend:#comment-list-{art.pk}"' in html
        assert f'id="comment-{comment.pk}"' in html
        assert "1 comment" in html
        assert f"innerHTML:#comments-status-{art.pk}" in html

    def test_with_htmx_only_the_first_comment_takes_the_empty_note_away(self, art, commit):
        """The page shows "No comments yet" only while there are none: an answer that swaps
        it out of band when the page has no such note makes htmx report an error (an
        out-of-band target that is not there) on every later comment."""
        note = f'id="comments-empty-{art.pk}" data-hx-swap-oob="true"'
        client = _client(UserFactory())
        assert f'id="comments-empty-{art.pk}"' in _page(client, art)
        with commit():
            first = client.post(_post_url(art), {"body": "First."}, **HTMX).content.decode()
        assert note in first
        assert f'id="comments-empty-{art.pk}" hidden' in _page(client, art)
        second = client.post(_post_url(art), {"body": "Second."}, **HTMX).content.decode()
        assert "Second." in second
        assert note not in second

    def test_a_reply_goes_under_its_comment(self, art):
        top = _say(UserFactory(), art)
        client = _client(UserFactory())
        response = client.post(_post_url(art), {"body": "Agreed", "parent": top.pk})
        reply = Comment.objects.get(parent=top)
        assert response["Location"].endswith(f"#comment-{reply.pk}")
        response = client.post(_post_url(art), {"body": "Again", "parent": top.pk}, **HTMX)
        assert f"beforeend:#replies-{top.pk}" in response.content.decode()
        assert Comment.objects.filter(parent=top).count() == 2

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_reply_under_a_blockers_comment_is_refused_with_why(self, art, htmx):
        commenter, blocked = UserFactory(), UserFactory()
        top = _say(commenter, art)
        user_block(blocker=commenter, blocked=blocked)
        headers = HTMX if htmx else {}
        response = _client(blocked).post(
            _post_url(art), {"body": "Let me in", "parent": top.pk}, **headers
        )
        html = response.content.decode()
        assert response.status_code == 403
        assert "You cannot reply to this member" in html
        assert "Let me in</textarea>" in html
        assert not Comment.objects.filter(parent=top).exists()

    @pytest.mark.parametrize("more", [False, True])
    def test_no_reply_is_offered_under_a_blockers_comment(self, art, more):
        """The page offers only the replies the service takes: none in the thread of a member
        who blocks the viewer (on the first page, and on the next one htmx appends)."""
        if more:
            for i in range(PAGE_SIZE):
                _say(UserFactory(), art, f"words {i}")
        commenter, blocked = UserFactory(), UserFactory()
        theirs, other = _say(commenter, art), _say(UserFactory(), art)
        user_block(blocker=commenter, blocked=blocked)
        client = _client(blocked)
        if more:
            first = _page(client, art)
            cursor = re.search(r"\?comments=([\w-]+)", first)[1]
            url = reverse("social:comments_more", args=[art.pk]) + f"?comments={cursor}"
            html = client.get(url, **HTMX).content.decode()
        else:
            html = _page(client, art)
        assert f'id="reply-form-{other.pk}"' in html
        assert f'id="reply-form-{theirs.pk}"' not in html
        if not more:  # everyone else is still offered a reply there
            assert f'id="reply-form-{theirs.pk}"' in _page(_client(UserFactory()), art)

    def test_a_long_thread_comes_back_to_the_page_holding_the_comment(self, art):
        for i in range(PAGE_SIZE + 1):
            _say(UserFactory(), art, f"words {i}")
        response = _client(UserFactory()).post(_post_url(art), {"body": "late"})
        comment = Comment.objects.get(body="late")
        assert "?comments=" in response["Location"]
        html = _page(_client(), art, "?" + response["Location"].split("?", 1)[1].split("#")[0])
        assert f'id="comment-{comment.pk}"' in html

    @pytest.mark.parametrize("htmx", [False, True])
    def test_an_error_keeps_the_text_and_shows_why(self, art, htmx):
        headers = HTMX if htmx else {}
        body = "x" * 2001
        response = _client(UserFactory()).post(_post_url(art), {"body": body}, **headers)
        html = response.content.decode()
        assert response.status_code == 400
        assert "at most 2000 characters" in html
        assert f">{body}</textarea>" in html
        assert 'aria-invalid="true"' in html
        assert ("<html" in html) is not htmx
        assert not Comment.objects.exists()

    def test_the_error_is_in_the_readers_language(self, art):
        response = _client(UserFactory()).post(
            _post_url(art), {"body": "   "}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 400
        assert "请先写点内容" in response.content.decode()

    @pytest.mark.parametrize("htmx", [False, True])
    def test_too_many_comments_is_429_with_the_text_kept(self, art, settings, htmx):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (1, 3600)}
        client = _client(UserFactory())
        client.post(_post_url(art), {"body": "one"})
        headers = HTMX if htmx else {}
        response = client.post(_post_url(art), {"body": "two"}, **headers)
        html = response.content.decode()
        assert response.status_code == 429
        assert "Too many comments in a short time" in html
        assert ">two</textarea>" in html
        assert Comment.objects.count() == 1

    def test_a_visitor_is_sent_to_sign_in(self, art):
        response = _client().post(_post_url(art), {"body": "hi"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login?next=")
        response = _client().post(_post_url(art), {"body": "hi"}, **HTMX)
        assert response.status_code == 204 and response["HX-Redirect"].startswith("/login")
        assert not Comment.objects.exists()

    def test_a_blocked_member_sees_why_and_is_refused(self, art):
        blocked = UserFactory()
        user_block(blocker=art.user, blocked=blocked)
        client = _client(blocked)
        html = _page(client, art)
        assert "You cannot comment on this member" in html
        assert 'id="comment-form"' not in html
        response = client.post(_post_url(art), {"body": "let me in"})
        assert response.status_code == 403
        assert "let me in</textarea>" in response.content.decode()

    def test_a_draft_shows_why_there_is_no_form(self):
        draft = ArtworkFactory()
        html = _page(_client(draft.user), draft)
        assert "Comments open once the artwork is published." in html
        # Nobody can be the first to comment yet: the empty list does not ask them to.
        assert "be the first" not in html
        assert "No comments yet." in html

    def test_an_empty_list_invites_whoever_may_comment(self, art):
        assert "No comments yet — be the first." in _page(_client(UserFactory()), art)


class TestDeleting:
    def test_without_javascript_after_a_confirmation_step(self, art):
        comment = _say(UserFactory(), art)
        client = _client(comment.author)
        html = _page(client, art)
        delete = html[html.index('class="comment-delete-box"') :]
        assert delete.index("<summary") < delete.index("Yes, delete") < delete.index("</details>")
        assert 'name="csrfmiddlewaretoken"' in delete[: delete.index("</details>")]
        response = client.post(_delete_url(comment))
        assert response.status_code == 302
        assert response["Location"] == f"{art.get_absolute_url()}#comments"
        assert not Comment.objects.exists() and _count(art) == 0

    def test_with_htmx_the_comment_goes_and_the_count_moves(self, art):
        comment = _say(UserFactory(), art)
        response = _client(art.user).post(_delete_url(comment), **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "0 comments" in html and "The comment was deleted." in html
        assert not Comment.objects.exists()

    def test_with_htmx_the_last_comment_gone_brings_the_empty_note_back(self, art):
        """The section read '0 comments' over nothing, where a reload says there are none:
        the page keeps its note (hidden while there are comments) for the answer to show."""
        first, second = _say(UserFactory(), art), _say(UserFactory(), art)
        client = _client(art.user)
        assert f'<p class="comments-empty muted" id="comments-empty-{art.pk}" hidden>' in _page(
            client, art
        )
        note = f'id="comments-empty-{art.pk}" data-hx-swap-oob="true"'
        assert note not in client.post(_delete_url(first), **HTMX).content.decode()
        html = client.post(_delete_url(second), **HTMX).content.decode()
        assert note in html
        assert "No comments yet — be the first." in html
        # Whoever may not comment there is not asked to be the first.
        theirs = _say(UserFactory(), art)
        user_block(blocker=art.user, blocked=theirs.author)
        html = _client(theirs.author).post(_delete_url(theirs), **HTMX).content.decode()
        assert "No comments yet." in html and "be the first" not in html

    def test_no_delete_button_for_others_and_a_refusal(self, art):
        comment = _say(UserFactory(), art)
        stranger = _client(UserFactory())
        assert "comment-delete-box" not in _page(stranger, art)
        assert stranger.post(_delete_url(comment)).status_code == 302
        response = stranger.post(_delete_url(comment), **HTMX)
        assert response.status_code == 403 and response["HX-Reswap"] == "none"
        assert "You cannot delete this comment." in response.content.decode()
        assert Comment.objects.filter(pk=comment.pk).exists()

    def test_a_visitor_is_not_shown_where_a_hidden_artwork_was(self, art, commit):
        # The sign-in redirect carried the artwork's address (its slug is its title) to
        # anyone who asked to delete a comment on it, hidden or not: enumerating comment ids
        # gave away every taken-down artwork's title.
        comment = _say(UserFactory(), art)
        with commit():
            artwork_hide(artwork=art, actor=make_moderator(), reason="takedown")
        for headers in ({}, HTMX):
            response = _client().post(_delete_url(comment), **headers)
            where = response["Location"] if response.status_code == 302 else response["HX-Redirect"]
            assert where == "/login?next=%2F"
        assert Comment.objects.filter(pk=comment.pk).exists()


def _entry_points(art: Artwork, comment: Comment) -> dict:
    return {
        "post": lambda c: c.post(_post_url(art), {"body": "hello"}),
        "reply": lambda c: c.post(_post_url(art), {"body": "hello", "parent": comment.pk}),
        "report page": lambda c: c.get(_report_url(comment)),
        "report": lambda c: c.post(_report_url(comment), {"reason": "spam"}),
        "delete": lambda c: c.post(_delete_url(comment)),
    }


def _who(name: str, art: Artwork, comment: Comment) -> object:
    if name == "anonymous":
        return None
    if name == "author":  # of the comment
        return comment.author
    if name == "artwork author":
        return art.user
    if name == "blocked member":
        blocked = UserFactory()
        user_block(blocker=art.user, blocked=blocked)
        return blocked
    if name == "muted member":
        muted = UserFactory()
        from social.services import user_mute

        user_mute(muter=art.user, muted=muted)
        return muted
    if name == "staff":
        return make_moderator()
    return UserFactory()


# (post, reply, report page, report POST, delete) per viewer, on a published artwork. A
# refused delete without JavaScript is a redirect back with why (the comment stays).
PERMISSIONS = {
    "anonymous": (302, 302, 302, 302, 302),
    "member": (302, 302, 200, 302, 302),
    "author": (302, 302, 200, 400, 302),  # their own comment: no report (as in the API)
    "artwork author": (302, 302, 200, 302, 302),
    "blocked member": (403, 403, 200, 302, 302),
    "muted member": (302, 302, 200, 302, 302),
    "staff": (302, 302, 200, 302, 302),
}


@pytest.mark.parametrize("who", list(PERMISSIONS))
def test_the_permissions_table(art, who):
    comment = _say(UserFactory(), art)
    viewer = _who(who, art, comment)
    for (name, call), expected in zip(
        _entry_points(art, comment).items(), PERMISSIONS[who], strict=True
    ):
        response = call(_client(viewer))
        assert response.status_code == expected, (who, name, response.status_code)
    still_there = Comment.objects.filter(pk=comment.pk).exists()
    assert still_there is (who not in ("author", "artwork author", "staff"))


@pytest.mark.parametrize("state", ["hidden artwork", "suspended author", "draft"])
@pytest.mark.parametrize("who", ["anonymous", "member", "comment moderator"])
def test_an_artwork_not_shown_answers_404_to_every_entry_point(state, who, comment_moderator):
    art = PublishedArtworkFactory()
    comment = _say(UserFactory(), art)
    if state == "hidden artwork":
        artwork_hide(artwork=art, actor=make_moderator(), reason="x")
    elif state == "suspended author":
        account_services.user_suspend(user=art.user, actor=comment_moderator, reason="x")
    else:
        Artwork.objects.filter(pk=art.pk).update(status=Artwork.Status.DRAFT)
    viewer = {"anonymous": None, "member": UserFactory()}.get(who, comment_moderator)
    for name, call in _entry_points(art, comment).items():
        response = call(_client(viewer))
        if viewer is None and name in ("post", "reply"):
            assert response.status_code == 404, (state, who, name)
        elif viewer is None:
            assert response.status_code == 302, (state, who, name)  # sign in first
        elif who == "comment moderator":
            # Staff see hidden work: they may moderate it (drafts and hidden work take no comments).
            assert response.status_code in (200, 302, 403), (state, name)
        else:
            assert response.status_code == 404, (state, who, name)


class TestPageCache:
    @pytest.fixture(autouse=True)
    def page_cache(self, settings):
        settings.PAGE_CACHE_SECONDS = 600
        settings.MEMBER_PAGE_CACHE_SECONDS = 300

    def _hit(self, client: Client, artwork: Artwork) -> tuple[str, str]:
        response = client.get(artwork.get_absolute_url())
        return response.get("X-Page-Cache", ""), response.content.decode()

    @pytest.mark.parametrize("member", [False, True])
    def test_every_change_shows_at_once(self, art, member, comment_moderator, commit):
        client = _client(UserFactory() if member else None)
        self._hit(client, art)
        assert self._hit(client, art)[0] == "hit"
        with commit():
            comment = _say(UserFactory(), art, "fresh words")
        state, html = self._hit(client, art)
        assert state == "miss" and "fresh words" in html and "1 comment" in html
        assert self._hit(client, art)[0] == "hit"
        with commit():
            comment_hide(actor=comment_moderator, comment=comment)
        assert "fresh words" not in self._hit(client, art)[1]
        with commit():
            other = _say(UserFactory(), art, "second words")
        assert "second words" in self._hit(client, art)[1]
        with commit():
            comment_delete(actor=other.author, comment_id=other.pk)
        assert "second words" not in self._hit(client, art)[1]

    def test_a_suspension_and_a_restoration_show_at_once(self, art, comment_moderator, commit):
        talker = UserFactory()
        with commit():
            _say(talker, art, "talker words")
        client = _client()
        assert "talker words" in self._hit(client, art)[1]
        with commit():
            account_services.user_suspend(user=talker, actor=comment_moderator, reason="x")
        assert "talker words" not in self._hit(client, art)[1]
        with commit():
            account_services.user_restore(user=talker, actor=comment_moderator)
        assert "talker words" in self._hit(client, art)[1]

    def test_a_post_from_the_page_shows_on_the_next_visit(self, art, commit):
        client = _client(UserFactory())
        self._hit(client, art)
        self._hit(_client(), art)
        with commit():
            client.post(_post_url(art), {"body": "mine now"})
        assert "mine now" in self._hit(client, art)[1]
        assert "mine now" in self._hit(_client(), art)[1]

    def test_the_count_on_the_authors_other_pages_follows(self, art, commit):
        sibling = PublishedArtworkFactory(user=art.user, title="Sibling")
        client = _client()
        assert self._hit(client, sibling)[0] == "miss"
        assert self._hit(client, sibling)[0] == "hit"
        with commit():
            _say(UserFactory(), art)
        state, html = self._hit(client, sibling)
        assert state == "miss" and "1 comment" in html

    def test_the_cards_count_follows(self, art, commit):
        client = _client()
        assert "0 comments" in client.get("/feed").content.decode()
        with commit():
            _say(UserFactory(), art)
        assert "1 comment" in client.get("/feed").content.decode()

    def test_a_block_shows_on_the_blocked_members_copy(self, art, commit):
        member = UserFactory()
        client = _client(member)
        assert 'id="comment-form"' in self._hit(client, art)[1]
        with commit():
            user_block(blocker=art.user, blocked=member)
        assert 'id="comment-form"' not in self._hit(client, art)[1]


@pytest.mark.parametrize("signed_in", [False, True])
def test_queries_do_not_grow_with_the_comments(art, signed_in, django_assert_num_queries):
    viewer = UserFactory() if signed_in else None
    client = _client(viewer)

    def fill(n: int) -> None:
        for i in range(n):
            top = _say(UserFactory(), art, f"top {i} @{art.user.username}")
            _say(UserFactory(), art, "reply", parent=top)

    fill(1)
    client.get(art.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(art.get_absolute_url()).status_code == 200
    fill(14)
    with django_assert_num_queries(len(few)):
        html = client.get(art.get_absolute_url()).content.decode()
    assert html.count('class="comment ') + html.count('class="comment"') >= 15


def test_a_blocked_members_mention_is_not_linked_on_the_page(client):
    from social.services import comment_create, user_block
    from tests.factories import PublishedArtworkFactory, UserFactory

    art = PublishedArtworkFactory()
    ada, blocked, other = UserFactory(username="ada"), UserFactory(), UserFactory()
    user_block(blocker=ada, blocked=blocked)
    comment_create(author=blocked, artwork_id=art.pk, body="@ada from a blocked member")
    comment_create(author=other, artwork_id=art.pk, body="@ada from a friend")
    html = client.get(art.get_absolute_url()).content.decode()
    assert "@ada from a blocked member" in html
    assert f'<a href="{ada.get_absolute_url()}">@ada</a> from a friend' in html
    assert html.count(f'<a href="{ada.get_absolute_url()}">@ada</a>') == 1


def _api_post(art: Artwork, member) -> object:
    from accounts.tokens import token_pair_issue

    token = token_pair_issue(user=member).access_token
    return Client().post(
        f"/api/artworks/{art.pk}/comments",
        {"body": "hello"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# Like reactions, comments are for work the public sees. Staff see hidden work to moderate it:
# they are told comments are closed (the page shows no form); for anyone else it does not exist.
@pytest.mark.parametrize(
    ("state", "who", "status"),
    [
        ("hidden artwork", "staff", 403),
        ("hidden artwork", "artwork author", 404),
        ("hidden artwork", "member", 404),
        ("suspended author", "staff", 403),
        ("suspended author", "member", 404),
    ],
)
def test_nobody_comments_on_work_hidden_from_the_public(state, who, status, comment_moderator):
    art = PublishedArtworkFactory()
    if state == "hidden artwork":
        artwork_hide(artwork=art, actor=make_moderator(), reason="x")
    else:
        account_services.user_suspend(user=art.user, actor=comment_moderator, reason="x")
    viewer = {"staff": comment_moderator, "artwork author": art.user}.get(who) or UserFactory()
    api = _api_post(art, viewer)
    assert api.status_code == status, api.content
    page_post = _client(viewer).post(_post_url(art), {"body": "hello"})
    assert page_post.status_code == status
    for headers in ({}, HTMX):
        assert _client(viewer).post(_post_url(art), {"body": "hi"}, **headers).status_code == status
    assert not Comment.objects.exists()
    assert _count(art) == 0
    if who == "staff":
        assert api.json() == {"detail": "Comments are closed while this artwork is hidden."}
        html = _page(_client(viewer), art)
        assert "Comments are closed while this artwork is hidden." in html
        assert 'name="body"' not in html


@pytest.mark.parametrize(
    ("lang", "written"), [("en", "March 10, 2025, 2:05 p.m."), ("zh-hans", "2025年3月10日 14:05")]
)
def test_a_comments_time_is_written_in_the_readers_language(art, lang, written):
    """One date-and-time format per language: the Chinese page said '2025年3月10日, 14:05',
    the English date format and comma around a Chinese date."""
    comment = _say(UserFactory(), art)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2025, 3, 10, 14, 5, tzinfo=UTC)
    )
    html = _page(_client(), art, f"?lang={lang}")
    assert re.search(r"<time datetime=\"2025-03-10T14:05:00\+0000\">\s*" + re.escape(written), html)
