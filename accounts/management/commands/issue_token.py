"""Print a fresh API access token for a user: `python manage.py issue_token <username>`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.tokens import token_pair_issue


class Command(BaseCommand):
    help = "Print a fresh API access token (JWT) for the given user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--with-refresh",
            action="store_true",
            help="Also print a refresh token on a second line.",
        )

    def handle(
        self, *args: str, username: str, with_refresh: bool = False, **options: object
    ) -> None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive.")
        pair = token_pair_issue(user=user)
        self.stdout.write(pair.access_token)
        if with_refresh:
            self.stdout.write(pair.refresh_token)
