"""Request schemas tolerate unknown fields and refuse what the gateway cannot honour."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hanji.serve.backends.stops import StopMatcher
from hanji.serve.protocol import (
    ChatCompletionRequest,
    CompletionRequest,
    DeltaMessage,
    EmbeddingRequest,
)

MSG = [{"role": "user", "content": "김치찌개 끓이는 법 알려줘"}]
KNOWN = set(ChatCompletionRequest.model_fields)

extra_names = st.text(
    alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=12
).filter(lambda name: name not in KNOWN)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(extra_names, json_values, max_size=4))
def test_unknown_fields_are_kept_by_name_not_rejected(extras: dict) -> None:
    request = ChatCompletionRequest.model_validate({"model": "m", "messages": MSG, **extras})
    assert request.unknown_fields() == sorted(extras)


@pytest.mark.parametrize(
    ("patch", "param"),
    [
        ({"n": 2}, "n"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"temperature": 2.5}, "temperature"),
        ({"top_p": -0.1}, "top_p"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"logprobs": True}, "logprobs"),
        ({"messages": []}, "messages"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages",
        ),
    ],
)
def test_chat_request_refuses_what_cannot_be_honoured(patch: dict, param: str) -> None:
    with pytest.raises(ValidationError) as info:
        ChatCompletionRequest.model_validate({"model": "m", "messages": MSG, **patch})
    assert info.value.errors()[0]["loc"][0] == param


def test_text_parts_are_joined_and_missing_content_is_empty() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": "m",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "서울의 "},
                        {"type": "text", "text": "봄"},
                    ],
                },
                {"role": "assistant", "content": None},
            ],
            "stop": "끝",
        }
    )
    assert [m.text() for m in request.messages] == ["서울의 봄", ""]
    assert request.stop_list() == ("끝",)


def test_completion_prompt_forms() -> None:
    assert CompletionRequest(model="m", prompt=["한 줄"]).prompt_text() == "한 줄"
    for bad in ([1, 2, 3], ["a", "b"], []):
        with pytest.raises(ValidationError):
            CompletionRequest(model="m", prompt=bad)


def test_embedding_inputs_normalise_to_a_list() -> None:
    assert EmbeddingRequest(model="m", input="한지").inputs() == ["한지"]
    assert EmbeddingRequest(model="m", input=[5, 6]).inputs() == [[5, 6]]
    assert EmbeddingRequest(model="m", input=[[5], [6, 7]]).inputs() == [[5], [6, 7]]
    with pytest.raises(ValidationError):
        EmbeddingRequest(model="m", input=[])


def test_delta_carries_only_what_changed() -> None:
    assert DeltaMessage().model_dump() == {}
    assert DeltaMessage(content="안녕").model_dump() == {"content": "안녕"}


def test_stop_sequence_split_across_pieces_is_cut() -> None:
    matcher = StopMatcher(["</끝>"])
    out = []
    for piece in ["안녕하세요 </", "끝", "> 뒤는 버림"]:
        text, hit = matcher.feed(piece)
        out.append(text)
        if hit:
            break
    assert "".join(out) == "안녕하세요 " and matcher.stopped


def test_held_prefix_is_released_when_not_a_stop() -> None:
    matcher = StopMatcher(["###"])
    assert matcher.feed("제목 #") == ("제목 ", False)
    assert matcher.feed("# 아님") == ("## 아님", False)
    assert matcher.feed("끝#") == ("끝", False)
    assert matcher.flush() == "#"


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="가나다#", max_size=30), st.lists(st.integers(1, 5), max_size=10))
def test_stop_matcher_equals_cutting_the_whole_text(text: str, cuts: list[int]) -> None:
    stop = "#나#"
    pieces, rest = [], text
    for size in cuts:
        pieces.append(rest[:size])
        rest = rest[size:]
    pieces.append(rest)
    matcher = StopMatcher([stop])
    out = []
    for piece in pieces:
        emitted, hit = matcher.feed(piece)
        out.append(emitted)
        if hit:
            break
    out.append(matcher.flush())
    expected = text.split(stop)[0]
    assert "".join(out) == expected
