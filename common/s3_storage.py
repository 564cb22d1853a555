"""The private bucket's storage backend (see common/storage.py): media URLs name the site's
own media view; only that view, once it has allowed a request, hands out a signed URL. In a
module of its own so that botocore is loaded only where a bucket is configured."""

from __future__ import annotations

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    private_bucket = True  # common.storage.is_private_bucket

    def url(
        self,
        name: str,
        parameters: dict[str, object] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        # Pages, the API, feeds and the admin all build media URLs through here.
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"

    def signed_url(self, name: str, *, disposition: str = "") -> str:
        """A presigned GET of the object, for the media view once it has allowed the request;
        with `disposition`, the bucket answers with that Content-Disposition (a download)."""
        parameters = {"ResponseContentDisposition": disposition} if disposition else None
        return super().url(name, parameters=parameters)
