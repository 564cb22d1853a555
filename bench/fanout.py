"""The following feed two ways, on the benchmark's data: fan-out on read (what the site does)
against fan-out on write (a prototype of the alternative, measured here only).

    .venv/bin/python bench/fanout.py                    # 10,000 followers, 1,000 followees
    .venv/bin/python bench/fanout.py --followers 500 --followees 50 --reads 5

The database is the benchmark's (`seed_demo`) plus a population of its own: one creator with
`--followers` followers, and one reader following `--followees` creators who each have
`--works` published artworks. It lives in its own PostgreSQL database (FANOUT_DATABASE_URL,
default `bench_fanout` of the local server, created when missing) so that the wrk benchmark's
pages are not changed by it; FANOUT_REDIS_URL (default database 8 of the local Redis) holds
the prototype's per-follower lists, emptied before and after.

Measured, medians of `--reads` runs:

- reach: from the creator's publication (the service, committed) until a follower's following
  feed shows the work. On read this is the publication itself; on write it is the publication
  plus the fan-out task's work (reading the follower ids, one ZADD + trim per follower,
  pipelined in batches), not counting the broker's own delay.
- read: one page of the reader's following feed (1,000 followees): the site's one query, and
  for the prototype one ZREVRANGE plus the query that loads the ids.
- storage: the Redis memory the prototype holds per follower and per publication.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "fanout"  # usernames of the population, and the prototype's Redis keys
KEEP = 500  # entries kept in a follower's list by the prototype (what a feed would keep)
BATCH = 1000  # followers per Redis pipeline


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get(
        "FANOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_fanout"
    )
    os.environ["REDIS_URL"] = os.environ.get("FANOUT_REDIS_URL", "redis://127.0.0.1:6379/8")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    from bench.bench import ensure_postgres_database

    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", verbosity=0)


def members(names: list[str]) -> list:
    """The members with these usernames, created (without a usable password) when missing."""
    from accounts.models import User

    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=n, email=f"{n}@example.com", password="!")  # noqa: S106 (unusable)
            for n in names
            if n not in have
        ],
        batch_size=2000,
    )
    return list(User.objects.filter(username__in=names).order_by("pk"))


def follow_all(followers: Iterable, followees: Iterable) -> None:
    from social.models import Follow

    Follow.objects.bulk_create(
        [Follow(follower=a, followee=b) for a in followers for b in followees],
        batch_size=5000,
        ignore_conflicts=True,
    )


def published_works(authors: list, per_author: int) -> None:
    """`per_author` published artworks for each author without any (rows only: the feed's
    query reads rows, not files)."""
    from django.utils import timezone

    from artworks.models import Artwork

    done = set(Artwork.objects.filter(user__in=authors).values_list("user_id", flat=True))
    now = timezone.now()
    rows = [
        Artwork(
            user=author,
            title=f"{author.username} {n}",
            slug=f"{author.username}-{n}",
            status=Artwork.Status.PUBLISHED,
            published_at=now - timezone.timedelta(minutes=index * per_author + n),
            width=64,
            height=48,
        )
        for index, author in enumerate(authors)
        if author.pk not in done
        for n in range(per_author)
    ]
    Artwork.objects.bulk_create(rows, batch_size=2000)


def population(followers: int, followees: int, works: int) -> dict:
    """The creator and their followers; the reader and their followees (with their works)."""
    [creator] = members([f"{PREFIX}_creator"])
    fans = members([f"{PREFIX}_f{n:05d}" for n in range(followers)])
    follow_all(fans, [creator])
    [reader] = members([f"{PREFIX}_reader"])
    creators = members([f"{PREFIX}_c{n:04d}" for n in range(followees)])
    follow_all([reader], creators)
    published_works(creators, works)
    return {"creator": creator, "fans": fans, "reader": reader}


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return (time.perf_counter() - start) * 1000, value


def new_draft(creator: object) -> object:
    from artworks.models import Artwork

    return Artwork.objects.create(
        user=creator,
        title="Fan-out",
        slug="fan-out",
        original=f"{PREFIX}/original.jpg",  # publishing asks for a file name only
        width=64,
        height=48,
    )


def reach_on_read(creator: object, fan: object) -> float:
    """Publish, then read one follower's following feed until the work is on it."""
    from artworks.services import artwork_publish
    from feed.selectors import following_page

    draft = new_draft(creator)
    start = time.perf_counter()
    artwork_publish(artwork=draft, actor=creator)
    while draft.pk not in [a.pk for a in following_page(viewer=fan).items]:
        pass  # never loops: the query sees the committed row
    return (time.perf_counter() - start) * 1000


