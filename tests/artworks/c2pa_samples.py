"""C2PA-signed sample images, made in the test process: a throwaway ES256 certificate chain
(a root CA and an end-entity signing certificate with the key usages C2PA asks for) made with
`cryptography`, and a manifest signed over a picture with c2pa-python's Builder."""

from __future__ import annotations

import datetime
import functools
import io
from dataclasses import dataclass

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from artworks.provenance import TRAINED_ALGORITHMIC_MEDIA

ISSUER_ORG = "Test Camera Co"
SIGNER_NAME = "Test Signer"
TOOL = "Test Camera App"
PEM = serialization.Encoding.PEM
# What artworks.uploads.credentials makes of a manifest like `signed_image`'s (for page tests).
SAMPLE_CREDENTIALS = {
    "issuer": "Test Camera Co",
    "signer": "Test Signer",
    "signed_at": "",
    "tool": "Test Camera App 1.0",
    "title": "sample",
    "actions": [
        {
            "action": "c2pa.created",
            "software_agent": "Dreamer 2",
            "digital_source_type": (
                "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
            ),
        },
        {"action": "c2pa.resized", "software_agent": "", "digital_source_type": ""},
    ],
    "validation_state": "Valid",
    "validation_failures": [],
    "embedded": True,
    "kept": True,
}


@dataclass(frozen=True)
class SigningChain:
    root_pem: bytes
    chain_pem: bytes  # end-entity first, then the root
    key_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER_ORG),
        ]
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


@functools.cache
def signing_chain() -> SigningChain:
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_valid_before": now - datetime.timedelta(days=1)}
    valid["not_valid_after"] = now + datetime.timedelta(days=30)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder(
            subject_name=_name("Test Root CA"), issuer_name=_name("Test Root CA")
        )
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder(subject_name=_name(SIGNER_NAME), issuer_name=root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningChain(
        root_pem=root.public_bytes(PEM),
        chain_pem=leaf.public_bytes(PEM) + root.public_bytes(PEM),
        key_pem=key_pem,
    )


def signed_image(data: bytes, *, mime: str = "image/jpeg", ai: bool = True) -> bytes:
    """`data` (an image of type `mime`) with a C2PA manifest signed by the test chain: made by
    TOOL, one action "c2pa.created" (by a trained model when `ai`), then "c2pa.resized"."""
    chain = signing_chain()
    created: dict[str, object] = {"action": "c2pa.created", "softwareAgent": {"name": "Dreamer 2"}}
    if ai:
        created["digitalSourceType"] = TRAINED_ALGORITHMIC_MEDIA
    manifest = {
        "claim_generator_info": [{"name": TOOL, "version": "1.0"}],
        "title": "sample",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [created, {"action": "c2pa.resized"}]},
            }
        ],
    }
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain.chain_pem, chain.key_pem, None)
    signer = c2pa.Signer.from_info(info)
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def read_manifest(data: bytes, *, mime: str = "image/jpeg") -> tuple[str | None, dict | None]:
    """(validation state, active manifest) of `data` read with c2pa-python; (None, None) when it
    carries no manifest."""
    reader = c2pa.Reader.try_create(mime, io.BytesIO(data))
    if reader is None:
        return None, None
    with reader:
        return reader.get_validation_state(), reader.get_active_manifest()
