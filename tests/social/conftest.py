from __future__ import annotations

from social.services import user_follow
from tests.factories import UserFactory


def add_followers(person, n: int, **fields) -> list:
    """`n` new members following `person`, oldest follow first (through the service: the
    counts move as they would)."""
    members = [UserFactory(**fields) for _ in range(n)]
    for member in members:
        user_follow(follower=member, followee=person)
    return members
