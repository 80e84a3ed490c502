"""Files, vector stores, search and grounded /v1/responses, through the real `openai` SDK.

Upload → store → search → responses with citations → delete; every route tenant-scoped (404
for another tenant's ids); failures of one file that leave the rest alone; the 413 of an
upload over the limit; a canary found nowhere in clear; passages through the PII guard.
"""

from __future__ import annotations

import io
import json
import secrets
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from serve_fakes import FakeBackend
from starlette.testclient import TestClient
from test_serve_confidential import EverythingFormatter, leaks

from hanji.audit.log import AuditLog
from hanji.serve.app import create_app
from hanji.serve.backends.base import Backend, Chunk, GenerateRequest, Usage
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

RRN = "900101-1234568"
RULES = (
    "제1조(목적) 이 규정은 한지은행 여신 업무의 기준을 정한다.\n"
    "제2조(대출 한도) 개인 신용대출의 한도는 연소득의 1.5배로 한다.\n"
    "제3조(상환) 원리금은 매월 균등하게 상환한다."
)
MANUAL = "그라디언트 부스팅 모형은 신용평가에 쓰인다. 모형의 설명 가능성을 점검한다."


def sdk(client: TestClient, key: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url="http://testserver/v1", api_key=key, max_retries=0, http_client=client
    )


def tenant(store: Store, settings: Settings, name: str, profile: str = "finance", **policy) -> str:
    store.create_tenant(name, profile)
    if policy:
        store.set_policy(name, dict(policy))
    return issue_key(store, settings.pepper_bytes(), name)[1]


class Recorder(Backend):
    """Answers with a fixed text citing passage 1, or echoes the system message; records all."""

    kind = "recorder"

    def __init__(self, name: str = "fake-ko", *, host: str | None = None, echo: bool = False):
        super().__init__(name)
        self._host = host
        self.echo = echo
        self.seen: list[GenerateRequest] = []

    @property
    def host(self) -> str | None:
        return self._host

    async def stream(self, request: GenerateRequest):
        self.seen.append(request)
        assert request.messages is not None
        text = request.messages[0].content if self.echo else "한도는 연소득의 1.5배입니다 [1]."
        for i in range(0, len(text), 4):
            yield Chunk(text[i : i + 4])
        yield Chunk(finish_reason="stop", usage=Usage(10, 5))


@pytest.fixture
def app(settings: Settings, store: Store) -> Iterator[tuple[TestClient, Recorder]]:
    backend = Recorder()
    with TestClient(create_app(settings, backends=[backend], store=store)) as client:
        yield client, backend


def upload(client: openai.OpenAI, name: str, data: bytes) -> str:
    return client.files.create(file=(name, data), purpose="assistants").id


