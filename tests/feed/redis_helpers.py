"""Looking at the Redis feed index from tests."""

from __future__ import annotations

import re

INDEX_KEY = re.compile(r"^(hot_rank|feed_queue|user:\d+:(artworks|favorites)|artwork:\d+:likes)$")


def dump_index(client) -> dict:
    """Every index key with its value: zsets as {id: score}, lists as [ids], sets as {ids}."""
    out: dict = {}
    for key in client.scan_iter():
        if not INDEX_KEY.match(key):
            continue
        kind = client.type(key)
        if kind == "zset":
            out[key] = {int(m): s for m, s in client.zrange(key, 0, -1, withscores=True)}
        elif kind == "list":
            out[key] = [int(m) for m in client.lrange(key, 0, -1)]
        elif kind == "set":
            out[key] = {int(m) for m in client.smembers(key)}
        else:
            out[key] = int(client.get(key))
    return out


def ids_in_index(client) -> set[int]:
    """Every artwork id mentioned anywhere in the index."""
    ids: set[int] = set()
    for key, value in dump_index(client).items():
        if key.startswith("artwork:"):
            ids.add(int(key.split(":")[1]))
        else:
            ids.update(value)
    return ids


def hot_rank_order(client) -> list[int]:
    pairs = client.zrange("hot_rank", 0, -1, withscores=True)
    return [int(m) for m, s in sorted(pairs, key=lambda p: (-p[1], -int(p[0])))]
