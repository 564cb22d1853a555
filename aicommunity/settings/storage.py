"""Media and static files: media on local disk (`MEDIA_ROOT`) by default, in a private
S3-compatible bucket when `S3_BUCKET` is set; static files through WhiteNoise."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import BASE_DIR, env
from .security import DEBUG

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# Where collectstatic writes; nginx serves /static/ from here (deploy/nginx/).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

S3_BUCKET = env.str("S3_BUCKET", default="")
# Media are private wherever they are stored: every media URL is the site's own view at
# MEDIA_URL (artworks.media_views), which asks the visibility rule on each request, so a
# takedown reaches every URL a page ever showed (README "Media and takedowns").
# Public media may be cached this long by browsers and shared caches (a CDN in front):
MEDIA_PUBLIC_MAX_AGE = env.int("MEDIA_PUBLIC_MAX_AGE", default=300)
# Behind nginx (deploy/nginx): the view answers X-Accel-Redirect: <prefix><key> and nginx sends
# the file from its `internal` location aliasing MEDIA_ROOT. Empty: Django streams the file.
MEDIA_X_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_X_ACCEL_REDIRECT_PREFIX", default="")
# How long a presigned bucket URL handed out by the media view stays valid.
S3_SIGNED_URL_EXPIRE = env.int("S3_SIGNED_URL_EXPIRE", default=300)
if env.str("S3_PUBLIC_DOMAIN", default=""):
    raise ImproperlyConfigured(
        "S3_PUBLIC_DOMAIN is no longer supported: objects behind a public domain stay online "
        "after a takedown. Put the CDN in front of the site's MEDIA_URL instead (README, "
        "'Media and takedowns')."
    )
if S3_BUCKET:
    from common.storage import s3_storage_options

    # Any S3-compatible store, e.g. Cloudflare R2:
    # S3_ENDPOINT_URL=https://<account>.r2.cloudflarestorage.com, S3_REGION=auto.
    _media_storage = s3_storage_options(
        bucket=S3_BUCKET,
        endpoint_url=env.str("S3_ENDPOINT_URL", default="") or None,
        region=env.str("S3_REGION", default="auto"),
        access_key=env.str("S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
        addressing_style=env.str("S3_ADDRESSING_STYLE", default="path"),
        signed_url_expire=S3_SIGNED_URL_EXPIRE,
    )
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (tests), fall back to unhashed names instead of failing.
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
# Files served at the site's root: browsers ask for /favicon.ico wherever a response links no
# icon (the admin, JSON, images). WhiteNoise answers it before the session, the member and the
# URLs are looked up, in one response (a redirect would cost a second request), cached like
# the static files. It is static/img/favicon.svg drawn at 16, 32 and 48 px.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
