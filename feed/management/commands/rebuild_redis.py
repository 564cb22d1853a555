"""`python manage.py rebuild_redis`: rebuild every key of the Redis feed index from the
database and swap it in atomically."""

from django.core.management.base import BaseCommand, CommandError

from feed.redis_index import feed_index
from feed.services import index_rebuild

# Seconds a rebuild may wait on Redis (the pages' calls wait REDIS_INDEX_SOCKET_TIMEOUT).
REBUILD_SOCKET_TIMEOUT = 120.0


class Command(BaseCommand):
    help = (
        "Rebuild the Redis feed index (hot_rank, feed_queue, user lists, likes) from the database."
    )

    def handle(self, *args: object, **options: object) -> None:
        if not feed_index.enabled():  # REDIS_URL is empty
            raise CommandError("REDIS_URL is not set: there is no Redis index to rebuild.")
        # Forget a remembered outage (the operator wants a real attempt), and give the swap
        # time: a million artworks are written in one transaction (docs/capacity.md).
        feed_index.reset(socket_timeout=REBUILD_SOCKET_TIMEOUT)
        try:
            counts = index_rebuild()
        finally:
            feed_index.reset()  # back to the pages' timeout, connected as before
            feed_index.available()
        if counts is None:
            raise CommandError("Redis is unreachable; nothing was rebuilt (see the log).")
        self.stdout.write(
            self.style.SUCCESS(
                "Rebuilt the Redis index: "
                + ", ".join(f"{name} {count}" for name, count in counts.items())
            )
        )
