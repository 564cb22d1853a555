"""What `social` announces to the read side. Sent once, after commit, carrying ids.

`follow_changed` — kwargs: `follower_id: int`, `followee_id: int`, `event: str` (one of
`FollowEvent`). A block that removes follows announces each as unfollowed.
`standing_changed` — kwargs: `actor_id: int`, `user_id: int`, `event: str` (one of
`StandingEvent`): `actor` blocked, unblocked, muted or unmuted `user`.
`comment_changed` — kwargs: `artwork_id: int`, `artwork_author_id: int`, `comment_id: int`,
`author_id: int` (the comment's author), `event: str` (one of `CommentEvent`). Deleting a
top-level comment announces it once (its replies go with it).
`collection_changed` — kwargs: `collection_id: int`, `owner_id: int`, `event: str` (one of
`CollectionEvent`), `is_public: bool` (public before or after the change), `artwork_ids:
list[int]` (the artworks added or removed).
Receivers must never raise into the sender (`send_robust`).
"""

from django.dispatch import Signal

follow_changed = Signal()
standing_changed = Signal()
comment_changed = Signal()
collection_changed = Signal()


class FollowEvent:
    FOLLOWED = "followed"
    UNFOLLOWED = "unfollowed"


class StandingEvent:
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    MUTED = "muted"
    UNMUTED = "unmuted"


class CommentEvent:
    POSTED = "posted"
    DELETED = "deleted"
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"


class CollectionEvent:
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    ITEMS = "items"
