"""OpenAI wire schemas (pydantic models only), in the order the OpenAI reference lists fields.

Requests tolerate unknown fields (``extra="allow"``): clients send vendor extensions and
newer fields all the time, and rejecting them would break SDKs. The handler logs their
names. Responses are closed models so that what goes out is exactly the documented shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class OpenAIRequest(BaseModel):
    """Base of request bodies: unknown fields are kept (and logged by name), not rejected."""

    model_config = ConfigDict(extra="allow")

    def unknown_fields(self) -> list[str]:
        return sorted(self.model_extra or {})


# ---------------------------------------------------------------- errors


class ErrorInfo(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorInfo


# ---------------------------------------------------------------- shared


class UsageInfo(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class StreamOptions(OpenAIRequest):
    include_usage: bool | None = False


class GenerationRequest(OpenAIRequest):
    """Fields shared by chat and text completions."""

    model: str
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    n: int | None = 1
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    user: str | None = None

    @field_validator("stop")
    @classmethod
    def _at_most_four(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences are allowed")
        return value

    @field_validator("n")
    @classmethod
    def _only_one(cls, value: int | None) -> int | None:
        if value is not None and value != 1:
            raise ValueError("only n=1 is supported")
        return value

    def stop_list(self) -> tuple[str, ...]:
        if self.stop is None:
            return ()
        stops = [self.stop] if isinstance(self.stop, str) else self.stop
        return tuple(s for s in stops if s)

    def wants_usage_chunk(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


# ---------------------------------------------------------------- chat


class ChatMessage(OpenAIRequest):
    role: Role
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None

    @field_validator("content")
    @classmethod
    def _text_parts_only(
        cls, value: str | list[dict[str, Any]] | None
    ) -> str | list[dict[str, Any]] | None:
        if isinstance(value, list):
            for part in value:
                if part.get("type") != "text" or not isinstance(part.get("text"), str):
                    raise ValueError("only text content parts are supported")
        return value

    def text(self) -> str:
        """The message as plain text: text parts are joined, a missing content is empty."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part["text"] for part in self.content)


class ChatCompletionRequest(GenerationRequest):
    messages: list[ChatMessage] = Field(min_length=1)
    logprobs: bool | None = False
    max_completion_tokens: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)

    @field_validator("logprobs")
    @classmethod
    def _no_logprobs(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError("logprobs are not supported")
        return value


class ChatCompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None = None


class ChatCompletionChoice(BaseModel):
    index: int
    message: ChatCompletionMessage
    logprobs: None = None
    finish_reason: FinishReason | None = None


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatCompletionChoice]
    usage: UsageInfo
    system_fingerprint: str | None = None


class DeltaMessage(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: Any) -> dict[str, Any]:
        """A delta carries only what changed; the last one is ``{}``."""
        return {k: v for k, v in handler(self).items() if v is not None}


class ChatCompletionStreamChoice(BaseModel):
    index: int
    delta: DeltaMessage
    logprobs: None = None
    finish_reason: FinishReason | None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChatCompletionStreamChoice]
    usage: UsageInfo | None = None
    system_fingerprint: str | None = None


# ---------------------------------------------------------------- completions


class CompletionRequest(GenerationRequest):
    prompt: str | list[str] | list[int] | list[list[int]]
    echo: bool | None = False
    logprobs: int | None = None
    max_tokens: int | None = Field(default=16, ge=1)
    suffix: str | None = None

    @field_validator("prompt")
    @classmethod
    def _text_prompt(
        cls, value: str | list[str] | list[int] | list[list[int]]
    ) -> str | list[str] | list[int] | list[list[int]]:
        if isinstance(value, list):
            if len(value) == 0:
                raise ValueError("prompt must not be empty")
            if not all(isinstance(item, str) for item in value):
                raise ValueError("token-id prompts are not supported; send text")
            if len(value) > 1:
                raise ValueError("only one prompt per request is supported")
        return value

    @field_validator("logprobs")
    @classmethod
    def _no_logprobs(cls, value: int | None) -> int | None:
        if value:
            raise ValueError("logprobs are not supported")
        return value

    @field_validator("suffix")
    @classmethod
    def _no_suffix(cls, value: str | None) -> str | None:
        if value:
            raise ValueError("suffix (fill-in-the-middle) is not supported")
        return value

    def prompt_text(self) -> str:
        return self.prompt if isinstance(self.prompt, str) else str(self.prompt[0])


class CompletionChoice(BaseModel):
    index: int
    text: str
    logprobs: None = None
    finish_reason: FinishReason | None = None


class CompletionResponse(BaseModel):
    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: UsageInfo | None = None
    system_fingerprint: str | None = None


# ---------------------------------------------------------------- embeddings


