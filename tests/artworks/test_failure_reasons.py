"""A provider's reason for a failed generation is stored in English and read in the author's
language: on the artwork page, in the API and in the admin's list of failed generations."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from artworks.models import Artwork
from artworks.providers import reasons
from tests.factories import ArtworkFactory

pytestmark = pytest.mark.django_db

TIMED_OUT = "Cloudflare Workers AI did not answer in time. Try again later."
REJECTED = (
    "The OpenAI-compatible image service rejected the request (HTTP 400). "
    "Your request was rejected by the safety system."
)


@pytest.mark.parametrize(
    ("stored", "chinese"),
    [
        (TIMED_OUT, "Cloudflare Workers AI 未能及时响应，请稍后再试。"),
        (
            REJECTED,
            "兼容 OpenAI 的图像服务 拒绝了请求（HTTP 400）。 "
            "Your request was rejected by the safety system.",
        ),
        (
            "Cloudflare Workers AI returned a picture of 9000 × 9000 pixels larger than this "
            "site accepts (at most 40 megapixels).",
            "Cloudflare Workers AI 返回的图片为 9000 × 9000 像素，超过了本站接受的大小"
            "（最多 40 百万像素）。",
        ),
        ("The generation failed unexpectedly. Try again.", "生成意外失败，请重试。"),
        ("Something nobody wrote a format for.", "Something nobody wrote a format for."),
        ("", ""),
    ],
)
def test_a_stored_reason_is_shown_in_chinese(stored, chinese):
    with translation.override("zh-hans"):
        assert reasons.reason_shown(stored) == chinese
    with translation.override("en"):
        assert reasons.reason_shown(stored) == stored


def test_every_format_reads_back_from_what_it_stores():
    for fmt in reasons.FORMATS:
        stored = reasons.reason(
            fmt, service="Cloudflare Workers AI", status=502, width=1, height=2, max=3, format="BMP"
        )
        with translation.override("zh-hans"):
            assert reasons.reason_shown(stored) != stored, fmt


def test_the_author_reads_a_providers_reason_in_their_language():
    """It was shown as stored: English on the Chinese page and in the API."""
    artwork = ArtworkFactory(
        with_file=False,
        generation_status=Artwork.GenerationStatus.FAILED,
        generation_error=TIMED_OUT,
    )
    client = Client()
    client.force_login(artwork.user)
    page = client.get(f"{artwork.get_absolute_url()}?lang=zh-hans").content.decode()
    assert "Cloudflare Workers AI 未能及时响应，请稍后再试。" in page
    assert "did not answer in time" not in page
    body = client.get(f"/api/artworks/{artwork.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["generation_error"] == "Cloudflare Workers AI 未能及时响应，请稍后再试。"
