"""The notification tasks through a real Celery worker and Redis broker: likes and a follow are
told to their recipient by the worker, after the request's commit, once; the likes of one
window by one task, sent with a countdown."""

from __future__ import annotations

import re

import pytest

from artworks import services as artwork_services
from notifications.models import Notification
from social import services as social_services
from tests.celery_harness import celery_worker, wait_for
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_tells_the_author_of_likes_and_a_follow_once(real_broker, media_root, settings):
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 1
    art = PublishedArtworkFactory()
    fan, other = UserFactory(), UserFactory()
    with celery_worker(media_root=media_root, name="notify"):
        artwork_services.artwork_like(artwork_id=art.pk, user=fan)
        artwork_services.artwork_unlike(artwork_id=art.pk, user=fan)
        artwork_services.artwork_like(artwork_id=art.pk, user=fan)
        artwork_services.artwork_like(artwork_id=art.pk, user=other)
        social_services.user_follow(follower=fan, followee=art.user)
        told = wait_for(
            lambda: Notification.objects.filter(recipient=art.user).count() >= 3, timeout=60
        )
        assert told, (media_root.parent / "celery-notify.log").read_text()[-3000:]
        log = (media_root.parent / "celery-notify.log").read_text()
    told_of = Notification.objects.filter(recipient=art.user)
    assert sorted(told_of.values_list("kind", "actor_id")) == sorted(
        [("follow", fan.pk), ("like", fan.pk), ("like", other.pk)]
    )
    assert len(re.findall(r"notify_reactions\[[^]]+\] received", log)) == 1  # one window
