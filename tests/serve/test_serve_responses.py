"""Citations in /v1/responses: the streamed deltas are the final clean text, cut the same way.

`Citer` takes ``[n]`` markers out of a reply given in pieces; `cite` is the same citer fed
the whole reply. Split anywhere (inside ``[``, between digits, before ``]``, a marker at
the very end, a passage out of range, a ``[`` that starts no marker), the pieces give the
same text and annotations as the whole, and through the real `openai` SDK the deltas of
``responses.stream`` add up to the final text, which is the non-streamed reply's.
"""

from __future__ import annotations

import random

import openai
import pytest
from starlette.testclient import TestClient
from test_serve_documents import sdk, tenant, upload

from hanji.search.service import Hit
from hanji.serve.app import create_app
from hanji.serve.backends.base import Backend, Chunk, GenerateRequest, Usage
from hanji.serve.handlers.responses import MARKER_MAX, Citer, cite
from hanji.settings import Settings
from hanji.tenants.store import Store

HITS = [
    Hit("file-a", "여신규정.txt", 2.0, "개인 신용대출의 한도는 연소득의 1.5배로 한다.", {}),
    Hit("file-b", "상환규정.txt", 1.0, "원리금은 매월 균등하게 상환한다.", {}),
]
# "|" marks where the upstream cuts its pieces: inside "[", before "]", between the digits
# of "[12]" (out of range, like "[9]"), after "[" that starts no marker, and a marker at
# the very end cut before its "]".
SCRIPT = (
    "한도는 연소득의 1.5배입니다 [|1]. 상환은 매월 균등하게 합니다[2|]. "
    "배열 a[|i]와 [|참고]는 그대로, 범위 밖 [1|2]와 [9]도 그대로, 둘 다 [1,| 2|]"
)
ANSWER = SCRIPT.replace("|", "")
CLEAN = (
    "한도는 연소득의 1.5배입니다. 상환은 매월 균등하게 합니다. "
    "배열 a[i]와 [참고]는 그대로, 범위 밖 [12]와 [9]도 그대로, 둘 다"
)


def streamed(pieces: list[str], hits: list[Hit] = HITS) -> tuple[str, list]:
    citer = Citer(hits)
    out = [citer.feed(piece)[0] for piece in pieces]
    out.append(citer.feed("", final=True)[0])
    return "".join(out), citer.annotations


def test_cite_takes_out_the_markers_of_passages_that_exist() -> None:
    text, annotations = cite(ANSWER, HITS)
    assert text == CLEAN
    first = len("한도는 연소득의 1.5배입니다")
    second = len("한도는 연소득의 1.5배입니다. 상환은 매월 균등하게 합니다")
    assert [(a.file_id, a.index) for a in annotations] == [
        ("file-a", first),
        ("file-b", second),
        ("file-a", len(CLEAN)),
        ("file-b", len(CLEAN)),
    ]
    assert cite("같은 파일 [1, 1].", HITS) == (
        "같은 파일.",
        [annotations[0].model_copy(update={"index": 5})],
    )


def test_any_split_gives_the_whole_reply_s_text_and_annotations() -> None:
    whole = cite(ANSWER, HITS)
    assert streamed(SCRIPT.split("|")) == whole
    assert streamed(list(ANSWER)) == whole  # one character at a time
    for cut in range(len(ANSWER) + 1):
        assert streamed([ANSWER[:cut], ANSWER[cut:]]) == whole, cut


def test_random_replies_split_at_random_agree_and_hold_back_little() -> None:
    rng = random.Random(23)
    alphabet = ["[", "]", "1", "2", "9", "0", ",", " ", "\n", "가", "a"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(0, 6))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        citer = Citer(HITS)
        out = []
        for piece in pieces:
            out.append(citer.feed(piece)[0])
            assert len(citer._held) < MARKER_MAX
        out.append(citer.feed("", final=True)[0])
        assert ("".join(out), citer.annotations) == cite(text, HITS), repr(pieces)


