"""sitemap.xml, robots.txt, per-page meta and JSON-LD, languages, and the error pages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from artworks.models import Artwork
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)"', html).group(1)


class TestSitemap:
    def test_index_lists_the_sections(self, client, settings):
        settings.SITE_URL = "https://art.example"
        root = ET.fromstring(client.get("/sitemap.xml").content)
        locs = [e.text for e in root.findall("sm:sitemap/sm:loc", NS)]
        assert locs == [
            "https://art.example/sitemap-pages.xml",
            "https://art.example/sitemap-artworks.xml",
            "https://art.example/sitemap-users.xml",
            "https://art.example/sitemap-tags.xml",
            "https://art.example/sitemap-collections.xml",
        ]

    def test_artworks_only_published_visible_with_images(self, client, settings):
        settings.SITE_URL = "https://art.example"
        public = PublishedArtworkFactory(
            thumbnails=[{"width": 1280, "height": 960, "format": "webp", "name": "t/p_1280.webp"}]
        )
        draft = ArtworkFactory()
        hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
        suspended = PublishedArtworkFactory(user=UserFactory(is_active=False))
        response = client.get("/sitemap-artworks.xml")
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        urls = root.findall("sm:url", NS)
        locs = [u.find("sm:loc", NS).text for u in urls]
        assert locs == [f"https://art.example{public.get_absolute_url()}"]
        image = urls[0].find("image:image/image:loc", NS).text
        assert image == "https://art.example/media/t/p_1280.webp"
        body = response.content.decode()
        for absent in (draft, hidden, suspended):
            assert f"/artwork/{absent.id}/" not in body

    def test_users_with_public_work_only(self, client, settings):
        settings.SITE_URL = "https://art.example"
        creator = PublishedArtworkFactory().user
        drafter = ArtworkFactory().user
        hidden_only = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN).user
        root = ET.fromstring(client.get("/sitemap-users.xml").content)
        locs = [e.text for e in root.findall("sm:url/sm:loc", NS)]
        assert locs == [f"https://art.example/user/{creator.username}"]
        assert drafter.username not in str(locs) and hidden_only.username not in str(locs)

    def test_pages_section(self, client, settings):
        settings.SITE_URL = "https://art.example"
        root = ET.fromstring(client.get("/sitemap-pages.xml").content)
        locs = [e.text for e in root.findall("sm:url/sm:loc", NS)]
        assert locs == [
            "https://art.example/",
            "https://art.example/features",
            "https://art.example/feed",
        ]


class TestRobots:
    def test_points_at_the_sitemap_and_keeps_private_areas_out(self, client, settings):
        settings.SITE_URL = "https://art.example"
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        text = response.content.decode()
        assert "User-agent: *" in text
        assert "Sitemap: https://art.example/sitemap.xml" in text
        for path in ("/admin/", "/api/", "/accounts/"):
            assert f"Disallow: {path}" in text


class TestPageMeta:
    def test_every_page_has_its_own_title_description_and_canonical(self, client, settings):
        settings.SITE_URL = "https://art.example"
        art = PublishedArtworkFactory(title="Only piece")
        pages = {
            "/": "https://art.example/",
            "/features": "https://art.example/features",
            "/feed": "https://art.example/feed",
            "/feed?tab=new": "https://art.example/feed?tab=new",
            art.user.get_absolute_url(): f"https://art.example{art.user.get_absolute_url()}",
            art.get_absolute_url(): f"https://art.example{art.get_absolute_url()}",
        }
        titles, descriptions = set(), set()
        for url, canonical in pages.items():
            html = client.get(url).content.decode()
            titles.add(title(html))
            descriptions.add(description(html))
            assert f'<link rel="canonical" href="{canonical}">' in html, url
            assert re.search(r'<meta property="og:image" content="https://art\.example/', html), url
            assert '<meta name="twitter:card"' in html, url
            assert 'hreflang="zh-hans"' in html and 'hreflang="x-default"' in html, url
            assert jsonld(html), url
        assert len(titles) == len(pages)
        assert len(descriptions) >= len(pages) - 1  # the two feed tabs differ too

    def test_landing_has_website_jsonld(self, client):
        (data,) = jsonld(client.get("/").content.decode())
        assert data["@type"] == "WebSite"
        assert data["inLanguage"] == ["en", "zh-hans"]

    def test_profile_has_profile_page_jsonld(self, client, settings):
        settings.SITE_URL = "https://art.example"
        author = UserFactory(username="lin_yue", name="林月")
        PublishedArtworkFactory(user=author, like_count=5)
        (data,) = jsonld(client.get("/user/lin_yue").content.decode())
        assert data["@type"] == "ProfilePage"
        assert data["mainEntity"]["@type"] == "Person"
        assert data["mainEntity"]["name"] == "林月"
        assert data["mainEntity"]["url"] == "https://art.example/user/lin_yue"
        assert data["dateCreated"] == author.date_joined.isoformat()

    def test_list_pages_without_artworks_are_not_indexed(self, client):
        """Empty list pages are thin: noindex, as search and the follow lists say always."""
        from artworks.services import artwork_set_tags
        from social.services import collection_create, collection_item_add

        author = UserFactory(username="maker")
        empty = collection_create(owner=author, name="Empty")
        full = collection_create(owner=author, name="Full")
        paths = ["/feed", "/user/maker", empty.get_absolute_url(), "/tag/quiet"]
        mature = PublishedArtworkFactory(user=author, rating="mature")  # not for a visitor
        artwork_set_tags(artwork=mature, actor=author, tags=["quiet"])
        for path in paths:
            response = client.get(path)
            html = response.content.decode()
            assert '<meta name="robots" content="noindex' in html, path
            assert response["X-Robots-Tag"] == "noindex", path
        art = PublishedArtworkFactory(user=author)
        artwork_set_tags(artwork=art, actor=author, tags=["quiet"])
        collection_item_add(actor=author, collection=full, artwork_id=art.pk)
        for path in (
            "/feed?tab=new",
            "/user/maker?tab=artworks",
            full.get_absolute_url(),
            "/tag/quiet?tab=new",
        ):
            response = client.get(path)
            assert '<meta name="robots" content="index' in response.content.decode(), path
            assert "X-Robots-Tag" not in response, path

    def test_list_page_without_artworks_uses_the_site_card(self, client, settings):
        settings.SITE_URL = "https://art.example"
        html = client.get("/feed").content.decode()
        assert (
            '<meta property="og:image" content="https://art.example/static/img/og-default.png">'
            in html
        )

    def test_second_feed_page_has_its_own_canonical(self, client):
        for _ in range(25):
            PublishedArtworkFactory()
        first = client.get("/feed?tab=new").content.decode()
        cursor = re.search(r"cursor=([\w-]+)", first).group(1)
        second = client.get(f"/feed?tab=new&cursor={cursor}").content.decode()
        assert (
            f'rel="canonical" href="http://127.0.0.1:8000/feed?tab=new&amp;cursor={cursor}"'
            in second
        )


class TestLanguages:
    def test_lang_parameter_renders_chinese(self, client):
        response = client.get("/feed?lang=zh-hans")
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html
        assert "热门 AI 作品" in html
        assert response["Content-Language"] == "zh-hans"

    @pytest.mark.parametrize("code", ["zh-hans", "en"])
    def test_a_language_address_is_its_own_canonical(self, client, code):
        """The ?lang= address an hreflang link names is the canonical URL of what it shows:
        it named the bare, negotiated address instead, telling search engines that the
        Chinese page was a copy of another and leaving its hreflang link without a target."""
        html = client.get(f"/feed?tab=new&lang={code}").content.decode()
        own = f"http://127.0.0.1:8000/feed?tab=new&amp;lang={code}"
        assert f'<link rel="canonical" href="{own}">' in html
        assert f'<link rel="alternate" hreflang="{code}" href="{own}">' in html
        assert f'<meta property="og:url" content="{own}">' in html
        bare = client.get("/feed?tab=new").content.decode()
        assert '<link rel="canonical" href="http://127.0.0.1:8000/feed?tab=new">' in bare

    def test_accept_language_negotiates_chinese(self, client):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
        assert '<html lang="zh-hans"' in html
        assert "正在热门" in html

    def test_switcher_remembers_the_choice(self, client):
        html = client.get("/feed?tab=new").content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert 'name="next" type="hidden" value="/feed?tab=new"' in html
        response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/feed?tab=new"})
        assert response.status_code == 302
        assert response["Location"] == "/feed?tab=new"
        assert '<html lang="zh-hans"' in client.get("/feed").content.decode()

    def test_switcher_next_drops_the_lang_parameter(self, client):
        html = client.get("/feed?tab=new&lang=zh-hans").content.decode()
        assert 'name="next" type="hidden" value="/feed?tab=new"' in html

    def test_messages_are_translated(self, client):
        response = client.get("/feed?cursor=broken&lang=zh-hans", follow=True)
        assert "该分页链接已失效" in response.content.decode()

    def test_unknown_lang_value_is_ignored(self, client):
        assert '<html lang="en"' in client.get("/?lang=xx").content.decode()

    def test_compiled_catalog_covers_every_message(self):
        from pathlib import Path

        from scripts.compile_messages import parse_po

        po = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"
        messages = parse_po(po)
        untranslated = [k for k, v in messages.items() if k and not v.replace("\x00", "")]
        assert not untranslated
        assert len(messages) > 150


class TestErrorPages:
    def test_404_in_site_design(self, client):
        response = client.get("/no/such/page")
        html = response.content.decode()
        assert response.status_code == 404
        assert "This page does not exist" in html
        assert 'class="site-header"' in html
        assert 'name="robots" content="noindex"' in html

    def test_404_is_translated(self, client):
        html = client.get("/no/such/page?lang=zh-hans").content.decode()
        assert "这个页面不存在" in html

    def test_403_in_site_design(self, client):
        # A refused action (PermissionDenied) used Django's bare English "403 Forbidden".
        artwork = PublishedArtworkFactory()
        client.force_login(UserFactory())
        response = client.post(reverse("artworks:publish", args=[artwork.pk]))
        html = response.content.decode()
        assert response.status_code == 403
        assert 'class="site-header"' in html
        assert "You do not have permission to do that." in html
        assert 'name="robots" content="noindex"' in html

    def test_403_is_translated(self, client):
        artwork = PublishedArtworkFactory()
        client.force_login(UserFactory())
        url = reverse("artworks:publish", args=[artwork.pk])
        html = client.post(f"{url}?lang=zh-hans").content.decode()
        assert "你没有权限这样做。" in html
        assert "Forbidden" not in html

    @pytest.mark.parametrize(
        ("lang", "heading"), [("en", "This form has expired"), ("zh-hans", "表单已失效")]
    )
    def test_a_csrf_failure_in_site_design(self, lang, heading):
        # Django's own page: unstyled (the CSP blocks its inline styles), no way back, and
        # advice for developers ("More information is available with DEBUG=True").
        client = Client(enforce_csrf_checks=True)
        client.force_login(UserFactory())
        response = client.post(f"/settings/profile?lang={lang}", {"name": "x"})
        html = response.content.decode()
        assert response.status_code == 403
        assert 'class="site-header"' in html
        assert heading in html
        assert "DEBUG" not in html

    @pytest.mark.parametrize(
        ("lang", "heading"),
        [("en", "This request could not be read"), ("zh-hans", "无法读取这个请求")],
    )
    def test_a_bad_request_in_site_design(self, lang, heading):
        """A request Django cannot read (here more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS)
        was Django's bare English 'Bad Request (400)', whatever the reader's language."""
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        fields = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        response = client.get(f"/feed?{fields}")
        html = response.content.decode()
        assert response.status_code == 400
        assert f'<html lang="{lang}">' in html
        assert 'class="site-header"' in html
        assert heading in html
        assert "Bad Request (400)" not in html

    @pytest.mark.parametrize(
        ("lang", "heading"), [("en", "This address is not a page"), ("zh-hans", "这个地址不是页面")]
    )
    def test_a_get_of_an_action_in_site_design(self, lang, heading):
        """A GET of what only a form's POST does (here after a sign-in that returned to
        'Mark all as read') was Django's 405 with an empty body: a blank page."""
        client = Client()
        client.force_login(UserFactory())
        response = client.get(f"/notifications/read?lang={lang}")
        html = response.content.decode()
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        assert 'class="site-header"' in html
        assert heading in html
        assert 'name="robots" content="noindex"' in html

    def test_500_renders_without_a_request_context(self):
        # Django's server_error view renders 500.html with an empty context and no request.
        with translation.override("en"):
            html = get_template("500.html").render()
        assert "Something went wrong" in html
        assert "/static/css/app.css" in html

    @override_settings(DEBUG=False)
    def test_500_is_served_on_an_unhandled_error(self, client, monkeypatch):
        from feed import views

        def boom(**kwargs):
            raise RuntimeError("database fell over")

        monkeypatch.setattr(views, "feed_tab_page", boom)
        client.raise_request_exception = False
        response = client.get("/feed")
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()


