"""The Content-Security-Policy (django-csp): this site, plus wherever media and Google
sign-in live as the storage and accounts settings configure them."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp import constants as csp_constants

from .accounts import GOOGLE_CLIENT_ID
from .base import env
from .storage import MEDIA_URL, S3_BUCKET, STORAGES


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _media_origins() -> list[str]:
    """Where media URLs point when they are not on this site: an absolute MEDIA_URL, or the
    bucket's endpoint, where /media/ redirects with a signed URL."""
    origins = [_origin(MEDIA_URL)]
    if S3_BUCKET:
        options = STORAGES["default"]["OPTIONS"]
        if options.get("endpoint_url"):
            endpoint = _origin(options["endpoint_url"])
            if options.get("addressing_style") == "virtual":
                scheme, host = endpoint.split("://", 1)
                endpoint = f"{scheme}://{S3_BUCKET}.{host}"
            origins.append(endpoint)
        else:
            origins.append(f"https://{S3_BUCKET}.s3.amazonaws.com")
    origins += env.list("CSP_EXTRA_MEDIA_ORIGINS", default=[])
    return [o for o in dict.fromkeys(origins) if o]


# No inline script but the theme script, which carries the per-response nonce; no inline
# styles at all (placeholders are data: images, avatar hues and spacing are classes); htmx's
# own indicator <style> is switched off in base.html.
CSP_MEDIA_ORIGINS = _media_origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "media-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Chromium applies form-action to the redirect after a POST too: "Continue with Google"
        # posts here and is redirected to Google's consent page.
        "form-action": ["'self'", *(["https://accounts.google.com"] if GOOGLE_CLIENT_ID else [])],
        "frame-ancestors": ["'none'"],
    },
}
