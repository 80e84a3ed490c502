"""The operator's Ed25519 checkpoint key, and the checkpoints it signs.

A checkpoint is the sequence number and hash of the latest record, signed, so that
rewriting the chain needs the key, not just write access to the database.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanji.audit.chain import canonical

CHECKPOINT_TYPE = "hanji.audit.checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    key_id: str
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "time": self.time,
            "key_id": self.key_id,
            "signature": self.signature,
        }


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_message(seq: int, hash_: str, when: str, kid: str) -> bytes:
    return canonical(
        {"type": CHECKPOINT_TYPE, "seq": seq, "hash": hash_, "time": when, "key_id": kid}
    )


class Signer:
    """The operator's Ed25519 checkpoint key (private); its public half verifies."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r})"

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def from_seed_hex(cls, value: str) -> Signer:
        try:
            seed = bytes.fromhex(value.strip())
        except ValueError:
            seed = b""
        if len(seed) != 32:
            raise ValueError("HANJI_AUDIT_SIGNING_KEY must be 64 hex characters (an Ed25519 seed)")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """A PEM key file, created 0600 on first use, with the public key next to it (.pub)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(pem)
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ValueError(f"audit signing key {path} is not an unencrypted PEM key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"audit signing key {path} is not an Ed25519 key")
        signer = cls(private)
        pub = public_key_path(path)
        if not pub.exists() or pub.read_bytes() != signer.public_pem():
            pub.write_bytes(signer.public_pem())
        return signer


def public_key_path(private_path: Path) -> Path:
    return private_path.with_suffix(".pub")


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(f"no public key at {path}") from None
    except ValueError:
        raise ValueError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key
