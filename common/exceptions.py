"""Exceptions shared by services and the layers that render them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The request is well formed but the thing is not in a state that allows it (retrying a
    generation that did not fail, publishing before the image exists). Forms show it like
    any validation error; the API answers 409 Conflict."""
