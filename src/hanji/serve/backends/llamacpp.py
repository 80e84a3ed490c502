"""In-process backend: a GGUF file run by llama.cpp (llama-cpp-python), for CPU servers.

The request path is the local transformers backend's: the same admission (`WorkerSlots`),
the same stop matching, usage from the tokens actually generated. A `llama_cpp.Llama` is
not thread-safe, so one model generates one request at a time (the rest queue). Chat
prompts are rendered from the chat template inside the GGUF with llama-cpp-python's Jinja
formatter; text is decoded incrementally (UTF-8 split across tokens is held back).
Embeddings use a second llama.cpp context in embedding mode (mean pooling, L2-normalised,
as the transformers backend), opened on the first embeddings request.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    FinishReason,
    GenerateRequest,
    SamplingParams,
    Usage,
)
from hanji.serve.backends.local import _ROLE_FOR_TEMPLATE, _plain_chat
from hanji.serve.backends.slots import WorkerSlots
from hanji.serve.backends.stops import StopMatcher
from hanji.serve.errors import InvalidRequest, ServerError

log = logging.getLogger("hanji.serve.llamacpp")


def load_gguf(path: str, *, embedding: bool = False) -> Any:
    """A llama.cpp model for ``path`` with the model's own context length."""
    from hanji.export.llamacpp import require

    llama_cpp = require()
    extra: dict[str, Any] = {}
    if embedding:
        extra = {"embedding": True, "pooling_type": llama_cpp.LLAMA_POOLING_TYPE_MEAN}
    from hanji.export.llamacpp import load

    return load(path, n_ctx=0, **extra)


