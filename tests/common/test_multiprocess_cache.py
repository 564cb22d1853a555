"""The embedded default is one cache for every process: two gunicorn workers, a manage.py
command and the admin all see (and invalidate) the same entries, so a change made in any
process shows on the very next request, whichever worker answers it.

Each check is repeated: connections go to whichever worker accepts first, so ten requests
reach both workers (a worker holding a stale copy would answer at least one of them)."""

from __future__ import annotations

import pytest
import requests

from tests.site_process import gunicorn, manage, migrate, run_python, site_env

pytestmark = pytest.mark.slow

REPEAT = 10
PASSWORD = "correct-horse-battery"

SEED = """
import json
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory
boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
author = UserFactory(username="painter")
draft = ArtworkFactory(user=author, title="Fresh paint")
by_admin = PublishedArtworkFactory(user=author, title="Hidden from the admin")
by_command = PublishedArtworkFactory(user=author, title="Hidden from a command")
print(json.dumps({
    "draft": [draft.pk, draft.get_absolute_url()],
    "by_admin": [by_admin.pk, by_admin.get_absolute_url()],
    "by_command": [by_command.pk, by_command.get_absolute_url()],
}))
"""


def _statuses(base: str, path: str) -> list[int]:
    # A new connection per request (no session): each may land on either worker.
    return [requests.get(base + path, timeout=10).status_code for _ in range(REPEAT)]


def _feed_ids(base: str) -> list[set[int]]:
    pages = [requests.get(f"{base}/api/feed?tab=new", timeout=10) for _ in range(REPEAT)]
    return [{item["id"] for item in page.json()["items"]} for page in pages]


def _admin_session(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=10)
    response = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "username": "boss",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "next": "/admin/",
        },
        timeout=10,
    )
    assert response.url.endswith("/admin/"), "the staff sign-in failed"
    return session


@pytest.mark.parametrize("page_cache_seconds", ["0", "600"], ids=["defaults", "page-cache-on"])
def test_changes_reach_every_worker_on_the_next_request(tmp_path, page_cache_seconds):
    env = site_env(tmp_path, PAGE_CACHE_SECONDS=page_cache_seconds, REDIS_URL="")
    migrate(env)
    rows = run_python(env, SEED)
    token = manage(env, "issue_token", "painter").stdout.strip()
    draft_id, draft_url = rows["draft"]
    admin_id, admin_url = rows["by_admin"]
    command_id, command_url = rows["by_command"]

    with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as base:
        # Every worker reads (and caches) the draft and both public artworks first.
        assert set(_statuses(base, draft_url)) == {404}
        assert set(_statuses(base, f"/api/artworks/{draft_id}")) == {404}
        for url in (admin_url, command_url):
            assert set(_statuses(base, url)) == {200}
        assert all(draft_id not in ids and admin_id in ids for ids in _feed_ids(base))

        # A publish through one worker is visible to anonymous readers on every worker.
        published = requests.post(
            f"{base}/api/artworks/{draft_id}/publish",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert published.status_code == 200, published.text
        assert _statuses(base, draft_url) == [200] * REPEAT
        assert _statuses(base, f"/api/artworks/{draft_id}") == [200] * REPEAT
        assert all(draft_id in ids for ids in _feed_ids(base))

        # A hide from the admin (a staff POST of the action through the same server).
        admin = _admin_session(base)
        hidden = admin.post(
            f"{base}/admin/artworks/artwork/",
            data={
                "action": "hide",
                "_selected_action": str(admin_id),
                "index": "0",
                "reason": "cache test",
                "csrfmiddlewaretoken": admin.cookies["csrftoken"],
            },
            timeout=10,
        )
        assert hidden.status_code == 200, hidden.status_code  # redirected back to the list
        assert _statuses(base, admin_url) == [404] * REPEAT
        assert _statuses(base, f"/api/artworks/{admin_id}") == [404] * REPEAT
        assert all(admin_id not in ids for ids in _feed_ids(base))

        # A hide from manage.py, in a process of its own.
        manage(env, "artwork_hide", str(command_id), "--reason", "cache test")
        assert _statuses(base, command_url) == [404] * REPEAT
        assert _statuses(base, f"/api/artworks/{command_id}") == [404] * REPEAT
        assert all(command_id not in ids for ids in _feed_ids(base))
