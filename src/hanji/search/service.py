"""Files, vector stores and search for one gateway, every text sealed under its tenant's key.

`Documents` is the one owner of the search tables. Whatever could carry a tenant's words
(file bytes and names, store names and metadata, attributes, chunks and their terms) is
written only as a vault blob (`hanji.vault.Vault.encrypt`, bound to the tenant, the purpose
and the row); shredding the tenant's keys (`hanji tenant shred`) leaves only ciphertext.

With an embeddings model (``ingest(embed=...)``, the gateway's ``search_embedding_model``),
each chunk's vector is sealed with it and a search that brings the query's vector ranks
chunks by cosine too; the two rankings are fused by reciprocal rank (RRF, k = 60).

A store's BM25 index (bm25s) lives in memory only: built from the decrypted chunks when a
search first needs it, kept while the store's ``version`` (bumped by every change) stays the
same, so a search costs the query's Kiwi analysis (cached) and a sparse dot product. Another
tenant's file or store is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hanji.search.chunk import Chunking, chunk_text
from hanji.search.filters import matches
from hanji.search.parse import ParseError, parse
from hanji.search.tables import FileRow, SearchBase, StoreFileRow, StoreRow
from hanji.search.terms import query_terms
from hanji.vault import Vault
from hanji.vault.errors import Shredded
from hanji.vault.tables import VaultTenantRow

STATUSES = ("in_progress", "completed", "failed", "cancelled")
RRF_K = 60
"""Reciprocal-rank fusion's constant (Cormack et al. 2009): a chunk scores sum 1/(60 + rank)."""
Embed = Callable[[list[str]], list[list[float]]]
"""Texts in, one vector each out (the gateway's embeddings model, through the PII guard)."""


class SearchNotFound(LookupError):
    """No such file or store for this tenant (another tenant's counts as none)."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"No {kind} found with id '{ident}'.")
        self.kind = kind
        self.ident = ident


def _now() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime) -> int:
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


@dataclass(frozen=True)
class FileInfo:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int


@dataclass(frozen=True)
class StoreInfo:
    id: str
    name: str | None
    metadata: dict[str, str]
    created_at: int
    last_active_at: int
    usage_bytes: int
    file_counts: dict[str, int]

    @property
    def status(self) -> str:
        return "in_progress" if self.file_counts["in_progress"] else "completed"


@dataclass(frozen=True)
class StoreFileInfo:
    file_id: str
    store_id: str
    status: str
    created_at: int
    usage_bytes: int
    chunking: dict[str, int]
    attributes: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Hit:
    file_id: str
    filename: str
    score: float
    text: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class _FileChunks:
    """One file's decrypted chunks as a store holds them (kept across index rebuilds)."""

    stamp: datetime
    """The store-file row's creation time: a re-attached file is decrypted again."""
    filename: str
    attributes: dict[str, Any]
    texts: list[str]
    terms: list[list[str]]
    vectors: np.ndarray | None


@dataclass
class _Index:
    """One store's chunks in memory and their BM25 index."""

    version: int
    file_ids: list[str]
    texts: list[str]
    files: dict[str, tuple[str, dict[str, Any]]]
    """file id -> (filename, attributes)"""
    bm25: Any = None
    vocab: frozenset[str] = field(default_factory=frozenset)
    by_file: dict[str, _FileChunks] = field(default_factory=dict)
    vectors: np.ndarray | None = None
    """Unit-length chunk vectors, one row per chunk; None unless every chunk has one."""

    def rows_of(self, spec: Mapping[str, Any] | None) -> np.ndarray | None:
        if spec is None:
            return None
        allowed = {f for f, (_, attrs) in self.files.items() if matches(spec, attrs)}
        return np.fromiter((f in allowed for f in self.file_ids), bool, len(self.file_ids))


