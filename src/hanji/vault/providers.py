"""Key providers: where a tenant's key-encryption key (KEK) lives, and how it wraps data keys.

A provider wraps and unwraps 256-bit data keys; the KEK itself never leaves it. Providers
are named by a spec string, the only thing the operator's database stores about them:

- ``local-file:/path/kek.json``: a key file the customer holds (e.g. on a mount they
  control). The file keeps every KEK version still in use; rotation adds one.
- ``env:VARIABLE``: 32 bytes, hex or base64, in an environment variable.
- ``vault-transit:https://vault:8200/transit/KEY?token_env=VAULT_TOKEN``: HashiCorp Vault's
  transit engine (see `hanji.vault.kms`); the KEK never leaves Vault.
- anything registered with `register_provider` or the ``hanji.key_providers`` entry-point
  group (e.g. a cloud KMS client).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from hanji.vault import aead
from hanji.vault.errors import KeyProviderError, VaultError

_WRAP_FORMAT = 1


def _pack(kid: str, nonce: bytes, ciphertext: bytes) -> bytes:
    raw = kid.encode()
    return bytes([_WRAP_FORMAT, len(raw)]) + raw + nonce + ciphertext


def _unpack(blob: bytes) -> tuple[str, bytes, bytes]:
    if len(blob) < 2 or blob[0] != _WRAP_FORMAT:
        raise KeyProviderError("wrapped data key has an unknown format")
    n = blob[1]
    kid = blob[2 : 2 + n].decode(errors="replace")
    rest = blob[2 + n :]
    return kid, rest[: aead.NONCE_BYTES], rest[aead.NONCE_BYTES :]


def decode_key(text: str, where: str) -> bytes:
    """32 bytes from 64 hex characters or base64; the error names ``where``, not the value."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != aead.KEY_BYTES:
        raise KeyProviderError(f"{where} must hold 32 bytes as 64 hex characters or base64")
    return raw


def key_fingerprint(key: bytes) -> str:
    """A short public name for a key (one-way), to tell versions apart and catch a wrong key."""
    return hashlib.sha256(b"hanji.kek.id\x00" + key).hexdigest()[:16]


class KeyProvider(ABC):
    """A tenant's KEK. Subclasses set ``scheme`` and implement wrap/unwrap."""

    scheme: ClassVar[str] = ""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __repr__(self) -> str:  # the spec is not secret; the key never appears
        return f"{type(self).__name__}({self.spec!r})"

    @abstractmethod
    def wrap(self, dek: bytes, context: bytes) -> bytes:
        """Encrypt a data key under the current KEK, bound to ``context``."""

    @abstractmethod
    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Recover a data key; raises `KeyProviderError` if the KEK is gone or wrong."""

    def ensure(self) -> None:  # noqa: B027 - optional hook
        """Create the KEK if this provider can and it does not exist yet."""

    def rotate(self) -> None:
        """Make a new KEK version current; older ones still unwrap until `retire_old`."""
        raise KeyProviderError(
            f"{self.scheme} keys cannot be rotated in place; pass a new provider "
            "(--key-provider) to re-wrap the data keys under another key"
        )

    def retire_old(self) -> None:  # noqa: B027 - optional hook
        """Forget KEK versions older than the current one (every data key was re-wrapped)."""

    def destroy(self) -> bool:
        """Destroy the KEK if it is in hanji's hands; False when the customer must do it."""
        return False

    @property
    def location(self) -> str:
        """Where the KEK lives, for messages."""
        return self.spec


