"""What the social services share: their refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    pass


class Refused(PermissionDenied):
    """A rule said no (the API answers 403); the message is for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


class FollowRefused(Refused):
    """`follow_refusal` (or `pair_refusal`) said no."""


class CommentRefused(Refused):
    """`comment_refusal` or `can_delete_comment` said no, or a non-moderator tried to hide."""


class CollectionRefused(Refused):
    """`can_edit_collection` or `collection_add_refusal` said no."""
