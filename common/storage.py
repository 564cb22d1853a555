"""How stored media leave the site, once the media view (artworks.media_views) has allowed a
request: from disk (Django, or nginx through X-Accel-Redirect) or from a private bucket.

A bucket (Cloudflare R2, AWS S3, MinIO) stays private: objects carry no public ACL and no
long-lived cache header, and nobody is handed a lasting object URL. `url()` names the site's
own media view (MEDIA_URL + key), which asks the visibility rule on every request and only
then redirects to `signed_url()`, valid for S3_SIGNED_URL_EXPIRE seconds. A takedown is
therefore effective at every URL a page ever showed within that lifetime (README "Media and
takedowns")."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date

logger = logging.getLogger(__name__)


def s3_storage_options(
    *,
    bucket: str,
    endpoint_url: str | None,
    region: str,
    access_key: str,
    secret_key: str,
    addressing_style: str,
    signed_url_expire: int,
) -> dict[str, Any]:
    """The STORAGES["default"] entry for a private bucket (aicommunity/settings/storage.py
    builds it from the S3_* variables; the tests build theirs here too, so both stay the
    same). botocore and the S3 backend are imported only here and by that backend
    (common/s3_storage.py): a site that keeps its media on disk does not load them."""
    import botocore.config

    return {
        "BACKEND": "common.s3_storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            "access_key": access_key,
            "secret_key": secret_key,
            "custom_domain": None,
            "querystring_auth": True,
            "querystring_expire": signed_url_expire,
            "file_overwrite": False,
            # No ACL header: objects stay as private as the bucket (the default on S3 and R2;
            # buckets that enforce owner-only objects refuse any other ACL).
            "default_acl": None,
            "signature_version": "s3v4",
            "addressing_style": addressing_style,
            # Only the browser that was allowed may keep the bytes, and no longer than its
            # signed URL lives; a shared cache between it and the bucket stores nothing.
            "object_parameters": {"CacheControl": f"private, max-age={signed_url_expire}"},
            # With a client_config, django-storages ignores its own signature_version and
            # addressing_style options: they must be in the config too (R2 signs with SigV4
            # only). R2 does not implement the CRC checksums new boto3 versions send by
            # default, so they are sent only when required.
            "client_config": botocore.config.Config(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        },
    }


def is_private_bucket(storage: object) -> bool:
    """Whether `storage` is the private bucket's backend (common.s3_storage.PrivateS3Storage),
    asked without importing it."""
    return getattr(storage, "private_bucket", False) is True


# Types of what the site stores (never guessed from content: uploads are re-encoded to these).
_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "webm": "video/webm",
}


def media_content_type(key: str) -> str:
    return _CONTENT_TYPES.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def media_response(
    request: HttpRequest, *, key: str, public: bool, download_as: str = ""
) -> HttpResponse:
    """Serve a stored file the caller has already been allowed to see: a redirect to a short-
    lived signed URL for a private bucket, an X-Accel-Redirect for nginx, else the file itself.
    `public` media may be kept by shared caches for MEDIA_PUBLIC_MAX_AGE seconds; any other is
    never stored, so that it is gone from every cache when the artwork is. `download_as`: the
    file is sent as an attachment of that name (Content-Disposition, kept by nginx and asked
    of the bucket)."""
    storage = default_storage
    disposition = (
        content_disposition_header(as_attachment=True, filename=download_as) if download_as else ""
    )
    if is_private_bucket(storage):
        response: HttpResponse = HttpResponseRedirect(
            storage.signed_url(key, disposition=disposition)
        )
        # A cached redirect must never outlive the URL it points to.
        max_age = min(settings.MEDIA_PUBLIC_MAX_AGE, storage.querystring_expire // 2)
    elif settings.MEDIA_X_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=media_content_type(key))
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_REDIRECT_PREFIX + quote(key)
        max_age = settings.MEDIA_PUBLIC_MAX_AGE
    else:
        try:
            stat = os.stat(storage.path(key))
        except (OSError, NotImplementedError, SuspiciousFileOperation):
            return media_not_found()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        response = get_conditional_response(
            request, etag=etag, last_modified=int(stat.st_mtime)
        ) or FileResponse(storage.open(key, "rb"), content_type=media_content_type(key))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stat.st_mtime)
        max_age = settings.MEDIA_PUBLIC_MAX_AGE
    if disposition and not is_private_bucket(storage):
        response["Content-Disposition"] = disposition
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def media_not_found() -> HttpResponse:
    # Plain and uncached: a restored artwork's media must answer again at once.
    response = HttpResponseNotFound(content_type="text/plain")
    patch_cache_control(response, private=True, no_store=True)
    return response


def delete_quietly(names: Iterable[str]) -> None:
    """Delete stored files, logging (never raising) what the storage refuses: a cleanup must
    not break the request or task that triggered it, and the orphan sweep removes what is
    left behind."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete %s from storage", name, exc_info=True)


def delete_quietly_on_commit(names: Iterable[str]) -> None:
    """`delete_quietly` once the transaction commits: a rollback leaves the files in place."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: delete_quietly(names))
