"""Test helpers for the gateway: a scripted backend, a tiny real model, a server in a thread."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from hanji.serve.app import create_app
from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    GenerateRequest,
    Usage,
)
from hanji.serve.errors import APIError
from hanji.settings import Settings
from hanji.tenants.keys import issue_key
from hanji.tenants.store import Store

KOREAN_LINES = [
    "한지는 천 년 동안 한국의 글을 실어 온 종이입니다.",
    "오늘은 '갓생' 살기로 했어요! 점심은 김치찌개예요.",
    "서울의 봄은 짧지만 벚꽃은 아름답습니다.",
    "은행 창구에서 통장을 새로 만들었습니다.",
    "Hello, 세계! 1234 ABC xyz.",
]

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class FakeBackend(Backend):
    """Replies with fixed pieces; records what it was asked; can fail or dawdle on cue."""

    kind = "fake"

    def __init__(
        self,
        name: str = "fake-ko",
        pieces: Sequence[str] = ("안녕", "하세요", ", 반갑습니다!"),
        *,
        fail_before: APIError | None = None,
        fail_at: int | None = None,
        delay_s: float = 0.0,
        host: str | None = None,
    ) -> None:
        super().__init__(name)
        self.pieces = list(pieces)
        self.fail_before = fail_before
        self.fail_at = fail_at
        self.delay_s = delay_s
        self._host = host
        self.requests: list[GenerateRequest] = []
        self.embeds: list[EmbedRequest] = []
        self.closed_streams = 0

    @property
    def host(self) -> str | None:
        return self._host

    async def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        self.requests.append(request)
        if self.fail_before is not None:
            raise self.fail_before
        try:
            for i, piece in enumerate(self.pieces):
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                if self.fail_at == i:
                    raise RuntimeError("backend exploded with 비밀 내용")
                yield Chunk(piece)
            yield Chunk(finish_reason="stop", usage=Usage(7, len(self.pieces)))
        finally:
            self.closed_streams += 1

    async def embed(self, request: EmbedRequest) -> EmbedResult:
        self.embeds.append(request)
        vectors = [[float(len(item)), 0.5, -0.25, 1.0] for item in request.inputs]
        return EmbedResult(vectors, Usage(prompt_tokens=sum(len(i) for i in request.inputs)))


def build_tiny_model(path: Path) -> Path:
    """A 2-layer Llama with a byte-level BPE tokenizer trained here on Korean lines."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(KOREAN_LINES * 4, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        bos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    fast.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    fast.save_pretrained(path)
    return path


class ServerThread:
    """Run an ASGI app under uvicorn on 127.0.0.1 in a daemon thread, on a free port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


ASK = [{"role": "user", "content": "한지로 무엇을 만들 수 있나요?"}]


@dataclass
class Running:
    url: str
    key: str


def start_hanji(home: Path, model_dir: Path, **overrides: object) -> tuple[ServerThread, str]:
    """A real hanji server over a model dir, with one tenant key; used as upstream too."""
    settings = Settings(
        home=home,
        pepper=secrets.token_hex(16),
        models=[{"ref": str(model_dir), "name": "tiny-ko"}],
        **overrides,
    )
    store = Store(settings.db_url)
    store.create_tenant("테스트", "general")
    _, key = issue_key(store, settings.pepper_bytes(), "테스트")
    store.close()
    return ServerThread(create_app(settings)), key