def test_only_a_possible_marker_is_held_back() -> None:
    citer = Citer(HITS)
    assert citer.feed("표 [가") == ("표 [가", [])  # "[" then a letter: out at once
    assert citer.feed(" 그리고 [") == (" 그리고", [])  # " [" may still be a marker
    assert citer.feed("1, 2, 3, 4, 5, 6, 7, 8, 9, 10") == ("", [])  # ten numbers: may be
    # an eleventh number makes it no marker; it goes out whole
    assert citer.feed(", 11") == (" [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11", [])
    assert citer.feed(" 끝 [1") == (" 끝", [])
    assert citer.feed("", final=True) == (" [1", [])  # the end: nothing is held


class Scripted(Backend):
    """Streams `SCRIPT` cut at its "|"s."""

    kind = "scripted"

    def __init__(self) -> None:
        super().__init__("fake-ko")
        self.seen: list[GenerateRequest] = []

    async def stream(self, request: GenerateRequest):
        self.seen.append(request)
        for piece in SCRIPT.split("|"):
            yield Chunk(piece)
        yield Chunk(finish_reason="stop", usage=Usage(10, 5))


@pytest.fixture
def oa(settings: Settings, store: Store):
    with TestClient(create_app(settings, backends=[Scripted()], store=store)) as client:
        yield sdk(client, tenant(store, settings, "한빛은행"))


def test_the_sdk_stream_s_deltas_are_the_final_clean_text(oa: openai.OpenAI) -> None:
    rules = upload(oa, "여신규정.txt", "개인 신용대출의 한도는 연소득의 1.5배로 한다.".encode())
    repay = upload(oa, "상환규정.txt", "신용대출 원리금은 매월 균등하게 상환한다.".encode())
    vs = oa.vector_stores.create(name="규정집", file_ids=[rules, repay])
    ask = {
        "model": "fake-ko",
        "input": "신용대출 한도와 상환은?",
        "tools": [{"type": "file_search", "vector_store_ids": [vs.id]}],
        "include": ["file_search_call.results"],
    }
    reply = oa.responses.create(**ask)
    assert [r.file_id for r in reply.output[0].results] in ([rules, repay], [repay, rules])
    first, second = (r.file_id for r in reply.output[0].results)
    assert reply.output_text == CLEAN
    annotations = reply.output[1].content[0].annotations
    assert [(a.file_id, a.index) for a in annotations] == [
        (first, len("한도는 연소득의 1.5배입니다")),
        (second, len("한도는 연소득의 1.5배입니다. 상환은 매월 균등하게 합니다")),
        (first, len(CLEAN)),
        (second, len(CLEAN)),
    ]

    with oa.responses.stream(**ask) as stream:
        events = list(stream)
        final = stream.get_final_response()
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    added = [e for e in events if e.type == "response.output_text.annotation.added"]
    (done,) = [e.text for e in events if e.type == "response.output_text.done"]
    assert "".join(deltas) == done == final.output_text == reply.output_text
    assert [a.annotation_index for a in added] == [0, 1, 2, 3]
    as_dicts = [a.model_dump() for a in annotations]
    assert [e.annotation.model_dump() for e in added] == as_dicts
    assert [a.model_dump() for a in final.output[1].content[0].annotations] == as_dicts
    message_id = final.output[1].id
    assert {(e.item_id, e.output_index, e.content_index) for e in added} == {(message_id, 1, 0)}
    # each annotation arrives once the text before its place has
    text_events = [e for e in events if e.type == "response.output_text.delta"]
    for event in added:
        sent = "".join(e.delta for e in text_events if e.sequence_number < event.sequence_number)
        assert len(sent) >= event.annotation.index

    raw = oa.responses.create(**ask, stream=True)
    kinds = [event.type for event in raw]
    assert kinds.count("response.output_text.annotation.added") == 4
