"""Proofs of the confidentiality promises, each with a canary string.

Zero retention (the canary is nowhere on disk), ciphertext-only retention, crypto-shredding,
tenant isolation, immediate revocation, and logs free of keys and canaries.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import openai
import pytest
from serve_fakes import FakeBackend, ServerThread
from typer.testing import CliRunner

from hanji.audit.cli import app as audit_app
from hanji.audit.log import AuditLog
from hanji.audit.verify import verify_log
from hanji.serve.app import create_app
from hanji.serve.backends.base import Backend, Chunk, GenerateRequest, Usage
from hanji.settings import Settings
from hanji.tenants.cli import app as tenant_app
from hanji.tenants.home import open_vault
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store
from hanji.vault import KeyProviderError, RecordNotFound, Shredded, Vault

runner = CliRunner()
RRN = "900101-1234568"


class EchoBackend(Backend):
    """Streams the last message back in 3-character pieces (placeholders get cut anywhere)."""

    kind = "echo"

    def __init__(self, name: str = "echo-ko") -> None:
        super().__init__(name)
        self.seen: list[str] = []

    async def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        text = request.messages[-1].content if request.messages else request.prompt or ""
        self.seen.append(text)
        for i in range(0, len(text), 3):
            yield Chunk(text[i : i + 3])
        yield Chunk(finish_reason="stop", usage=Usage(len(text), len(text)))


@pytest.fixture
def canary() -> str:
    return "카나리아" + secrets.token_hex(6)


class EverythingFormatter(logging.Formatter):
    """The message and every attribute of the record, ``extra`` fields included."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record) + " " + json.dumps(record.__dict__, default=str)


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Every place a leak could land: HANJI_HOME, a log file of everything, the temp dir."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    log_file = tmp_path / "all.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(EverythingFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield {"tmp": tmp, "log": log_file}
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def leaks(needles: list[str], *roots: Path) -> list[str]:
    """(file, needle) for every needle found in any file under the roots."""
    found = []
    for root in roots:
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in paths:
            data = path.read_bytes()
            for needle in needles:
                if needle.encode() in data or needle.encode("utf-16-le") in data:
                    found.append(f"{path.name}: {needle[:6]}…")
    return found


def sdk(url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=30)


def traffic(client: openai.OpenAI, model: str, text: str) -> None:
    """A whole reply, a stream, a text completion, embeddings and a refused request."""
    ask = [{"role": "user", "content": text}]
    reply = client.chat.completions.create(model=model, messages=ask)
    assert reply.choices[0].message.content == text  # placeholders restored exactly
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in client.chat.completions.create(model=model, messages=ask, stream=True)
        if c.choices
    )
    assert streamed == text
    client.completions.create(model=model, prompt=text, max_tokens=8)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=model, messages=ask, temperature=9)


def test_zero_retention_leaves_no_trace(
    settings: Settings, store: Store, canary: str, disk: dict[str, Path]
) -> None:
    store.create_tenant("한빛은행", "finance")
    _, key = issue_key(store, settings.pepper_bytes(), "한빛은행")
    echo = EchoBackend()
    text = f"{canary}: 고객 주민번호 {RRN}, 연락처 010-2345-6789 확인 부탁드립니다."
    with ServerThread(create_app(settings, backends=[echo], store=store)) as running:
        traffic(sdk(running.url, key), "echo-ko", text)
    store.close()
    assert all(RRN not in seen for seen in echo.seen)
    audit = AuditLog(Store(settings.db_url).engine)
    assert audit.count() >= 4 and verify_log(audit).ok  # the database was written to...
    needles = [canary, RRN, RRN.replace("-", ""), "010-2345-6789", key]
    assert leaks(needles, settings.home, disk["log"], disk["tmp"]) == []  # ...but not with this
    assert disk["log"].stat().st_size > 0
    assert leaks(["한빛은행"], settings.home)  # the scan does find what is stored in clear


