"""The capacity model's measurements: data at scale in PostgreSQL, then sizes, Redis memory
and latency at that size (docs/capacity.md quotes them and extrapolates).

    .venv/bin/python bench/capacity.py                       # 1,000,000 artworks, 100,000
                                                             # members, 10,000,000 likes
    .venv/bin/python bench/capacity.py --scale 0.01          # the same shape, a hundredth
    .venv/bin/python bench/capacity.py --json capacity.json  # also write the numbers

CAPACITY_DATABASE_URL (default: database `bench_capacity` of the local PostgreSQL, created
when missing) and CAPACITY_REDIS_URL (default: database 10 of the local Redis, flushed). The
data is generated once, in SQL (generate_series), and kept: a second run measures again.

What it measures:
- rows, table and index sizes of the site's tables (pg_relation_size, pg_indexes_size);
- Redis: `rebuild_redis`'s time, then MEMORY USAGE per key family, from samples (the index's
  keys, then the cache's after the latency runs: pages, cards, artworks, counters);
- latency in one web process (Django's test client, the production cache and index on
  Redis, PostgreSQL): the anonymous feed (first page, a deep page), the anonymous artwork page
  (random artworks: mostly cache misses, i.e. renders), a signed-in feed, and likes and
  unlikes by random members; p50 and p99 over the samples.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "CAPACITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_capacity"
)
REDIS_URL = os.environ.get("CAPACITY_REDIS_URL", "redis://127.0.0.1:6379/10")
FULL = {"members": 100_000, "artworks": 1_000_000, "likes": 10_000_000}
TABLES = ("users", "artworks", "artworks_like", "artworks_favorite", "artwork_tags", "tags")
PROMPT = (
    "a lighthouse on a cliff at dusk, oil on canvas, warm light, long shadows, "
    "seagulls, dramatic sky, highly detailed"
)
THUMBS = json.dumps(
    [
        {"width": w, "height": w * 3 // 4, "format": f, "name": f"artworks/thumb/x_{w}.{f}"}
        for w in (320, 640, 1280)
        for f in ("webp", "avif")
    ]
)


def setup_django() -> None:
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        DEBUG="false",
        RATE_LIMIT_REACTIONS_PER_MINUTE="1000000000",
        NOTIFICATION_REACTION_WINDOW_SECONDS="5",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database() -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(  # noqa: S603
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S607,S608
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603,S607


def _execute(sql: str, params: tuple = ()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def generate(target: dict[str, int]) -> dict[str, float]:
    """Members, artworks and likes, in SQL, once: every member likes likes/members artworks
    spread over the whole catalogue (newer work a little more), each pair once."""
    seconds: dict[str, float] = {}
    members, artworks, likes = target["members"], target["artworks"], target["likes"]
    for name, table, wanted, make in (
        ("members", "users", members, lambda: _members(members)),
        ("artworks", "artworks", artworks, lambda: _artworks(artworks, members)),
        ("likes", "artworks_like", likes, lambda: _likes(likes, members, artworks)),
    ):
        if _count(table) < wanted:
            started = time.monotonic()
            make()
            seconds[name] = time.monotonic() - started
    started = time.monotonic()
    _execute("VACUUM ANALYZE")
    seconds["vacuum analyze"] = time.monotonic() - started
    return seconds


def _members(members: int) -> None:
    _execute(
        """
        INSERT INTO users (password, is_superuser, is_staff, is_active, date_joined,
                           username, name, email, profile_pic, follower_count,
                           following_count, muting_count, show_mature, show_explicit,
                           blur_sensitive, noai, allow_downloads)
        SELECT '!', false, false, true, now() - (n || ' minutes')::interval,
               'cap' || n, 'Member ' || n, 'cap' || n || '@example.com', '', 0, 0, 0,
               false, false, true, false, false
        FROM generate_series(1, %s) AS n
        """,
        (members,),
    )


def _artworks(artworks: int, members: int) -> None:
    _execute(
        """
        INSERT INTO artworks (uuid, user_id, title, slug, description, alt_text, status,
            moderation, kind, source, rating, ai_generated, content_credentials,
            original, content_type, file_size, width, height, thumb_status,
            thumb_attempts, thumbnails, poster, placeholder_color, placeholder_data,
            prompt, negative_prompt, prompt_hidden, provider, model, seed, size,
            generation_status, generation_error, like_count, favorite_count,
            comment_count, tag_names, hot_score, created_at, updated_at, published_at)
        SELECT gen_random_uuid(), u.id, 'Artwork ' || n, 'artwork-' || n, '', '',
            CASE WHEN n %% 20 = 0 THEN 'draft' ELSE 'published' END, 'visible', 'image',
            'generated', 'general', true, '{}', 'artworks/original/x.jpg', 'image/jpeg',
            350000, 1024, 768, 'ready', 1, %s::jsonb, '', '#336699', '', %s, '', false,
            'offline', 'offline-1', n, '1024x768', 'done', '', 0, 0, 0,
            '["landscape", "oil"]'::jsonb, random() * 100,
            t, t, CASE WHEN n %% 20 = 0 THEN NULL ELSE t END
        FROM generate_series(1, %s) AS n
        JOIN LATERAL (SELECT now() - ((%s - n) || ' seconds')::interval * 30 AS t) AS ts
          ON true
        JOIN users AS u ON u.id = (SELECT min(id) FROM users) + (n::bigint * 7919) %% %s
        """,
        (THUMBS, PROMPT, artworks, artworks, members),
    )


def _likes(likes: int, members: int, artworks: int) -> None:
    per_member = max(1, likes // members)
    _execute(
        """
        INSERT INTO artworks_like (user_id, artwork_id, created_at)
        SELECT u.id,
               a0 + ((floor(%s * power((j + 0.5) / %s, 1.3))::bigint
                      + u.id::bigint * 104729) %% %s),
               now()
        FROM users AS u
        CROSS JOIN generate_series(0, %s - 1) AS j
        CROSS JOIN (SELECT min(id) AS a0 FROM artworks) AS first
        WHERE u.username LIKE 'cap%%'
        ON CONFLICT DO NOTHING
        """,
        (artworks, per_member, artworks, per_member),
    )
    _execute(
        """
        UPDATE artworks SET like_count = c.n
        FROM (SELECT artwork_id, count(*) AS n FROM artworks_like GROUP BY artwork_id) AS c
        WHERE artworks.id = c.artwork_id
        """
    )


def sizes() -> dict[str, dict[str, int]]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                "SELECT pg_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)",
                (table, table, table),
            )
            heap, indexes, total = cursor.fetchone()
            found[table] = {"rows": _count(table), "heap": heap, "indexes": indexes, "total": total}
        cursor.execute("SELECT pg_database_size(current_database())")
        found["database"] = {"total": cursor.fetchone()[0]}
    return found


FAMILIES = (
    ("hot_rank", r"^hot_rank$"),
    ("feed_queue", r"^feed_queue$"),
    ("user:{id}:artworks", r"^user:\d+:artworks$"),
    ("user:{id}:favorites", r"^user:\d+:favorites$"),
    ("artwork:{id}:likes", r"^artwork:\d+:likes$"),
    ("page cache: pages", r"pagecache:page:"),
    ("page cache: versions", r"pagecache:(tag|version)"),
    ("cards", r"card"),
    ("artwork cache", r"artwork"),
    ("rate limits", r"(rl|ratelimit)"),
)


def redis_memory(sample: int = 200) -> dict[str, dict[str, float]]:
    """Per key family: how many keys, and bytes (MEMORY USAGE, mean of a sample × count)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys: dict[str, list[bytes]] = {name: [] for name, _ in FAMILIES}
    keys["other"] = []
    for key in client.scan_iter(count=5000):
        text = key.decode(errors="replace")
        for name, pattern in FAMILIES:
            if re.search(pattern, text):
                keys[name].append(key)
                break
        else:
            keys["other"].append(key)
    found = {}
    rng = random.Random(7)
    for name, members in keys.items():
        if not members:
            continue
        picked = rng.sample(members, min(sample, len(members)))
        usage = [client.memory_usage(k, samples=0) or 0 for k in picked]
        mean = statistics.fmean(usage)
        found[name] = {"keys": len(members), "mean_bytes": mean, "bytes": mean * len(members)}
    info = client.info("memory")
    found["used_memory"] = {"bytes": info["used_memory"], "keys": client.dbsize()}
    return found


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


