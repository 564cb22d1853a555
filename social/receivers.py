"""Keeps the page cache exact after a follow: the followee's follower count shows on their
profile (a list page), and the follower's own pages show whom they follow (the buttons, their
following feed). Keeps the members' follow counts when a row goes without the service (a
member deleted in the admin takes their follows by cascade). The same for comments: the
artwork's page and the cards (its comment count) follow each one, and its count follows every
row that goes. A suspension or a restoration sets again the counts that hold the member's
follows and comments."""

from __future__ import annotations

from django.db.models import Model
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.signals import user_moderated
from artworks.selectors import artwork_cache_keys
from common import pagecache

from . import services
from .models import Collection, CollectionItem, Comment, Follow, Mute
from .signals import (
    StandingEvent,
    collection_changed,
    comment_changed,
    follow_changed,
    standing_changed,
)


@receiver(follow_changed, dispatch_uid="social.follow_invalidates_pages")
def invalidate_follow_pages(
    sender: type[Model], *, follower_id: int, followee_id: int, **kwargs: object
) -> None:
    pagecache.bump_tags(pagecache.LISTS, pagecache.member_tag(follower_id))


@receiver(post_delete, sender=Follow, dispatch_uid="social.follow_row_removed")
def follow_row_removed(sender: type[Model], instance: Follow, **kwargs: object) -> None:
    services.follow_row_removed(follower_id=instance.follower_id, followee_id=instance.followee_id)


@receiver(post_delete, sender=Mute, dispatch_uid="social.mute_row_removed")
def mute_row_removed(sender: type[Model], instance: Mute, **kwargs: object) -> None:
    services.mute_row_removed(muter_id=instance.muter_id)


@receiver(standing_changed, dispatch_uid="social.standing_invalidates_pages")
def invalidate_standing_pages(
    sender: type[Model], *, actor_id: int, user_id: int, event: str, **kwargs: object
) -> None:
    # The actor's own pages show the choice (buttons, their following feed); a block also
    # changes what the blocked member is offered on the actor's pages.
    tags = [pagecache.member_tag(actor_id)]
    if event in {StandingEvent.BLOCKED, StandingEvent.UNBLOCKED}:
        tags.append(pagecache.member_tag(user_id))
    pagecache.bump_tags(*tags)


@receiver(comment_changed, dispatch_uid="social.comment_invalidates_pages")
def invalidate_comment_pages(
    sender: type[Model], *, artwork_id: int, artwork_author_id: int, **kwargs: object
) -> None:
    # The artwork's page shows its comments; every card and the cached artwork its count, and
    # the pages of the author's other works show its card ("more by the author").
    pagecache.bump_tags(
        pagecache.artwork_tag(artwork_id),
        pagecache.author_tag(artwork_author_id),
        pagecache.LISTS,
        drop=artwork_cache_keys(artwork_id),
    )


@receiver(post_delete, sender=Comment, dispatch_uid="social.comment_row_removed")
def comment_row_removed(sender: type[Model], instance: Comment, **kwargs: object) -> None:
    services.comment_row_removed(artwork_id=instance.artwork_id)


@receiver(user_moderated, dispatch_uid="social.member_moderated_recounts")
def member_moderated(sender: object, *, user_id: int, **kwargs: object) -> None:
    artwork_ids = services.member_counts_recount(user_id=user_id)
    # Their comments leave (or come back to) these artworks' pages and counts.
    pagecache.bump_tags(
        pagecache.LISTS,
        *[pagecache.artwork_tag(pk) for pk in artwork_ids],
        drop=artwork_cache_keys(*artwork_ids),
    )


@receiver(collection_changed, dispatch_uid="social.collection_invalidates_pages")
def invalidate_collection_pages(sender: type[Model], *, owner_id: int, **kwargs: object) -> None:
    # Others' copies of the owner's collection pages and feeds; the owner's own pages (the
    # save control on every artwork page they see).
    pagecache.bump_tags(pagecache.collections_tag(owner_id), pagecache.member_tag(owner_id))


@receiver(post_delete, sender=CollectionItem, dispatch_uid="social.collection_item_removed")
def collection_item_removed(
    sender: type[Model], instance: CollectionItem, origin: object = None, **kwargs: object
) -> None:
    # The services keep the count themselves; a row that goes with its artwork (deleted) or
    # its owner's account does not pass through them.
    origin_model = getattr(origin, "model", type(origin))
    if origin_model in (Collection, CollectionItem):
        return
    services.collection_row_removed(collection_id=instance.collection_id)