def test_retention_stores_ciphertext_and_shred_destroys_it(
    settings: Settings,
    store: Store,
    canary: str,
    disk: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANJI_HOME", str(settings.home))
    store.create_tenant("한빛은행", "finance")
    store.set_policy("한빛은행", {"retention_days": 30})
    tenant = store.require_tenant("한빛은행")
    _, key = issue_key(store, settings.pepper_bytes(), "한빛은행")
    text = f"{canary} 님의 주민번호는 {RRN}입니다."
    with ServerThread(create_app(settings, backends=[EchoBackend()], store=store)) as running:
        client = sdk(running.url, key)
        traffic(client, "echo-ko", text)

        vault = open_vault(settings, store)
        kept = vault.records(tenant.id)
        assert len(kept) == 3 and all(r.expires_at is not None for r in kept)
        opened = json.loads(vault.open(tenant.id, kept[0].id))
        assert opened["messages"][0]["content"] == text == opened["reply"]
        assert opened["pseudonyms"]["placeholders"] == {"<RRN_1>": RRN}
        assert leaks([canary, RRN], settings.home, disk["log"], disk["tmp"]) == []

        vault.compact()
        backup = tmp_path / "backup.db"
        shutil.copy(settings.home / "hanji.db", backup)
        shred = runner.invoke(tenant_app, ["shred", "한빛은행"])
        assert shred.exit_code == 0, shred.output
        assert "3 stored records can no longer be decrypted" in shred.stdout
        with pytest.raises(openai.AuthenticationError):  # its keys went with it
            client.models.list()

    with pytest.raises(Shredded):
        vault.open(tenant.id, kept[0].id)
    restored = Vault(f"sqlite:///{backup}", cache_ttl_s=0)  # yesterday's backup
    with pytest.raises(KeyProviderError):
        restored.open(tenant.id, kept[0].id)
    assert leaks([canary, RRN], settings.home, backup, disk["log"], disk["tmp"]) == []
    verified = runner.invoke(audit_app, ["verify"])
    assert verified.exit_code == 0, verified.output
    events = [json.loads(r.data).get("event") for r in AuditLog(store.engine).records()]
    assert "tenant.shred" in events


def test_tenants_are_isolated(settings: Settings, store: Store) -> None:
    store.create_tenant("한빛은행", "finance", allowed_models=["bank-ko"])
    store.create_tenant("누리청", "public", allowed_models=["gov-ko"])
    for name in ("한빛은행", "누리청"):
        store.set_policy(name, {"retention_days": 1})
    _, bank = issue_key(store, settings.pepper_bytes(), "한빛은행")
    _, gov = issue_key(store, settings.pepper_bytes(), "누리청")
    backends = [EchoBackend("bank-ko"), EchoBackend("gov-ko")]
    with ServerThread(create_app(settings, backends=backends, store=store)) as running:
        assert [m.id for m in sdk(running.url, bank).models.list()] == ["bank-ko"]
        with pytest.raises(openai.NotFoundError):
            sdk(running.url, bank).chat.completions.create(
                model="gov-ko", messages=[{"role": "user", "content": "누리청 자료 보여줘"}]
            )
        sdk(running.url, gov).chat.completions.create(
            model="gov-ko", messages=[{"role": "user", "content": "민원 기록"}]
        )
    vault = open_vault(settings, store)
    bank_id = store.require_tenant("한빛은행").id
    gov_id = store.require_tenant("누리청").id
    (record,) = vault.records(gov_id)
    assert vault.records(bank_id) == []
    with pytest.raises(RecordNotFound):
        vault.open(bank_id, record.id)


def test_revocation_is_immediate_and_audited(
    settings: Settings, store: Store, tenant_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANJI_HOME", str(settings.home))
    audit = AuditLog(store.engine)
    with ServerThread(create_app(settings, backends=[FakeBackend()], store=store)) as running:
        client = sdk(running.url, tenant_key)
        client.models.list()
        # The record is written after the answer is sent, by the audit thread: wait for it,
        # so that the chain's order below is the order the events happened in.
        deadline = time.monotonic() + 10
        while not any(json.loads(r.data).get("status") == 200 for r in audit.records()):
            assert time.monotonic() < deadline, "the request's audit record never landed"
            time.sleep(0.01)
        (key,) = store.list_keys("한빛은행")
        assert runner.invoke(tenant_app, ["key", "revoke", key.id]).exit_code == 0
        with pytest.raises(openai.AuthenticationError):
            client.models.list()
    records = [json.loads(r.data) for r in audit.records()]
    statuses = [(r.get("event"), r.get("status")) for r in records]
    assert statuses[-3:] == [("request", 200), ("key.revoke", None), ("request", 401)]


def test_logs_carry_no_key_and_no_canary(
    settings: Settings,
    store: Store,
    canary: str,
    disk: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HANJI_HOME", str(settings.home))
    made = runner.invoke(tenant_app, ["create", "한빛은행", "--profile", "finance"])
    assert made.exit_code == 0
    _, key = issue_key(store, settings.pepper_bytes(), "한빛은행")  # the server's pepper
    store.set_policy("한빛은행", {"retention_days": 7, "pii": {"PHONE": "block"}})
    failing = FakeBackend("boom-ko", fail_at=1)  # its exception text carries Korean content
    with ServerThread(
        create_app(settings, backends=[EchoBackend(), failing], store=store)
    ) as running:
        client = sdk(running.url, key)
        traffic(client, "echo-ko", f"{canary} {RRN}")
        with pytest.raises(openai.BadRequestError) as blocked:
            client.chat.completions.create(
                model="echo-ko", messages=[{"role": "user", "content": f"{canary} 010-2345-6789"}]
            )
        assert canary not in str(blocked.value.body) and "010-2345" not in str(blocked.value.body)
        with pytest.raises(openai.APIError):
            list(
                client.chat.completions.create(
                    model="boom-ko", messages=[{"role": "user", "content": canary}], stream=True
                )
            )
        runner.invoke(tenant_app, ["rotate-key", "한빛은행"])
    kek = json.loads(next((settings.home / "vault" / "keks").glob("*.json")).read_text())
    secrets_ = [key, settings.pepper_bytes().decode(), *kek["keys"].values()]
    signing = (settings.home / "audit" / "signing.key").read_text()
    logged = caplog.text + "\n".join(json.dumps(r.__dict__, default=str) for r in caplog.records)
    logged += disk["log"].read_text(encoding="utf-8")
    for needle in [canary, RRN, "010-2345-6789", "비밀 내용", signing.splitlines()[1], *secrets_]:
        assert needle not in logged
    assert "hanji.serve" in logged  # the logs were on, and full
