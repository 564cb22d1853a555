"""What is built for a database connection (the member lookup's compiled read, a reaction's
statements) is kept with that connection object and goes when it goes: a thread that ends
(a request under `runserver`, a background job of the embedded default) leaves nothing
behind. A registry of the process's kept every thread's connection alive, about 19 KB each."""

from __future__ import annotations

import gc
import threading

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import User
from artworks import services
from artworks.models import Favorite, Like
from artworks.services._reaction_rows import reaction_rows
from common.querysets import built_for_connection
from tests.factories import PublishedArtworkFactory, UserFactory

THREADS = 25


def _live_connection_objects() -> int:
    gc.collect()
    return sum(isinstance(o, BaseDatabaseWrapper) for o in gc.get_objects())


def test_a_connection_builds_each_thing_once():
    built: list[str] = []

    def build(name: str):
        built.append(name)
        return object()

    own = connections["default"]
    first = built_for_connection(own, "tests.a", lambda: build("a"))
    assert built_for_connection(own, "tests.a", lambda: build("a")) is first
    other = built_for_connection(own, "tests.b", lambda: build("b"))
    assert other is not first
    assert built == ["a", "b"]


def test_a_connection_keeps_its_member_lookup_and_reaction_statements():
    assert reaction_rows(Like) is reaction_rows(Like)
    assert reaction_rows(Favorite) is not reaction_rows(Like)
    assert reaction_rows(Like).connection is connections["default"]


@pytest.mark.django_db(transaction=True)
def test_threads_that_ended_leave_no_connection_behind():
    member = UserFactory()
    artwork = PublishedArtworkFactory()
    errors: list[BaseException] = []

    def request_in_a_thread():
        try:
            assert User.objects.get(pk=member.pk) == member  # the compiled member lookup
            services.artwork_like(artwork_id=artwork.pk, user=member)  # the statements
            services.artwork_unlike(artwork_id=artwork.pk, user=member)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    def run_threads():
        for _ in range(THREADS):
            thread = threading.Thread(target=request_in_a_thread)
            thread.start()
            thread.join(timeout=60)

    run_threads()  # whatever the first use loads once per process
    before = _live_connection_objects()
    run_threads()
    assert not errors
    # Every thread's connection object is gone with its thread.
    assert _live_connection_objects() <= before
