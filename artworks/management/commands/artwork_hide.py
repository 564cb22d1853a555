"""`python manage.py artwork_hide <id> --reason "…" [--actor <staff username>]`: hide an
artwork from a shell, exactly as the admin's "Hide" action does (logged, announced, every
cache and the feed index follow)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from artworks.models import Artwork
from artworks.services import artwork_hide


class Command(BaseCommand):
    help = "Hide an artwork from everyone but staff (like the admin's Hide action)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("artwork_id", type=int)
        parser.add_argument("--reason", default="", help="Goes to the staff action log.")
        parser.add_argument(
            "--actor",
            default="",
            help="The staff member the log names (default: the oldest active superuser).",
        )

    def handle(
        self, *args: str, artwork_id: int, reason: str, actor: str, **options: object
    ) -> None:
        artwork = Artwork.objects.filter(pk=artwork_id).first()
        if artwork is None:
            raise CommandError(f"No artwork {artwork_id}.")
        staff = self._actor(actor)
        try:
            artwork_hide(artwork=artwork, actor=staff, reason=reason.strip()[:500])
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", None) or [str(exc)])) from exc
        self.stdout.write(self.style.SUCCESS(f"Artwork {artwork_id} is hidden."))

    def _actor(self, username: str) -> User:
        # The staff action log always names a person, also for what is done from a shell.
        if username:
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No active superuser to name in the log; pass --actor.")
        return user