class LlamaCppBackend(Backend):
    kind = "llama.cpp"

    def __init__(self, name: str, path: str, *, max_queue: int = 64, loader: Any = None) -> None:
        super().__init__(name)
        self.path = path
        self._loader = loader or load_gguf
        self._workers = WorkerSlots(name, 1, max_queue)
        self.llm: Any = None
        self._embedder: Any = None
        self.context_length: int | None = None
        self._template: Any = None

    @property
    def ready(self) -> bool:
        return self.llm is not None

    async def start(self) -> None:
        if self.llm is not None:
            return
        if not Path(self.path).is_file():
            raise ServerError(f"GGUF file not found: {self.path}")
        self._workers.open("hanji-llamacpp")
        llm = await asyncio.to_thread(self._loader, self.path)
        # llama.cpp rounds the context up (256 for a 128-token model): keep the trained one
        self.context_length = min(int(llm.n_ctx()), int(llm._model.n_ctx_train()))
        self._template = _formatter(llm)
        self.llm = llm
        log.info("llama.cpp model ready", extra={"model": self.name})

    async def close(self) -> None:
        self._workers.close()
        for llm in (self.llm, self._embedder):
            if llm is not None:
                with contextlib.suppress(Exception):
                    llm.close()
        self.llm = self._embedder = None

    # ------------------------------------------------------------ generation

    def _encode(self, request: GenerateRequest) -> list[int]:
        llm = self.llm
        if request.messages is None:
            return list(llm.tokenize(str(request.prompt).encode("utf-8"), add_bos=True))
        if self._template is None:
            text = _plain_chat(request.messages)
            return list(llm.tokenize(text.encode("utf-8"), add_bos=True))
        messages = [
            {"role": _ROLE_FOR_TEMPLATE.get(m.role, m.role), "content": m.content}
            for m in request.messages
        ]
        text = self._template(messages=messages).prompt
        return list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _budget(self, prompt_len: int, wanted: int) -> int:
        room = (self.context_length or prompt_len + wanted) - prompt_len
        if room <= 0:
            raise InvalidRequest(
                f"the prompt has {prompt_len} tokens; the model's context is "
                f"{self.context_length} tokens",
                param="messages",
                code="context_length_exceeded",
            )
        return min(wanted, room)

    def _generate(
        self,
        ids: list[int],
        params: SamplingParams,
        max_new: int,
        push: Any,
        cancel: threading.Event,
    ) -> None:
        llm = self.llm
        try:
            temperature = 1.0 if params.temperature is None else params.temperature
            if params.seed is not None:
                llm.set_seed(params.seed)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            generated, last = 0, None
            for token in llm.generate(
                ids,
                temp=temperature,
                top_k=0,
                top_p=1.0 if params.top_p is None else max(params.top_p, 1e-6),
                min_p=0.0,
                repeat_penalty=1.0,
                presence_penalty=params.presence_penalty or 0.0,
                frequency_penalty=params.frequency_penalty or 0.0,
                reset=True,
            ):
                last = token
                if _is_eog(llm, token):
                    break
                generated += 1
                text = decoder.decode(llm.detokenize([token], special=False))
                if text:
                    push("text", text)
                if generated >= max_new or cancel.is_set():
                    break
            tail = decoder.decode(b"", final=True)
            if tail:
                push("text", tail)
            eog = last is not None and _is_eog(llm, last)
            push("done", (generated, "stop" if eog or generated < max_new else "length"))
        except Exception as exc:  # handed to the event loop, which answers 500
            push("error", exc)
        finally:
            push("end", None)

    async def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        async with self._workers.slot(self.llm is not None):
            ids = await self._workers.run(self._encode, request)
            max_new = self._budget(len(ids), request.params.max_tokens)
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

            def push(kind: str, payload: Any) -> None:
                with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown
                    loop.call_soon_threadsafe(queue.put_nowait, (kind, payload))

            cancel = threading.Event()
            matcher = StopMatcher(request.params.stop)
            worker = loop.run_in_executor(
                self._workers.executor, self._generate, ids, request.params, max_new, push, cancel
            )
            finish: FinishReason | None = None
            generated = 0
            try:
                while True:
                    kind, payload = await queue.get()
                    if kind == "text":
                        text, hit = matcher.feed(payload)
                        if text:
                            yield Chunk(text)
                        if hit:
                            finish = "stop"
                            cancel.set()
                    elif kind == "done":
                        generated, reason = payload
                        finish = finish or reason
                    elif kind == "error":
                        log.error(
                            "generation failed",
                            extra={"model": self.name, "error": type(payload).__name__},
                        )
                        raise ServerError("generation failed")
                    else:
                        break
                tail = matcher.flush()
                if tail:
                    yield Chunk(tail)
                await worker
            finally:
                cancel.set()
            yield Chunk(finish_reason=finish or "stop", usage=Usage(len(ids), generated))

    # ------------------------------------------------------------ embeddings

    async def embed(self, request: EmbedRequest) -> EmbedResult:
        async with self._workers.slot(self.llm is not None):
            return await self._workers.run(self._embed, request)

    def _embed(self, request: EmbedRequest) -> EmbedResult:
        if self._embedder is None:
            self._embedder = self._loader(self.path, embedding=True)
        emb = self._embedder
        n_vocab = int(emb.n_vocab())
        limit = self.context_length or 4096
        vectors: list[list[float]] = []
        tokens = 0
        for item in request.inputs:
            ids = (
                list(emb.tokenize(item.encode("utf-8"), add_bos=True))
                if isinstance(item, str)
                else list(item)
            )
            if any(i < 0 or i >= n_vocab for i in ids):
                raise InvalidRequest("a token id is outside the vocabulary", param="input")
            ids = ids[:limit] or [int(emb.token_eos())]
            tokens += len(ids)
            text = emb.detokenize(ids, special=True).decode("utf-8", "replace")
            vector = emb.embed(text, normalize=True)
            if request.dimensions is not None and request.dimensions != len(vector):
                raise InvalidRequest(
                    f"this model's embeddings have {len(vector)} dimensions", param="dimensions"
                )
            vectors.append(list(vector))
        return EmbedResult(vectors, Usage(prompt_tokens=tokens))


def _is_eog(llm: Any, token: int) -> bool:
    """End of generation: EOS or any token the GGUF marks as ending a turn."""
    import llama_cpp

    return bool(llama_cpp.llama_vocab_is_eog(llama_cpp.llama_model_get_vocab(llm.model), token))


def _formatter(llm: Any) -> Any:
    """llama-cpp-python's renderer of the GGUF's own chat template, or None without one."""
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token_id: int) -> str:
        return llm.detokenize([token_id], special=True).decode("utf-8", "replace")

    return Jinja2ChatFormatter(
        template,
        eos_token=token_text(llm.token_eos()),
        bos_token=token_text(llm.token_bos()),
        add_generation_prompt=True,
    )
