"""In-process backend: a transformers model dir, generated in worker threads.

Concurrency is bounded by `WorkerSlots` (``max_concurrency`` worker threads, at most
``max_queue`` requests waiting, 429 beyond).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    FinishReason,
    GenerateRequest,
    Message,
    SamplingParams,
    Usage,
)
from hanji.serve.backends.slots import WorkerSlots
from hanji.serve.backends.stops import StopMatcher
from hanji.serve.errors import InvalidRequest, ServerError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger("hanji.serve.local")

_ROLE_FOR_TEMPLATE = {"developer": "system", "function": "tool"}
_EMBED_BATCH = 16


def load_model_dir(ref: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Resolve ``ref`` (a run, a model folder or a hub id) through `hanji.modeling`."""
    from hanji.modeling import load_model_and_tokenizer

    return load_model_and_tokenizer(ref)


class _QueueStreamer:
    """A transformers token streamer that hands decoded text to an asyncio queue.

    Built on ``TextStreamer`` (word-safe incremental decoding, incomplete UTF-8 held
    back); it also counts generated tokens and remembers the last one for finish_reason.
    """

    def __init__(
        self,
        tokenizer: PreTrainedTokenizerBase,
        loop: asyncio.AbstractEventLoop,
        queue: asyncio.Queue[tuple[str, Any]],
    ) -> None:
        from transformers import TextStreamer

        outer = self

        class _Streamer(TextStreamer):
            def put(self, value: Any) -> None:
                if not self.next_tokens_are_prompt:
                    flat = value.reshape(-1).tolist()
                    outer.generated += len(flat)
                    if flat:
                        outer.last_token = flat[-1]
                super().put(value)

            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    outer.push("text", text)

        self.generated = 0
        self.last_token: int | None = None
        self._loop = loop
        self._queue = queue
        self.streamer = _Streamer(tokenizer, skip_prompt=True, skip_special_tokens=True)

    def push(self, kind: str, payload: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown
            self._loop.call_soon_threadsafe(self._queue.put_nowait, (kind, payload))


class LocalBackend(Backend):
    kind = "local"

    def __init__(
        self,
        name: str,
        ref: str,
        *,
        max_concurrency: int = 1,
        max_queue: int = 64,
        loader: Any = None,
    ) -> None:
        super().__init__(name)
        self.ref = ref
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self._loader = loader or load_model_dir
        self._workers = WorkerSlots(name, max_concurrency, max_queue)
        self._seed_lock = threading.Lock()
        self.model: PreTrainedModel | None = None
        self.tokenizer: PreTrainedTokenizerBase | None = None
        self.context_length: int | None = None
        self._eos: set[int] = set()

    # ------------------------------------------------------------ lifecycle

    @property
    def ready(self) -> bool:
        return self.model is not None

    async def start(self) -> None:
        if self.model is not None:
            return
        self._workers.open("hanji-gen")
        model, tokenizer = await asyncio.to_thread(self._loader, self.ref)
        if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
            tokenizer.pad_token = tokenizer.eos_token
        self.context_length = getattr(model.config, "max_position_embeddings", None)
        eos = model.generation_config.eos_token_id
        eos = tokenizer.eos_token_id if eos is None else eos
        self._eos = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
        self.model, self.tokenizer = model, tokenizer
        log.info("local model ready", extra={"model": self.name})

    async def close(self) -> None:
        self._workers.close()
        self.model = self.tokenizer = None

    def _slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._workers.slot(self.model is not None)

    async def _in_worker(self, fn: Any, *args: Any) -> Any:
        return await self._workers.run(fn, *args)

    # ------------------------------------------------------------ generation

    def _prompt_text(self, request: GenerateRequest) -> tuple[str, bool]:
        """The text to tokenise and whether special tokens must still be added."""
        tok = self.tokenizer
        assert tok is not None
        if request.messages is None:
            return str(request.prompt), True
        messages = [
            {"role": _ROLE_FOR_TEMPLATE.get(m.role, m.role), "content": m.content}
            for m in request.messages
        ]
        if getattr(tok, "chat_template", None):
            text = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            return str(text), False
        return _plain_chat(request.messages), True

    def _encode(self, request: GenerateRequest) -> list[int]:
        tok = self.tokenizer
        assert tok is not None
        text, special = self._prompt_text(request)
        return list(tok(text, add_special_tokens=special)["input_ids"])

    def _budget(self, prompt_len: int, wanted: int) -> int:
        if self.context_length is None:
            return wanted
        room = self.context_length - prompt_len
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
        streamer: _QueueStreamer,
        cancel: threading.Event,
    ) -> None:
        import torch

        model = self.model
        tok = self.tokenizer
        assert model is not None and tok is not None
        try:
            input_ids = torch.tensor([ids], device=model.device)
            temperature = 1.0 if params.temperature is None else params.temperature
            sampling: dict[str, Any] = {"do_sample": temperature > 0}
            if temperature > 0:
                sampling.update(
                    temperature=temperature,
                    top_p=1.0 if params.top_p is None else max(params.top_p, 1e-6),
                    top_k=0,
                )
            else:
                sampling.update(temperature=None, top_p=None, top_k=None)
            stop = _cancel_criteria(cancel)
            with self._seed_lock if params.seed is not None else contextlib.nullcontext():
                if params.seed is not None:
                    torch.manual_seed(params.seed)
                with torch.inference_mode():
                    model.generate(
                        input_ids=input_ids,
                        attention_mask=torch.ones_like(input_ids),
                        max_new_tokens=max_new,
                        streamer=streamer.streamer,
                        stopping_criteria=stop,
                        pad_token_id=tok.pad_token_id,
                        **sampling,
                    )
        except Exception as exc:  # handed to the event loop, which answers 500
            streamer.push("error", exc)
        finally:
            streamer.push("end", None)

    async def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        async with self._slot():
            ids = await self._in_worker(self._encode, request)
            max_new = self._budget(len(ids), request.params.max_tokens)
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
            streamer = _QueueStreamer(self.tokenizer, loop, queue)  # type: ignore[arg-type]
            cancel = threading.Event()
            matcher = StopMatcher(request.params.stop)
            worker = loop.run_in_executor(
                self._workers.executor,
                self._generate,
                ids,
                request.params,
                max_new,
                streamer,
                cancel,
            )
            finish: FinishReason | None = None
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
            if finish is None:
                finish = self._finish_reason(streamer, max_new)
            yield Chunk(finish_reason=finish, usage=Usage(len(ids), streamer.generated))

    def _finish_reason(self, streamer: _QueueStreamer, max_new: int) -> FinishReason:
        if streamer.last_token in self._eos:
            return "stop"
        return "length" if streamer.generated >= max_new else "stop"

    # ------------------------------------------------------------ embeddings

    async def embed(self, request: EmbedRequest) -> EmbedResult:
        async with self._slot():
            return await self._in_worker(self._embed, request)

    def _embed(self, request: EmbedRequest) -> EmbedResult:
        import torch

        model, tok = self.model, self.tokenizer
        assert model is not None and tok is not None
        limit = self.context_length or 4096
        rows: list[list[int]] = []
        for item in request.inputs:
            ids = (
                list(tok(item, add_special_tokens=True)["input_ids"])
                if isinstance(item, str)
                else list(item)
            )
            if any(i < 0 or i >= model.config.vocab_size for i in ids):
                raise InvalidRequest("a token id is outside the vocabulary", param="input")
            rows.append(ids[:limit] or [tok.pad_token_id or 0])
        hidden_size = int(model.config.hidden_size)
        if request.dimensions is not None and request.dimensions != hidden_size:
            raise InvalidRequest(
                f"this model's embeddings have {hidden_size} dimensions", param="dimensions"
            )
        body = getattr(model, "base_model", model)
        vectors: list[list[float]] = []
        for start in range(0, len(rows), _EMBED_BATCH):
            batch = rows[start : start + _EMBED_BATCH]
            width = max(len(r) for r in batch)
            pad = tok.pad_token_id or 0
            ids = torch.tensor([r + [pad] * (width - len(r)) for r in batch], device=model.device)
            mask = torch.tensor(
                [[1] * len(r) + [0] * (width - len(r)) for r in batch], device=model.device
            )
            with torch.inference_mode():
                out = body(input_ids=ids, attention_mask=mask)
                hidden = out.last_hidden_state.float()
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
            vectors.extend(pooled.cpu().tolist())
        return EmbedResult(vectors, Usage(prompt_tokens=sum(len(r) for r in rows)))


def _plain_chat(messages: tuple[Message, ...]) -> str:
    """A template for base models that ship none: one ``role: text`` line per message."""
    lines = [f"{m.role}: {m.content}" for m in messages]
    return "\n".join([*lines, "assistant:"])


def _cancel_criteria(cancel: threading.Event) -> Any:
    """A stopping criterion that ends generation when the request is cancelled or stopped."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _Cancelled(StoppingCriteria):
        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), cancel.is_set(), dtype=torch.bool)

    return StoppingCriteriaList([_Cancelled()])
