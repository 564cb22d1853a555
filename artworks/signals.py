"""What `artworks` announces to the read side. Sent once, after commit, carrying ids only.

Receivers (in `feed`) keep Redis and caches in step; they must never raise into the sender.
"""

from django.dispatch import Signal

# kwargs: artwork_id: int, user_id: int, event: one of ArtworkEvent.
artwork_changed = Signal()


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
