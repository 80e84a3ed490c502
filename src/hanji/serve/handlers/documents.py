"""Files and vector stores (/v1/files, /v1/vector_stores...), over `hanji.search.service`.

Every call runs the service on a worker thread (database, vault, parsing); adding a file to
a store schedules its indexing on the service's one ingestion thread and waits up to
``search_ingest_wait_s`` for it, so small files answer ``completed`` and large ones
``in_progress`` (the SDK's ``*_and_poll`` helpers poll). Audit records get ids, sizes,
counts and timings in ``ctx.decisions``: never a name, a query or content.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from hanji.search.chunk import Chunking
from hanji.search.service import (
    STATUSES,
    Documents,
    Embed,
    FileInfo,
    SearchNotFound,
    StoreFileInfo,
    StoreInfo,
)
from hanji.serve.backends.base import Backend, EmbedRequest
from hanji.serve.context import RequestContext
from hanji.serve.errors import InvalidRequest, NotFound, ServiceUnavailable
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.common import nfc, note_unknown_fields, within
from hanji.serve.protocol import (
    ChunkingStrategyObject,
    ChunkingStrategyParam,
    FileCounts,
    FileDeleted,
    FileList,
    FileObject,
    FileUploadRequest,
    LastError,
    SearchContent,
    SearchResult,
    SearchResultsPage,
    StaticChunkingObject,
    VectorStoreCreateRequest,
    VectorStoreDeleted,
    VectorStoreFileCreateRequest,
    VectorStoreFileDeleted,
    VectorStoreFileList,
    VectorStoreFileObject,
    VectorStoreList,
    VectorStoreObject,
    VectorStoreSearchRequest,
)

T = TypeVar("T")


def service(gw: Gateway) -> Documents:
    if gw.documents is None:
        raise ServiceUnavailable("Document search is not enabled on this gateway.")
    return gw.documents


def tenant_id(ctx: RequestContext) -> str:
    assert ctx.tenant is not None  # tenant routes always carry one
    return ctx.tenant.id


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """The service call on a worker thread; another tenant's object is a plain 404."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except SearchNotFound as exc:
        raise NotFound(str(exc), code=None) from None


def chunking_of(param: ChunkingStrategyParam | None) -> Chunking | None:
    if param is None:
        return None
    if param.type == "auto" or param.static is None:
        return Chunking()
    return Chunking(param.static.max_chunk_size_tokens, param.static.chunk_overlap_tokens)


def file_object(info: FileInfo) -> FileObject:
    return FileObject(
        id=info.id,
        bytes=info.bytes,
        created_at=info.created_at,
        filename=info.filename,
        purpose=info.purpose,
    )


def store_object(info: StoreInfo) -> VectorStoreObject:
    return VectorStoreObject(
        id=info.id,
        created_at=info.created_at,
        name=info.name,
        usage_bytes=info.usage_bytes,
        file_counts=FileCounts(**info.file_counts),
        status=info.status,  # type: ignore[arg-type]
        last_active_at=info.last_active_at,
        metadata=info.metadata,
    )


def store_file_object(info: StoreFileInfo) -> VectorStoreFileObject:
    error = None
    if info.error_code is not None:
        error = LastError(code=info.error_code, message=info.error_message or "")  # type: ignore[arg-type]
    return VectorStoreFileObject(
        id=info.file_id,
        usage_bytes=info.usage_bytes,
        created_at=info.created_at,
        vector_store_id=info.store_id,
        status=info.status,  # type: ignore[arg-type]
        last_error=error,
        chunking_strategy=ChunkingStrategyObject(
            static=StaticChunkingObject(
                max_chunk_size_tokens=info.chunking["max_tokens"],
                chunk_overlap_tokens=info.chunking["overlap"],
            )
        ),
        attributes=info.attributes,
    )


# ------------------------------------------------------------ files


async def upload_file(body: FileUploadRequest, ctx: RequestContext, gw: Gateway) -> FileObject:
    note_unknown_fields(ctx, body)
    docs = service(gw)
    info = await run(docs.add_file, tenant_id(ctx), nfc(body.filename), body.purpose, body.file)
    ctx.decisions.update(file_id=info.id, bytes=info.bytes)
    return file_object(info)


