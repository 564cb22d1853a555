"""The Content-Security-Policy: on every response, cached or not; the theme script is the only
inline script and carries this response's nonce; no inline styles or event handlers anywhere."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import get_template

from artworks.models import Artwork
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory
from tests.member_pages import collect_member_pages, member_world

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Content-Security-Policy"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response[HEADER]
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def header_nonce(response) -> str:
    found = re.search(r"'nonce-([^']+)'", response[HEADER])
    assert found, f"no nonce in {response[HEADER]!r}"
    return found.group(1)


def inline_script_nonces(html: str) -> list[str | None]:
    """The nonce of every inline <script> that a browser would run (JSON-LD is data)."""
    nonces = []
    for attrs in INLINE_SCRIPT.findall(html):
        if "application/ld+json" in attrs:
            continue
        found = re.search(r'\bnonce="([^"]*)"', attrs)
        nonces.append(found.group(1) if found else None)
    return nonces


def assert_strict_policy(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and len(policy["script-src"]) <= 2
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response[HEADER] and "'unsafe-eval'" not in response[HEADER]
    assert {"'self'", "data:"} <= set(policy["img-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"][0] == "'self'"
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.fixture
def world():
    owner = UserFactory(username="owner")
    thumbnail = {"width": 320, "height": 240, "format": "webp", "name": "artworks/thumb/p_320.webp"}
    art = PublishedArtworkFactory(user=owner, title="Policy piece", thumbnails=[thumbnail])
    draft = ArtworkFactory(user=owner, title="Draft piece")
    PublishedArtworkFactory(kind=Artwork.Kind.VIDEO, content_type="video/mp4", title="Clip")
    return {"owner": owner, "art": art, "draft": draft}


def test_every_page_has_the_policy_and_its_theme_script_the_nonce(client, world):
    art, owner = world["art"], world["owner"]
    anonymous = [
        "/",
        "/features",
        "/feed",
        "/feed?tab=new&lang=zh-hans",
        art.get_absolute_url(),
        owner.get_absolute_url(),
        "/login",
        "/accounts/signup/",
        "/no/such/page",
    ]
    signed_in = [
        "/",
        "/feed",
        art.get_absolute_url(),
        world["draft"].get_absolute_url(),
        owner.get_absolute_url() + "?tab=drafts",
        "/create",
        "/settings/profile",
    ]
    seen_nonces = set()

    def check(url: str, *, site_page: bool = True) -> None:
        response = client.get(url)
        assert response.status_code == (404 if "no/such" in url else 200), url
        assert_strict_policy(response)
        html = response.content.decode()
        nonces = inline_script_nonces(html)
        # The theme script is there, and every inline script carries this response's nonce
        # (the admin's own pages have no inline script at all).
        assert nonces or not site_page, f"{url}: no inline theme script"
        if nonces:
            assert nonces == [header_nonce(response)] * len(nonces), url
        assert not EVENT_HANDLER.search(html), f"{url}: inline event handler"
        assert not STYLE_ATTRIBUTE.search(html), f"{url}: style attribute"
        if nonces:
            seen_nonces.add(header_nonce(response))

    for url in anonymous:
        check(url)
    client.force_login(owner)
    for url in signed_in:
        check(url)
    assert len(seen_nonces) == len(anonymous) + len(signed_in), "a nonce was served twice"

    # The admin works under the same policy: Django's admin has no inline script or style,
    # and the artwork list's thumbnails are plain images.
    client.logout()
    check("/admin/login/", site_page=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in ("/admin/", "/admin/artworks/artwork/", f"/admin/artworks/artwork/{art.pk}/change/"):
        check(url, site_page=False)


def test_the_api_and_fragments_carry_the_policy_too(client, world):
    response = client.get("/api/feed")
    assert response.status_code == 200
    assert_strict_policy(response)
    response = client.get("/feed?tab=new&cursor=x", HTTP_HX_REQUEST="true")
    assert HEADER in response


def test_cached_pages_get_a_fresh_nonce_on_every_hit(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 600
    url = world["art"].get_absolute_url()
    responses = [client.get(url) for _ in range(3)]
    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit", "hit"]
    nonces = [header_nonce(r) for r in responses]
    assert len(set(nonces)) == 3, "a cached page reused a nonce"
    for response, nonce in zip(responses, nonces, strict=True):
        assert_strict_policy(response)
        html = response.content.decode()
        assert inline_script_nonces(html) == [nonce]
        assert "csp-nonce-" not in html  # the stored placeholder never reaches a visitor
        assert html.count(nonce) == 1


def test_text_on_a_page_cannot_become_a_nonce(client, world, settings):
    """What an author writes is stored and served as written: a cache hit replaces only the
    nonce the page was rendered with, never text that resembles a placeholder."""
    settings.PAGE_CACHE_SECONDS = 600
    art = world["art"]
    Artwork.objects.filter(pk=art.pk).update(description="csp-nonce-placeholder nonce-")
    first = client.get(art.get_absolute_url())
    second = client.get(art.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert "csp-nonce-placeholder nonce-" in second.content.decode()
    assert header_nonce(second) not in first.content.decode()


def test_member_pages_have_no_inline_style_or_handler_and_nonced_scripts():
    """Sign-in, sign-up, password reset, settings, create, delete, report and 429 pages, with
    their form errors (the same pages the Nu checker validates)."""
    pages = collect_member_pages(member_world(), "en")
    assert len(pages) > 10
    for name, html in pages.items():
        assert not EVENT_HANDLER.search(html), f"{name}: inline event handler"
        assert not STYLE_ATTRIBUTE.search(html), f"{name}: style attribute"
        if name.startswith("too many attempts"):
            continue  # rendered there from a bare RequestFactory request, outside middleware
        nonces = inline_script_nonces(html)
        assert nonces and all(nonces), f"{name}: an inline script without a nonce"


def test_no_template_has_an_inline_event_handler_or_style():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if EVENT_HANDLER.search(text) or STYLE_ATTRIBUTE.search(text):
            offenders.append(str(path.relative_to(ROOT)))
        if re.search(r"<style\b", text, re.I):
            offenders.append(f"{path.relative_to(ROOT)} (<style>)")
    assert not offenders, offenders


def test_inline_scripts_in_templates_carry_the_nonce():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for attrs in INLINE_SCRIPT.findall(path.read_text(encoding="utf-8")):
            if "application/ld+json" in attrs:
                continue
            assert 'nonce="{{ CSP_NONCE }}"' in attrs, f"{path}: inline script without nonce"


@pytest.mark.parametrize("page", ["500.html", "400.html"])
def test_the_error_page_runs_no_inline_script(page):
    """500.html and 400.html are rendered without a request, hence without a nonce: no inline
    script."""
    html = get_template(page).render()
    assert inline_script_nonces(html) == []


# Its own process, on an environment of its own (no pass's database or Redis): the same in
# both passes.
@pytest.mark.once
def test_images_from_the_bucket_are_allowed():
    """With media in a bucket, /media/ redirects to a signed URL on its endpoint: that origin
    (or the default AWS one) is in img-src and media-src."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(' '.join(d['img-src']), '|', ' '.join(d['media-src']))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "aicommunity.settings",
        "S3_BUCKET": "art",
        "S3_ENDPOINT_URL": "https://acct.r2.cloudflarestorage.com",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    img, media = out.split("|")
    assert "https://acct.r2.cloudflarestorage.com" in img.split() and "data:" in img.split()
    assert "https://acct.r2.cloudflarestorage.com" in media.split()
    env.pop("S3_ENDPOINT_URL")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "https://art.s3.amazonaws.com" in out.split("|")[0].split()


# Its own process, on an environment of its own (no pass's database or Redis): the same in
# both passes.
@pytest.mark.once
def test_google_sign_in_may_leave_for_the_consent_page():
    """form-action also governs the redirect after a POST (Chromium): "Continue with Google"
    posts to this site, which redirects to Google's consent page."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "aicommunity.settings"}
    run = functools.partial(
        subprocess.run, [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert run(env=env, check=True).stdout.split() == ["'self'"]
    with_google = {**env, "GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": "secret"}
    assert run(env=with_google, check=True).stdout.split() == [
        "'self'",
        "https://accounts.google.com",
    ]


def test_the_policy_built_once_is_the_one_django_csp_builds(client):
    from csp.utils import build_policy

    header = client.get("/features")["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert header == build_policy(nonce=nonce)
    assert client.get("/features")["Content-Security-Policy"] != header  # a fresh nonce


def test_a_changed_policy_setting_takes_effect_at_once(client, settings):
    client.get("/features")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/features")["Content-Security-Policy"] == "default-src 'none'"