class LocalFileKeyProvider(KeyProvider):
    """A JSON key file with the KEK versions still in use; created 0600 when missing."""

    scheme = "local-file"

    def __init__(self, spec: str, path: Path) -> None:
        super().__init__(spec)
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            raise KeyProviderError(f"key file {self.path} does not exist (destroyed?)") from None
        except (OSError, ValueError):
            raise KeyProviderError(f"key file {self.path} cannot be read") from None
        if not isinstance(data, dict) or data.get("format") != "hanji-kek/1":
            raise KeyProviderError(f"{self.path} is not a hanji key file")
        return data

    def _keys(self) -> tuple[str, dict[str, bytes]]:
        data = self._read()
        raw = data.get("keys")
        current = data.get("current")
        if not isinstance(raw, dict) or current not in raw:
            raise KeyProviderError(f"{self.path} is not a hanji key file")
        keys = {kid: decode_key(str(v), f"key file {self.path}") for kid, v in raw.items()}
        return str(current), keys

    def _write(self, current: str, keys: dict[str, bytes]) -> None:
        """Atomically: a 0600 temp file in the same folder, fsync, rename over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "format": "hanji-kek/1",
                "current": current,
                "keys": {kid: base64.b64encode(k).decode() for kid, k in keys.items()},
            },
            indent=1,
        )
        fd, tmp = tempfile.mkstemp(prefix=".kek-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(body + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def ensure(self) -> None:
        if not self.path.exists():
            key = aead.new_key()
            self._write(key_fingerprint(key), {key_fingerprint(key): key})

    def wrap(self, dek: bytes, context: bytes) -> bytes:
        current, keys = self._keys()
        nonce, ct = aead.seal(keys[current], dek, context)
        return _pack(current, nonce, ct)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        kid, nonce, ct = _unpack(wrapped)
        _, keys = self._keys()
        if kid not in keys:
            raise KeyProviderError(f"key file {self.path} no longer holds the key version {kid}")
        try:
            return aead.open_sealed(keys[kid], nonce, ct, context)
        except VaultError:
            raise KeyProviderError(f"key file {self.path}: a data key failed to unwrap") from None

    def rotate(self) -> None:
        _, keys = self._keys()
        key = aead.new_key()
        kid = key_fingerprint(key)
        keys[kid] = key
        self._write(kid, keys)

    def retire_old(self) -> None:
        current, keys = self._keys()
        self._write(current, {current: keys[current]})

    def destroy(self) -> bool:
        """Overwrite with random bytes, sync, unlink (best effort on SSDs and copy-on-write)."""
        try:
            size = max(self.path.stat().st_size, 64)
        except FileNotFoundError:
            return True
        with open(self.path, "r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
        self.path.unlink()
        return True


class EnvKeyProvider(KeyProvider):
    """The KEK in an environment variable (hex or base64); rotation means a new variable."""

    scheme = "env"

    def __init__(self, spec: str, variable: str) -> None:
        super().__init__(spec)
        self.variable = variable

    @property
    def location(self) -> str:
        return f"environment variable {self.variable}"

    def _key(self) -> bytes:
        value = os.environ.get(self.variable)
        if not value:
            raise KeyProviderError(f"environment variable {self.variable} is not set")
        return decode_key(value, f"environment variable {self.variable}")

    def wrap(self, dek: bytes, context: bytes) -> bytes:
        key = self._key()
        nonce, ct = aead.seal(key, dek, context)
        return _pack(key_fingerprint(key), nonce, ct)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        kid, nonce, ct = _unpack(wrapped)
        key = self._key()
        if kid != key_fingerprint(key):
            raise KeyProviderError(
                f"environment variable {self.variable} holds a different key than the one "
                "these data keys were wrapped with"
            )
        try:
            return aead.open_sealed(key, nonce, ct, context)
        except VaultError:
            raise KeyProviderError(f"{self.location}: a data key failed to unwrap") from None


ProviderFactory = Callable[[str], KeyProvider]
"""Builds a provider from the part of the spec after ``scheme:``."""

_FACTORIES: dict[str, Callable[[str, str], KeyProvider]] = {
    "local-file": lambda spec, rest: LocalFileKeyProvider(spec, Path(rest).expanduser()),
    "env": lambda spec, rest: EnvKeyProvider(spec, rest),
}


def register_provider(scheme: str, factory: Callable[[str, str], KeyProvider]) -> None:
    """Plug in a key provider: ``factory(spec, rest)`` for specs ``scheme:rest``."""
    _FACTORIES[scheme] = factory


def _entry_point(scheme: str) -> Callable[[str, str], KeyProvider] | None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="hanji.key_providers"):
        if ep.name == scheme:
            return ep.load()
    return None


def provider_from_spec(spec: str) -> KeyProvider:
    """The provider a spec names; the error lists the schemes known here."""
    scheme, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise KeyProviderError(f"key provider '{spec}' must look like SCHEME:VALUE")
    if scheme == "vault-transit" and scheme not in _FACTORIES:
        from hanji.vault import kms  # registers itself

        del kms
    factory = _FACTORIES.get(scheme) or _entry_point(scheme)
    if factory is None:
        known = ", ".join(sorted({*_FACTORIES, "vault-transit"}))
        raise KeyProviderError(f"unknown key provider '{scheme}'; known: {known}")
    if scheme == "env" and not rest.replace("_", "").isalnum():
        raise KeyProviderError(f"env key provider needs a variable name, got '{rest}'")
    return factory(spec, rest)
