"""EdDSA (Ed25519) and ES256 (P-256) keys for the integration tests, made with Python's
`cryptography`: a PKCS#8 file for JWT_PRIVATE_KEY_FILE, the public PEM for
JWT_PUBLIC_KEY_FILES, and the RFC 7638 thumbprint the service must put in `kid`
(computed here independently of the service)."""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

_DIRECTORY: Path | None = None


def _directory() -> Path:
    """A private directory for this process's key files, removed at exit."""
    global _DIRECTORY
    if _DIRECTORY is None:
        _DIRECTORY = Path(tempfile.mkdtemp(prefix="auth-test-keys-"))
        atexit.register(shutil.rmtree, _DIRECTORY, True)
    return _DIRECTORY


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_members(public_key) -> dict:
    """The RFC 7638 required members of a public key's JWK."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    numbers = public_key.public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big"))}


def thumbprint(public_key) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    canonical = json.dumps(jwk_members(public_key), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


class TestKey:
    """A private key of `algorithm` ("EdDSA" or "ES256") and its files."""

    __test__ = False  # not a pytest test class

    def __init__(self, algorithm: str, private_key):
        self.algorithm = algorithm
        self.private_key = private_key
        self.public_key = private_key.public_key()
        self.kid = thumbprint(self.public_key)

    @classmethod
    def generate(cls, algorithm: str) -> "TestKey":
        if algorithm == "EdDSA":
            return cls(algorithm, ed25519.Ed25519PrivateKey.generate())
        if algorithm == "ES256":
            return cls(algorithm, ec.generate_private_key(ec.SECP256R1()))
        raise ValueError(f"no key pair for {algorithm!r}")

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())

    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)

    def private_file(self, directory: Path | None = None) -> Path:
        """The PKCS#8 PEM in a 0600 file (written once per directory)."""
        path = (directory or _directory()) / f"{self.kid}.pem"
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(self.private_pem())
        return path

    def public_file(self, directory: Path | None = None) -> Path:
        path = (directory or _directory()) / f"{self.kid}.pub.pem"
        if not path.exists():
            path.write_bytes(self.public_pem())
        return path
