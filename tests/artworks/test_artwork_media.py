"""Artwork images in pages: a <picture> with one typed <source> per format (a browser picks by
type, then by width), the layout's `sizes`, and placeholders without style attributes."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from artworks.images import artwork_image_url
from artworks.templatetags.artwork_media import (
    DETAIL_SIZES,
    FEED_SIZES,
    GRID_SIZES,
    STRIP_SIZES,
)
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def thumbs(uuid: str, *formats: str, widths=(320, 640, 1280)) -> list[dict]:
    return [
        {"width": w, "height": w * 3 // 4, "format": f, "name": f"artworks/thumb/{uuid}_{w}.{f}"}
        for f in formats
        for w in widths
    ]


def render(artwork, **options) -> str:
    args = " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in options.items())
    return Template("{% load artwork_media %}{% artwork_img art " + args + " %}").render(
        Context({"art": artwork})
    )


def test_each_format_is_its_own_typed_source_and_no_srcset_mixes_formats():
    art = PublishedArtworkFactory(thumbnails=thumbs("u", "webp", "avif"))
    html = render(art)
    sources = re.findall(r"<source ([^>]*)>", html)
    assert [re.search(r'type="([^"]+)"', s).group(1) for s in sources] == [
        "image/avif",
        "image/webp",
    ]
    for source, ext in zip(sources, ("avif", "webp"), strict=True):
        srcset = re.search(r'srcset="([^"]+)"', source).group(1)
        candidates = [c.split() for c in srcset.split(", ")]
        assert [url.rsplit(".", 1)[1] for url, _w in candidates] == [ext] * 3
        assert [w for _url, w in candidates] == ["320w", "640w", "1280w"]
        assert f'sizes="{GRID_SIZES}"' in source
    img = re.search(r"<img (?!class=\"media-placeholder)[^>]*>", html).group(0)
    assert "srcset" not in img and img.startswith('<img src="/media/artworks/thumb/u_640.webp"')
    assert 'width="1280" height="960"' in img
    assert html.index("<source") < html.index(img) < html.index("</picture>")


def test_only_webp_is_one_source_and_an_original_is_a_plain_img():
    art = PublishedArtworkFactory(thumbnails=thumbs("w", "webp"))
    assert render(art).count("<source ") == 1
    fresh = PublishedArtworkFactory(thumbnails=[])
    html = render(fresh)
    assert "<picture>" not in html and "<source" not in html
    assert f'<img src="{fresh.url}"' in html


@pytest.mark.parametrize(
    ("layout", "expected"),
    [("grid", GRID_SIZES), ("feed", FEED_SIZES), ("detail", DETAIL_SIZES), ("strip", STRIP_SIZES)],
)
def test_sizes_follow_the_layout(layout, expected):
    art = PublishedArtworkFactory(thumbnails=thumbs("s", "webp", "avif"))
    assert render(art, sizes=layout).count(f'sizes="{expected}"') == 2


def test_pages_use_their_layouts_sizes(client):
    owner = UserFactory(username="sizer")
    for _ in range(30):  # more than a page: the feed offers "load more"
        PublishedArtworkFactory(user=owner, thumbnails=thumbs("p", "webp", "avif"))
    feed = client.get("/feed?tab=new").content.decode()
    assert f'sizes="{FEED_SIZES}"' in feed and f'sizes="{GRID_SIZES}"' not in feed
    # The next cards, fetched by htmx, are in the same grid beside the sidebar.
    next_url = re.search(r'data-hx-get="([^"]+)"', feed).group(1).replace("&amp;", "&")
    more = client.get("/feed" + next_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="art-card"' in more
    assert f'sizes="{FEED_SIZES}"' in more and f'sizes="{GRID_SIZES}"' not in more
    profile = client.get(owner.get_absolute_url()).content.decode()
    assert f'sizes="{GRID_SIZES}"' in profile and f'sizes="{FEED_SIZES}"' not in profile


def test_placeholders_are_images_not_styles():
    blurred = PublishedArtworkFactory(
        thumbnails=thumbs("b", "webp"),
        placeholder_color="#336699",
        placeholder_data="data:image/webp;base64,AAAA",
    )
    html = render(blurred)
    assert 'style="' not in html
    assert '<img class="media-placeholder" src="data:image/webp;base64,AAAA" alt="">' in html
    colour_only = PublishedArtworkFactory(thumbnails=[], placeholder_color="#336699")
    html = render(colour_only)
    assert 'style="' not in html
    assert 'class="media-placeholder" src="data:image/svg+xml,' in html
    assert "%23336699" in html
    hostile = PublishedArtworkFactory(thumbnails=[], placeholder_color='#"><x')
    assert "media-placeholder" not in render(hostile)


def test_link_previews_and_sitemaps_get_webp_not_avif():
    # Stored in any order: AVIF entries first must not make the preview an AVIF file.
    art = PublishedArtworkFactory(thumbnails=thumbs("o", "avif", "webp"))
    url, width, _height = artwork_image_url(art)
    assert url.endswith("/artworks/thumb/o_1280.webp") and width == 1280