class TestTemplateTags:
    def render(self, source: str, **context) -> str:
        return engines["django"].from_string(source).render(context)

    def test_compact_numbers(self):
        out = self.render(
            "{% load site %}{{ a|compact }} {{ b|compact }} {{ c|compact }} {{ d|compact }}",
            a=999,
            b=1000,
            c=1250,
            d=2_500_000,
        )
        assert out == "999 1k 1.2k 2.5M"

    def test_compact_numbers_in_chinese_count_in_wan_and_yi(self):
        """A Chinese page said '1.2k' and '2.5M'; Chinese counts in 万 and 亿."""
        source = "{% load site %}{{ a|compact }} {{ b|compact }} {{ c|compact }} {{ d|compact }}"
        with translation.override("zh-hans"):
            out = self.render(source, a=9_999, b=12_500, c=2_500_000, d=320_000_000)
        assert out == "9999 1.2万 250万 3.2亿"

    def test_initials(self):
        out = self.render(
            "{% load site %}{{ a|initials }} {{ b|initials }} {{ c|initials }}",
            a="Aurora Vale",
            b="林月",
            c="pixel_monk",
        )
        assert out == "AV 林 PM"

    def test_lazy_image_below_the_fold(self):
        art = PublishedArtworkFactory(
            thumbnails=[{"width": 320, "height": 240, "format": "webp", "name": "t/a_320.webp"}]
        )
        out = self.render("{% load artwork_media %}{% artwork_img art %}", art=art)
        assert 'loading="lazy"' in out and 'decoding="async"' in out
        assert 'srcset="/media/t/a_320.webp 320w"' in out

    def test_video_without_poster_or_thumbnails_keeps_its_box(self):
        art = PublishedArtworkFactory(kind=Artwork.Kind.VIDEO, poster="", thumbnails=[])
        out = self.render("{% load artwork_media %}{% artwork_img art %}", art=art)
        assert 'class="media-pending' in out and 'role="img"' in out
