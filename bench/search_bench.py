"""Search latency on PostgreSQL with 100,000 artworks: the search selector's p50 and p99 for
one- and two-word queries in English and Chinese (target: p99 ≤ 50 ms).

    .venv/bin/python bench/search_bench.py                  # 100,000 artworks, 40 runs a query
    .venv/bin/python bench/search_bench.py --artworks 20000 --runs 10

The data lives in its own PostgreSQL database (SEARCH_BENCH_DATABASE_URL, default
`bench_search` of the local server, created when missing) and is generated once: titles,
descriptions, prompts and tags drawn from English and Chinese words with a Zipf-like
frequency (a few words are in a large share of the documents, as real prompts are), a tenth
of the prompts hidden, a twentieth of the artworks drafts. Artworks are written with
bulk_create in batches and their search documents by `search_rebuild` (timed: it is what a
bulk import costs). Each query is run `--runs` times after one unmeasured run; the times are
`search_page` as the page calls it (the query and the rows as model objects).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "sbench"
BATCH = 5000


def _vocabulary(*lines: str) -> list[str]:
    return [word for line in lines for word in line.split()]


ENGLISH = _vocabulary(
    "sunset cat portrait city night forest ocean mountain dragon robot girl castle flower",
    "watercolor oil painting neon cyberpunk fantasy landscape river snow winter summer",
    "spring autumn light shadow dream space star galaxy planet moon sun cloud rain storm",
    "lighthouse harbour boat ship village street market temple garden bird fox wolf horse",
    "tiger owl butterfly koi fish whale jellyfish coral island desert canyon volcano",
    "waterfall lake bridge tower train station library kitchen window door staircase",
    "mirror candle lantern festival dance music guitar piano violin knight wizard witch",
    "samurai ninja astronaut pilot sailor farmer baker chef painter poet child elder",
    "couple family friends soldier golden silver crimson azure emerald violet pastel",
    "vibrant muted misty foggy glowing ancient futuristic minimalist surreal detailed",
    "cinematic dramatic cozy quiet lonely",
)
CHINESE = _vocabulary(
    "日落 猫 城市 夜晚 森林 海洋 山 龙 机器人 少女 城堡 花 水彩 油画",
    "霓虹 赛博朋克 奇幻 风景 河流 雪 冬天 夏天 春天 秋天 光 影子 梦 星空",
    "银河 月亮 太阳 云 雨 风暴 灯塔 港口 小船 村庄 街道 市场 寺庙 花园",
    "鸟 狐狸 狼 马 老虎 猫头鹰 蝴蝶 锦鲤 鲸鱼 珊瑚 岛屿 沙漠 峡谷 火山",
    "瀑布 湖泊 桥 塔 火车 车站 图书馆 窗户 楼梯 镜子 蜡烛 灯笼 节日 舞蹈",
    "音乐 吉他 钢琴 骑士 巫师 武士 宇航员 水手 农夫 画家 诗人 孩子 老人",
    "家庭 朋友 金色 银色 深红 蔚蓝 翠绿 紫色 柔和 鲜艳 朦胧 发光 古老",
    "未来 极简 超现实 电影感 温馨",
)

QUERIES = {
    "en-1": ["sunset", "cat", "portrait", "lighthouse", "sunsets", "dragons", "lonely", "koi"],
    "en-2": [
        "sunset ocean",
        "cat watercolor",
        "neon city",
        "ancient temple",
        "glowing jellyfish",
        "cozy kitchen",
        "misty forest",
        "lonely astronaut",
    ],
    "zh-1": ["日落", "猫", "城市", "灯塔", "星空", "锦鲤", "温馨", "宇航员"],
    "zh-2": [
        "日落 海洋",
        "猫 水彩",
        "霓虹 城市",
        "古老 寺庙",
        "发光 鲸鱼",
        "森林 朦胧",
        "温馨 窗户",
        "龙 城堡",
    ],
}


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get(
        "SEARCH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_search"
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)  # the selector reads the database only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def _zipf_picker(words: list[str], rng: random.Random) -> object:
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(words))]
    shuffled = words[:]
    rng.shuffle(shuffled)
    return lambda k: rng.choices(shuffled, weights=weights, k=k)


def _artwork_fields(rng: random.Random, pick_en: object, pick_zh: object) -> dict[str, object]:
    chinese = rng.random() < 0.35

    def words(k: int) -> list[str]:
        return pick_zh(k) if chinese else pick_en(k)

    joiner = "" if chinese else " "
    tags = list(dict.fromkeys(words(rng.randint(1, 4))))
    return {
        "title": joiner.join(words(rng.randint(2, 4))).capitalize()[:200],
        "description": joiner.join(words(rng.randint(0, 12))),
        "prompt": (joiner if chinese else ", ").join(words(rng.randint(6, 20))),
        "prompt_hidden": rng.random() < 0.1,
        "tag_names": tags,
    }


def generate(count: int, seed: int = 15) -> None:
    """`count` artworks by 1,000 members (kept when already there)."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from artworks.models import Artwork
    from feed.services import search_rebuild

    have = Artwork.objects.filter(user__username__startswith=PREFIX).count()
    if have >= count:
        print(f"{have} artworks already generated")
        return
    rng = random.Random(seed)
    names = [f"{PREFIX}{i:04d}" for i in range(1000)]
    User.objects.bulk_create(
        [
            User(username=n, email=f"{n}@example.com", password="!", name=rng.choice(CHINESE))  # noqa: S106
            for n in names
        ],
        ignore_conflicts=True,
    )
    authors = list(User.objects.filter(username__in=names).values_list("pk", flat=True))
    pick_en, pick_zh = _zipf_picker(ENGLISH, rng), _zipf_picker(CHINESE, rng)
    now = timezone.now()
    started = time.perf_counter()
    for start in range(have, count, BATCH):
        rows = []
        for _ in range(start, min(count, start + BATCH)):
            draft = rng.random() < 0.05
            fields = _artwork_fields(rng, pick_en, pick_zh)
            rows.append(
                Artwork(
                    user_id=rng.choice(authors),
                    slug=Artwork.slug_for(str(fields["title"])),
                    status="draft" if draft else "published",
                    published_at=None if draft else now,
                    hot_score=rng.random() * 100,
                    thumb_status="ready",
                    **fields,
                )
            )
        Artwork.objects.bulk_create(rows, batch_size=1000)
        print(f"  {start + len(rows)} artworks", flush=True)
    print(f"artworks written in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    artworks, members = search_rebuild()
    print(
        f"search documents of {artworks} artworks and {members} members written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(runs: int) -> dict[str, tuple[float, float, int]]:
    """{group: (p50 ms, p99 ms, samples)} of the first page of every query of the group."""
    from feed.search import search_page

    results: dict[str, tuple[float, float, int]] = {}
    for group, queries in QUERIES.items():
        times: list[float] = []
        for q in queries:
            page = search_page(q=q)  # warm: plans and caches
            mine = []
            for _ in range(runs):
                started = time.perf_counter()
                search_page(q=q)
                mine.append((time.perf_counter() - started) * 1000)
            times += mine
            print(
                f"  {group} {q!r}: {len(page.items)} on the first page, "
                f"p50 {statistics.median(mine):.1f} ms, max {max(mine):.1f} ms",
                flush=True,
            )
        results[group] = (statistics.median(times), _percentile(times, 0.99), len(times))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artworks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench.bench import ensure_postgres_database

    if connection.vendor != "postgresql":
        raise SystemExit("SEARCH_BENCH_DATABASE_URL must be a PostgreSQL database")
    ensure_postgres_database(os.environ["DATABASE_URL"])
    call_command("migrate", "--noinput", verbosity=0)
    generate(args.artworks)
    results = measure(args.runs)
    print(f"\n| queries ({args.artworks:,} artworks) | p50 ms | p99 ms | runs |")
    print("|---|---:|---:|---:|")
    for group, (p50, p99, samples) in results.items():
        print(f"| {group} | {p50:.1f} | {p99:.1f} | {samples} |")


if __name__ == "__main__":
    main()
