"""What `artworks` announces to the read side. Sent once, after commit, carrying ids only.

Receivers (in `feed`) keep Redis and caches in step; they must never raise into the sender.
"""

from django.dispatch import Signal

# kwargs: artwork_id: int, user_id: int (the author; for a reaction, the member who reacted),
# event: one of ArtworkEvent; author_id: int, with reactions.
artwork_changed = Signal()

# Sent after commit when staff hide, restore, feature or unfeature an artwork (besides
# artwork_changed): kwargs artwork_id: int, author_id: int, actor_id: int (the staff member),
# event: one of ArtworkEvent (HIDDEN, RESTORED, FEATURED, UNFEATURED, RATED), reason: str.
artwork_moderated = Signal()


class ArtworkEvent:
    CREATED = "created"
    UPDATED = "updated"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    HIDDEN = "hidden"
    RESTORED = "restored"
    FEATURED = "featured"
    UNFEATURED = "unfeatured"
    DELETED = "deleted"
    LIKED = "liked"
    UNLIKED = "unliked"
    FAVORITED = "favorited"
    UNFAVORITED = "unfavorited"
    MEDIA_READY = "media_ready"
    RATED = "rated"  # staff changed the rating (an author's own change is UPDATED)


# Announced with the member who reacted as user_id (the author as author_id).
REACTION_EVENTS = frozenset(
    {
        ArtworkEvent.LIKED,
        ArtworkEvent.UNLIKED,
        ArtworkEvent.FAVORITED,
        ArtworkEvent.UNFAVORITED,
    }
)
