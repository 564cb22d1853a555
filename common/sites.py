"""The sites framework's record of this site (django.contrib.sites, which allauth reads to name
the site in every mail it sends: "[<name>] Please Confirm Your Email Address", "Hello from
<name>!", "… an account on <domain>"). Django creates it as "example.com"; the site's own
settings, SITE_NAME and SITE_URL, are the truth, and every `migrate` writes them into it."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings


def site_record_update(**kwargs: object) -> None:
    """post_migrate receiver: the record of SITE_ID takes SITE_NAME and SITE_URL's host."""
    from django.contrib.sites.models import Site
    from django.db import DEFAULT_DB_ALIAS

    using = str(kwargs.get("using") or DEFAULT_DB_ALIAS)
    domain = urlparse(settings.SITE_URL).netloc or settings.SITE_URL
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain[:100], "name": settings.SITE_NAME[:50]}
    )
    Site.objects.clear_cache()
