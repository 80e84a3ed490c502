"""External key management: any KMS that encrypts and decrypts small blobs can hold a KEK.

A `KmsClient` is the whole contract: encrypt/decrypt with associated data, optionally
rotate. `KmsKeyProvider` turns one into a `KeyProvider`; `VaultTransitClient` speaks
HashiCorp Vault's transit engine over HTTP. A cloud KMS plugs in the same way::

    from hanji.vault import KmsKeyProvider, register_provider

    class MyCloudKms:
        def encrypt(self, plaintext: bytes, aad: bytes) -> bytes: ...
        def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes: ...

    register_provider("my-kms", lambda spec, rest: KmsKeyProvider(spec, MyCloudKms(rest)))
"""

from __future__ import annotations

import base64
import os
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qs, urlsplit

from hanji.vault.errors import KeyProviderError
from hanji.vault.providers import KeyProvider, register_provider


@runtime_checkable
class KmsClient(Protocol):
    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes: ...


class KmsKeyProvider(KeyProvider):
    """Wraps data keys by asking a KMS; the KEK never leaves the KMS."""

    scheme = "kms"

    def __init__(self, spec: str, client: KmsClient) -> None:
        super().__init__(spec)
        self.client = client

    def wrap(self, dek: bytes, context: bytes) -> bytes:
        try:
            return self.client.encrypt(dek, context)
        except KeyProviderError:
            raise
        except Exception as exc:
            raise KeyProviderError(f"{self.spec}: wrap failed ({type(exc).__name__})") from None

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        try:
            return self.client.decrypt(wrapped, context)
        except KeyProviderError:
            raise
        except Exception as exc:
            raise KeyProviderError(f"{self.spec}: unwrap failed ({type(exc).__name__})") from None

    def rotate(self) -> None:
        rotate = getattr(self.client, "rotate", None)
        if rotate is None:
            super().rotate()
        else:
            rotate()


class VaultTransitClient:
    """HashiCorp Vault transit (an ``aes256-gcm96`` key, Vault 1.13+ for associated data).

    Args:
        addr: Vault's address, e.g. ``https://vault.bank.internal:8200``.
        mount: where the transit engine is mounted (``transit``).
        key: the transit key's name; one per tenant.
        token_env: environment variable holding a token allowed to encrypt/decrypt it.
        transport: an httpx transport (tests pass a mock).
    """

    def __init__(
        self,
        addr: str,
        mount: str,
        key: str,
        *,
        token_env: str = "VAULT_TOKEN",
        timeout_s: float = 10.0,
        transport: Any = None,
    ) -> None:
        self.addr = addr.rstrip("/")
        self.mount = mount.strip("/")
        self.key = key
        self.token_env = token_env
        self.timeout_s = timeout_s
        self.transport = transport

    def _post(self, path: str, body: dict[str, str] | None) -> dict[str, Any]:
        import httpx

        token = os.environ.get(self.token_env)
        if not token:
            raise KeyProviderError(f"environment variable {self.token_env} (token) is not set")
        url = f"{self.addr}/v1/{self.mount}/{path}"
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            try:
                response = client.post(url, json=body or {}, headers={"X-Vault-Token": token})
            except httpx.HTTPError as exc:
                raise KeyProviderError(
                    f"Vault at {self.addr} unreachable ({type(exc).__name__})"
                ) from None
        if response.status_code >= 400:
            raise KeyProviderError(
                f"Vault transit {path.split('/')[0]} on key '{self.key}' answered "
                f"{response.status_code}"
            )
        return response.json() if response.content else {}

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        data = self._post(
            f"encrypt/{self.key}",
            {
                "plaintext": base64.b64encode(plaintext).decode(),
                "associated_data": base64.b64encode(aad).decode(),
            },
        )
        return str(data["data"]["ciphertext"]).encode()

    def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes:
        data = self._post(
            f"decrypt/{self.key}",
            {
                "ciphertext": ciphertext.decode(),
                "associated_data": base64.b64encode(aad).decode(),
            },
        )
        return base64.b64decode(data["data"]["plaintext"])

    def rotate(self) -> None:
        self._post(f"keys/{self.key}/rotate", None)


class VaultTransitKeyProvider(KmsKeyProvider):
    scheme = "vault-transit"


def vault_transit_provider(spec: str, rest: str, *, transport: Any = None) -> KmsKeyProvider:
    """``vault-transit:https://HOST:8200/MOUNT/KEY?token_env=VAR`` (default VAULT_TOKEN)."""
    parts = urlsplit(rest)
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or not parts.netloc or len(segments) < 2:
        raise KeyProviderError(
            "vault-transit provider must look like "
            "vault-transit:https://vault:8200/transit/KEY?token_env=VAULT_TOKEN"
        )
    query = parse_qs(parts.query)
    client = VaultTransitClient(
        f"{parts.scheme}://{parts.netloc}",
        "/".join(segments[:-1]),
        segments[-1],
        token_env=query.get("token_env", ["VAULT_TOKEN"])[0],
        transport=transport,
    )
    return VaultTransitKeyProvider(spec, client)


register_provider("vault-transit", vault_transit_provider)
