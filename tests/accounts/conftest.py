"""Google, offline: a locally generated RSA key signs ID tokens, and its certificate is served
where Google's certificate endpoint would answer. Verification itself is never switched off."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from dataclasses import dataclass, field

import jwt
import pytest
import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CLIENT_ID = "1234-test.apps.googleusercontent.com"
CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


def _key_and_cert(common_name: str) -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


# Key generation is slow; one pair per test session is plenty.
_GOOGLE_KEY, _GOOGLE_CERT = _key_and_cert("accounts.google.com")
_STRANGER_KEY, _ = _key_and_cert("not-google.example")
_subjects = itertools.count(100000000000000000000)


@dataclass
class FakeGoogle:
    kid: str = "test-kid-1"
    key: rsa.RSAPrivateKey = _GOOGLE_KEY
    stranger_key: rsa.RSAPrivateKey = _STRANGER_KEY
    issued: list[dict] = field(default_factory=list)

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": str(next(_subjects)),
            "email": "ada.lovelace@gmail.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "picture": "https://lh3.googleusercontent.com/a/ada-photo",
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(self, *, signing_key=None, kid: str | None = None, **overrides) -> str:
        claims = self.claims(**overrides)
        self.issued.append(claims)
        return jwt.encode(
            claims,
            signing_key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )


@pytest.fixture
def google(settings):
    """Google sign-in configured, Google's certificate endpoint answering with our test
    certificate, and every other outside request refused."""
    settings.GOOGLE_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = "test-secret"
    providers = {**settings.SOCIALACCOUNT_PROVIDERS}
    providers["google"] = {
        **providers["google"],
        "APPS": [{"client_id": CLIENT_ID, "secret": "test-secret", "key": ""}],
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers
    fake = FakeGoogle()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(
            CERTS_URL,
            json={fake.kid: _GOOGLE_CERT},
            headers={"Cache-Control": "public, max-age=20000"},
        )
        fake.mock = mock  # type: ignore[attr-defined]
        yield fake
