"""Who counts as a person (docs/privacy.md), pinned: living private individuals, named with
or without a cue word; not historical figures, fictional characters or placeholders."""

import pytest

from hanji.privacy import detect


def names(text: str) -> list[str]:
    return [text[e.start : e.end] for e in detect(text) if e.type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("감사합니다.\n이수진 드림", ["이수진"]),  # a closing
        ("검토 부탁드립니다.\n\n김서진 배상", ["김서진"]),
        ("[정미경] [오후 3:12] 사진 보냈어요", ["정미경"]),  # a chat export
        ("배민준: 넵 확인했습니다!", ["배민준"]),
        ("| 1 | 김서준 | 영업1팀 | 과장 |", ["김서준"]),  # a table row
        ("정태린\t인사팀\t내선 2041", ["정태린"]),
        ("3, 김민준, 1988-04-12, 서울", ["김민준"]),
        ("- 유민호 (마케팅팀)", ["유민호"]),  # a list item
        ("김정민 | 디지털금융부 과장", ["김정민"]),  # a signature line
        ("입금 김민준 50,000", ["김민준"]),  # transfer memos
        ("이체 최건우 → 배명희 1,200,000원", ["최건우", "배명희"]),
        ("박지안 축의금", ["박지안"]),
        ("박지완·이나라 부부가 운영하는 식당", ["박지완", "이나라"]),
        ("민준아 내일 봐", ["민준"]),  # a given name called out
        ("지유야 오늘 회식 어디서 해?", ["지유"]),
        ("박 대리님 오늘 반차라던데요?", ["박"]),  # a surname and a title
        ("이날 기자회견에는 김태오 한빛은행 노조위원장이 참석했다.", ["김태오"]),
        ("상담원: 성함 부탁드립니다. 고객: 네 장지완요.", ["장지완"]),  # a call transcript
        ("보호자 성명 황보민서, 연락처는 따로 드릴게요", ["황보민서"]),  # a rare surname
    ],
)
def test_living_private_individuals_without_cue_words(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "안중근 의사의 유해 발굴 사업이 재개된다.",  # historical figures
        "이순신 장군 탄신일을 맞아 축제가 열린다.",
        "유관순 열사의 생가가 새로 단장됐다.",
        "성명: 홍길동 (작성 예시)",  # a placeholder marked as an example
        "홍길동 씨처럼 예시 이름을 쓰지 마세요.",
        "오늘 하늘 진짜 맑다",  # words that look like names
        "나라 걱정은 뉴스 보면서 하자",
        "보람 있는 하루였다",
        "말씀해 주세요 ㅎㅎ",  # a verb ending
        "자기야 뭐해",  # a vocative that is no name
        "고객: 이체 한도가 500만원인데 올릴 수 있나요",
        "전 과장님이 말씀하셨어요",  # 전 = former, not a surname here
        "Go Home 하자",
    ],
)
def test_no_person(text):
    assert names(text) == []


def test_a_form_field_names_a_person_even_with_a_historical_name():
    assert names("성명: 김구") == ["김구"]
    assert names("안중근 의사의 후손 안민서 씨가 참석했다") == ["안민서"]


def test_a_placeholder_without_an_example_marker_is_taken_for_a_name():
    assert names("홍길동 씨 계좌로 보내세요") == ["홍길동"]


def test_kiwi_confirms_a_bare_name_only_as_a_proper_noun():
    assert names("ㅇㅇ 김윤정한테 물어봤는데 아직 답 없음") == ["김윤정"]
    assert names("한반도 남쪽에 비가 온다") == []
