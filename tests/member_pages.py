"""The member pages (sign-in, account, settings, create, delete, report, 429), fetched with
Django's test client in one language, with and without form errors. Shared by the HTML
validity test and the translation tests, so both look at the same documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.models import User
from artworks.models import Artwork
from tests.artworks.c2pa_samples import SAMPLE_CREDENTIALS
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

PASSWORD = "correct-horse-battery"


@dataclass
class MemberWorld:
    member: User
    author: User
    artwork: Artwork  # someone else's published artwork: the member may report it
    own: Artwork  # the member's own published artwork: deletable, not reportable
    failed: Artwork  # the member's draft whose generation failed
    queued: Artwork  # the member's draft waiting for the generator
    pages: dict[str, str] = field(default_factory=dict)


def _notify(member: User, author: User, own: Artwork) -> None:
    """A few notifications of each look for the member's notifications page: a group, a
    comment with its excerpt, a staff hide with its reason (one read, the rest unread)."""
    from django.utils import timezone

    from notifications.models import Notification
    from social.models import Comment

    kind = Notification.Kind
    fans = [UserFactory(username=f"fan{i}") for i in range(3)]
    comment = Comment.objects.create(artwork=own, author=author, body="Lovely light, @member.")
    rows = [
        *(dict(kind=kind.LIKE, actor=fan, artwork=own) for fan in [author, *fans]),
        dict(kind=kind.FOLLOW, actor=author, read_at=timezone.now()),
        dict(kind=kind.COMMENT, actor=author, artwork=own, comment=comment),
        dict(kind=kind.HIDDEN, artwork=own, reason="Looks like spam."),
    ]
    for i, row in enumerate(rows):
        Notification.objects.create(recipient=member, dedupe_key=f"page-{i}", **row)


def member_world() -> MemberWorld:
    member = UserFactory(username="member", name="Member Name")
    # Lets visitors download, asks AI crawlers not to train on the work (noai).
    author = UserFactory(username="author", name="Author Name", allow_downloads=True, noai=True)
    own = PublishedArtworkFactory(user=member, title="My lantern")
    _notify(member, author, own)
    # Made with AI, with the content credentials of its upload.
    artwork = PublishedArtworkFactory(
        user=author,
        title="Harbour at dawn",
        ai_generated=True,
        content_credentials=SAMPLE_CREDENTIALS,
    )
    # The member's remix of it, and one of that: the family tree has a line to draw.
    remix = PublishedArtworkFactory(user=member, title="Harbour at night", remix_of=artwork)
    PublishedArtworkFactory(user=author, title="Harbour in fog", remix_of=remix)
    return MemberWorld(
        member=member,
        author=author,
        artwork=artwork,
        own=own,
        failed=ArtworkFactory(
            user=member,
            title="Failed study",
            with_file=False,
            generation_status=Artwork.GenerationStatus.FAILED,
            generation_error="The generation failed unexpectedly. Try again.",
        ),
        queued=ArtworkFactory(
            user=member,
            title="Queued study",
            with_file=False,
            generation_status=Artwork.GenerationStatus.QUEUED,
        ),
    )


def collect_member_pages(world: MemberWorld, lang: str) -> dict[str, str]:
    """Every member page in `lang` ("en" or "zh-hans"): {name: html}. Asserts each status."""
    pages: dict[str, str] = {}
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang

    def keep(name: str, response, status: int = 200) -> None:
        assert response.status_code == status, (name, response.status_code)
        assert response["Content-Language"] == lang, name
        pages[f"{name} [{lang}]"] = response.content.decode()

    # Signed out: sign-in, sign-up and password reset, with and without errors.
    keep("login", client.get("/login"))
    keep("login errors", client.post("/login", {"login": "member", "password": "wrong"}))
    keep("signup", client.get("/accounts/signup/"))
    keep(
        "signup errors",
        client.post(
            "/accounts/signup/",
            {"email": "not-an-email", "username": "a", "password1": "x", "password2": "y"},
        ),
    )
    # Sign-up always ends on "check your email" (mandatory verification: no enumeration).
    keep("check your email", client.get("/accounts/confirm-email/"))
    keep("password reset", client.get("/accounts/password/reset/"))
    keep("password reset errors", client.post("/accounts/password/reset/", {"email": "nope"}))
    keep("password reset done", client.get("/accounts/password/reset/done/"))
    keep("password reset bad key", client.get("/accounts/password/reset/key/1-bad-key/"))
    request = RequestFactory().get("/accounts/signup/")
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = lang
    with translation.override(lang):
        response = render(request, "429.html", status=429)
        response["Content-Language"] = lang
    keep("too many attempts", response, 429)

    client.force_login(world.member)
    # A body declared larger than any upload is refused with 413 before it is read.
    too_large = client.post(
        "/create",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    keep("upload too large", too_large, 413)
    keep("logout confirmation", client.get("/accounts/logout/"))
    keep("password change", client.get("/accounts/password/change/"))
    keep(
        "password change errors",
        client.post(
            "/accounts/password/change/",
            {"oldpassword": "wrong", "password1": "short", "password2": "other"},
        ),
    )
    keep("email addresses", client.get("/accounts/email/"))
    keep("connected accounts", client.get("/accounts/3rdparty/"))
    keep("settings", client.get("/settings/profile"))
    keep(
        "settings errors",
        client.post("/settings/profile", {"username": "no spaces allowed", "name": "x" * 90}),
    )
    _social_pages(world, client, keep)
    keep("create generate", client.get("/create?tab=generate"))
    keep("create upload", client.get("/create?tab=upload"))
    keep(
        "create generate errors",
        client.post("/create?tab=generate", {"tab": "generate", "prompt": "", "seed": "-4"}),
        400,
    )
    keep("create upload errors", client.post("/create?tab=upload", {"tab": "upload"}), 400)
    keep("delete confirmation", client.get(f"/artwork/{world.own.pk}/actions/delete"))
    _edit_and_remix_pages(world, client, keep)
    keep("report", client.get(f"/artwork/{world.artwork.pk}/report"))
    keep("report errors", client.post(f"/artwork/{world.artwork.pk}/report", {}), 400)
    keep("report own artwork", client.get(f"/artwork/{world.own.pk}/report"))
    keep("notifications", client.get("/notifications"))
    keep("content settings", client.get("/settings/content"))
    keep(
        "content settings errors",
        client.post("/settings/content", {"show_explicit": "on"}),
        400,
    )
    _rated_pages(world, client, keep)
    keep("notification settings", client.get("/settings/notifications"))
    keep(
        "notification settings errors",
        client.post("/settings/notifications", {"enabled": ["nonsense"]}),
    )

    # Comments: the artwork page with comments and replies (the member's own: delete; the
    # others': report), a refused comment shown again with its error, reporting a comment.
    from social.models import Comment
    from social.services import comment_create

    if not Comment.objects.filter(artwork=world.artwork).exists():
        top = comment_create(
            author=world.author, artwork_id=world.artwork.pk, body="Thanks, see https://x.org"
        )
        comment_create(
            author=world.member,
            artwork_id=world.artwork.pk,
            body="@author lovely",
            parent_id=top.pk,
        )
    top = Comment.objects.filter(artwork=world.artwork, parent=None).first()
    keep("artwork with comments", client.get(world.artwork.get_absolute_url()))
    keep(
        "comment errors",
        client.post(f"/artwork/{world.artwork.pk}/comments/post", {"body": " "}),
        400,
    )
    keep("report comment", client.get(f"/report/comment/{top.pk}"))
    keep("report comment errors", client.post(f"/report/comment/{top.pk}", {}), 400)
    keep("failed generation", client.get(world.failed.get_absolute_url()))
    keep("queued generation", client.get(world.queued.get_absolute_url()))
    _member_data_pages(world, client, keep)
    return pages


def _member_data_pages(world: MemberWorld, client: Client, keep: object) -> None:
    """The export page in each of its states, a second export refused, and the deletion
    page with its error; then the page a member sees once their account is being deleted."""
    from memberdata import services
    from memberdata.models import DataExport

    keep("export", client.get("/settings/export"))
    client.post("/settings/export")  # queued: the test's transaction never commits
    keep("export being built", client.get("/settings/export"))
    keep("export refused", client.post("/settings/export"), 409)
    services.export_build(export_id=DataExport.objects.get(user=world.member, state="pending").pk)
    keep("export ready", client.get("/settings/export"))
    keep("delete account", client.get("/settings/delete"))
    keep("delete account errors", client.post("/settings/delete", {"confirmation": "wrong"}), 400)
    language = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    client.logout()  # as the deletion does (and with it every cookie)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language.value
    keep("account being deleted", client.get("/settings/delete/done"))


def _social_pages(world: MemberWorld, client: Client, keep: object) -> None:
    """Following and the member's standing lists: empty, then with someone in them."""
    from social.services import user_block, user_follow, user_mute, user_unblock, user_unmute

    keep("following feed empty", client.get("/feed?tab=following"))
    keep("blocked empty", client.get("/settings/blocked"))
    keep("muted empty", client.get("/settings/muted"))
    user_follow(follower=world.member, followee=world.author)
    neighbour = User.objects.filter(username="neighbour").first() or UserFactory(
        username="neighbour", name="邻居 Neighbour"
    )
    user_block(blocker=world.member, blocked=neighbour)
    user_mute(muter=world.member, muted=neighbour)
    keep("following feed", client.get("/feed?tab=following"))
    keep("followers", client.get(f"/user/{world.author.username}/followers"))
    keep("following", client.get(f"/user/{world.member.username}/following"))
    keep("profile with the member menu", client.get(f"/user/{world.author.username}"))
    keep("blocked", client.get("/settings/blocked"))
    keep("muted", client.get("/settings/muted"))
    user_unblock(blocker=world.member, blocked=neighbour)
    user_unmute(muter=world.member, muted=neighbour)


