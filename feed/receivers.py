"""The feed listens to what `artworks` (artwork_changed) and `accounts` (user_moderated)
announce, and keeps the Redis index in step; and to what its own list readers announce when
the index could not answer (feed.signals), and has it repaired."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.signals import user_moderated
from artworks.signals import REACTION_EVENTS, artwork_changed
from common.tasks import enqueue

from . import services
from .redis_index import feed_index
from .services import enqueue_sync, enqueue_user_sync
from .signals import index_missed, index_stale
from .tasks import sync_artwork, sync_user


@receiver(artwork_changed, dispatch_uid="feed.sync_artwork")
def queue_index_sync(
    sender: object, *, artwork_id: int, user_id: int, event: str, **kwargs: object
) -> None:
    if not feed_index.available():
        # No index, or Redis is down: readers use the database, and the reconcile that runs
        # when Redis answers again repairs what this change would have written.
        return
    # The signal is sent after commit already; on_commit also covers a sender inside a
    # transaction, so the task never reads a state that is not committed yet.
    transaction.on_commit(
        lambda: enqueue_sync(sync_artwork, artwork_id=artwork_id, user_id=user_id, event=event)
    )


@receiver(user_moderated, dispatch_uid="feed.sync_user")
def queue_user_sync(sender: object, *, user_id: int, event: str, **kwargs: object) -> None:
    """A suspension hides all of a member's artworks through the visibility rule (a
    restoration brings them back); their ids must leave (or re-enter) every key at once."""
    if not feed_index.available():
        return  # as above: the reconcile after an outage repairs it
    transaction.on_commit(lambda: enqueue_user_sync(sync_user, user_id=user_id))


def _reconcile_after_outage() -> None:
    """Redis answers again after an outage: the syncs it missed are repaired by a reconcile
    (one per outage across processes, thanks to the claim)."""
    from .tasks import reconcile_redis

    if feed_index.claim("reconcile-after-outage", seconds=60):
        # A broker that is down too leaves it to beat's periodic reconcile.
        enqueue(reconcile_redis, after_commit=False)


feed_index.set_recovery_hook(_reconcile_after_outage)


@receiver(index_missed, dispatch_uid="feed.refill_index")
def refill_index(
    sender: object, *, collection: str, user_id: int | None = None, **kwargs: object
) -> None:
    """A reader went to the database: refill the collection it missed (cache-aside) right
    away, so that the next read finds it."""
    services.index_refill(collection=collection, user_id=user_id)


@receiver(index_stale, dispatch_uid="feed.resync_stale")
def resync_stale(sender: object, *, artwork_ids: list[int], **kwargs: object) -> None:
    """A reader found ids in the index whose rows are not public: have them synced."""
    services.index_resync_later(artwork_ids)


@receiver(artwork_changed, dispatch_uid="feed.search_document")
def write_search_document(sender: object, *, artwork_id: int, event: str, **kwargs: object) -> None:
    """Every change but a reaction may change what search matches (text, tags, whether the
    prompt is public): the document is written again, in this request, after commit. (A row
    written before its prompt was hidden is kept out of results by feed.search meanwhile.)"""
    if event not in REACTION_EVENTS:
        transaction.on_commit(
            lambda: services.search_index_artwork(artwork_id=artwork_id), robust=True
        )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="feed.member_search")
def write_member_search_document(
    sender: type[Model],
    instance: Model,
    created: bool,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    """A new member, or a member whose names may have changed."""
    if update_fields is not None and not set(update_fields) & {"username", "name"}:
        return
    user_id = instance.pk
    # robust: the member's save has happened whatever this write does (a failure is logged;
    # `manage.py search_rebuild` repairs it).
    transaction.on_commit(lambda: services.search_index_member(user_id=user_id), robust=True)
