"""Keeps the artwork cache (selectors.artwork_get_visible_cached) and the anonymous page cache
exact: every announced change drops the artwork's entry and the pages that show it, and any
change to its author's account (name, picture, suspension), which the cached author and every
page would otherwise keep showing, drops them all.

Entries are dropped after commit: dropped before, a concurrent reader could cache the old
committed state again for ARTWORK_CACHE_SECONDS."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import user_moderated
from common import pagecache

from .models import Artwork
from .selectors import artwork_cache_invalidate, artwork_cache_keys
from .signals import REACTION_EVENTS, artwork_changed


def _invalidate_author(user_id: int) -> None:
    artwork_cache_invalidate(*Artwork.objects.filter(user_id=user_id).values_list("id", flat=True))
    pagecache.bump_version()  # the name, picture or suspension show on public pages


@receiver(artwork_changed, dispatch_uid="artworks.invalidate_cache")
def invalidate_artwork_cache(
    sender: type[Model],
    *,
    artwork_id: int,
    user_id: int,
    event: str = "",
    author_id: int | None = None,
    **kwargs: object,
) -> None:
    if author_id is None:
        # A reaction is announced with the member who reacted; every other change with the
        # author. An announcement without either falls back to the database.
        author_id = user_id if event not in REACTION_EVENTS else _author_of(artwork_id)
    if author_id is None:
        artwork_cache_invalidate(artwork_id)
        pagecache.bump_version()
    else:
        # The artwork's cached copy dropped with the page tags: one round trip on Redis.
        member = user_id if event in REACTION_EVENTS else None
        pagecache.artwork_changed(
            artwork_id=artwork_id,
            author_id=author_id,
            member_id=member,
            drop=artwork_cache_keys(artwork_id),
        )
    if event not in REACTION_EVENTS:
        # A remix's title, state or very existence shows on its parent's page ("Remixes")
        # and family tree; a reaction changes nothing there.
        _invalidate_parent_of(artwork_id)


def _invalidate_parent_of(artwork_id: int, parent_id: int | None = None) -> None:
    if parent_id is None:
        parent_id = (
            Artwork.objects.filter(pk=artwork_id).values_list("remix_of_id", flat=True).first()
        )
    if parent_id is not None:
        pagecache.bump_tags(pagecache.artwork_tag(parent_id))


def _author_of(artwork_id: int) -> int | None:
    return Artwork.objects.filter(pk=artwork_id).values_list("user_id", flat=True).first()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="artworks.author_changed")
def invalidate_author_artworks(
    sender: type[Model],
    instance: Model,
    created: bool,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    # A sign-in saves last_login only: nothing shown with an artwork changed.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    user_id = instance.pk
    transaction.on_commit(lambda: _invalidate_author(user_id))


@receiver(user_moderated, dispatch_uid="artworks.author_moderated")
def invalidate_moderated_author_artworks(sender: object, *, user_id: int, **kwargs: object) -> None:
    # Sent after commit; the suspension hides (or the restoration shows) every artwork of the
    # member, whose cached copies still carry the author's previous `is_active`.
    _invalidate_author(user_id)


@receiver(post_delete, sender=Artwork, dispatch_uid="artworks.artwork_row_deleted")
def invalidate_deleted_artwork(sender: type[Model], instance: Artwork, **kwargs: object) -> None:
    # A row deleted without the service (its author deleted in the admin, which cascades, or
    # a shell) announces nothing; its cached copy would keep its page and media online for
    # ARTWORK_CACHE_SECONDS. The service's own deletions pass here too: dropping twice is free.
    artwork_id, author_id, parent_id = instance.pk, instance.user_id, instance.remix_of_id

    def invalidate() -> None:
        pagecache.artwork_changed(
            artwork_id=artwork_id, author_id=author_id, drop=artwork_cache_keys(artwork_id)
        )
        if parent_id is not None:
            _invalidate_parent_of(artwork_id, parent_id)

    transaction.on_commit(invalidate)
