"""The site's own settings, for the gunicorn that tests/deploy/test_nginx.py boots, with one
change: a cheap password hasher (as tests/conftest.py gives the in-process tests)."""

from aicommunity.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
