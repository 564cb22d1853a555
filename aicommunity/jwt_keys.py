"""The RSA key that signs API access and refresh tokens.

Production reads it from the environment (JWT_PRIVATE_KEY). The embedded default keeps one
generated key in a gitignored file, so every process of `make run` (web, worker, several
gunicorn workers) signs and verifies with the same key, and tokens survive a restart."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def generate_private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()


def is_rsa_private_key(pem: str) -> bool:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return False
    return isinstance(key, rsa.RSAPrivateKey)


def development_private_key(path: Path) -> str:
    """The PEM stored at `path`, created on first use. Safe when several processes start at
    once: the file is written under a temporary name and linked into place atomically, and
    whoever loses the race reads the winner's key."""
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text()
        if "PRIVATE KEY" in existing:
            return existing
    pem = generate_private_key_pem()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(pem)
    try:
        os.link(tmp, path)  # fails if another process got there first
    except FileExistsError:
        pem = path.read_text()
    finally:
        tmp.unlink(missing_ok=True)
    return pem