async def list_files(body: None, ctx: RequestContext, gw: Gateway) -> FileList:
    files = await run(service(gw).list_files, tenant_id(ctx), query_value(ctx, "purpose"))
    ctx.decisions["count"] = len(files)
    data = [file_object(f) for f in files]
    return FileList(
        data=data, first_id=data[0].id if data else None, last_id=data[-1].id if data else None
    )


async def get_file(body: None, ctx: RequestContext, gw: Gateway) -> FileObject:
    file_id = ctx.path_params["file_id"]
    return file_object(await run(service(gw).get_file, tenant_id(ctx), file_id))


async def delete_file(body: None, ctx: RequestContext, gw: Gateway) -> FileDeleted:
    file_id = ctx.path_params["file_id"]
    await run(service(gw).delete_file, tenant_id(ctx), file_id)
    ctx.decisions["file_id"] = file_id
    return FileDeleted(id=file_id)


# ------------------------------------------------------------ vector stores


def embedding_backend(ctx: RequestContext, gw: Gateway) -> Backend | None:
    """The gateway's embeddings model, if set, served, and the tenant may use it."""
    name = gw.settings.search_embedding_model
    backend = gw.backends.get(name) if name else None
    if backend is None or ctx.tenant is None or not ctx.tenant.may_use(backend.name):
        return None
    return backend


def embedder(ctx: RequestContext, gw: Gateway) -> Embed | None:
    """A blocking ``embed`` for the ingestion thread: batches through the hook chain (PII
    guard, perimeter) on the event loop."""
    backend = embedding_backend(ctx, gw)
    if backend is None:
        return None
    loop = asyncio.get_running_loop()

    def embed(texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), 64):
            request = EmbedRequest(model=backend.name, inputs=tuple(texts[start : start + 64]))
            work = gw.pipeline.embed(ctx, backend, request)
            result = asyncio.run_coroutine_threadsafe(work, loop).result(
                gw.settings.request_timeout_s
            )
            vectors.extend(result.vectors)
        return vectors

    return embed


async def query_vector(ctx: RequestContext, gw: Gateway, queries: list[str]) -> list[float] | None:
    """The queries' vector from the embeddings model (None: lexical search only)."""
    backend = embedding_backend(ctx, gw)
    if backend is None or not queries:
        return None
    request = EmbedRequest(model=backend.name, inputs=(" ".join(queries),))
    result = await within(ctx, gw, gw.pipeline.embed(ctx, backend, request))
    return list(result.vectors[0])


async def _ingest(
    ctx: RequestContext, gw: Gateway, docs: Documents, tenant: str, store_id: str, file_id: str
) -> None:
    """Index one attached file on the ingestion thread; the wait is bounded, the work is not."""
    loop = asyncio.get_running_loop()
    embed = embedder(ctx, gw)
    work = loop.run_in_executor(docs.executor, docs.ingest, tenant, store_id, file_id, embed)
    docs.pending.add(work)
    work.add_done_callback(docs.pending.discard)
    try:
        await asyncio.wait_for(asyncio.shield(work), gw.settings.search_ingest_wait_s)
    except TimeoutError:
        pass


