"""Keeps the artwork cache (selectors.artwork_get_visible_cached) exact: every announced
change drops the artwork's entry, and so does any change to its author's account (name,
picture, suspension), which the cached author would otherwise keep showing."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from common import pagecache

from .models import Artwork
from .selectors import artwork_cache_invalidate
from .signals import artwork_changed


@receiver(artwork_changed, dispatch_uid="artworks.invalidate_cache")
def invalidate_artwork_cache(sender, *, artwork_id: int, **kwargs) -> None:
    artwork_cache_invalidate(artwork_id)
    pagecache.bump_version()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="artworks.author_changed")
def invalidate_author_artworks(sender, instance, created: bool, update_fields=None, **kwargs):
    # A sign-in saves last_login only: nothing shown with an artwork changed.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    pagecache.bump_version()  # name, picture or suspension show on public pages
    artwork_cache_invalidate(*Artwork.objects.filter(user=instance).values_list("id", flat=True))
