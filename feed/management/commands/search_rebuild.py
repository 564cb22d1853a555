"""`python manage.py search_rebuild`: write every artwork's and member's search document again
from the database (after a bulk import, or to repair a document a failed write left)."""

from django.core.management.base import BaseCommand

from feed.services import search_rebuild


class Command(BaseCommand):
    help = "Write every search document (artworks, members) again from the database."

    def handle(self, *args: object, **options: object) -> None:
        artworks, members = search_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Search documents written: {artworks} artworks, {members} members.")
        )