def test_upload_store_search_respond_delete(
    app: tuple[TestClient, Recorder], settings: Settings, store: Store
) -> None:
    client, backend = app
    oa = sdk(client, tenant(store, settings, "한빛은행"))
    rules = upload(oa, "여신규정.txt", RULES.encode())
    manual = upload(oa, "모형설명서.md", MANUAL.encode())
    assert oa.files.retrieve(rules).filename == "여신규정.txt"
    assert {f.id for f in oa.files.list()} == {rules, manual}
    vs = oa.vector_stores.create(name="규정집", file_ids=[rules], metadata={"부서": "여신"})
    assert vs.status == "completed" and vs.file_counts.completed == 1
    added = oa.vector_stores.files.create(
        vector_store_id=vs.id, file_id=manual, attributes={"kind": "manual", "year": 2025}
    )
    assert added.status == "completed" and added.last_error is None
    assert oa.vector_stores.retrieve(vs.id).file_counts.total == 2

    page = oa.vector_stores.search(vs.id, query="신용대출 한도가 얼마인가요?")
    assert page.data[0].file_id == rules and "1.5배" in page.data[0].content[0].text
    assert page.data[0].filename == "여신규정.txt"
    # a particle on the query word does not stop the match
    found = oa.vector_stores.search(vs.id, query="그라디언트를", max_num_results=1)
    assert [r.file_id for r in found.data] == [manual]
    assert found.data[0].attributes == {"kind": "manual", "year": 2025}
    only = oa.vector_stores.search(
        vs.id, query="모형 한도", filters={"type": "eq", "key": "kind", "value": "manual"}
    )
    assert {r.file_id for r in only.data} == {manual}

    reply = oa.responses.create(
        model="fake-ko",
        input="신용대출 한도는?",
        instructions="짧게 답하세요.",
        tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
        include=["file_search_call.results"],
    )
    call, message = reply.output
    assert call.type == "file_search_call" and call.queries == ["신용대출 한도는?"]
    assert call.results and call.results[0].file_id == rules
    assert reply.output_text == "한도는 연소득의 1.5배입니다."
    (citation,) = message.content[0].annotations
    assert (citation.type, citation.file_id, citation.filename) == (
        "file_citation",
        rules,
        "여신규정.txt",
    )
    assert citation.index == len("한도는 연소득의 1.5배입니다")
    system = backend.seen[-1].messages[0].content
    assert system.startswith("짧게 답하세요.") and "[1] (여신규정.txt)" in system

    with oa.responses.stream(
        model="fake-ko",
        input="신용대출 한도는?",
        tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
    ) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert "response.file_search_call.completed" in kinds and "response.output_text.delta" in kinds
    assert final.output_text == reply.output_text
    assert final.output[1].content[0].annotations[0].file_id == rules

    as_messages = oa.responses.create(
        model="fake-ko",
        input=[
            {"role": "developer", "content": "존댓말로 답하세요."},
            {"role": "user", "content": [{"type": "input_text", "text": "상환 방식은?"}]},
        ],
        tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
    )
    assert as_messages.output[0].queries == ["상환 방식은?"]
    sent = backend.seen[-1].messages
    assert [m.role for m in sent] == ["system", "system", "user"]
    assert sent[1].content == "존댓말로 답하세요." and sent[2].content == "상환 방식은?"

    plain = oa.responses.create(model="fake-ko", input="안녕하세요")
    assert [item.type for item in plain.output] == ["message"]
    assert len(backend.seen[-1].messages) == 1  # no tool: no system message, no search

    assert oa.vector_stores.files.delete(file_id=manual, vector_store_id=vs.id).deleted
    assert oa.vector_stores.search(vs.id, query="그라디언트").data == []
    assert oa.files.delete(rules).deleted
    assert oa.vector_stores.search(vs.id, query="대출 한도").data == []
    assert oa.vector_stores.retrieve(vs.id).file_counts.total == 0
    assert oa.vector_stores.delete(vs.id).deleted
    with pytest.raises(openai.NotFoundError):
        oa.vector_stores.retrieve(vs.id)


def test_every_route_hides_another_tenant_s_objects(
    app: tuple[TestClient, Recorder], settings: Settings, store: Store
) -> None:
    client, _ = app
    bank = sdk(client, tenant(store, settings, "한빛은행"))
    other = sdk(client, tenant(store, settings, "누리청", "public"))
    file_id = upload(bank, "여신규정.txt", RULES.encode())
    vs = bank.vector_stores.create(name="규정집", file_ids=[file_id])
    mine = upload(other, "민원.txt", "민원 처리 기한은 7일이다.".encode())
    attempts = [
        lambda: other.files.retrieve(file_id),
        lambda: other.files.delete(file_id),
        lambda: other.vector_stores.retrieve(vs.id),
        lambda: other.vector_stores.delete(vs.id),
        lambda: other.vector_stores.search(vs.id, query="대출"),
        lambda: other.vector_stores.files.list(vs.id),
        lambda: other.vector_stores.files.retrieve(file_id=file_id, vector_store_id=vs.id),
        lambda: other.vector_stores.files.delete(file_id=file_id, vector_store_id=vs.id),
        lambda: other.vector_stores.files.create(vector_store_id=vs.id, file_id=mine),
        lambda: other.vector_stores.create(file_ids=[file_id]),
        lambda: other.responses.create(
            model="fake-ko",
            input="대출 한도",
            tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
        ),
    ]
    for attempt in attempts:
        with pytest.raises(openai.NotFoundError):
            attempt()
    own = other.vector_stores.create(name="민원")
    with pytest.raises(openai.NotFoundError):  # their store, our file: still not found
        other.vector_stores.files.create(vector_store_id=own.id, file_id=file_id)
    assert [f.id for f in other.files.list()] == [mine]
    assert [s.id for s in other.vector_stores.list()] == [own.id]
    assert bank.vector_stores.search(vs.id, query="대출 한도").data  # untouched


