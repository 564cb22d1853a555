from __future__ import annotations

import stat
import threading

from cryptography.hazmat.primitives import serialization

from aicommunity.jwt_keys import development_private_key


def test_the_development_key_is_created_once_and_reused(tmp_path):
    path = tmp_path / "dev-key.pem"
    first = development_private_key(path)
    assert "PRIVATE KEY" in first
    assert development_private_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    serialization.load_pem_private_key(first.encode(), password=None)


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "dev-key.pem"
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(development_private_key(path)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert results[0] == path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["dev-key.pem"]  # no temp files left
