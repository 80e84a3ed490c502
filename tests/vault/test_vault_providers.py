"""Key providers: local key files (versions, rotation, destruction), env keys, KMS plug-ins."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hanji.vault import (
    KeyProvider,
    KeyProviderError,
    LocalFileKeyProvider,
    VaultError,
    provider_from_spec,
    register_provider,
    vault_transit_provider,
)
from hanji.vault.aead import aad, dek_aad, new_key, open_sealed, record_aad, seal

DEK = bytes(range(32))


def test_aes_gcm_binds_tenant_record_and_purpose() -> None:
    key = new_key()
    nonce, ct = seal(key, "고객 상담 기록".encode(), record_aad("ten_a", "rec_1", "conversation"))
    assert open_sealed(key, nonce, ct, record_aad("ten_a", "rec_1", "conversation")).decode() == (
        "고객 상담 기록"
    )
    for wrong in (
        record_aad("ten_b", "rec_1", "conversation"),
        record_aad("ten_a", "rec_2", "conversation"),
        record_aad("ten_a", "rec_1", "document"),
    ):
        with pytest.raises(VaultError, match="failed authentication"):
            open_sealed(key, nonce, ct, wrong)
    with pytest.raises(VaultError):
        open_sealed(new_key(), nonce, ct, record_aad("ten_a", "rec_1", "conversation"))
    # fields are length-prefixed: shifting a boundary gives different associated data
    assert aad("x", "ab", "c") != aad("x", "a", "bc")
    # random 96-bit nonces: the same plaintext never gives the same ciphertext
    assert seal(key, b"same", b"")[0] != seal(key, b"same", b"")[0]


def test_local_file_is_private_rotates_and_destroys(tmp_path: Path) -> None:
    path = tmp_path / "keks" / "ten_a.json"
    provider = provider_from_spec(f"local-file:{path}")
    assert isinstance(provider, LocalFileKeyProvider)
    provider.ensure()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    context = dek_aad("ten_a", "dek_1")
    old_wrapped = provider.wrap(DEK, context)
    assert DEK not in old_wrapped and provider.unwrap(old_wrapped, context) == DEK
    with pytest.raises(KeyProviderError):
        provider.unwrap(old_wrapped, dek_aad("ten_b", "dek_1"))

    provider.rotate()
    assert len(json.loads(path.read_text())["keys"]) == 2
    new_wrapped = provider.wrap(DEK, context)
    assert provider.unwrap(old_wrapped, context) == DEK  # the old version still unwraps
    provider.retire_old()
    assert len(json.loads(path.read_text())["keys"]) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert provider.unwrap(new_wrapped, context) == DEK
    with pytest.raises(KeyProviderError, match="no longer holds"):
        provider.unwrap(old_wrapped, context)

    assert provider.destroy() and not path.exists()
    with pytest.raises(KeyProviderError, match="does not exist"):
        provider.unwrap(new_wrapped, context)


def test_env_provider_checks_the_key_and_never_shows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    key = os.urandom(32)
    monkeypatch.setenv("BANK_KEK", key.hex())
    provider = provider_from_spec("env:BANK_KEK")
    wrapped = provider.wrap(DEK, b"ctx")
    monkeypatch.setenv("BANK_KEK", base64.b64encode(key).decode())  # base64 works too
    assert provider.unwrap(wrapped, b"ctx") == DEK

    other = os.urandom(32).hex()
    monkeypatch.setenv("BANK_KEK", other)
    with pytest.raises(KeyProviderError, match="different key") as caught:
        provider.unwrap(wrapped, b"ctx")
    assert other not in str(caught.value) and key.hex() not in str(caught.value)
    monkeypatch.setenv("BANK_KEK", "too-short-비밀")
    with pytest.raises(KeyProviderError, match="32 bytes") as caught:
        provider.wrap(DEK, b"ctx")
    assert "비밀" not in str(caught.value)
    monkeypatch.delenv("BANK_KEK")
    with pytest.raises(KeyProviderError, match="not set"):
        provider.wrap(DEK, b"ctx")
    with pytest.raises(KeyProviderError, match="rotated in place"):
        provider.rotate()
    assert key.hex() not in repr(provider)


def test_spec_errors_name_the_problem() -> None:
    with pytest.raises(KeyProviderError, match="SCHEME:VALUE"):
        provider_from_spec("no-colon")
    with pytest.raises(KeyProviderError, match=r"unknown key provider .aws-kms.*local-file"):
        provider_from_spec("aws-kms:arn:aws:kms:ap-northeast-2:1:key/x")
    with pytest.raises(KeyProviderError, match="vault-transit:https"):
        provider_from_spec("vault-transit:not-a-url")


class FakeTransit:
    """A stand-in for Vault's transit engine: AES-GCM with associated data, key versions."""

    def __init__(self) -> None:
        self.keys = [AESGCM.generate_key(bit_length=256)]
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Vault-Token"] == "s.token-for-tests-only"
        path = request.url.path
        self.calls.append(path)
        body = json.loads(request.content or b"{}")
        if path == "/v1/transit/keys/hanji-bank/rotate":
            self.keys.append(AESGCM.generate_key(bit_length=256))
            return httpx.Response(204)
        ad = base64.b64decode(body.get("associated_data", ""))
        if path == "/v1/transit/encrypt/hanji-bank":
            nonce = os.urandom(12)
            version = len(self.keys)
            ct = AESGCM(self.keys[-1]).encrypt(nonce, base64.b64decode(body["plaintext"]), ad)
            token = f"vault:v{version}:" + base64.b64encode(nonce + ct).decode()
            return httpx.Response(200, json={"data": {"ciphertext": token}})
        if path == "/v1/transit/decrypt/hanji-bank":
            _, version, blob = body["ciphertext"].split(":", 2)
            raw = base64.b64decode(blob)
            try:
                plain = AESGCM(self.keys[int(version[1:]) - 1]).decrypt(raw[:12], raw[12:], ad)
            except Exception:
                return httpx.Response(400, json={"errors": ["cipher: message authentication"]})
            return httpx.Response(
                200, json={"data": {"plaintext": base64.b64encode(plain).decode()}}
            )
        return httpx.Response(404)


