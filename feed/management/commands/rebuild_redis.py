"""`python manage.py rebuild_redis`: rebuild every key of the Redis feed index from the
database and swap it in atomically."""

from django.core.management.base import BaseCommand, CommandError

from feed.redis_index import feed_index
from feed.services import index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the Redis feed index (hot_rank, feed_queue, user lists, likes) from the database."
    )

    def handle(self, *args: object, **options: object) -> None:
        if not feed_index.enabled():  # REDIS_URL is empty
            raise CommandError("REDIS_URL is not set: there is no Redis index to rebuild.")
        feed_index.reset()  # forget a remembered outage: the operator wants a real attempt
        counts = index_rebuild()
        if counts is None:
            raise CommandError("Redis is unreachable; nothing was rebuilt (see the log).")
        self.stdout.write(
            self.style.SUCCESS(
                "Rebuilt the Redis index: "
                + ", ".join(f"{name} {count}" for name, count in counts.items())
            )
        )
