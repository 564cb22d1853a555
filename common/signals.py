"""Announcing a change after commit, the one way every app does it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

from . import rediscache

logger = logging.getLogger(__name__)


def send_on_commit(signal: Signal, *, sender: type, **payload: object) -> None:
    """Send `signal` once the surrounding transaction commits (at once outside one). A
    receiver that raises is logged and never reaches the writer: the write has happened."""

    def send() -> None:
        # What the receivers send to Redis without waiting goes out in one write
        # (common.rediscache.corked).
        with rediscache.corked():
            results = signal.send_robust(sender=sender, **payload)
        for receiver, result in results:
            if isinstance(result, Exception):
                logger.error(
                    "%s receiver %r failed for %r: %r", sender.__name__, receiver, payload, result
                )

    transaction.on_commit(send)
