"""The gateway's routes: one table, from which the ASGI app and the OpenAPI document are built.

Each row is a method, a path template (``{name}`` one segment, ``{name:path}`` the rest), the
handler ``async (body, ctx, gw) -> reply``, the pydantic model the body is parsed with (None
for routes without a body), what it answers (for the OpenAPI document), and who may call it.
Every request then takes the same way through `hanji.serve.asgi.GatewayApp`: authenticate,
parse the body with the route's model, check the key against the route, call the handler.
A new route is one row here plus its handler.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.responses import Response

from hanji.serve.auth import Access
from hanji.serve.context import RequestContext
from hanji.serve.gateway import Gateway
from hanji.serve.handlers import (
    chat,
    completions,
    documents,
    embeddings,
    models,
    ops,
    responses,
)
from hanji.serve.protocol import (
    ChatCompletionRequest,
    ChatCompletionResponse,
    CompletionRequest,
    CompletionResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    ErrorResponse,
    FileDeleted,
    FileList,
    FileObject,
    FileUploadRequest,
    ModelCard,
    ModelList,
    OpenAIRequest,
    ResponseObject,
    ResponsesRequest,
    SearchResultsPage,
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

Reply = BaseModel | AsyncIterator[bytes] | Response
"""A handler's answer: a model (sent as JSON), an SSE byte stream, or a ready response."""
Handler = Callable[[Any, RequestContext, Gateway], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    body: type[OpenAIRequest] | None = None
    returns: type[BaseModel] | None = None
    access: Access = Access.TENANT
    label: str = field(default="")
    """Metrics and records label; default: the path template without converters."""
    form: bool = False
    """The body is a multipart form with a file (limit ``files_max_bytes``), not JSON."""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", re.sub(r"\{(\w+):\w+\}", r"{\1}", self.path))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", ops.healthz, access=Access.PUBLIC),
    Route("GET", "/metrics", ops.metrics, access=Access.ADMIN),
    Route("GET", "/v1/models", models.list_models, returns=ModelList),
    Route("GET", "/v1/models/{model:path}", models.get_model, returns=ModelCard),
    Route(
        "POST",
        "/v1/chat/completions",
        chat.create_chat_completion,
        ChatCompletionRequest,
        ChatCompletionResponse,
    ),
    Route(
        "POST",
        "/v1/completions",
        completions.create_completion,
        CompletionRequest,
        CompletionResponse,
    ),
    Route(
        "POST",
        "/v1/embeddings",
        embeddings.create_embeddings,
        EmbeddingRequest,
        EmbeddingResponse,
    ),
    Route("POST", "/v1/responses", responses.create_response, ResponsesRequest, ResponseObject),
    Route("POST", "/v1/files", documents.upload_file, FileUploadRequest, FileObject, form=True),
    Route("GET", "/v1/files", documents.list_files, returns=FileList),
    Route("GET", "/v1/files/{file_id}", documents.get_file, returns=FileObject),
    Route("DELETE", "/v1/files/{file_id}", documents.delete_file, returns=FileDeleted),
    Route(
        "POST",
        "/v1/vector_stores",
        documents.create_store,
        VectorStoreCreateRequest,
        VectorStoreObject,
    ),
    Route("GET", "/v1/vector_stores", documents.list_stores, returns=VectorStoreList),
    Route(
        "GET", "/v1/vector_stores/{vector_store_id}", documents.get_store, returns=VectorStoreObject
    ),
    Route(
        "DELETE",
        "/v1/vector_stores/{vector_store_id}",
        documents.delete_store,
        returns=VectorStoreDeleted,
    ),
    Route(
        "POST",
        "/v1/vector_stores/{vector_store_id}/files",
        documents.add_store_file,
        VectorStoreFileCreateRequest,
        VectorStoreFileObject,
    ),
    Route(
        "GET",
        "/v1/vector_stores/{vector_store_id}/files",
        documents.list_store_files,
        returns=VectorStoreFileList,
    ),
    Route(
        "GET",
        "/v1/vector_stores/{vector_store_id}/files/{file_id}",
        documents.get_store_file,
        returns=VectorStoreFileObject,
    ),
    Route(
        "DELETE",
        "/v1/vector_stores/{vector_store_id}/files/{file_id}",
        documents.delete_store_file,
        returns=VectorStoreFileDeleted,
    ),
    Route(
        "POST",
        "/v1/vector_stores/{vector_store_id}/search",
        documents.search_store,
        VectorStoreSearchRequest,
        SearchResultsPage,
    ),
)

_ERROR_STATUSES = ("400", "401", "403", "404", "413", "429", "500", "502", "503", "504")


def openapi(routes: Iterable[Route] = ROUTES) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (not served: for clients, docs and fuzzing)."""
    from hanji import __version__

    routes = tuple(routes)
    wanted: list[tuple[type[BaseModel], Any]] = [(ErrorResponse, "serialization")]
    wanted += [(r.body, "validation") for r in routes if r.body is not None]
    wanted += [(r.returns, "serialization") for r in routes if r.returns is not None]
    refs, defs = models_json_schema(wanted, ref_template="#/components/schemas/{model}")
    error_schema = refs[(ErrorResponse, "serialization")]
    error = {"description": "Error", "content": {"application/json": {"schema": error_schema}}}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        ok: dict[str, Any] = {"description": "OK"}
        if route.returns is not None:
            schema = refs[(route.returns, "serialization")]
            ok["content"] = {"application/json": {"schema": schema}}
        operation: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "security": [] if route.access is Access.PUBLIC else [{"bearer": []}],
            "responses": {"200": ok, **dict.fromkeys(_ERROR_STATUSES, error)},
        }
        if route.body is not None:
            schema = refs[(route.body, "validation")]
            mime = "multipart/form-data" if route.form else "application/json"
            operation["requestBody"] = {"required": True, "content": {mime: {"schema": schema}}}
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        paths.setdefault(template, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "hanji gateway", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
