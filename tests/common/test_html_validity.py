"""Every page is valid HTML5: the Nu HTML checker reports no error on any of them."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import get_template
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from artworks import services
from artworks.models import Artwork
from social.services import collection_create, collection_item_add, comment_create
from tests.artworks.c2pa_samples import SAMPLE_CREDENTIALS
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    PublishedArtworkFactory,
    UserFactory,
)
from tests.member_pages import collect_member_pages, member_world
from tests.page_tools import validate_html

pytestmark = pytest.mark.django_db


def with_real_thumbnails(artwork: Artwork, *, size: tuple[int, int]) -> Artwork:
    """Give `artwork` a real original of `size` and run the thumbnail service over it: the
    page then shows what visitors get (AVIF and WebP at several widths, a real placeholder)."""
    width, height = size
    image = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.new("L", size, 140),
            Image.linear_gradient("L").rotate(90).resize(size),
        ],
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    name = artwork.original.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(buffer.getvalue()))
    Artwork.objects.filter(pk=artwork.pk).update(width=width, height=height)
    processed = services.artwork_make_thumbnails(artwork_id=artwork.pk)
    formats = {t["format"] for t in processed.thumbnails}
    assert {"avif", "webp"} <= formats, formats  # what finding 11 needs to show up
    return processed


@pytest.mark.once
def test_every_page_is_valid_html(client, tmp_path):
    owner = UserFactory(username="owner", name="Owner Name", allow_downloads=True, noai=True)
    now = timezone.now()
    image = PublishedArtworkFactory(
        user=owner,
        ai_generated=True,
        content_credentials=SAMPLE_CREDENTIALS,
        title='Valid & <tricky> "title"',
        description="Line one\nLine two",
        prompt="a prompt with <angle> brackets & ampersands",
        negative_prompt="blurry",
        seed=7,
        like_count=3,
    )
    image = with_real_thumbnails(image, size=(1400, 1050))
    for i in range(30):
        other = PublishedArtworkFactory(published_at=now - timezone.timedelta(minutes=i + 1))
        if i < 6:  # the rest keep the original: a page mixes both, as right after a publish
            with_real_thumbnails(other, size=(700, 900))
    video = PublishedArtworkFactory(
        user=owner,
        kind=Artwork.Kind.VIDEO,
        content_type="video/mp4",
        poster="artworks/thumb/v_poster.jpg",
        title="A short clip",
    )
    draft = ArtworkFactory(user=owner, title="Draft piece", prompt_hidden=True)
    FavoriteFactory(user=owner, artwork=image)
    # Comments with a reply, a link, a mention and markup typed as text (the artwork page).
    top = comment_create(
        author=UserFactory(), artwork_id=image.pk, body='<b>Bold?</b> "quoted" https://x.org/a'
    )
    comment_create(
        author=owner, artwork_id=image.pk, body="Thanks @owner!\nA second line", parent_id=top.pk
    )
    Artwork.objects.filter(pk=image.pk).update(featured_at=now)  # the landing's featured strip

    pages: dict[str, str] = {}

    def grab(name: str, url: str, status: int = 200, **headers) -> None:
        response = client.get(url, **headers)
        assert response.status_code == status, url
        pages[name] = response.content.decode()

    services.artwork_set_tags(artwork=image, actor=owner, tags=["sunset", "日落", "sea"])
    # A family: a remix of the image (and one of that), a hidden remix (drawn as removed).
    remix = PublishedArtworkFactory(title="Remix <of> & more", remix_of=image)
    PublishedArtworkFactory(remix_of=remix)
    PublishedArtworkFactory(remix_of=image, moderation=Artwork.Moderation.HIDDEN)
    for lang in ("en", "zh-hans"):
        grab(f"remix {lang}", f"{remix.get_absolute_url()}?lang={lang}")
        grab(f"family tree {lang}", f"/artwork/{remix.pk}/{remix.slug}/remixes?lang={lang}")
        grab(f"tag {lang}", f"/tag/sunset?lang={lang}")
        grab(f"landing {lang}", f"/?lang={lang}")
        grab(f"features {lang}", f"/features?lang={lang}")
        grab(f"feed hot {lang}", f"/feed?lang={lang}")
        grab(f"artwork {lang}", f"{image.get_absolute_url()}?lang={lang}")
    grab("feed new", "/feed?tab=new")
    grab("profile (public)", owner.get_absolute_url())
    grab("video", video.get_absolute_url())
    grab("404", "/no/such/page", status=404)
    grab("tag new", "/tag/日落?tab=new")

    # Collections: a public one with work in it, a private one and an empty one.
    golden = collection_create(owner=owner, name="Golden <hours> & more", description="A\nB")
    collection_create(owner=owner, name="Secret stash", is_public=False)
    collection_create(owner=owner, name="Empty")
    collection_item_add(actor=owner, collection=golden, artwork_id=image.pk)
    collection_item_add(actor=owner, collection=golden, artwork_id=video.pk)
    for lang in ("en", "zh-hans"):
        grab(f"collections {lang}", f"/user/owner/collections?lang={lang}")
        grab(f"collection {lang}", f"{golden.get_absolute_url()}?lang={lang}")
    grab("no collections", f"/user/{UserFactory().username}/collections")

    member = UserFactory()
    collection_create(owner=member, name="Mine")
    client.force_login(member)
    grab("artwork (member, with the report button)", image.get_absolute_url())
    assert f'href="/artwork/{image.pk}/report"' in pages["artwork (member, with the report button)"]
    refused = client.post(f"/artwork/{image.pk}/actions/publish")  # not theirs: 403
    assert refused.status_code == 403
    pages["403"] = refused.content.decode()
    stale = Client(enforce_csrf_checks=True)
    stale.force_login(member)
    expired = stale.post("/settings/profile", {"name": "x"})  # no CSRF token: 403
    assert expired.status_code == 403
    pages["403 csrf"] = expired.content.decode()
    assert 'id="featured-now"' in pages["landing en"]

    client.force_login(owner)
    grab("landing (signed in)", "/")
    grab("feed (signed in)", "/feed?tab=new")
    grab("profile (owner)", owner.get_absolute_url())
    grab("profile drafts", owner.get_absolute_url() + "?tab=drafts")
    grab("profile favorites", owner.get_absolute_url() + "?tab=favorites")
    grab("draft", draft.get_absolute_url())
    grab("collections (owner)", "/user/owner/collections")
    grab("collection (owner)", golden.get_absolute_url())
    grab("collection (private)", "/user/owner/collections/secret-stash")
    grab("collection (owner, empty)", "/user/owner/collections/empty")
    grab("405", "/notifications/read", 405)
    response = client.post("/user/owner/collections", {"name": ""})
    pages["collections (form error)"] = response.content.decode()
    client.logout()
    grab("empty profile", UserFactory().get_absolute_url())
    with translation.override("en"):
        pages["500"] = get_template("500.html").render()
        pages["400"] = get_template("400.html").render()

    errors = validate_html(pages, tmp_path)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )


@pytest.mark.once
def test_member_pages_are_valid_html(tmp_path):
    """Sign-in, account, settings, create, delete, report and 429 pages, in both languages,
    with their forms' errors showing."""
    world = member_world()
    pages = {}
    for lang in ("en", "zh-hans"):
        pages |= collect_member_pages(world, lang)
    errors = validate_html(pages, tmp_path)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )
