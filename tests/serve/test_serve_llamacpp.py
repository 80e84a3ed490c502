"""The llama.cpp backend: a GGUF exported from the tiny model, served behind the same guard,
audit and tenants, driven by the `openai` SDK."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from serve_fakes import ASK, Running, start_hanji

from engines import needs_llama_cpp

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gguf_file(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    needs_llama_cpp()
    from hanji.export.gguf import export_gguf

    return export_gguf(tiny_model_dir, tmp_path_factory.mktemp("g") / "tiny-ko.gguf").path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, gguf_file: Path) -> Iterator[Running]:
    server, key = start_hanji(tmp_path_factory.mktemp("llamacpp"), gguf_file, local_max_queue=8)
    with server as running:
        yield Running(running.url, key)


def client(s: Running) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{s.url}/v1", api_key=s.key, max_retries=0, timeout=60)


def test_a_gguf_is_served_by_llama_cpp(served: Running, gguf_file: Path) -> None:
    from hanji.serve.app import build_backends
    from hanji.settings import Settings

    (backend,) = build_backends(Settings(models=[{"ref": str(gguf_file)}]))
    assert backend.kind == "llama.cpp"
    assert [m.id for m in client(served).models.list()] == ["tiny-ko"]


def test_greedy_chat_equals_transformers_and_counts_tokens(
    served: Running, tiny_model_dir: Path
) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from hanji.export.verify import hf_greedy

    reply = client(served).chat.completions.create(
        model="tiny-ko", messages=ASK, max_tokens=12, temperature=0
    )
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    prompt = tok.apply_chat_template(ASK, add_generation_prompt=True, tokenize=False)
    ids = tok(prompt, add_special_tokens=False)["input_ids"]
    expected = hf_greedy(model, tok, ids, 12)
    assert reply.usage.prompt_tokens == len(ids)
    assert reply.usage.completion_tokens == len([t for t in expected if t != tok.eos_token_id])
    text = tok.decode(expected, skip_special_tokens=True)
    assert reply.choices[0].message.content == text
    assert reply.choices[0].finish_reason == ("length" if len(expected) == 12 else "stop")


def test_stream_equals_whole_reply_with_usage(served: Running) -> None:
    c = client(served)
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


def test_stop_sequence_cuts_the_reply(served: Running) -> None:
    c = client(served)
    full = c.chat.completions.create(model="tiny-ko", messages=ASK, max_tokens=24, temperature=0)
    text = full.choices[0].message.content or ""
    assert len(text) >= 6, "the tiny model should say something"
    stop = text[3:5]
    cut = c.chat.completions.create(
        model="tiny-ko", messages=ASK, max_tokens=24, temperature=0, stop=[stop]
    )
    assert cut.choices[0].message.content == text[: text.find(stop)]
    assert cut.choices[0].finish_reason == "stop"


def test_text_completion_and_seeded_sampling(served: Running) -> None:
    c = client(served)
    reply = c.completions.create(model="tiny-ko", prompt="서울의 봄은", max_tokens=5, temperature=0)
    assert reply.object == "text_completion" and 1 <= reply.usage.completion_tokens <= 5
    sampled = {
        c.completions.create(
            model="tiny-ko", prompt="서울의 봄은", max_tokens=8, temperature=1.0, seed=7
        )
        .choices[0]
        .text
        for _ in range(2)
    }
    assert len(sampled) == 1


def test_embeddings_are_unit_vectors(served: Running) -> None:
    result = client(served).embeddings.create(
        model="tiny-ko", input=["한지는 종이입니다.", "은행 창구", "한지는 종이입니다."]
    )
    vectors = [d.embedding for d in result.data]
    assert [len(v) for v in vectors] == [32, 32, 32]
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-4) for v in vectors)
    assert vectors[0] == pytest.approx(vectors[2], abs=1e-5)
    assert vectors[0] != pytest.approx(vectors[1])


def test_prompt_longer_than_the_context_is_400(served: Running) -> None:
    long = [{"role": "user", "content": "가나다라마바사 " * 200}]
    with pytest.raises(openai.BadRequestError) as info:
        client(served).chat.completions.create(model="tiny-ko", messages=long, max_tokens=4)
    assert info.value.body["code"] == "context_length_exceeded"


def test_the_guard_masks_pii_before_llama_cpp_sees_it(tmp_path: Path, gguf_file: Path) -> None:
    """The same guard and audit as every backend: the finance profile masks a resident
    registration number in the prompt, and the audit record holds no content."""
    import secrets

    from serve_fakes import ServerThread

    from hanji.serve.app import create_app
    from hanji.settings import Settings
    from hanji.tenants.keys import issue_key
    from hanji.tenants.store import Store

    settings = Settings(
        home=tmp_path, pepper=secrets.token_hex(16), models=[{"ref": str(gguf_file), "name": "g"}]
    )
    store = Store(settings.db_url)
    store.create_tenant("한빛은행", "finance")
    _, key = issue_key(store, settings.pepper_bytes(), "한빛은행")
    store.close()
    rrn = "900101-1234568"
    seen: list[str] = []
    app = create_app(settings)
    (backend,) = app.gateway.backends.values()
    original = backend._encode

    def spy(request):  # type: ignore[no-untyped-def]
        seen.extend(m.content for m in request.messages or ())
        return original(request)

    backend._encode = spy
    with ServerThread(app) as running:
        c = openai.OpenAI(base_url=f"{running.url}/v1", api_key=key, max_retries=0, timeout=60)
        c.chat.completions.create(
            model="g",
            messages=[{"role": "user", "content": f"제 주민번호는 {rrn} 입니다."}],
            max_tokens=4,
        )
    assert seen and all(rrn not in s for s in seen) and "<RRN_1>" in seen[0]
    stored = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert stored and not any(rrn.encode() in b for b in stored)  # store, audit, journal
