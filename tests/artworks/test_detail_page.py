"""/artwork/<id>/<slug>: canonical redirects, who may see what, and what the page says."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from artworks.models import Artwork
from tests.factories import ArtworkFactory, LikeFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

THUMBS = [
    {"width": 320, "height": 240, "format": "webp", "name": "artworks/thumb/x_320.webp"},
    {"width": 640, "height": 480, "format": "webp", "name": "artworks/thumb/x_640.webp"},
    {"width": 1280, "height": 960, "format": "webp", "name": "artworks/thumb/x_1280.webp"},
]


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def meta_content(html: str, attr: str, name: str) -> str | None:
    match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', html)
    return match.group(1) if match else None


class TestCanonicalRedirects:
    def test_wrong_slug_is_301_to_canonical(self, client):
        art = PublishedArtworkFactory(title="Quiet lake")
        response = client.get(f"/artwork/{art.id}/something-else")
        assert response.status_code == 301
        assert response["Location"] == f"/artwork/{art.id}/quiet-lake"

    def test_missing_slug_is_301_to_canonical(self, client):
        art = PublishedArtworkFactory(title="Quiet lake")
        response = client.get(f"/artwork/{art.id}")
        assert response.status_code == 301
        assert response["Location"] == art.get_absolute_url()

    def test_redirect_keeps_the_query_string(self, client):
        art = PublishedArtworkFactory(title="Quiet lake")
        response = client.get(f"/artwork/{art.id}/x?lang=zh-hans")
        assert response["Location"] == f"{art.get_absolute_url()}?lang=zh-hans"

    def test_unicode_slug_is_canonical(self, client):
        art = PublishedArtworkFactory(title="星空下的湖")
        response = client.get(art.get_absolute_url())
        assert response.status_code == 200
        assert "星空下的湖" in response.content.decode()

    def test_canonical_url_answers_200(self, client):
        art = PublishedArtworkFactory(title="Quiet lake")
        assert client.get(art.get_absolute_url()).status_code == 200

    def test_unknown_id_is_404_even_with_slug(self, client):
        assert client.get("/artwork/999999/anything").status_code == 404


class TestVisibility:
    def test_draft_is_404_to_public_and_other_users(self, client, other_user):
        draft = ArtworkFactory(title="Secret")
        assert client.get(draft.get_absolute_url()).status_code == 404
        # A wrong slug must not reveal the draft through a redirect either.
        assert client.get(f"/artwork/{draft.id}/wrong").status_code == 404
        client.force_login(other_user)
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_draft_is_visible_to_author_and_staff_with_noindex(self, client, staff_user):
        draft = ArtworkFactory(title="Secret")
        for viewer in (draft.user, staff_user):
            client.force_login(viewer)
            response = client.get(draft.get_absolute_url())
            html = response.content.decode()
            assert response.status_code == 200
            assert "Secret" in html
            assert '<meta name="robots" content="noindex, nofollow">' in html
            assert response["X-Robots-Tag"] == "noindex"
            assert "no-store" in response["Cache-Control"]

    def test_hidden_is_404_to_public_and_author_but_not_staff(self, client, staff_user):
        hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
        assert client.get(hidden.get_absolute_url()).status_code == 404
        client.force_login(hidden.user)
        assert client.get(hidden.get_absolute_url()).status_code == 404
        client.force_login(staff_user)
        response = client.get(hidden.get_absolute_url())
        assert response.status_code == 200
        assert "hidden by moderation" in response.content.decode()
        assert "noindex" in response["X-Robots-Tag"]

    def test_published_page_is_indexable(self, client):
        art = PublishedArtworkFactory()
        response = client.get(art.get_absolute_url())
        assert "index, follow" in response.content.decode()
        assert "X-Robots-Tag" not in response


class TestPromptPrivacy:
    SECRET = "a very secret recipe of seventeen words"

    def make(self) -> Artwork:
        return PublishedArtworkFactory(
            prompt=self.SECRET,
            negative_prompt="a secret negative",
            prompt_hidden=True,
            seed=424242,
        )

    def test_hidden_prompt_is_absent_for_the_public(self, client, other_user):
        art = self.make()
        for viewer in (None, other_user):
            if viewer:
                client.force_login(viewer)
            html = client.get(art.get_absolute_url()).content.decode()
            assert self.SECRET not in html
            assert "a secret negative" not in html
            assert "424242" not in html
            assert "keeps the prompt private" in html
        # Nor on the list pages or in the sitemap.
        for url in ("/", "/feed", "/feed?tab=new", art.user.get_absolute_url(), "/features"):
            assert self.SECRET not in client.get(url).content.decode()
        assert self.SECRET not in client.get("/sitemap-artworks.xml").content.decode()

    def test_hidden_prompt_is_shown_to_author_and_staff(self, client, staff_user):
        art = self.make()
        for viewer in (art.user, staff_user):
            client.force_login(viewer)
            html = client.get(art.get_absolute_url()).content.decode()
            assert self.SECRET in html
            assert "424242" in html

    def test_visible_prompt_is_shown_and_used_as_description(self, client):
        art = PublishedArtworkFactory(prompt="golden hour over the bay", description="")
        html = client.get(art.get_absolute_url()).content.decode()
        assert "golden hour over the bay" in html
        assert meta_content(html, "name", "description") == "golden hour over the bay"


class TestSeo:
    def test_meta_open_graph_and_twitter(self, client, settings):
        settings.SITE_URL = "https://art.example"
        art = PublishedArtworkFactory(
            title="Harbour lights",
            description="Boats under the evening sky.",
            alt_text="Fishing boats with lanterns",
            thumbnails=THUMBS,
            width=1280,
            height=960,
        )
        html = client.get(art.get_absolute_url()).content.decode()
        canonical = f"https://art.example{art.get_absolute_url()}"
        assert f"<title>Harbour lights by {art.user.display_name}</title>" in html
        assert meta_content(html, "name", "description") == "Boats under the evening sky."
        assert f'<link rel="canonical" href="{canonical}">' in html
        assert meta_content(html, "property", "og:url") == canonical
        assert meta_content(html, "property", "og:type") == "article"
        image = meta_content(html, "property", "og:image")
        assert image == "https://art.example/media/artworks/thumb/x_1280.webp"
        assert meta_content(html, "property", "og:image:width") == "1280"
        assert meta_content(html, "property", "og:image:alt") == "Fishing boats with lanterns"
        assert meta_content(html, "name", "twitter:card") == "summary_large_image"
        assert meta_content(html, "name", "twitter:image") == image
        assert f'hreflang="en" href="{canonical}?lang=en"' in html
        assert f'hreflang="zh-hans" href="{canonical}?lang=zh-hans"' in html
        assert f'hreflang="x-default" href="{canonical}"' in html

    def test_jsonld_image_object_with_author_and_dates(self, client, settings):
        settings.SITE_URL = "https://art.example"
        art = PublishedArtworkFactory(title="Harbour lights", thumbnails=THUMBS, like_count=7)
        html = client.get(art.get_absolute_url()).content.decode()
        (data,) = jsonld(html)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "ImageObject"
        assert data["name"] == "Harbour lights"
        assert data["author"]["@type"] == "Person"
        assert data["author"]["name"] == art.user.display_name
        assert data["author"]["url"] == f"https://art.example/user/{art.user.username}"
        assert data["datePublished"] == art.published_at.isoformat()
        assert data["dateCreated"] == art.created_at.isoformat()
        assert data["contentUrl"].startswith("https://art.example/media/artworks/original/")
        assert data["thumbnailUrl"] == "https://art.example/media/artworks/thumb/x_1280.webp"
        assert data["interactionStatistic"][0]["userInteractionCount"] == 7

    def test_jsonld_video_object(self, client):
        art = PublishedArtworkFactory(
            kind=Artwork.Kind.VIDEO,
            content_type="video/mp4",
            poster="artworks/thumb/v_poster.jpg",
            duration_seconds=12.4,
        )
        html = client.get(art.get_absolute_url()).content.decode()
        (data,) = jsonld(html)
        assert data["@type"] == "VideoObject"
        assert data["uploadDate"] == art.published_at.isoformat()
        assert data["thumbnailUrl"].endswith("/media/artworks/thumb/v_poster.jpg")
        assert data["duration"] == "PT12S"
        assert '<video controls playsinline preload="none"' in html
        assert 'poster="/media/artworks/thumb/v_poster.jpg"' in html
        assert meta_content(html, "property", "og:type") == "video.other"

    def test_jsonld_cannot_be_broken_out_of(self, client):
        art = PublishedArtworkFactory(title="</script><script>alert(1)</script>")
        html = client.get(art.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in html
        assert jsonld(html)[0]["name"] == "</script><script>alert(1)</script>"

    def test_hidden_prompt_absent_from_meta_and_jsonld(self, client):
        art = PublishedArtworkFactory(prompt="private words here", prompt_hidden=True)
        html = client.get(art.get_absolute_url()).content.decode()
        assert "private words here" not in html
        assert "An artwork by" in meta_content(html, "name", "description")


class TestMediaMarkup:
    def test_responsive_image_with_placeholder(self, client):
        avif = [
            {**t, "format": "avif", "name": t["name"].replace(".webp", ".avif")} for t in THUMBS
        ]
        art = PublishedArtworkFactory(
            thumbnails=[*THUMBS, *avif],
            width=1280,
            height=960,
            placeholder_color="#336699",
            placeholder_data="data:image/webp;base64,AAAA",
            alt_text="Alt from the author",
        )
        html = client.get(art.get_absolute_url()).content.decode()
        picture = re.search(r"<picture>.*?</picture>", html).group(0)
        # One typed source per format, best first; the <img> is the WebP fallback.
        assert picture.startswith(
            '<picture><source type="image/avif" srcset="/media/artworks/thumb/x_320.avif 320w, '
            '/media/artworks/thumb/x_640.avif 640w, /media/artworks/thumb/x_1280.avif 1280w" '
            'sizes="(min-width: 1440px) 960px, '
        )
        assert (
            '<source type="image/webp" srcset="/media/artworks/thumb/x_320.webp 320w, '
            '/media/artworks/thumb/x_640.webp 640w, /media/artworks/thumb/x_1280.webp 1280w"'
        ) in picture
        img = re.search(r"<img [^>]*>", picture).group(0)
        assert img.startswith('<img src="/media/artworks/thumb/x_640.webp"')
        assert "srcset" not in img
        assert 'width="1280" height="960"' in img
        assert 'alt="Alt from the author"' in img
        assert 'loading="eager"' in img and 'fetchpriority="high"' in img
        # The blurred placeholder is an image under the picture, not a style attribute.
        assert 'style="' not in html
        assert (
            '<span class="media-frame"><img class="media-placeholder" '
            'src="data:image/webp;base64,AAAA" alt=""><picture>'
        ) in html

    def test_falls_back_to_original_before_thumbnails(self, client):
        art = PublishedArtworkFactory(thumbnails=[], title="Fresh")
        html = client.get(art.get_absolute_url()).content.decode()
        assert f'<img src="{art.url}"' in html
        assert 'alt="Fresh"' in html


class TestMoreFromAuthor:
    def test_lists_other_published_works_of_the_author(self, client):
        author = UserFactory()
        main = PublishedArtworkFactory(user=author, title="Main piece")
        PublishedArtworkFactory(user=author, title="Second piece")
        ArtworkFactory(user=author, title="Unseen draft")
        html = client.get(main.get_absolute_url()).content.decode()
        assert "More from" in html
        assert "Second piece" in html
        assert "Unseen draft" not in html

    @pytest.mark.parametrize("n", [1, 50])
    def test_constant_queries(self, client, user, django_assert_num_queries, n):
        author = UserFactory()
        now = timezone.now()
        arts = [
            PublishedArtworkFactory(user=author, published_at=now - timezone.timedelta(minutes=i))
            for i in range(n)
        ]
        LikeFactory(user=user, artwork=arts[0])
        client.force_login(user)
        # the member (session: cache), the artwork, more by the author, liked, favorited ids,
        # whether they follow the author (the follow button), their collections (the save
        # control), the bell's unread count (cold here; cached after), its remixes
        with django_assert_num_queries(8):
            response = client.get(arts[0].get_absolute_url())
        assert response.status_code == 200
