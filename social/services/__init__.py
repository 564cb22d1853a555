"""Writes between members, by concern: follows, blocks and mutes (`follows`); comments
(`comments`); collections (`collections`). Callers import from here."""

from ._base import CollectionRefused, CommentRefused, FollowRefused, Refused
from .collections import (
    COLLECTIONS_PER_MEMBER,
    ITEMS_PER_COLLECTION,
    artwork_collections_set,
    collection_create,
    collection_create_with,
    collection_delete,
    collection_item_add,
    collection_item_remove,
    collection_row_removed,
    collection_update,
)
from .comments import (
    comment_create,
    comment_delete,
    comment_hide,
    comment_row_removed,
    comment_unhide,
)
from .counts import (
    comment_counts_recount,
    follow_counts_recount,
    member_counts_recount,
)
from .follows import (
    FollowState,
    follow_row_removed,
    mute_row_removed,
    user_block,
    user_follow,
    user_mute,
    user_unblock,
    user_unfollow,
    user_unmute,
)

__all__ = [
    "COLLECTIONS_PER_MEMBER",
    "ITEMS_PER_COLLECTION",
    "CollectionRefused",
    "CommentRefused",
    "FollowRefused",
    "FollowState",
    "Refused",
    "artwork_collections_set",
    "collection_create",
    "collection_create_with",
    "collection_delete",
    "collection_item_add",
    "collection_item_remove",
    "collection_row_removed",
    "collection_update",
    "comment_counts_recount",
    "comment_create",
    "comment_delete",
    "comment_hide",
    "comment_row_removed",
    "comment_unhide",
    "follow_counts_recount",
    "follow_row_removed",
    "member_counts_recount",
    "mute_row_removed",
    "user_block",
    "user_follow",
    "user_mute",
    "user_unblock",
    "user_unfollow",
    "user_unmute",
]
