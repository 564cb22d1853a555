"""Small query pieces shared by the apps' admins."""

from __future__ import annotations

from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_per_row(rows: QuerySet, *, per: str) -> Coalesce:
    """How many of `rows` belong to each row of the outer query, for an `annotate`: `rows`
    is filtered on `per` against an OuterRef. A correlated subquery, evaluated only for the
    rows fetched (a page of an admin list); 0 where there are none."""
    counts = rows.order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