class EmbeddingRequest(OpenAIRequest):
    input: str | list[str] | list[int] | list[list[int]]
    model: str
    dimensions: int | None = Field(default=None, ge=1)
    encoding_format: Literal["float", "base64"] = "float"
    user: str | None = None

    @field_validator("input")
    @classmethod
    def _not_empty(
        cls, value: str | list[str] | list[int] | list[list[int]]
    ) -> str | list[str] | list[int] | list[list[int]]:
        if isinstance(value, list):
            if len(value) == 0:
                raise ValueError("input must not be empty")
            if len(value) > 2048:
                raise ValueError("at most 2048 inputs per request")
            if any(isinstance(item, list) and len(item) == 0 for item in value):
                raise ValueError("token-id inputs must not be empty")
        return value

    def inputs(self) -> list[str] | list[list[int]]:
        """One list of items, each text or a token-id list."""
        value = self.input
        if isinstance(value, str):
            return [value]
        if value and all(isinstance(item, int) for item in value):
            return [list(value)]  # type: ignore[arg-type]
        return list(value)  # type: ignore[arg-type]


class EmbeddingData(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int = 0
    total_tokens: int = 0


class EmbeddingResponse(BaseModel):
    object: Literal["list"] = "list"
    data: list[EmbeddingData]
    model: str
    usage: EmbeddingUsage


# ---------------------------------------------------------------- models


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "hanji"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


# ---------------------------------------------------------------- files


FilePurpose = Literal["assistants", "user_data"]


class FileUploadRequest(OpenAIRequest):
    """POST /v1/files: a multipart form (``file``, ``purpose``), not JSON."""

    purpose: FilePurpose
    filename: str = Field(min_length=1, max_length=512)
    file: bytes


class FileObject(BaseModel):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    status: Literal["uploaded", "processed", "error"] = "processed"
    expires_at: int | None = None
    status_details: str | None = None


class FileList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FileObject]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class FileDeleted(BaseModel):
    id: str
    object: Literal["file"] = "file"
    deleted: bool = True


# ---------------------------------------------------------------- vector stores

AttributeValue = str | float | bool


class StaticChunking(OpenAIRequest):
    max_chunk_size_tokens: int = Field(default=400, ge=100, le=4096)
    chunk_overlap_tokens: int = Field(default=100, ge=0)


class ChunkingStrategyParam(OpenAIRequest):
    type: Literal["auto", "static"] = "auto"
    static: StaticChunking | None = None

    @field_validator("static")
    @classmethod
    def _overlap_fits(cls, value: StaticChunking | None) -> StaticChunking | None:
        if value is not None and value.chunk_overlap_tokens > value.max_chunk_size_tokens // 2:
            raise ValueError("chunk_overlap_tokens must not exceed max_chunk_size_tokens / 2")
        return value