def fan_out_on_write(client: object, artwork: object) -> None:
    """The prototype's task: the artwork's id into every follower's list, newest kept."""
    from social.models import Follow

    ids = Follow.objects.filter(followee_id=artwork.user_id).values_list("follower_id", flat=True)
    score = artwork.published_at.timestamp()
    batch = []
    for follower_id in ids.iterator(chunk_size=BATCH):
        batch.append(follower_id)
        if len(batch) == BATCH:
            _push(client, batch, artwork.pk, score)
            batch = []
    if batch:
        _push(client, batch, artwork.pk, score)


def _push(client: object, follower_ids: list[int], artwork_id: int, score: float) -> None:
    pipe = client.pipeline(transaction=False)
    for follower_id in follower_ids:
        key = f"{PREFIX}:following:{follower_id}"
        pipe.zadd(key, {artwork_id: score})
        pipe.zremrangebyrank(key, 0, -KEEP - 1)
    pipe.execute()


def reach_on_write(client: object, creator: object, fan: object) -> float:
    """Publish, run the fan-out task's work, then read the follower's list."""
    from artworks.services import artwork_publish

    draft = new_draft(creator)
    start = time.perf_counter()
    artwork = artwork_publish(artwork=draft, actor=creator)
    fan_out_on_write(client, artwork)
    if str(draft.pk) not in client.zrevrange(f"{PREFIX}:following:{fan.pk}", 0, 0):
        raise SystemExit("the prototype's fan-out missed a follower")
    return (time.perf_counter() - start) * 1000


def read_on_write(client: object, reader: object, limit: int = 24) -> list:
    """A page of the prototype's feed: the ids from the reader's list, then their rows."""
    from artworks.selectors import artworks_public

    ids = [int(i) for i in client.zrevrange(f"{PREFIX}:following:{reader.pk}", 0, limit - 1)]
    rows = {a.pk: a for a in artworks_public().filter(pk__in=ids)}
    return [rows[i] for i in ids if i in rows]


def fill_reader_list(client: object, reader: object) -> None:
    """What the prototype's fan-out would have left in the reader's list."""
    from artworks.selectors import artworks_public
    from social.models import Follow

    followees = Follow.objects.filter(follower=reader).values("followee_id")
    newest = artworks_public().filter(user_id__in=followees).order_by("-published_at", "-id")
    pipe = client.pipeline(transaction=False)
    for pk, published_at in newest.values_list("pk", "published_at")[:KEEP]:
        pipe.zadd(f"{PREFIX}:following:{reader.pk}", {pk: published_at.timestamp()})
    pipe.execute()


def clear_prototype(client: object) -> None:
    for key in client.scan_iter(f"{PREFIX}:*", count=5000):
        client.delete(key)


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def measure(args: argparse.Namespace) -> dict[str, float]:
    import redis

    from feed.selectors import following_page

    people = population(args.followers, args.followees, args.works)
    creator, reader, fan = people["creator"], people["reader"], people["fans"][-1]
    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    clear_prototype(client)
    try:
        reach_read = median_of(args.reads, lambda: reach_on_read(creator, fan))
        reach_write = median_of(args.reads, lambda: reach_on_write(client, creator, fan))
        fill_reader_list(client, reader)
        page_read = median_of(args.reads, lambda: timed(lambda: following_page(viewer=reader))[0])
        page_write = median_of(args.reads, lambda: timed(lambda: read_on_write(client, reader))[0])
        per_list = client.memory_usage(f"{PREFIX}:following:{fan.pk}") or 0
        listed = client.zcard(f"{PREFIX}:following:{fan.pk}") or 1
    finally:
        clear_prototype(client)
    return {
        "reach on read (ms)": reach_read,
        "reach on write (ms)": reach_write,
        "page on read (ms)": page_read,
        "page on write (ms)": page_write,
        "redis bytes per follower list": per_list,
        "redis bytes per publication": per_list / listed * args.followers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--followees", type=int, default=1_000)
    parser.add_argument("--works", type=int, default=3, help="published works per followee")
    parser.add_argument("--reads", type=int, default=15, help="runs of each measurement")
    parser.add_argument("--no-prepare", action="store_true", help="skip migrate and seed_demo")
    args = parser.parse_args(argv)
    setup_django()
    if not args.no_prepare:
        prepare_database()
    results = measure(args)
    print(f"{args.followers} followers, {args.followees} followees × {args.works} works")
    for name, value in results.items():
        print(f"| {name} | {value:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