def _hwpx_missing_section() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr(
            "Contents/content.hpf",
            '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:manifest>'
            '<opf:item id="s0" href="Contents/section0.xml"/></opf:manifest>'
            '<opf:spine><opf:itemref idref="s0"/></opf:spine></opf:package>',
        )
    return out.getvalue()


def test_bad_files_fail_alone_with_a_named_cause(
    app: tuple[TestClient, Recorder], settings: Settings, store: Store
) -> None:
    client, _ = app
    oa = sdk(client, tenant(store, settings, "한빛은행"))
    good = upload(oa, "여신규정.txt", RULES.encode())
    bad = {
        upload(oa, "깨진.pdf", b"%PDF-1.7\n not really a pdf"): "PDF",
        upload(oa, "빠진부분.hwpx", _hwpx_missing_section()): "section0.xml is missing",
        upload(oa, "빈파일.txt", b""): "empty",
        upload(oa, "실행.exe", b"MZ\x90\x00"): "not supported",
    }
    vs = oa.vector_stores.create(name="섞임", file_ids=[good, *bad])
    assert vs.file_counts.completed == 1 and vs.file_counts.failed == len(bad)
    for item in oa.vector_stores.files.list(vs.id):
        if item.id == good:
            assert item.status == "completed"
            continue
        assert item.status == "failed" and item.last_error is not None
        assert bad[item.id] in item.last_error.message
    codes = {f.last_error.code for f in oa.vector_stores.files.list(vs.id, filter="failed")}
    assert codes == {"invalid_file", "unsupported_file"}
    assert oa.vector_stores.search(vs.id, query="상환").data[0].file_id == good


def test_an_upload_over_the_limit_is_a_clear_413(settings: Settings, store: Store) -> None:
    key = tenant(store, settings, "한빛은행")
    with TestClient(create_app(settings, backends=[FakeBackend()], store=store)) as client:
        oa = sdk(client, key)
        big = b"0" * (50 * 1024 * 1024)
        with pytest.raises(openai.APIStatusError) as caught:
            oa.files.create(file=("큰파일.txt", big), purpose="assistants")
        assert caught.value.status_code == 413
        assert caught.value.body["code"] == "file_too_large"  # type: ignore[index]
        assert "files_max_bytes" in caught.value.body["message"]  # type: ignore[index]
        assert oa.files.list().data == []
        # JSON routes keep their own, smaller limit
        assert settings.max_body_bytes < settings.files_max_bytes
    roomy = settings.model_copy(update={"files_max_bytes": 64 * 1024 * 1024})
    with TestClient(create_app(roomy, backends=[FakeBackend()], store=store)) as client:
        assert sdk(client, key).files.create(file=("큰파일.txt", big), purpose="assistants").bytes


