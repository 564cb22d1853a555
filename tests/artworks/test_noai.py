"""noai: a member asks AI crawlers not to train on their work. Their profile and artwork pages
answer with `X-Robots-Tag: noai, noimageai` and carry the matching <meta name="robots">; so do
their media (from disk, through nginx's X-Accel-Redirect, and the redirect to a bucket). Cached
pages keep the header, and changing the setting drops the member's cached pages at once. A site
setting adds robots.txt rules for known AI-training crawlers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from artworks import services
from feed.views import AI_CRAWLERS
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

NOAI = "noai, noimageai"
NOAI_META = '<meta name="robots" content="noai, noimageai">'
SETTINGS_URL = "/settings/profile"


def media_urls(artwork) -> list[str]:
    services.artwork_make_thumbnails(artwork_id=artwork.pk)
    artwork.refresh_from_db()
    return [artwork.original.url, *(f"/media/{t['name']}" for t in artwork.thumbnails)]


@pytest.fixture
def careful():
    return UserFactory(noai=True)


class TestPagesAndMedia:
    def test_the_members_pages_say_noai(self, client, careful):
        artwork = PublishedArtworkFactory(user=careful)
        for url in (careful.get_absolute_url(), artwork.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Robots-Tag"] == NOAI, url
            assert NOAI_META in response.content.decode(), url

    def test_other_members_pages_do_not(self, client):
        artwork = PublishedArtworkFactory(user=UserFactory(noai=False))
        for url in (artwork.user.get_absolute_url(), artwork.get_absolute_url()):
            response = client.get(url)
            assert "X-Robots-Tag" not in response, url
            assert NOAI_META not in response.content.decode(), url

    def test_a_draft_page_is_noindex_and_noai(self, careful):
        draft = ArtworkFactory(user=careful)
        author = Client()
        author.force_login(careful)
        response = author.get(draft.get_absolute_url())
        assert response["X-Robots-Tag"] == f"noindex, {NOAI}"
        html = response.content.decode()
        assert '<meta name="robots" content="noindex, nofollow">' in html and NOAI_META in html

    def test_their_media_from_disk_say_noai(self, client, careful):
        other = PublishedArtworkFactory(user=UserFactory(noai=False))
        for url in media_urls(PublishedArtworkFactory(user=careful)):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Robots-Tag"] == NOAI, url
        for url in media_urls(other):
            assert "X-Robots-Tag" not in client.get(url), url

    def test_their_media_through_nginx_say_noai(self, client, careful, settings):
        settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
        for url in media_urls(PublishedArtworkFactory(user=careful)):
            response = client.get(url)
            assert response["X-Accel-Redirect"].startswith("/protected-media/")
            assert response["X-Robots-Tag"] == NOAI, url

    def test_a_refused_file_says_nothing_about_its_author(self, client, careful):
        draft = ArtworkFactory(user=careful)
        response = client.get(draft.original.url)
        assert response.status_code == 404
        assert "X-Robots-Tag" not in response


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 600


class TestPageCache:
    def test_a_cached_page_keeps_the_header(self, client, careful, page_cache):
        artwork = PublishedArtworkFactory(user=careful)
        for url in (careful.get_absolute_url(), artwork.get_absolute_url()):
            assert client.get(url)["X-Page-Cache"] == "miss"
            hit = client.get(url)
            assert hit["X-Page-Cache"] == "hit", url
            assert hit["X-Robots-Tag"] == NOAI, url
            assert NOAI_META in hit.content.decode(), url

    def test_changing_the_setting_drops_the_members_cached_pages_at_once(
        self, client, page_cache, django_capture_on_commit_callbacks
    ):
        member = UserFactory(noai=False)
        artwork = PublishedArtworkFactory(user=member)
        urls = (member.get_absolute_url(), artwork.get_absolute_url())
        for url in urls:
            client.get(url)
            assert client.get(url)["X-Page-Cache"] == "hit"
        author = Client()
        author.force_login(member)
        with django_capture_on_commit_callbacks(execute=True):
            response = author.post(SETTINGS_URL, {"username": member.username, "noai": "on"})
        assert response.status_code == 302
        for url in urls:
            fresh = client.get(url)
            assert fresh["X-Page-Cache"] == "miss", url
            assert fresh["X-Robots-Tag"] == NOAI, url
        media = client.get(artwork.original.url)
        assert media["X-Robots-Tag"] == NOAI  # the cached artwork was dropped too
        with django_capture_on_commit_callbacks(execute=True):
            author.post(SETTINGS_URL, {"username": member.username})
        for url in urls:
            assert "X-Robots-Tag" not in client.get(url), url


class TestSetting:
    def test_the_profile_settings_offer_both_choices_checked_as_saved(self, client):
        member = UserFactory(noai=True, allow_downloads=False)
        client.force_login(member)
        html = client.get(SETTINGS_URL).content.decode()
        noai = re.search(r'<input type="checkbox" name="noai"[^>]*>', html).group(0)
        downloads = re.search(r'<input type="checkbox" name="allow_downloads"[^>]*>', html)
        assert "checked" in noai and "checked" not in downloads.group(0)
        assert '<label class="check" for="id_noai">' in html
        assert 'aria-describedby="id_noai_helptext"' in noai

    def test_saving_sets_and_clears_them(self, client, user):
        client.force_login(user)
        data = {"username": user.username, "noai": "on", "allow_downloads": "on"}
        assert client.post(SETTINGS_URL, data).status_code == 302
        user.refresh_from_db()
        assert user.noai and user.allow_downloads
        assert client.post(SETTINGS_URL, {"username": user.username}).status_code == 302
        user.refresh_from_db()
        assert not user.noai and not user.allow_downloads

    def test_a_visitor_changes_nothing_and_a_member_only_themself(self, client, user, other_user):
        response = client.post(SETTINGS_URL, {"username": user.username, "noai": "on"})
        assert response.status_code == 302 and "/login" in response.url
        client.force_login(other_user)
        client.post(SETTINGS_URL, {"username": other_user.username, "noai": "on", "id": user.pk})
        user.refresh_from_db()
        other_user.refresh_from_db()
        assert not user.noai and other_user.noai

    def test_an_invalid_form_changes_nothing(self, client, user):
        client.force_login(user)
        response = client.post(SETTINGS_URL, {"username": "x", "noai": "on"})
        assert response.status_code == 200
        user.refresh_from_db()
        assert not user.noai


class TestRobotsTxt:
    def test_known_ai_crawlers_are_turned_away_by_default(self, client):
        text = client.get("/robots.txt").content.decode()
        block = text.split("\n\n")[0].splitlines()
        for name in ("GPTBot", "ChatGPT-User", "CCBot", "Google-Extended", "anthropic-ai"):
            assert f"User-agent: {name}" in block
        for name in ("ClaudeBot", "Bytespider", "PerplexityBot", "Applebot-Extended"):
            assert f"User-agent: {name}" in block
        assert "User-agent: meta-externalagent" in block
        assert block[-1] == "Disallow: /"
        assert len(block) == len(AI_CRAWLERS) + 1
        # Everyone else (search engines included) keeps the usual rules.
        assert "Googlebot" not in text and "Bingbot" not in text
        assert "User-agent: *\nDisallow: /admin/" in text
        assert "Sitemap: " in text

    def test_the_site_setting_turns_the_rules_off(self, client, settings):
        settings.ROBOTS_BLOCK_AI_CRAWLERS = False
        text = client.get("/robots.txt").content.decode()
        assert "GPTBot" not in text
        assert text.startswith("User-agent: *\n")


def test_their_atom_feed_says_noai_and_stays_so_when_cached(client, careful, settings):
    settings.PAGE_CACHE_SECONDS = 600
    PublishedArtworkFactory(user=careful)
    url = f"/user/{careful.username}/feed.atom"
    assert client.get(url)["X-Robots-Tag"] == NOAI
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit" and hit["X-Robots-Tag"] == NOAI
    plain = PublishedArtworkFactory(user=UserFactory(noai=False)).user
    assert "X-Robots-Tag" not in client.get(f"/user/{plain.username}/feed.atom")
