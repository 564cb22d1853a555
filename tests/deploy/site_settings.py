"""The site's own settings, for the gunicorn that tests/deploy/test_nginx.py boots, with two
changes: a cheap password hasher (as tests/conftest.py gives the in-process tests), and cache
keys of this run's own, so that no lockout or rate-limit counter of an earlier run (or of
another process sharing the cache) can leak into this one, whatever the cache backend."""

import os

from aicommunity.settings import *  # noqa: F403
from aicommunity.settings import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {
    name: {**cache, "KEY_PREFIX": f"{cache.get('KEY_PREFIX', '')}{os.environ['SITE_TEST_RUN']}"}
    for name, cache in CACHES.items()
}
