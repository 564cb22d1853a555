"""Fixtures shared by the tests of `common`."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware


@pytest.fixture
def session_loads(monkeypatch):
    """How many requests reached the session middleware."""
    calls = []
    original = SessionMiddleware.process_request

    def counting(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", counting)
    return calls
