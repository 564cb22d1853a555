"""The admin's operations page: queue depths and the latest failed generations, for staff who
may see artworks only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from artworks.models import Artwork
from tests.factories import ArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "admin:artworks_artwork_operations"


def _failed(**kwargs: object) -> Artwork:
    return ArtworkFactory(
        with_file=False,
        generation_status=Artwork.GenerationStatus.FAILED,
        generation_error="The image service is unavailable. Try again later.",
        **kwargs,
    )


def test_a_moderator_sees_the_failed_generations_linked_to_their_admin_pages(
    client, staff_user, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker
    planted = _failed(title="Sunset that never came", provider="openai")
    ArtworkFactory(title="A generation that worked")
    client.force_login(staff_user)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sunset that never came" in page
    assert planted.user.username in page
    assert "openai" in page
    assert "The image service is unavailable. Try again later." in page
    assert reverse("admin:artworks_artwork_change", args=[planted.pk]) in page
    assert "A generation that worked" not in page
    assert "No broker is configured" in page


def test_the_artworks_list_links_to_it(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("admin:artworks_artwork_changelist")).content.decode()
    assert reverse(URL) in page


def test_members_and_visitors_are_kept_out(client):
    _failed(title="Secret failure")
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    client.force_login(UserFactory())
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert "Secret failure" not in response.content.decode()


def test_staff_without_the_permission_to_see_artworks_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(URL)).status_code == 403


def test_the_page_costs_the_same_queries_whatever_the_list(
    client, staff_user, django_assert_num_queries
):
    for n in range(3):
        _failed(title=f"failed {n}")
    client.force_login(staff_user)
    client.get(reverse(URL))
    # The session, their permissions, the failed generations with their authors (the member's
    # row is kept).
    with django_assert_num_queries(3):
        client.get(reverse(URL))
    for n in range(3, 8):
        _failed(title=f"failed {n}")
    with django_assert_num_queries(3):
        client.get(reverse(URL))


@pytest.mark.redis
def test_queue_depths_come_from_the_broker(client, staff_user, real_broker):
    from feed.tasks import sync_user

    sync_user.apply_async(args=[1])
    sync_user.apply_async(args=[2])
    client.force_login(staff_user)
    page = client.get(reverse(URL)).content.decode()
    assert '<th scope="row">feed</th><td>2</td>' in page
    assert '<th scope="row">generation</th><td>0</td>' in page
