"""The cache, the Redis feed index and the whole-page cache.

By default a file cache shared by every process, and feeds read from the database;
`REDIS_URL` puts the cache and the feed index in Redis."""

from __future__ import annotations

from .base import BASE_DIR, env

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    from common.redis_breaker import redis_cache_settings

    # Errors are swallowed (a cache miss); after a failed connect Redis is skipped for
    # CACHE_REDIS_RETRY_SECONDS (common/redis_breaker.py).
    CACHES = {
        "default": redis_cache_settings(
            REDIS_URL,
            key_prefix=env.str("CACHE_KEY_PREFIX", default="aic"),
            connect_timeout=env.float("CACHE_REDIS_CONNECT_TIMEOUT", default=0.25),
            socket_timeout=env.float("CACHE_REDIS_SOCKET_TIMEOUT", default=0.5),
        )
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # One cache for every process (each gunicorn worker, manage.py command and task runner):
    # files in a folder, so an invalidation in one process reaches all of them. Files rather
    # than the database cache because SQLite has a single writer: every cache write (a page
    # rendered, a rate-limit counter) would wait for and hold up the site's real writes.
    CACHES = {
        "default": {
            "BACKEND": "common.filecache.ThrottledCullFileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(BASE_DIR / ".cache" / "django")),
            "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=5000)},
        }
    }

# How long the cache skips a Redis it could not connect to (common/redis_breaker.py).
CACHE_REDIS_RETRY_SECONDS = env.float("CACHE_REDIS_RETRY_SECONDS", default=2.0)

# The feed index (hot_rank, feed_queue, user lists, like counts) lives in REDIS_URL; see
# feed/redis_index/. Its keys carry the blueprint's names, optionally behind a prefix.
REDIS_INDEX_URL = REDIS_URL  # its own name only so that tests can point it elsewhere
REDIS_INDEX_KEY_PREFIX = env.str("REDIS_INDEX_KEY_PREFIX", default="")
# Short timeouts: a slow Redis must degrade to the database, never stall a page.
REDIS_INDEX_SOCKET_TIMEOUT = env.float("REDIS_INDEX_SOCKET_TIMEOUT", default=0.25)
# After a connection failure, skip Redis for this long instead of timing out on every call.
REDIS_INDEX_RETRY_SECONDS = env.float("REDIS_INDEX_RETRY_SECONDS", default=5.0)
# Lengths of the capped id lists: feed_queue and each user:{id}:artworks. Pages beyond them
# are read from the database.
FEED_QUEUE_LENGTH = env.int("FEED_QUEUE_LENGTH", default=1000)
USER_ARTWORKS_LIST_LENGTH = env.int("USER_ARTWORKS_LIST_LENGTH", default=1000)
# The cached artwork (artwork page, GET /api/artworks/{id}): invalidated on every change;
# the timeout only bounds what no announcement covers (e.g. an author renaming themselves).
ARTWORK_CACHE_SECONDS = env.int("ARTWORK_CACHE_SECONDS", default=300)

# Whole pages for anonymous visitors (common/pagecache.py): needs a cache shared by every
# process, which both Redis and the embedded file cache are (tests/common/
# test_multiprocess_cache.py runs it on two workers), so it is on by default everywhere; 0
# turns it off. Invalidated exactly on every change; the lifetime only bounds memory.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Signed-in members' own copies of the same pages (not staff accounts'), each kept for that
# member alone and invalidated like the others plus by the member's own reactions; 0 turns it
# off. Off too when PAGE_CACHE_SECONDS is 0.
MEMBER_PAGE_CACHE_SECONDS = env.int("MEMBER_PAGE_CACHE_SECONDS", default=300)
# Who an API read's access token speaks for (the API's own check), for members' copies of
# the API's public reads.
PAGE_CACHE_BEARER_USER = "accounts.tokens.user_for_access_token"
# The member a session names, and the key of their row's stamp, read with a member's page
# (accounts/member_cache.py: no query for a signed-in member while their row is current).
PAGE_CACHE_SESSION_HINT = "accounts.member_cache.session_hint"
# How many bytes of cached pages each web process holds itself, so that a hit reads only the
# copy's versions and digest from the cache (common/pagecache.py); 0 turns it off.
PAGE_CACHE_PROCESS_BYTES = env.int("PAGE_CACHE_PROCESS_BYTES", default=8 * 1024 * 1024)
# How long a web process may answer an anonymous visitor with a copy it found a moment ago,
# without asking the cache again: only while no process of this host changed anything since
# (common/host_changes.py, through PAGE_CACHE_LOCAL_FILE, a small file every process maps;
# by default in the temporary folder). A change made on another host reaches such a process
# this much later at most. 0 turns it off.
PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
PAGE_CACHE_LOCAL_FILE = env.str("PAGE_CACHE_LOCAL_FILE", default="")
# How many members' rows each web process keeps (about 1 KB each).
MEMBER_CACHE_SIZE = env.int("MEMBER_CACHE_SIZE", default=5000)
# How long a CDN may keep an anonymous answer that is the same bytes for everyone (the JSON
# API's public reads), and serve it stale while it asks again. A takedown reaches such a CDN
# copy this much later at most.
PAGE_CDN_MAX_AGE = env.int("PAGE_CDN_MAX_AGE", default=60)
PAGE_CDN_STALE_SECONDS = env.int("PAGE_CDN_STALE_SECONDS", default=30)
# Rendered artwork cards (artworks/cards.py), for every viewer; 0 turns it off.
CARD_CACHE_SECONDS = env.int("CARD_CACHE_SECONDS", default=600)
PAGE_CACHE_VIEWS = {
    "feed:landing",
    "feed:features",
    "feed:feed",
    "feed:profile",
    "feed:atom",
    "feed:tag",
    "feed:tag_atom",
    "feed:profile_atom",
    "artworks:detail",
    "social:followers",
    "social:following",
    "social:collections",
    "social:collection",
    "feed:collection_atom",
    # The JSON API's public reads, for callers without credentials.
    "api:feed",
    "api:detail",
    "api:user_artworks",
    "api:tag_artworks",
    "api:tags",
}