def _check_metadata(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        if len(value) > 16:
            raise ValueError("at most 16 keys are allowed")
        if any(len(k) > 64 for k in value):
            raise ValueError("keys are at most 64 characters")
        if any(isinstance(v, str) and len(v) > 512 for v in value.values()):
            raise ValueError("values are at most 512 characters")
    return value


class VectorStoreCreateRequest(OpenAIRequest):
    name: str | None = Field(default=None, max_length=256)
    file_ids: list[str] = Field(default_factory=list, max_length=500)
    chunking_strategy: ChunkingStrategyParam | None = None
    metadata: dict[str, str] | None = None
    description: str | None = None

    metadata_ok = field_validator("metadata")(_check_metadata)


class FileCounts(BaseModel):
    in_progress: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


class VectorStoreObject(BaseModel):
    id: str
    object: Literal["vector_store"] = "vector_store"
    created_at: int
    name: str | None = None
    usage_bytes: int = 0
    file_counts: FileCounts
    status: Literal["expired", "in_progress", "completed"]
    expires_after: None = None
    expires_at: int | None = None
    last_active_at: int | None = None
    metadata: dict[str, str] | None = None


class VectorStoreList(BaseModel):
    object: Literal["list"] = "list"
    data: list[VectorStoreObject]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class VectorStoreDeleted(BaseModel):
    id: str
    object: Literal["vector_store.deleted"] = "vector_store.deleted"
    deleted: bool = True


class VectorStoreFileCreateRequest(OpenAIRequest):
    file_id: str
    attributes: dict[str, AttributeValue] | None = None
    chunking_strategy: ChunkingStrategyParam | None = None

    attributes_ok = field_validator("attributes")(_check_metadata)


class LastError(BaseModel):
    code: Literal["server_error", "unsupported_file", "invalid_file"]
    message: str


class StaticChunkingObject(BaseModel):
    max_chunk_size_tokens: int
    chunk_overlap_tokens: int


class ChunkingStrategyObject(BaseModel):
    type: Literal["static"] = "static"
    static: StaticChunkingObject


class VectorStoreFileObject(BaseModel):
    id: str
    object: Literal["vector_store.file"] = "vector_store.file"
    usage_bytes: int = 0
    created_at: int
    vector_store_id: str
    status: Literal["in_progress", "completed", "cancelled", "failed"]
    last_error: LastError | None = None
    chunking_strategy: ChunkingStrategyObject
    attributes: dict[str, AttributeValue] | None = None


class VectorStoreFileList(BaseModel):
    object: Literal["list"] = "list"
    data: list[VectorStoreFileObject]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class VectorStoreFileDeleted(BaseModel):
    id: str
    object: Literal["vector_store.file.deleted"] = "vector_store.file.deleted"
    deleted: bool = True


def _check_filters(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        from hanji.search.filters import check_filter

        check_filter(value)
    return value


class VectorStoreSearchRequest(OpenAIRequest):
    query: str | list[str]
    max_num_results: int = Field(default=10, ge=1, le=50)
    filters: dict[str, Any] | None = None
    rewrite_query: bool = False

    filters_ok = field_validator("filters")(_check_filters)

    @field_validator("query")
    @classmethod
    def _not_empty(cls, value: str | list[str]) -> str | list[str]:
        queries = [value] if isinstance(value, str) else value
        if not queries or not any(q.strip() for q in queries):
            raise ValueError("query must not be empty")
        return value

    def queries(self) -> list[str]:
        return [self.query] if isinstance(self.query, str) else list(self.query)


class SearchContent(BaseModel):
    type: Literal["text"] = "text"
    text: str


class SearchResult(BaseModel):
    file_id: str
    filename: str
    score: float
    attributes: dict[str, AttributeValue] | None = None
    content: list[SearchContent]


class SearchResultsPage(BaseModel):
    object: Literal["vector_store.search_results.page"] = "vector_store.search_results.page"
    search_query: list[str]
    data: list[SearchResult]
    has_more: bool = False
    next_page: str | None = None


# ---------------------------------------------------------------- responses


class FileSearchTool(OpenAIRequest):
    type: Literal["file_search"]
    vector_store_ids: list[str] = Field(min_length=1, max_length=16)
    max_num_results: int | None = Field(default=None, ge=1, le=50)
    filters: dict[str, Any] | None = None

    filters_ok = field_validator("filters")(_check_filters)


class ResponseInputMessage(OpenAIRequest):
    type: Literal["message"] = "message"
    role: Literal["user", "system", "developer", "assistant"]
    content: str | list[dict[str, Any]]

    @field_validator("content")
    @classmethod
    def _text_parts_only(cls, value: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
        if isinstance(value, list):
            for part in value:
                kind = part.get("type")
                if kind not in ("input_text", "output_text") or not isinstance(
                    part.get("text"), str
                ):
                    raise ValueError("only input_text and output_text content parts are supported")
        return value

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part["text"] for part in self.content)


class ResponsesRequest(OpenAIRequest):
    model: str
    input: str | list[ResponseInputMessage]
    instructions: str | None = None
    tools: list[FileSearchTool] = Field(default_factory=list, max_length=1)
    include: list[str] | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    metadata: dict[str, str] | None = None
    stream: bool | None = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    store: bool | None = None
    user: str | None = None

    @field_validator("input")
    @classmethod
    def _not_empty(
        cls, value: str | list[ResponseInputMessage]
    ) -> str | list[ResponseInputMessage]:
        if isinstance(value, list) and not value:
            raise ValueError("input must not be empty")
        return value

    def messages(self) -> list[tuple[str, str]]:
        if isinstance(self.input, str):
            return [("user", self.input)]
        return [("system" if m.role == "developer" else m.role, m.text()) for m in self.input]

    def question(self) -> str:
        """The last user message: what file_search looks for."""
        users = [text for role, text in self.messages() if role == "user"]
        return users[-1] if users else ""


class FileCitation(BaseModel):
    type: Literal["file_citation"] = "file_citation"
    file_id: str
    filename: str
    index: int


class OutputText(BaseModel):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[FileCitation] = Field(default_factory=list)
    logprobs: list[Any] = Field(default_factory=list)


class OutputMessage(BaseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"] = "completed"
    content: list[OutputText]


class FileSearchResult(BaseModel):
    file_id: str
    filename: str
    score: float
    text: str
    attributes: dict[str, AttributeValue] | None = None


class FileSearchCall(BaseModel):
    id: str
    type: Literal["file_search_call"] = "file_search_call"
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
    queries: list[str]
    results: list[FileSearchResult] | None = None


class ResponseUsage(BaseModel):
    input_tokens: int = 0
    input_tokens_details: dict[str, int] = Field(default_factory=lambda: {"cached_tokens": 0})
    output_tokens: int = 0
    output_tokens_details: dict[str, int] = Field(default_factory=lambda: {"reasoning_tokens": 0})
    total_tokens: int = 0


class ResponseObject(BaseModel):
    id: str
    object: Literal["response"] = "response"
    created_at: int
    status: Literal["completed", "failed", "in_progress", "incomplete"] = "completed"
    error: None = None
    incomplete_details: dict[str, str] | None = None
    instructions: str | None = None
    max_output_tokens: int | None = None
    model: str
    output: list[FileSearchCall | OutputMessage]
    parallel_tool_calls: bool = True
    previous_response_id: None = None
    temperature: float | None = None
    text: dict[str, Any] = Field(default_factory=lambda: {"format": {"type": "text"}})
    tool_choice: str | dict[str, Any] = "auto"
    tools: list[dict[str, Any]] = Field(default_factory=list)
    top_p: float | None = None
    usage: ResponseUsage | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