def test_vault_transit_wraps_with_associated_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANK_VAULT_TOKEN", "s.token-for-tests-only")
    fake = FakeTransit()
    rest = "https://vault.bank.internal:8200/transit/hanji-bank?token_env=BANK_VAULT_TOKEN"
    provider = vault_transit_provider(
        f"vault-transit:{rest}", rest, transport=httpx.MockTransport(fake)
    )
    wrapped = provider.wrap(DEK, b"ctx-a")
    assert wrapped.startswith(b"vault:v1:") and provider.unwrap(wrapped, b"ctx-a") == DEK
    with pytest.raises(KeyProviderError, match="answered 400"):
        provider.unwrap(wrapped, b"ctx-b")
    provider.rotate()
    assert provider.wrap(DEK, b"ctx-a").startswith(b"vault:v2:")
    assert provider.unwrap(wrapped, b"ctx-a") == DEK  # Vault keeps old versions
    monkeypatch.delenv("BANK_VAULT_TOKEN")
    with pytest.raises(KeyProviderError, match="BANK_VAULT_TOKEN"):
        provider.wrap(DEK, b"ctx-a")


def test_custom_kms_plugs_in_by_scheme() -> None:
    class XorProvider(KeyProvider):  # a toy "KMS" that only shows the interface
        scheme = "toy"

        def wrap(self, dek: bytes, context: bytes) -> bytes:
            return bytes(b ^ 0x5A for b in dek)

        def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
            return bytes(b ^ 0x5A for b in wrapped)

    register_provider("toy", lambda spec, rest: XorProvider(spec))
    provider = provider_from_spec("toy:tenant-a")
    assert provider.unwrap(provider.wrap(DEK, b""), b"") == DEK and provider.spec == "toy:tenant-a"
