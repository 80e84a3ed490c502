"""POST /v1/responses: a reply, grounded in the tenant's vector stores when file_search is on.

With ``tools=[{"type": "file_search", "vector_store_ids": [...]}]`` the last user message is
searched in those stores (each must be the caller's: 404 otherwise), the passages go into
the system message numbered ``[1]``, ``[2]``..., and the model is asked to cite them so.
The request then takes the same way as a chat completion: the hook chain (tenant policy,
PII guard: passages are scanned like user text, pseudonymised before a backend outside the
perimeter and restored in the answer) and the tenant's backend. The reply's ``[n]`` markers
become ``file_citation`` annotations at the place they stood, in the stream as they come
(`Citer`); the output starts with the ``file_search_call`` item.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence

from pydantic import BaseModel

from hanji.search.service import Documents, Hit
from hanji.serve.backends.base import GenerateRequest, Message, SamplingParams
from hanji.serve.context import RequestContext
from hanji.serve.errors import APIError, ServerError
from hanji.serve.gateway import Gateway
from hanji.serve.handlers.common import account, new_id, nfc, note_unknown_fields, within
from hanji.serve.handlers.documents import query_vector, run, service, tenant_id
from hanji.serve.protocol import (
    FileCitation,
    FileSearchCall,
    FileSearchResult,
    OutputMessage,
    OutputText,
    ResponseObject,
    ResponsesRequest,
    ResponseUsage,
)

log = logging.getLogger("hanji.serve")

GROUNDING = (
    "다음은 사용자의 문서에서 찾은 발췌문입니다. 발췌문에 근거해 한국어로 답하고, 근거로 삼은 "
    "발췌문의 번호를 [1]처럼 문장 끝에 적으세요. 발췌문에 답이 없으면 모른다고 답하세요."
)
MARKER_NUMBERS = 10
"""The most passage numbers one citation marker may name (``[1, 2, ..., 10]``)."""
_MARKER = re.compile(rf"\s?\[([0-9]{{1,2}}(?:\s?,\s?[0-9]{{1,2}}){{0,{MARKER_NUMBERS - 1}}})\]")
_ENDINGS = ("]", "1]", ",1]", "[1]")
MARKER_MAX = len(" [99]") + (MARKER_NUMBERS - 1) * len(" , 99")
"""The longest a citation marker can be, so the most text a stream ever holds back."""


def search_stores(
    docs: Documents,
    tenant: str,
    store_ids: Sequence[str],
    queries: Sequence[str],
    max_results: int,
    filters: dict | None,
    query_vector: list[float] | None = None,
) -> list[Hit]:
    """The best passages over several stores (each store's own ranking merged by score)."""
    hits = [
        hit
        for store_id in store_ids
        for hit in docs.search(
            tenant,
            store_id,
            queries,
            max_results=max_results,
            filters=filters,
            query_vector=query_vector,
        )
    ]
    hits.sort(key=lambda h: -h.score)
    return hits[:max_results]


def grounded_messages(
    instructions: str | None, hits: Sequence[Hit], messages: Sequence[tuple[str, str]]
) -> tuple[Message, ...]:
    system: list[str] = [instructions] if instructions else []
    if hits:
        passages = "\n\n".join(f"[{i}] ({h.filename})\n{h.text}" for i, h in enumerate(hits, 1))
        system.append(f"{GROUNDING}\n\n{passages}")
    out = [Message("system", nfc("\n\n".join(system)))] if system else []
    return (*out, *(Message(role, nfc(text)) for role, text in messages))


class Citer:
    """Citation markers taken out of a reply given in pieces, as annotations where they stood.

    A marker is ``[n]`` or ``[n, m, ...]`` (one or two digits each, at most
    ``MARKER_NUMBERS`` of them), with one optional whitespace character before it. One
    naming a passage that is not there stays in the text. `feed` answers the clean text it
    can release and the annotations it found: it holds back only an end of the text that
    may still become a marker, never more than `MARKER_MAX` characters, so ``[`` followed by
    anything else goes out at once. `cite` feeds a whole reply, so the streamed and the
    non-streamed replies are cut the same way.
    """

    def __init__(self, hits: Sequence[Hit]) -> None:
        self.hits = hits
        self.size = 0
        """Characters of clean text released so far (annotation indices count in them)."""
        self.annotations: list[FileCitation] = []
        self._released: list[str] = []
        self._held = ""

    @property
    def text(self) -> str:
        """The clean text released so far."""
        return "".join(self._released)

    def feed(self, piece: str, *, final: bool = False) -> tuple[str, list[FileCitation]]:
        text = self._held + piece
        out: list[str] = []
        found: list[FileCitation] = []
        last = 0
        for m in _MARKER.finditer(text):
            numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
            if not all(1 <= n <= len(self.hits) for n in numbers):
                continue  # not a passage: the marker stays in the text
            self._release(text[last : m.start()], out)
            last = m.end()
            seen: set[str] = set()
            for n in numbers:
                hit = self.hits[n - 1]
                if hit.file_id not in seen:
                    seen.add(hit.file_id)
                    found.append(
                        FileCitation(file_id=hit.file_id, filename=hit.filename, index=self.size)
                    )
        hold = len(text) if final else _partial_marker(text, last)
        self._release(text[last:hold], out)
        self._held = text[hold:]
        self.annotations.extend(found)
        released = "".join(out)
        self._released.append(released)
        return released, found

    def _release(self, text: str, out: list[str]) -> None:
        out.append(text)
        self.size += len(text)


def _partial_marker(text: str, start: int) -> int:
    """Where the unfinished marker that ends ``text`` begins (``len(text)`` if none does).

    ``text[i:]`` is the start of a marker when one of the shortest endings a marker can be
    missing (a ``]``, a number and ``]``, ``,`` a number and ``]``, or a whole ``[1]``)
    completes it under the same pattern; only the last `MARKER_MAX` characters can be.
    """
    for i in range(max(start, len(text) - MARKER_MAX + 1), len(text)):
        # a marker starts with its bracket or the one whitespace character before it
        if (text[i] == "[" or text[i].isspace()) and any(
            _MARKER.fullmatch(text[i:] + end) for end in _ENDINGS
        ):
            return i
    return len(text)


def cite(text: str, hits: Sequence[Hit]) -> tuple[str, list[FileCitation]]:
    """A whole reply's markers ``[n]`` that name a passage out of the text, as annotations."""
    return Citer(hits).feed(text, final=True)


async def create_response(
    body: ResponsesRequest, ctx: RequestContext, gw: Gateway
) -> BaseModel | AsyncIterator[bytes]:
    note_unknown_fields(ctx, body)
    backend = gw.backend_for(ctx, body.model)
    if ctx.key is not None:
        gw.limiter.check_tokens(ctx.key)
    hits: list[Hit] = []
    call: FileSearchCall | None = None
    if body.tools:
        tool = body.tools[0]
        question = nfc(body.question())
        limit = tool.max_num_results or gw.settings.search_max_results
        started = time.perf_counter()
        queries = [question] if question.strip() else []
        vector = await query_vector(ctx, gw, queries)
        hits = await run(
            search_stores,
            service(gw),
            tenant_id(ctx),
            tool.vector_store_ids,
            queries,
            limit,
            tool.filters,
            vector,
        )
        ctx.decisions.update(
            dense=vector is not None,
            vector_stores=len(tool.vector_store_ids),
            results=len(hits),
            search_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        wants_results = "file_search_call.results" in (body.include or [])
        call = FileSearchCall(
            id=new_id("fs"),
            status="completed",
            queries=[question],
            results=[
                FileSearchResult(
                    file_id=h.file_id,
                    filename=h.filename,
                    score=h.score,
                    text=h.text,
                    attributes=h.attributes or None,
                )
                for h in hits
            ]
            if wants_results
            else None,
        )
    request = GenerateRequest(
        model=body.model,
        params=SamplingParams(
            max_tokens=body.max_output_tokens or gw.settings.default_max_tokens,
            temperature=body.temperature,
            top_p=body.top_p,
        ),
        messages=grounded_messages(body.instructions, hits, body.messages()),
    )
    shell = ResponseObject(
        id=new_id("resp"),
        created_at=int(time.time()),
        status="in_progress",
        instructions=body.instructions,
        max_output_tokens=body.max_output_tokens,
        model=body.model,
        output=[],
        temperature=body.temperature,
        top_p=body.top_p,
        tools=[t.model_dump(exclude_none=True) for t in body.tools],
        metadata=body.metadata or {},
    )
    ctx.stream = bool(body.stream)
    if body.stream:
        chunks = await within(ctx, gw, gw.pipeline.stream(ctx, backend, request))
        return _events(ctx, gw, chunks, shell, call, hits)
    result = await within(ctx, gw, gw.pipeline.generate(ctx, backend, request))
    account(ctx, gw, result.usage)
    text, annotations = cite(result.text, hits)
    ctx.decisions["citations"] = len(annotations)
    message = OutputMessage(
        id=new_id("msg"), content=[OutputText(text=text, annotations=annotations)]
    )
    return shell.model_copy(
        update={
            "status": "incomplete" if result.finish_reason == "length" else "completed",
            "incomplete_details": {"reason": "max_output_tokens"}
            if result.finish_reason == "length"
            else None,
            "output": [*([call] if call else []), message],
            "usage": ResponseUsage(
                input_tokens=result.usage.prompt_tokens,
                output_tokens=result.usage.completion_tokens,
                total_tokens=result.usage.total_tokens,
            ),
        }
    )


def _event(kind: str, sequence: int, **fields: object) -> bytes:
    payload = {"type": kind, "sequence_number": sequence, **fields}
    data = json.dumps(payload, ensure_ascii=False, default=_dump)
    return f"event: {kind}\ndata: {data}\n\n".encode()


def _dump(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(type(value).__name__)


async def _events(
    ctx: RequestContext,
    gw: Gateway,
    chunks: AsyncIterator,
    shell: ResponseObject,
    call: FileSearchCall | None,
    hits: Sequence[Hit],
) -> AsyncIterator[bytes]:
    """The Responses stream: created, the search call, the text in deltas, completed.

    The deltas are the model's text after the guard with the citation markers taken out as
    they come (`Citer`): together they are the text of ``output_text.done`` and of the
    final response, and each marker taken out is an ``output_text.annotation.added``
    right after the delta that ends where it stood.
    """
    seq = 0

    def next_seq() -> int:
        nonlocal seq
        seq += 1
        return seq - 1

    output: list[FileSearchCall | OutputMessage] = []
    message_id = new_id("msg")
    citer = Citer(hits)
    finish = None
    usage = None
    try:
        try:
            yield _event("response.created", next_seq(), response=shell)
            yield _event("response.in_progress", next_seq(), response=shell)
            if call is not None:
                index = len(output)
                searching = call.model_copy(update={"status": "in_progress", "results": None})
                yield _event(
                    "response.output_item.added", next_seq(), output_index=index, item=searching
                )
                for phase in ("in_progress", "searching", "completed"):
                    yield _event(
                        f"response.file_search_call.{phase}",
                        next_seq(),
                        output_index=index,
                        item_id=call.id,
                    )
                yield _event("response.output_item.done", next_seq(), output_index=index, item=call)
                output.append(call)
            index = len(output)
            empty = OutputMessage(id=message_id, status="in_progress", content=[])
            yield _event("response.output_item.added", next_seq(), output_index=index, item=empty)
            yield _event(
                "response.content_part.added",
                next_seq(),
                item_id=message_id,
                output_index=index,
                content_index=0,
                part=OutputText(text=""),
            )

            def cited(piece: str, final: bool = False) -> Iterator[bytes]:
                first = len(citer.annotations)
                delta, found = citer.feed(piece, final=final)
                if delta:
                    yield _event(
                        "response.output_text.delta",
                        next_seq(),
                        item_id=message_id,
                        output_index=index,
                        content_index=0,
                        delta=delta,
                        logprobs=[],
                    )
                for n, annotation in enumerate(found, first):
                    yield _event(
                        "response.output_text.annotation.added",
                        next_seq(),
                        item_id=message_id,
                        output_index=index,
                        content_index=0,
                        annotation_index=n,
                        annotation=annotation,
                    )

            while (chunk := await within(ctx, gw, anext(chunks, None))) is not None:
                if chunk.text:
                    for event in cited(chunk.text):
                        yield event
                if chunk.usage is not None:
                    usage = chunk.usage
                    account(ctx, gw, usage)
                if chunk.finish_reason is not None:
                    finish = chunk.finish_reason
            for event in cited("", final=True):
                yield event
            text, annotations = citer.text, citer.annotations
            ctx.decisions["citations"] = len(annotations)
            part = OutputText(text=text, annotations=annotations)
            yield _event(
                "response.output_text.done",
                next_seq(),
                item_id=message_id,
                output_index=index,
                content_index=0,
                text=text,
                logprobs=[],
            )
            yield _event(
                "response.content_part.done",
                next_seq(),
                item_id=message_id,
                output_index=index,
                content_index=0,
                part=part,
            )
            message = OutputMessage(id=message_id, content=[part])
            yield _event("response.output_item.done", next_seq(), output_index=index, item=message)
            output.append(message)
            done = shell.model_copy(
                update={
                    "status": "incomplete" if finish == "length" else "completed",
                    "output": output,
                    "usage": ResponseUsage(
                        input_tokens=usage.prompt_tokens if usage else 0,
                        output_tokens=usage.completion_tokens if usage else 0,
                        total_tokens=usage.total_tokens if usage else 0,
                    ),
                }
            )
            yield _event("response.completed", next_seq(), response=done)
        except APIError as err:
            ctx.error_code = err.code
            yield _event("error", next_seq(), code=err.code, message=err.message, param=err.param)
        except Exception as exc:
            log.error(
                "stream failed",
                extra={"request_id": ctx.request_id, "error": type(exc).__name__},
            )
            ctx.error_code = "internal_error"
            failed = ServerError("The server had an error while streaming.")
            yield _event("error", next_seq(), code=failed.code, message=failed.message, param=None)
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