async def create_store(
    body: VectorStoreCreateRequest, ctx: RequestContext, gw: Gateway
) -> VectorStoreObject:
    note_unknown_fields(ctx, body)
    docs = service(gw)
    tenant = tenant_id(ctx)
    chunking = chunking_of(body.chunking_strategy) or Chunking()
    for file_id in body.file_ids:  # every file must be the caller's before anything is made
        await run(docs.get_file, tenant, file_id)
    name = nfc(body.name) if body.name else body.name
    store_id = await run(docs.create_store, tenant, name, body.metadata, chunking)
    for file_id in body.file_ids:
        await run(docs.attach, tenant, store_id, file_id, None, None)
    started = time.perf_counter()
    await asyncio.gather(*(_ingest(ctx, gw, docs, tenant, store_id, f) for f in body.file_ids))
    ctx.decisions.update(
        vector_store_id=store_id,
        files=len(body.file_ids),
        ingest_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    return store_object(await run(docs.get_store, tenant, store_id))


async def list_stores(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreList:
    stores = [store_object(s) for s in await run(service(gw).list_stores, tenant_id(ctx))]
    return VectorStoreList(
        data=stores,
        first_id=stores[0].id if stores else None,
        last_id=stores[-1].id if stores else None,
    )


async def get_store(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreObject:
    store_id = ctx.path_params["vector_store_id"]
    return store_object(await run(service(gw).get_store, tenant_id(ctx), store_id))


async def delete_store(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreDeleted:
    store_id = ctx.path_params["vector_store_id"]
    await run(service(gw).delete_store, tenant_id(ctx), store_id)
    ctx.decisions["vector_store_id"] = store_id
    return VectorStoreDeleted(id=store_id)


async def add_store_file(
    body: VectorStoreFileCreateRequest, ctx: RequestContext, gw: Gateway
) -> VectorStoreFileObject:
    note_unknown_fields(ctx, body)
    docs = service(gw)
    tenant = tenant_id(ctx)
    store_id = ctx.path_params["vector_store_id"]
    attributes = body.attributes
    await run(
        docs.attach, tenant, store_id, body.file_id, attributes, chunking_of(body.chunking_strategy)
    )
    started = time.perf_counter()
    await _ingest(ctx, gw, docs, tenant, store_id, body.file_id)
    info = await run(docs.get_store_file, tenant, store_id, body.file_id)
    ctx.decisions.update(
        vector_store_id=store_id,
        file_id=body.file_id,
        status=info.status,
        ingest_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    return store_file_object(info)


def query_value(ctx: RequestContext, name: str) -> str | None:
    values = parse_qs(ctx.query_string.decode("latin-1")).get(name)
    return values[-1] if values else None


async def list_store_files(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreFileList:
    store_id = ctx.path_params["vector_store_id"]
    status = query_value(ctx, "filter")
    if status is not None and status not in STATUSES:
        raise InvalidRequest(f"filter must be one of {', '.join(STATUSES)}.", param="filter")
    files = await run(service(gw).list_store_files, tenant_id(ctx), store_id, status)
    data = [store_file_object(f) for f in files]
    return VectorStoreFileList(
        data=data, first_id=data[0].id if data else None, last_id=data[-1].id if data else None
    )


async def get_store_file(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreFileObject:
    store_id, file_id = ctx.path_params["vector_store_id"], ctx.path_params["file_id"]
    return store_file_object(
        await run(service(gw).get_store_file, tenant_id(ctx), store_id, file_id)
    )


async def delete_store_file(body: None, ctx: RequestContext, gw: Gateway) -> VectorStoreFileDeleted:
    store_id, file_id = ctx.path_params["vector_store_id"], ctx.path_params["file_id"]
    await run(service(gw).detach, tenant_id(ctx), store_id, file_id)
    ctx.decisions.update(vector_store_id=store_id, file_id=file_id)
    return VectorStoreFileDeleted(id=file_id)


async def search_store(
    body: VectorStoreSearchRequest, ctx: RequestContext, gw: Gateway
) -> SearchResultsPage:
    note_unknown_fields(ctx, body)
    if body.rewrite_query:
        raise InvalidRequest("rewrite_query is not supported.", param="rewrite_query")
    store_id = ctx.path_params["vector_store_id"]
    queries = [nfc(q) for q in body.queries() if q.strip()]
    started = time.perf_counter()
    vector = await query_vector(ctx, gw, queries)
    hits = await run(
        service(gw).search,
        tenant_id(ctx),
        store_id,
        queries,
        max_results=body.max_num_results,
        filters=body.filters,
        query_vector=vector,
    )
    ctx.decisions.update(
        vector_store_id=store_id,
        dense=vector is not None,
        results=len(hits),
        search_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    data = [
        SearchResult(
            file_id=h.file_id,
            filename=h.filename,
            score=h.score,
            attributes=h.attributes or None,
            content=[SearchContent(text=h.text)],
        )
        for h in hits
    ]
    return SearchResultsPage(search_query=queries, data=data)
