"""What the stream guard must hold for the recognisers added for natural text.

The recognisers export their hold patterns (NUMBER_HOLD, PERSON_HOLD, ADDRESS_HOLD); the
guard (stream.py) decides at which characters a hold may start. A partial lot address
starts at any 동/리 word and a vocative at any given name, so the guard tries every
Hangul syllable: otherwise a chunk boundary just after "역삼동 8" would release the start
of the address unmasked.
"""

import pytest

from hanji.privacy import StreamGuard, detect, redact

CASES = [
    "고객: 어 공일공 칠사이일 팔팔삼오 맞아요",
    "감사합니다.\n이수진 드림",
    "입금 김민준 50,000",
    "상담원: 네 고객님. 고객: 네 장지완요.",
    "| 1 | 김서준 | 영업1팀 |",
    "이날 기자회견에는 김태오 한빛은행 노조위원장이 참석했다.",
    "박 대리님 오늘 반차래",
    "ㅇㅇ 김윤정한테 물어봤는데",
    "Best regards, Chung Do-hyun 드림",
    "홍길동 씨 계좌로 보내세요",
    "부산 해운대구 우동 1408 센텀파크 102동 3303호에 삽니다",
    "계좌는 110 482 339017 이고요",
    "연락처요? 공일공에 하나둘셋넷 다섯여섯일곱여덟이요",
    "전화번호 공일공 하나 둘 셋 넷 다섯 여섯 일곱 여덟 맞죠",
]
# Nothing to find, but a cut must not make the guard find something either.
NEGATIVES = ["성명: 홍길동 (작성 예시)", "안중근 의사의 유해"]


def _every_cut(text: str) -> list[str]:
    outs = []
    for cut in range(1, len(text)):
        guard = StreamGuard("redact")
        outs.append(guard.feed(text[:cut]) + guard.feed(text[cut:]) + guard.flush())
    return outs


@pytest.mark.parametrize("text", CASES)
def test_new_candidates_are_held_across_any_cut(text):
    want = redact(text, detect(text))
    assert want != text
    assert all(out == want for out in _every_cut(text))


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_cut_turns_a_negative_into_a_finding(text):
    assert detect(text) == []
    assert all(out == text for out in _every_cut(text))


def test_a_partial_address_is_held_across_any_cut():
    text = "근처 역삼동 824-11 근처"
    want = redact(text, detect(text))
    assert want != text
    assert all(out == want for out in _every_cut(text))