class Documents:
    """Files, vector stores and search over one engine and vault.

    Args:
        engine: the gateway's database; the search tables are created on it.
        vault: seals and opens everything that carries text.
        max_cached_indexes: in-memory store indexes kept (least recently searched go first).
    """

    def __init__(self, engine: Engine, vault: Vault, *, max_cached_indexes: int = 64) -> None:
        self.engine = engine
        self.vault = vault
        SearchBase.metadata.create_all(engine)
        self._indexes: OrderedDict[str, _Index] = OrderedDict()
        self._max_indexes = max_cached_indexes
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hanji-ingest")
        """Files are indexed one at a time: Kiwi already uses its own threads."""
        self.pending: set[Any] = set()

    def close(self) -> None:
        """Stop indexing: queued files stay ``in_progress``."""
        self.executor.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ sealing

    def _seal(self, tenant_id: str, purpose: str, ref: str, value: Any) -> bytes:
        raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
        return self.vault.encrypt(tenant_id, f"search.{purpose}", ref, raw)

    def _open(self, tenant_id: str, purpose: str, ref: str, blob: bytes) -> bytes:
        return self.vault.decrypt(tenant_id, f"search.{purpose}", ref, blob)

    def _open_json(self, tenant_id: str, purpose: str, ref: str, blob: bytes) -> Any:
        return json.loads(self._open(tenant_id, purpose, ref, blob))

    def _check_tenant(self, session: Session, tenant_id: str) -> None:
        row = session.get(VaultTenantRow, tenant_id)
        if row is not None and row.shredded_at is not None:
            raise Shredded(f"tenant {tenant_id} was shredded: its documents can no longer be read")

    # ------------------------------------------------------------ files

    def add_file(self, tenant_id: str, filename: str, purpose: str, data: bytes) -> FileInfo:
        file_id = _new_id("file")
        now = _now()
        row = FileRow(
            id=file_id,
            tenant_id=tenant_id,
            purpose=purpose,
            bytes=len(data),
            name=self._seal(tenant_id, "file_name", file_id, filename.encode()),
            content=self._seal(tenant_id, "file", file_id, data),
            created_at=now,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
        return FileInfo(file_id, filename, purpose, len(data), _ts(now))

    def _file_row(self, session: Session, tenant_id: str, file_id: str) -> FileRow:
        row = session.get(FileRow, file_id)
        if row is None or row.tenant_id != tenant_id:
            raise SearchNotFound("file", file_id)
        return row

    def _file_info(self, row: FileRow) -> FileInfo:
        name = self._open(row.tenant_id, "file_name", row.id, row.name).decode()
        return FileInfo(row.id, name, row.purpose, row.bytes, _ts(row.created_at))

    def get_file(self, tenant_id: str, file_id: str) -> FileInfo:
        with Session(self.engine) as session:
            return self._file_info(self._file_row(session, tenant_id, file_id))

    def file_content(self, tenant_id: str, file_id: str) -> tuple[FileInfo, bytes]:
        with Session(self.engine) as session:
            row = self._file_row(session, tenant_id, file_id)
            return self._file_info(row), self._open(tenant_id, "file", file_id, row.content)

    def list_files(self, tenant_id: str, purpose: str | None = None) -> list[FileInfo]:
        query = select(FileRow).where(FileRow.tenant_id == tenant_id)
        if purpose:
            query = query.where(FileRow.purpose == purpose)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(FileRow.created_at.desc())).all()
            return [self._file_info(r) for r in rows]

    def delete_file(self, tenant_id: str, file_id: str) -> None:
        """The file, and its chunks in every store of the tenant."""
        with Session(self.engine) as session, session.begin():
            row = self._file_row(session, tenant_id, file_id)
            stores = session.scalars(
                select(StoreFileRow.store_id).where(StoreFileRow.file_id == file_id)
            ).all()
            session.execute(delete(StoreFileRow).where(StoreFileRow.file_id == file_id))
            if stores:
                session.execute(
                    update(StoreRow)
                    .where(StoreRow.id.in_(stores))
                    .values(version=StoreRow.version + 1)
                )
            session.delete(row)

    # ------------------------------------------------------------ stores

    def create_store(
        self,
        tenant_id: str,
        name: str | None,
        metadata: Mapping[str, str] | None,
        chunking: Chunking,
    ) -> str:
        store_id = _new_id("vs")
        now = _now()
        sealed = self._seal(
            tenant_id, "store", store_id, {"name": name, "metadata": dict(metadata or {})}
        )
        with Session(self.engine) as session, session.begin():
            session.add(
                StoreRow(
                    id=store_id,
                    tenant_id=tenant_id,
                    sealed=sealed,
                    chunking={
                        "max_tokens": chunking.max_tokens,
                        "overlap": chunking.overlap_tokens,
                    },
                    version=0,
                    created_at=now,
                    last_active_at=now,
                )
            )
        return store_id

    def _store_row(self, session: Session, tenant_id: str, store_id: str) -> StoreRow:
        row = session.get(StoreRow, store_id)
        if row is None or row.tenant_id != tenant_id:
            raise SearchNotFound("vector store", store_id)
        return row

    def _store_info(self, session: Session, row: StoreRow) -> StoreInfo:
        opened = self._open_json(row.tenant_id, "store", row.id, row.sealed)
        counts = dict.fromkeys(STATUSES, 0)
        usage = 0
        for status, n, used in session.execute(
            select(StoreFileRow.status, func.count(), func.sum(StoreFileRow.usage_bytes))
            .where(StoreFileRow.store_id == row.id)
            .group_by(StoreFileRow.status)
        ):
            counts[status] = int(n)
            usage += int(used or 0)
        counts["total"] = sum(counts[s] for s in STATUSES)
        return StoreInfo(
            id=row.id,
            name=opened["name"],
            metadata=opened["metadata"],
            created_at=_ts(row.created_at),
            last_active_at=_ts(row.last_active_at),
            usage_bytes=usage,
            file_counts=counts,
        )

    def get_store(self, tenant_id: str, store_id: str) -> StoreInfo:
        with Session(self.engine) as session:
            return self._store_info(session, self._store_row(session, tenant_id, store_id))

    def store_chunking(self, tenant_id: str, store_id: str) -> Chunking:
        with Session(self.engine) as session:
            spec = self._store_row(session, tenant_id, store_id).chunking
        return Chunking(spec["max_tokens"], spec["overlap"])

    def list_stores(self, tenant_id: str) -> list[StoreInfo]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(StoreRow)
                .where(StoreRow.tenant_id == tenant_id)
                .order_by(StoreRow.created_at.desc())
            ).all()
            return [self._store_info(session, r) for r in rows]

    def delete_store(self, tenant_id: str, store_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = self._store_row(session, tenant_id, store_id)
            session.execute(delete(StoreFileRow).where(StoreFileRow.store_id == store_id))
            session.delete(row)
        with self._lock:
            self._indexes.pop(store_id, None)

    # ------------------------------------------------------------ a store's files

    def attach(
        self,
        tenant_id: str,
        store_id: str,
        file_id: str,
        attributes: Mapping[str, Any] | None,
        chunking: Chunking | None,
    ) -> StoreFileInfo:
        """The file joins the store as ``in_progress``; `ingest` does the work."""
        with Session(self.engine) as session, session.begin():
            store = self._store_row(session, tenant_id, store_id)
            self._file_row(session, tenant_id, file_id)
            spec = (
                {"max_tokens": chunking.max_tokens, "overlap": chunking.overlap_tokens}
                if chunking is not None
                else dict(store.chunking)
            )
            sealed = (
                self._seal(tenant_id, "attributes", f"{store_id}/{file_id}", dict(attributes))
                if attributes
                else None
            )
            existing = session.get(StoreFileRow, (store_id, file_id))
            if existing is not None:
                session.delete(existing)
                session.flush()
                store.version += 1
            session.add(
                StoreFileRow(
                    store_id=store_id,
                    file_id=file_id,
                    tenant_id=tenant_id,
                    status="in_progress",
                    chunking=spec,
                    attributes=sealed,
                    created_at=_now(),
                )
            )
            store.last_active_at = _now()
        return self.get_store_file(tenant_id, store_id, file_id)

    def ingest(
        self, tenant_id: str, store_id: str, file_id: str, embed: Embed | None = None
    ) -> StoreFileInfo:
        """Parse, chunk and analyse one attached file (and embed its chunks, given ``embed``);
        a failure is the file's status only."""
        with Session(self.engine) as session:
            link = session.get(StoreFileRow, (store_id, file_id))
            if link is None or link.tenant_id != tenant_id:
                raise SearchNotFound("vector store file", file_id)
            spec = dict(link.chunking)
            attributes = self._link_info(link).attributes
        info, data = self.file_content(tenant_id, file_id)
        values: dict[str, Any]
        try:
            text = parse(info.filename, data)
            chunks = chunk_text(text, Chunking(spec["max_tokens"], spec["overlap"]))
            sealed: dict[str, Any] = {
                "filename": info.filename,
                "attributes": attributes or {},
                "chunks": [[c.text, list(c.terms)] for c in chunks],
            }
            if embed is not None and chunks:
                matrix = np.asarray(embed([c.text for c in chunks]), dtype=np.float32)
                if matrix.ndim != 2 or len(matrix) != len(chunks):
                    raise ValueError("the embeddings model answered the wrong number of vectors")
                sealed["vectors"] = base64.b64encode(matrix.tobytes()).decode("ascii")
                sealed["dimensions"] = int(matrix.shape[1])
            blob = self._seal(tenant_id, "chunks", f"{store_id}/{file_id}", sealed)
            values = {
                "status": "completed",
                "chunks": blob,
                "chunk_count": len(chunks),
                "usage_bytes": sum(len(c.text.encode()) for c in chunks),
            }
        except ParseError as exc:
            values = {"status": "failed", "error_code": exc.code, "error_message": str(exc)[:500]}
        except Exception as exc:  # a reader's bug must not take the store down; say which
            values = {
                "status": "failed",
                "error_code": "server_error",
                "error_message": f"the file could not be processed ({type(exc).__name__})",
            }
        with Session(self.engine) as session, session.begin():
            link = session.get(StoreFileRow, (store_id, file_id))
            if link is None:  # detached while we worked
                raise SearchNotFound("vector store file", file_id)
            for key, value in values.items():
                setattr(link, key, value)
            session.execute(
                update(StoreRow).where(StoreRow.id == store_id).values(version=StoreRow.version + 1)
            )
        return self.get_store_file(tenant_id, store_id, file_id)

    def _link_info(self, row: StoreFileRow) -> StoreFileInfo:
        attributes = None
        if row.attributes is not None:
            ref = f"{row.store_id}/{row.file_id}"
            attributes = self._open_json(row.tenant_id, "attributes", ref, row.attributes)
        return StoreFileInfo(
            file_id=row.file_id,
            store_id=row.store_id,
            status=row.status,
            created_at=_ts(row.created_at),
            usage_bytes=row.usage_bytes,
            chunking=dict(row.chunking),
            attributes=attributes,
            error_code=row.error_code,
            error_message=row.error_message,
        )

    def get_store_file(self, tenant_id: str, store_id: str, file_id: str) -> StoreFileInfo:
        with Session(self.engine) as session:
            self._store_row(session, tenant_id, store_id)
            row = session.get(StoreFileRow, (store_id, file_id))
            if row is None:
                raise SearchNotFound("vector store file", file_id)
            return self._link_info(row)

    def list_store_files(
        self, tenant_id: str, store_id: str, status: str | None = None
    ) -> list[StoreFileInfo]:
        with Session(self.engine) as session:
            self._store_row(session, tenant_id, store_id)
            query = select(StoreFileRow).where(StoreFileRow.store_id == store_id)
            if status:
                query = query.where(StoreFileRow.status == status)
            rows = session.scalars(query.order_by(StoreFileRow.created_at.desc())).all()
            return [self._link_info(r) for r in rows]

    def detach(self, tenant_id: str, store_id: str, file_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            store = self._store_row(session, tenant_id, store_id)
            row = session.get(StoreFileRow, (store_id, file_id))
            if row is None:
                raise SearchNotFound("vector store file", file_id)
            session.delete(row)
            store.version += 1

    # ------------------------------------------------------------ search

    def _file_chunks(self, row: StoreFileRow) -> _FileChunks:
        """Decrypt one completed file of a store: its chunks, name and attributes."""
        sealed = self._open_json(
            row.tenant_id, "chunks", f"{row.store_id}/{row.file_id}", row.chunks or b""
        )
        vectors = None
        if "vectors" in sealed:
            flat = np.frombuffer(base64.b64decode(sealed["vectors"]), dtype=np.float32)
            vectors = flat.reshape(-1, sealed["dimensions"])
        return _FileChunks(
            stamp=row.created_at,
            filename=sealed["filename"],
            attributes=sealed["attributes"],
            texts=[text for text, _ in sealed["chunks"]],
            terms=[terms for _, terms in sealed["chunks"]],
            vectors=vectors,
        )

    def _index(self, tenant_id: str, store_id: str) -> _Index:
        """The store's in-memory index at its current version (built when it moved on)."""
        with Session(self.engine) as session:
            self._check_tenant(session, tenant_id)
            store = self._store_row(session, tenant_id, store_id)
            version = store.version
            with self._lock:
                cached = self._indexes.get(store_id)
                if cached is not None and cached.version == version:
                    self._indexes.move_to_end(store_id)
                    return cached
            rows = session.scalars(
                select(StoreFileRow).where(
                    StoreFileRow.store_id == store_id, StoreFileRow.status == "completed"
                )
            ).all()
            index = _Index(version, [], [], {})
            previous = cached.by_file if cached is not None else {}
            corpus: list[list[str]] = []
            blocks: list[np.ndarray | None] = []
            for row in rows:
                known = previous.get(row.file_id)
                if known is None or known.stamp != row.created_at:
                    known = self._file_chunks(row)
                index.by_file[row.file_id] = known
                index.files[row.file_id] = (known.filename, known.attributes)
                index.file_ids.extend([row.file_id] * len(known.texts))
                index.texts.extend(known.texts)
                corpus.extend(known.terms)
                blocks.append(known.vectors)
        if corpus:
            import bm25s

            index.bm25 = bm25s.BM25()
            index.bm25.index(corpus, show_progress=False)
            index.vocab = frozenset(index.bm25.vocab_dict)
            if blocks and all(b is not None for b in blocks):
                dims = {b.shape[1] for b in blocks if b is not None}
                if len(dims) == 1:
                    matrix = np.vstack([b for b in blocks if b is not None])
                    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                    index.vectors = matrix / np.where(norms == 0, 1, norms)
        with self._lock:
            self._indexes[store_id] = index
            self._indexes.move_to_end(store_id)
            while len(self._indexes) > self._max_indexes:
                self._indexes.popitem(last=False)
        return index

    def search(
        self,
        tenant_id: str,
        store_id: str,
        queries: Sequence[str],
        *,
        max_results: int = 10,
        filters: Mapping[str, Any] | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Hit]:
        """The best chunks for the queries (their terms together), best first.

        Lexical alone: BM25 scores, chunks scoring 0 left out. With ``query_vector`` and a
        store whose chunks all have vectors of its size: BM25 and cosine rankings fused by
        reciprocal rank, the score being the fused one.
        """
        index = self._index(tenant_id, store_id)
        if index.bm25 is None:
            return []
        allowed = index.rows_of(filters)
        wanted = [t for q in queries for t in query_terms(q) if t in index.vocab]
        lexical = np.zeros(len(index.texts), dtype=np.float32)
        if wanted:
            lexical = np.asarray(index.bm25.get_scores(wanted), dtype=np.float32)
        if allowed is not None:
            lexical = np.where(allowed, lexical, 0.0)
        dense = None
        if (
            query_vector is not None
            and index.vectors is not None
            and len(query_vector) == index.vectors.shape[1]
        ):
            q = np.asarray(query_vector, dtype=np.float32)
            dense = index.vectors @ (q / (np.linalg.norm(q) or 1.0))
        if dense is None:
            return self._top(index, lexical, max_results, lexical > 0)
        pool = max(50, max_results * 5)
        fused = np.zeros(len(index.texts), dtype=np.float64)
        lexical_order = [i for i in _best(lexical, pool) if lexical[i] > 0]
        dense_order = [i for i in _best(dense, pool) if allowed is None or allowed[i]]
        for order in (lexical_order, dense_order):
            for rank, i in enumerate(order, 1):
                fused[i] += 1.0 / (RRF_K + rank)
        return self._top(index, fused, max_results, fused > 0)

    def _top(self, index: _Index, scores: np.ndarray, k: int, eligible: np.ndarray) -> list[Hit]:
        hits = []
        for i in _best(np.where(eligible, scores, -np.inf), k):
            if not eligible[i]:
                break
            file_id = index.file_ids[i]
            filename, attrs = index.files[file_id]
            hits.append(Hit(file_id, filename, float(scores[i]), index.texts[i], attrs))
        return hits


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, highest first (ties: lower index first)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.lexsort((top, -scores[top]))]
