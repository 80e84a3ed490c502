"""`Documents`: tenant scoping, the in-memory index following the store, fusion, sealing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hanji.search.chunk import Chunking
from hanji.search.service import Documents, SearchNotFound
from hanji.tenants.store import Store
from hanji.vault import Vault

A, B = "ten_a", "ten_b"


@pytest.fixture
def docs(tmp_path: Path) -> Iterator[Documents]:
    store = Store(f"sqlite:///{tmp_path}/hanji.db")
    vault = Vault(store.engine, default_provider=lambda t: f"local-file:{tmp_path}/{t}.json")
    documents = Documents(store.engine, vault)
    yield documents
    documents.close()
    store.close()


def add(docs: Documents, tenant: str, store_id: str, name: str, text: str, embed=None) -> str:
    file_id = docs.add_file(tenant, name, "assistants", text.encode()).id
    docs.attach(tenant, store_id, file_id, None, None)
    assert docs.ingest(tenant, store_id, file_id, embed).status == "completed"
    return file_id


def test_another_tenant_s_ids_are_not_found(docs: Documents) -> None:
    store_id = docs.create_store(A, "규정", None, Chunking())
    file_id = add(docs, A, store_id, "a.txt", "대출 한도는 연소득의 1.5배다.")
    for call in (
        lambda: docs.get_file(B, file_id),
        lambda: docs.delete_file(B, file_id),
        lambda: docs.get_store(B, store_id),
        lambda: docs.search(B, store_id, ["대출"]),
        lambda: docs.list_store_files(B, store_id),
        lambda: docs.detach(B, store_id, file_id),
    ):
        with pytest.raises(SearchNotFound):
            call()
    mine = docs.create_store(B, None, None, Chunking())
    with pytest.raises(SearchNotFound):
        docs.attach(B, mine, file_id, None, None)
    assert docs.search(A, store_id, ["대출을"])[0].file_id == file_id


def test_the_index_follows_every_change_of_the_store(docs: Documents) -> None:
    store_id = docs.create_store(A, None, None, Chunking())
    first = add(docs, A, store_id, "a.txt", "예금 금리는 매달 고시한다.")
    assert docs.search(A, store_id, ["대출"]) == []
    second = add(docs, A, store_id, "b.txt", "대출 금리는 분기마다 바뀐다.")
    assert [h.file_id for h in docs.search(A, store_id, ["대출"])] == [second]
    assert {h.file_id for h in docs.search(A, store_id, ["금리"])} == {first, second}
    docs.detach(A, store_id, second)
    assert docs.search(A, store_id, ["대출"]) == []
    docs.delete_file(A, first)
    assert docs.search(A, store_id, ["금리"]) == []


def one_hot(texts: list[str]) -> list[list[float]]:
    """A toy embedder: one dimension per topic word, whatever its spelling."""
    topics = [("보험", "insurance"), ("예금", "deposit")]
    return [[float(any(w in t for w in words)) for words in topics] for t in texts]


def test_dense_and_lexical_rankings_are_fused(docs: Documents) -> None:
    store_id = docs.create_store(A, None, None, Chunking())
    insurance = add(docs, A, store_id, "a.txt", "insurance premium rules", one_hot)
    deposit = add(docs, A, store_id, "b.txt", "예금 금리는 매달 고시한다.", one_hot)
    assert docs.search(A, store_id, ["보험"]) == []  # no shared term
    hits = docs.search(A, store_id, ["보험"], query_vector=one_hot(["보험"])[0])
    assert hits[0].file_id == insurance
    both = docs.search(A, store_id, ["예금"], query_vector=one_hot(["예금"])[0])
    assert both[0].file_id == deposit and both[0].score == pytest.approx(2 / 61)  # rank 1 twice
    wrong_size = docs.search(A, store_id, ["보험"], query_vector=[1.0, 0.0, 0.0])
    assert wrong_size == []  # vectors of another model: lexical only


def test_nothing_with_text_is_stored_in_clear(docs: Documents, tmp_path: Path) -> None:
    store_id = docs.create_store(A, "비밀문서함", {"메모": "기밀표시"}, Chunking())
    add(docs, A, store_id, "고객명단.txt", "홍길동 고객의 대출 한도는 삼천만 원이다.")
    docs.vault.compact()
    data = b"".join(p.read_bytes() for p in tmp_path.rglob("*.db*"))
    for needle in ("비밀문서함", "기밀표시", "고객명단", "홍길동", "한도", "삼천"):
        assert needle.encode() not in data, needle


def test_a_rebuild_decrypts_only_the_files_that_changed(
    docs: Documents, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_id = docs.create_store(A, None, None, Chunking())
    for n in range(3):
        add(docs, A, store_id, f"{n}.txt", f"제{n}조 대출 금리는 분기마다 바뀐다.")
    assert len(docs.search(A, store_id, ["금리"])) == 3
    opened: list[str] = []
    decrypt = docs.vault.decrypt

    def counting(tenant: str, purpose: str, ref: str, blob: bytes) -> bytes:
        opened.append(purpose)
        return decrypt(tenant, purpose, ref, blob)

    monkeypatch.setattr(docs.vault, "decrypt", counting)
    add(docs, A, store_id, "new.txt", "예금 금리는 매달 고시한다.")
    opened.clear()
    assert len(docs.search(A, store_id, ["금리"])) == 4
    assert opened == ["search.chunks"]  # the new file's chunks, nothing else
