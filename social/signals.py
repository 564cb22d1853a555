"""What `social` announces to the read side. Sent once, after commit, carrying ids.

`follow_changed` — kwargs: `follower_id: int`, `followee_id: int`, `event: str` (one of
`FollowEvent`). Receivers must never raise into the sender (`send_robust`).
"""

from django.dispatch import Signal

follow_changed = Signal()


class FollowEvent:
    FOLLOWED = "followed"
    UNFOLLOWED = "unfollowed"