def _timed(call: object, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _like_calls(
    visitor: object, tokens: list[str], rng: random.Random, first: int, last: int
) -> tuple[object, object]:
    """A like by a random member of a random artwork, and the unlike of the last one."""
    likes = []

    def like() -> None:
        token = rng.choice(tokens)
        pk = rng.randint(first, last)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        response = visitor.post(f"/api/artworks/{pk}/like", **auth)
        assert response.status_code in (200, 404), response.content[:300]
        likes.append((token, pk))

    def unlike() -> None:
        token, pk = likes.pop()
        response = visitor.delete(f"/api/artworks/{pk}/like", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code in (200, 404)

    return like, unlike


def latency(runs: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    from accounts.models import User
    from accounts.tokens import token_pair_issue
    from artworks.models import Artwork

    rng = random.Random(11)
    visitor = Client()
    first, last = (
        Artwork.objects.order_by("id").values_list("id", flat=True)[:1][0],
        (Artwork.objects.order_by("-id").values_list("id", flat=True)[:1][0]),
    )
    members = list(
        User.objects.filter(username__startswith="cap").values_list("id", flat=True)[:200]
    )
    tokens = [
        token_pair_issue(user=User(pk=m, username=f"m{m}")).access_token for m in members[:50]
    ]
    signed_in = Client()
    signed_in.force_login(User.objects.get(pk=members[0]))

    def ok(response: object) -> None:
        assert response.status_code == 200, (response.status_code, response.content[:300])

    deep_cursor = {}

    def deep_page() -> None:
        response = visitor.get("/api/feed", {"tab": "new", "cursor": deep_cursor.get("c", "")})
        ok(response)
        deep_cursor["c"] = response.json().get("next_cursor") or ""

    def random_artwork() -> None:
        pk = rng.randint(first, last)
        response = visitor.get(f"/artwork/{pk}")
        assert response.status_code in (200, 301, 302, 404), response.status_code

    like, unlike = _like_calls(visitor, tokens, rng, first, last)

    measures = {
        "anonymous GET /api/feed (hot, first page)": lambda: ok(visitor.get("/api/feed")),
        "anonymous GET /feed (HTML)": lambda: ok(visitor.get("/feed")),
        "anonymous GET /api/feed?tab=new, paging deeper": deep_page,
        "anonymous artwork page, random artworks (cold)": random_artwork,
        "signed-in GET /feed (HTML)": lambda: ok(signed_in.get("/feed")),
        "POST like, random member and artwork": like,
        "DELETE like (the same pairs)": unlike,
    }
    found = {}
    for name, call in measures.items():
        call()  # one unmeasured
        found[name] = _percentiles(_timed(call, runs))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description="capacity measurements at scale")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--runs", type=int, default=300, help="samples per latency row")
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    args = parser.parse_args()
    target = {k: max(10, int(v * args.scale)) for k, v in FULL.items()}
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    result: dict[str, object] = {"target": target}
    result["generate_seconds"] = generate(target)
    result["sizes"] = sizes()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    started = time.monotonic()
    call_command("rebuild_redis", verbosity=0)
    result["rebuild_redis_seconds"] = round(time.monotonic() - started, 1)
    result["redis_index"] = redis_memory()
    result["latency"] = latency(args.runs)
    result["redis_after"] = redis_memory()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
