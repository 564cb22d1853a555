"""What `accounts` announces to the rest of the site. Sent once, after commit, carrying ids.

`user_moderated` — kwargs: `user_id: int`, `event: str` (one of `UserEvent`). Sent by
`accounts.services.user_suspend` / `user_restore` when staff suspend or restore a member, and
by `accounts.leaving.user_deactivate_for_deletion` when a member asks for their account to be
deleted (LEAVING: deactivated at once, the same to every reader as a suspension).
A suspended member's artworks leave the public through the visibility rule
(`artworks.selectors`: an inactive author's work is hidden from everyone but staff); the read
side (`feed`) listens to this signal to re-sync every Redis key and cached page of that
member's artworks. Receivers must never raise into the sender (they are called with
`send_robust`).
"""

from django.dispatch import Signal

user_moderated = Signal()


class UserEvent:
    SUSPENDED = "suspended"
    RESTORED = "restored"
    LEAVING = "leaving"