def _edit_and_remix_pages(world: MemberWorld, client: Client, keep: object) -> None:
    """Editing the member's own artwork (and its errors, and someone else's: refused),
    remixing (and a refused remix), the family tree and a remix's page."""
    own, other = world.own, world.artwork
    edit = f"/artwork/{own.pk}/{own.slug}/edit"
    keep("edit", client.get(edit))
    keep("edit errors", client.post(edit, {"title": " ", "rating": "spicy", "tags": ""}), 400)
    keep("edit refused", client.get(f"/artwork/{other.pk}/{other.slug}/edit"), 403)
    keep("create remix", client.get(f"/create?remix={other.pk}"))
    keep("create remix refused", client.get(f"/create?remix={world.failed.pk}"), 403)
    keep("family tree", client.get(f"/artwork/{other.pk}/{other.slug}/remixes"))
    remix = Artwork.objects.get(remix_of=other)
    keep("remix page", client.get(remix.get_absolute_url()))


def _rated_pages(world: MemberWorld, client: Client, keep: object) -> None:
    """A mature artwork's page as a notice (the member has not opted in; a visitor gets the
    sign-in variant), then blurred behind its "Show" control once they opt in."""
    rated = Artwork.objects.filter(user=world.author, title="Night garden").first()
    rated = rated or PublishedArtworkFactory(
        user=world.author, title="Night garden", rating=Artwork.Rating.MATURE
    )
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = client.cookies[
        settings.LANGUAGE_COOKIE_NAME
    ].value
    keep("rated notice (visitor)", visitor.get(rated.get_absolute_url()))
    keep("rated notice", client.get(rated.get_absolute_url()))
    world.member.refresh_from_db()
    saved = (world.member.show_mature, world.member.age_confirmed_at)
    client.post(
        "/settings/content", {"age_confirmed": "on", "show_mature": "on", "blur_sensitive": "on"}
    )
    keep("rated blurred", client.get(rated.get_absolute_url()))
    keep("feed with a blurred card", client.get("/feed"))
    type(world.member).objects.filter(pk=world.member.pk).update(
        show_mature=saved[0], age_confirmed_at=saved[1]
    )
