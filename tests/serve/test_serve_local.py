"""The local backend on a tiny real Llama, driven by the `openai` SDK (sync, async, streaming)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from serve_fakes import ASK, Running, start_hanji


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Iterator[Running]:
    server, key = start_hanji(
        tmp_path_factory.mktemp("local"), tiny_model_dir, local_max_concurrency=1, local_max_queue=8
    )
    with server as running:
        yield Running(running.url, key)


def client(local: Running) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{local.url}/v1", api_key=local.key, max_retries=0, timeout=60)


def test_model_is_listed_under_its_name(local: Running) -> None:
    assert [m.id for m in client(local).models.list()] == ["tiny-ko"]


def test_greedy_chat_is_deterministic_and_counts_tokens(local: Running) -> None:
    c = client(local)
    first = c.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=12, temperature=0)
    second = c.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=12, temperature=0)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.usage.prompt_tokens > 5 and 1 <= first.usage.completion_tokens <= 12
    assert first.choices[0].finish_reason in ("stop", "length")
    if first.usage.completion_tokens == 12:
        assert first.choices[0].finish_reason == "length"


def test_stream_equals_whole_reply(local: Running) -> None:
    c = client(local)
    whole = c.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=16, temperature=0)
    chunks = list(
        c.chat.completions.create(
            model="tiny-ko",
            messages=ASK,
            max_tokens=16,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert streamed == whole.choices[0].message.content
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_seeded_sampling_repeats(local: Running) -> None:
    c = client(local)
    replies = {
        c.chat.completions.create(
            model="tiny-ko", messages=ASK, max_tokens=10, temperature=1.0, top_p=0.9, seed=1234
        )
        .choices[0]
        .message.content
        for _ in range(2)
    }
    assert len(replies) == 1


def test_async_concurrency_is_queued_not_refused(local: Running) -> None:
    async def main() -> list[int]:
        ac = openai.AsyncOpenAI(base_url=f"{local.url}/v1", api_key=local.key, max_retries=0)
        try:
            replies = await asyncio.gather(
                *[
                    ac.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=6)
                    for _ in range(4)
                ]
            )
        finally:
            await ac.close()
        return [r.usage.completion_tokens for r in replies]

    counts = asyncio.run(main())
    assert len(counts) == 4 and all(1 <= n <= 6 for n in counts)


def test_text_completion(local: Running) -> None:
    reply = client(local).completions.create(
        model="tiny-ko", prompt="서울의 봄은", max_tokens=5, temperature=0
    )
    assert reply.object == "text_completion" and reply.usage.completion_tokens <= 5


def test_embeddings_are_unit_mean_pooled_vectors(local: Running) -> None:
    c = client(local)
    result = c.embeddings.create(
        model="tiny-ko", input=["한지는 종이입니다.", "은행 창구", "한지는 종이입니다."]
    )
    vectors = [d.embedding for d in result.data]
    assert [len(v) for v in vectors] == [32, 32, 32]
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-4) for v in vectors)
    assert vectors[0] == pytest.approx(vectors[2], abs=1e-6) and vectors[0] != pytest.approx(
        vectors[1]
    )
    assert result.usage.prompt_tokens > 0
    with pytest.raises(openai.BadRequestError):
        c.embeddings.create(model="tiny-ko", input="한지", dimensions=8)


def test_prompt_longer_than_the_context_is_400(local: Running) -> None:
    long = [{"role": "user", "content": "가나다라마바사 " * 200}]
    with pytest.raises(openai.BadRequestError) as info:
        client(local).chat.completions.create(model="tiny-ko", messages=long, max_tokens=4)
    assert info.value.body["code"] == "context_length_exceeded"


def test_stop_sequence_cuts_the_reply(local: Running) -> None:
    c = client(local)
    text = c.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=24, temperature=0)
    full = text.choices[0].message.content or ""
    assert len(full) >= 6, "the tiny model should say something"
    stop = full[3:5]
    cut = c.chat.completions.create(
        model="tiny-ko", messages=ASK, max_tokens=24, temperature=0, stop=[stop]
    )
    assert cut.choices[0].message.content == full[: full.find(stop)]
    assert cut.choices[0].finish_reason == "stop"
