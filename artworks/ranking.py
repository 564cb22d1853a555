"""The hot score: time-invariant, so it never needs a periodic decay pass.

score = log10(max(weighted reactions, 1)) + published_at / HOT_TIME_DIVISOR_SECONDS

A newer artwork starts ahead; every tenfold more reactions is worth one divisor of age
(12.5 hours with the default 45000 s). Constants live in settings.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime

from django.conf import settings

from common.setting_memos import cleared_on_change

# Scores are measured from this date, keeping the numbers small and float-precise.
EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z


def hot_score(*, like_count: int, favorite_count: int, published_at: datetime | None) -> float:
    if published_at is None:
        return 0.0
    weighted = like_count * settings.HOT_LIKE_WEIGHT + favorite_count * settings.HOT_FAVORITE_WEIGHT
    order = math.log10(max(weighted, 1.0))
    age = (published_at.timestamp() - EPOCH) / settings.HOT_TIME_DIVISOR_SECONDS
    return round(order + age, 7)


def hot_score_sql(*, likes: str, favorites: str, published_at: str) -> str:
    """`hot_score` as a PostgreSQL expression over SQL operands (column names or expressions
    made of them), whose parameters are `hot_score_sql_params()`: for a statement that changes
    a count and stores the score it leads to at once. The same arithmetic in double
    precision; PostgreSQL rounds through its 15 significant digits, so the two can differ in
    the last (7th) decimal."""
    weighted = f"(({likes}) * %s + ({favorites}) * %s)::float8"
    age = f"(EXTRACT(EPOCH FROM {published_at})::float8 - %s) / %s"
    return (
        f"CASE WHEN {published_at} IS NULL THEN 0.0 "
        f"ELSE ROUND((LOG(GREATEST({weighted}, 1.0::float8)) + {age})::numeric, 7)::float8 END"
    )


def hot_score_sql_params() -> list[float]:
    """The values of `hot_score_sql`'s placeholders, in order (from settings, read again when
    one of them changes)."""
    return list(_sql_params())


@cleared_on_change(prefix="HOT_")
@functools.cache
def _sql_params() -> tuple[float, ...]:
    return (
        settings.HOT_LIKE_WEIGHT,
        settings.HOT_FAVORITE_WEIGHT,
        float(EPOCH),
        settings.HOT_TIME_DIVISOR_SECONDS,
    )