def test_a_canary_in_a_file_is_nowhere_in_clear(
    settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging
    import tempfile

    canary = "카나리아" + secrets.token_hex(6)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    log_file = tmp_path / "all.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(EverythingFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        key = tenant(store, settings, "한빛은행")
        backend = Recorder()
        with TestClient(create_app(settings, backends=[backend], store=store)) as client:
            oa = sdk(client, key)
            text = f"{canary} 문장은 여신 규정의 비밀 조항이다. 대출 한도는 연소득의 두 배다."
            file_id = upload(oa, f"{canary}.txt", text.encode())
            vs = oa.vector_stores.create(
                name=f"{canary} 모음", file_ids=[file_id], metadata={"note": canary}
            )
            page = oa.vector_stores.search(vs.id, query=f"{canary} 대출 한도")
            assert canary in page.data[0].content[0].text
            oa.responses.create(
                model="fake-ko",
                input=f"{canary} 대출 한도는?",
                tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
            )
            assert oa.vector_stores.retrieve(vs.id).name == f"{canary} 모음"
        store.close()
        assert leaks([canary], settings.home, log_file, tmp) == []
        audit = [json.loads(r.data) for r in AuditLog(Store(settings.db_url).engine).records()]
        routes = {r.get("route") for r in audit}
        assert {
            "/v1/files",
            "/v1/vector_stores",
            "/v1/vector_stores/{vector_store_id}/search",
        } <= routes
        searched = [r for r in audit if r.get("route", "").endswith("/search")]
        assert searched[0]["decisions"]["results"] == 1 and "search_ms" in searched[0]["decisions"]
        uploaded = next(r for r in audit if r.get("route") == "/v1/files")["decisions"]
        assert uploaded == {"file_id": file_id, "bytes": len(text.encode())}
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def test_passages_are_pseudonymised_for_a_backend_outside_the_perimeter(
    settings: Settings, store: Store
) -> None:
    outside = Recorder("gpt-external", host="api.example.com", echo=True)
    key = tenant(store, settings, "한빛은행", external="pseudonymize")
    with TestClient(create_app(settings, backends=[outside], store=store)) as client:
        oa = sdk(client, key)
        doc = f"고객 확인 절차: 주민등록번호 {RRN} 고객의 대출 한도는 3천만 원이다."
        vs = oa.vector_stores.create(file_ids=[upload(oa, "고객.txt", doc.encode())])
        reply = oa.responses.create(
            model="gpt-external",
            input="대출 한도가 얼마인가요?",
            tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
        )
    upstream = outside.seen[0].messages[0].content
    assert RRN not in upstream and "<RRN_1>" in upstream  # the passage was pseudonymised
    assert RRN in reply.output_text  # ...and restored for the client


def test_shred_leaves_the_tenant_s_stores_unreadable(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hanji.search.service import Documents
    from hanji.tenants.cli import app as tenant_app
    from hanji.tenants.home import open_vault
    from hanji.vault import Shredded

    monkeypatch.setenv("HANJI_HOME", str(settings.home))
    key = tenant(store, settings, "한빛은행")
    with TestClient(create_app(settings, backends=[FakeBackend()], store=store)) as client:
        oa = sdk(client, key)
        vs = oa.vector_stores.create(file_ids=[upload(oa, "여신규정.txt", RULES.encode())])
        assert oa.vector_stores.search(vs.id, query="상환").data
    tenant_id = store.require_tenant("한빛은행").id
    result = CliRunner().invoke(tenant_app, ["shred", "한빛은행"])
    assert result.exit_code == 0, result.output
    documents = Documents(store.engine, open_vault(settings, store))
    with pytest.raises(Shredded):
        documents.search(tenant_id, vs.id, ["상환"])
    with pytest.raises(Shredded):
        documents.list_files(tenant_id)
    documents.close()


def test_ingestion_answers_in_progress_when_it_takes_longer_than_the_wait(
    settings: Settings, store: Store
) -> None:
    key = tenant(store, settings, "한빛은행")
    patient = settings.model_copy(update={"search_ingest_wait_s": 0.0})
    with TestClient(create_app(patient, backends=[FakeBackend()], store=store)) as client:
        oa = sdk(client, key)
        file_id = upload(oa, "여신규정.txt", (RULES + "\n").encode() * 200)
        vs = oa.vector_stores.create(name="느림")
        first = oa.vector_stores.files.create(vector_store_id=vs.id, file_id=file_id)
        assert first.status == "in_progress"
        deadline = time.monotonic() + 60
        while (
            oa.vector_stores.files.retrieve(file_id=file_id, vector_store_id=vs.id).status
            != "completed"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert oa.vector_stores.search(vs.id, query="상환").data


def test_the_upload_takes_a_multipart_form_with_a_file(client: TestClient, tenant_key: str) -> None:
    auth = {"Authorization": f"Bearer {tenant_key}"}
    as_json = client.post("/v1/files", json={"purpose": "assistants"}, headers=auth)
    assert (
        as_json.status_code == 400 and "multipart/form-data" in as_json.json()["error"]["message"]
    )
    no_file = client.post("/v1/files", files={"purpose": (None, "assistants")}, headers=auth)
    assert no_file.status_code == 400 and no_file.json()["error"]["param"] == "file"
    wrong = client.post(
        "/v1/files", files={"file": ("a.txt", b"x")}, data={"purpose": "fine-tune"}, headers=auth
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "purpose"


class BigramEmbedder(Recorder):
    """Embeddings from hashed character bigrams: shared syllable pairs make vectors close."""

    kind = "bigram"

    def __init__(self, name: str = "embed-ko", host: str | None = None) -> None:
        super().__init__(name, host=host)
        self.embedded: list[str] = []

    async def embed(self, request):  # type: ignore[override]
        import itertools
        import zlib

        from hanji.serve.backends.base import EmbedResult

        vectors = []
        for text in request.inputs:
            self.embedded.append(text)
            vector = [0.0] * 64
            for a, b in itertools.pairwise(text):
                vector[zlib.crc32((a + b).encode()) % 64] += 1.0
            vectors.append(vector)
        return EmbedResult(vectors, Usage(prompt_tokens=sum(len(t) for t in request.inputs)))


def test_dense_ranking_fuses_with_bm25_when_an_embeddings_model_is_set(
    settings: Settings, store: Store
) -> None:
    embedder = BigramEmbedder()
    key = tenant(store, settings, "한빛은행")
    doc = "자동차보험료 할인 조건: 무사고 3년이면 보험료를 10% 깎아 준다."
    other = "예금 금리는 매달 첫 영업일에 고시한다."
    lexical_only = settings
    dense = settings.model_copy(update={"search_embedding_model": "embed-ko"})
    # Kiwi reads "동차보험" as one unknown noun that no chunk has: BM25 alone finds nothing,
    # while its syllable pairs (동차, 차보, 보험) are in the first text
    for current, expect in ((lexical_only, False), (dense, True)):
        with TestClient(create_app(current, backends=[embedder], store=store)) as client:
            oa = sdk(client, key)
            ids = [upload(oa, "보험.txt", doc.encode()), upload(oa, "예금.txt", other.encode())]
            vs = oa.vector_stores.create(file_ids=ids)
            page = oa.vector_stores.search(vs.id, query="동차보험", max_num_results=1)
            assert bool(page.data) is expect
            if expect:
                assert page.data[0].file_id == ids[0]
                assert doc in embedder.embedded and "동차보험" in embedder.embedded
                reply = oa.responses.create(
                    model="embed-ko",
                    input="동차보험",
                    tools=[{"type": "file_search", "vector_store_ids": [vs.id]}],
                    include=["file_search_call.results"],
                )
                assert reply.output[0].results[0].file_id == ids[0]
    assert leaks([doc[:12]], settings.home) == []  # the vectors are sealed with the chunks


def test_chunks_sent_for_embedding_are_pseudonymised_outside_the_perimeter(
    settings: Settings, store: Store
) -> None:
    outside = BigramEmbedder("embed-ext", host="api.example.com")
    key = tenant(store, settings, "한빛은행", external="pseudonymize")
    dense = settings.model_copy(update={"search_embedding_model": "embed-ext"})
    with TestClient(create_app(dense, backends=[outside], store=store)) as client:
        oa = sdk(client, key)
        text = f"주민등록번호 {RRN} 고객의 대출 한도는 3천만 원이다."
        vs = oa.vector_stores.create(file_ids=[upload(oa, "고객.txt", text.encode())])
        assert oa.vector_stores.files.list(vs.id).data[0].status == "completed"
        assert oa.vector_stores.search(vs.id, query="대출 한도").data
    assert outside.embedded and all(RRN not in t for t in outside.embedded)
