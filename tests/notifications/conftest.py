from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: the after-commit signals, the tasks they
    enqueue (in-process) and what those do after their own commit."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


def signed_in(member=None) -> tuple[Client, object]:
    member = member or UserFactory()
    client = Client()
    client.force_login(member)
    return client, member
