"""Every page is valid HTML5: the Nu HTML checker reports no error on any of them."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.utils import timezone, translation

from artworks.models import Artwork
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    PublishedArtworkFactory,
    UserFactory,
)
from tests.member_pages import collect_member_pages, member_world
from tests.page_tools import validate_html

pytestmark = pytest.mark.django_db

THUMBS = [
    {"width": 320, "height": 240, "format": "webp", "name": "artworks/thumb/a_320.webp"},
    {"width": 640, "height": 480, "format": "webp", "name": "artworks/thumb/a_640.webp"},
]


def test_every_page_is_valid_html(client, tmp_path):
    owner = UserFactory(username="owner", name="Owner Name")
    now = timezone.now()
    image = PublishedArtworkFactory(
        user=owner,
        title='Valid & <tricky> "title"',
        description="Line one\nLine two",
        prompt="a prompt with <angle> brackets & ampersands",
        negative_prompt="blurry",
        seed=7,
        thumbnails=THUMBS,
        placeholder_color="#112233",
        placeholder_data="data:image/webp;base64,UklGRg==",
        like_count=3,
    )
    for i in range(30):
        PublishedArtworkFactory(published_at=now - timezone.timedelta(minutes=i + 1))
    video = PublishedArtworkFactory(
        user=owner,
        kind=Artwork.Kind.VIDEO,
        content_type="video/mp4",
        poster="artworks/thumb/v_poster.jpg",
        title="A short clip",
    )
    draft = ArtworkFactory(user=owner, title="Draft piece", prompt_hidden=True)
    FavoriteFactory(user=owner, artwork=image)
    Artwork.objects.filter(pk=image.pk).update(featured_at=now)  # the landing's featured strip

    pages: dict[str, str] = {}

    def grab(name: str, url: str, status: int = 200, **headers) -> None:
        response = client.get(url, **headers)
        assert response.status_code == status, url
        pages[name] = response.content.decode()

    for lang in ("en", "zh-hans"):
        grab(f"landing {lang}", f"/?lang={lang}")
        grab(f"features {lang}", f"/features?lang={lang}")
        grab(f"feed hot {lang}", f"/feed?lang={lang}")
        grab(f"artwork {lang}", f"{image.get_absolute_url()}?lang={lang}")
    grab("feed new", "/feed?tab=new")
    grab("profile (public)", owner.get_absolute_url())
    grab("video", video.get_absolute_url())
    grab("404", "/no/such/page", status=404)

    member = UserFactory()
    client.force_login(member)
    grab("artwork (member, with the report button)", image.get_absolute_url())
    assert f'href="/artwork/{image.pk}/report"' in pages["artwork (member, with the report button)"]
    assert 'id="featured-now"' in pages["landing en"]

    client.force_login(owner)
    grab("landing (signed in)", "/")
    grab("feed (signed in)", "/feed?tab=new")
    grab("profile (owner)", owner.get_absolute_url())
    grab("profile drafts", owner.get_absolute_url() + "?tab=drafts")
    grab("profile favorites", owner.get_absolute_url() + "?tab=favorites")
    grab("draft", draft.get_absolute_url())
    client.logout()
    grab("empty profile", UserFactory().get_absolute_url())
    with translation.override("en"):
        pages["500"] = get_template("500.html").render()

    errors = validate_html(pages, tmp_path)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )


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
