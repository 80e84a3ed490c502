"""E-mail, passports, IPv6, addresses and names."""

import pytest

from hanji.privacy import detect


def found(text: str, types=None) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in detect(text, types=types)]


def test_emails():
    assert found("메일 hong.gd@example.co.kr으로") == [("EMAIL", "hong.gd@example.co.kr")]
    assert found("a_b+tag@sub.example.io, c@d.kr") == [
        ("EMAIL", "a_b+tag@sub.example.io"),
        ("EMAIL", "c@d.kr"),
    ]
    assert found("@멘션 user@ 골뱅이") == []


def test_passports_old_and_new_formats():
    assert found("여권번호 M12345678") == [("PASSPORT", "M12345678")]
    assert found("여권 M123A4567 발급") == [("PASSPORT", "M123A4567")]
    assert found("M123A4567 확인") == [("PASSPORT", "M123A4567")]  # new format alone
    assert found("모델 M12345678") == []  # old format needs context
    assert found("부품 SM-G991N") == []


def test_ipv6():
    assert found("주소 2001:db8:85a3::8a2e:370:7334 차단") == [
        ("IP", "2001:db8:85a3::8a2e:370:7334")
    ]
    assert found("시각 12:30:45") == []


@pytest.mark.parametrize(
    "addr",
    [
        "서울특별시 강남구 테헤란로 123",
        "경기도 성남시 분당구 판교역로 235, 101동 1203호",
        "부산 해운대구 해운대로 570 (우동)",
        "강남구 역삼동 123-45",
        "경기도 양평군 양평읍 양근리 456번지",
        "서울시 마포구 월드컵북로 396, 3층",
        "세종특별자치시 한누리대로 2130",
        "대전광역시 유성구 대학로 99",
        "서울 종로구 종로1가 12",
        "인천 남동구 구월동 1138",
    ],
)
def test_addresses(addr):
    assert found(f"주소는 {addr}입니다.", ["ADDRESS"]) == [("ADDRESS", addr)]
    assert found(f"{addr}로 보내주세요", ["ADDRESS"]) == [("ADDRESS", addr)]


@pytest.mark.parametrize(
    "text",
    [
        "서울시 강남구 일대에 비가 내렸다",
        "강남구청역 2번 출구",
        "서울 중구 을지로3가역 근처",
        "서울 강남대로 10차선",
        "테헤란로 123에서 만나",  # no region word
    ],
)
def test_address_negatives(text):
    assert found(text, ["ADDRESS"]) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("김민준 과장님께 전달했습니다.", "김민준"),
        ("이서연 씨는 어제 왔다", "이서연"),
        ("박지호님 안녕하세요", "박지호"),
        ("예금주: 최수아", "최수아"),
        ("성명 김구", "김구"),
        ("최수아(34)씨는 말했다", "최수아"),
        ("남궁민수 교수 연구팀", "남궁민수"),
        ("담당자는 정하윤 대리입니다", "정하윤"),
        ("김민준 010-1234-5678", "김민준"),
        ("받는 분은 한지원입니다", "한지원"),
        ("권정환 전 장관은 밝혔다", "권정환"),
        ("김민준은 학교에 갔다", "김민준"),  # known given name + particle
    ],
)
def test_person_positives(text, name):
    assert ("PERSON", name) in found(text), found(text)


def test_person_lists():
    text = "참석자: 김민준, 이서연, 박지호"
    assert [v for t, v in found(text)] == ["김민준", "이서연", "박지호"]
    text = "김민준, 이서연, 박지호 대리가 합류합니다"
    assert [v for t, v in found(text)] == ["김민준", "이서연", "박지호"]
    text = "원고 김재현, 피고 오세윤"
    assert [v for t, v in found(text)] == ["김재현", "오세윤"]


@pytest.mark.parametrize(
    "text",
    [
        "한국인 선수가 우승했다",
        "유명한 작가의 책",
        "신임 장관은 말했다",
        "이사장님께서 오셨다",
        "김부장님이 회의실을 잡았다",
        "김치찌개를 먹었다",
        "조용한 학생이 발표했다",
        "공영주차장을 무료로 개방",
        "한국의 대표적인 음식",
        "현미경은 빛을 모은다",
        "자전거를 이용하는 사람",
        "간호사 선생님께 물어보세요",
        "정부는 발표했다",
    ],
)
def test_person_negatives(text):
    assert found(text, ["PERSON"]) == []
