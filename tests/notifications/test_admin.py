"""The notifications admin: a read-only list with filters and search, no adding."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _rows(n: int) -> list[Notification]:
    rows = []
    for i in range(n):
        art = PublishedArtworkFactory()
        rows.append(
            Notification.objects.create(
                recipient=art.user,
                actor=UserFactory(),
                artwork=art,
                kind=Notification.Kind.LIKE if i % 2 else Notification.Kind.FOLLOW,
                dedupe_key=f"k{i}",
            )
        )
    return rows


def test_the_list_filters_and_searches_in_constant_queries(
    admin_client, django_assert_max_num_queries
):
    rows = _rows(6)
    rows[0].recipient.username = "findable_recipient"
    rows[0].recipient.save()
    url = "/admin/notifications/notification/"
    admin_client.get(url)
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert admin_client.get(url + "?kind__exact=like").context["cl"].result_count == 3
    assert admin_client.get(url + "?read_at__isempty=1").context["cl"].result_count == 6
    found = admin_client.get(url, {"q": "findable"}).context["cl"]
    assert found.result_count == 1


def test_no_adding_and_no_changing(admin_client):
    (row,) = _rows(1)
    assert admin_client.get("/admin/notifications/notification/add/").status_code == 403
    page = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert page.status_code == 200  # shown read only
    assert 'name="_save"' not in page.content.decode()
