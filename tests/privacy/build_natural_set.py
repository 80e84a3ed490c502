"""Build tests/data/pii_natural.jsonl, PII in text that looks like real traffic (run by hand).

    .venv/bin/python tests/privacy/build_natural_set.py

Today's set (pii_eval.jsonl) puts most identifiers next to their labels (예금주 …, 성명: …).
This one is written the way a bank's staff and customers write: 카카오톡 chat, speech-to-text
call-centre transcripts, news, 공문, e-mail signatures, table rows, bank transfer memos and
민원, plus hard negatives (historical figures, placeholders such as 홍길동, ordinary words
that look like names, verb endings, representative numbers, public offices). Every
sentence template is original, written for hanji; every identifier is fictional and
generated here; offsets are computed by this script while it fills the templates.

Each template belongs to one split, chosen by its register and position, so that the same
sentence shape never appears in both halves: "tune" lines may be read while writing the
detectors, "heldout" lines are read only to report.

Gold follows docs/privacy.md ("who counts as a person"): living private individuals named
by their full name, their given name (addressed or mentioned in chat: 민준아 → 민준), a
surname with a title (박 대리님 → 박) or a romanised name; not historical figures,
fictional characters or placeholders. An address runs from its first region word (or, for a
partial address, its 동/리) to its end: building number, building name, 동/호/층. A number
is its digits as written (separators, spaces or spoken digits included).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from privacy_ids import with_luhn

OUT = Path(__file__).resolve().parents[1] / "data" / "pii_natural.jsonl"
rng = random.Random(20261204)

# --- people -----------------------------------------------------------------------------

# Surnames with rough weights (most Koreans carry one of the first few).
_SURNAMES = [
    ("김", 21), ("이", 15), ("박", 8), ("최", 5), ("정", 5), ("강", 2), ("조", 2), ("윤", 2),
    ("장", 2), ("임", 2), ("한", 1), ("오", 1), ("서", 1), ("신", 1), ("권", 1), ("황", 1),
    ("안", 1), ("송", 1), ("전", 1), ("홍", 1), ("유", 1), ("고", 1), ("문", 1), ("양", 1),
    ("손", 1), ("배", 1), ("백", 1), ("허", 1), ("남", 1), ("심", 1), ("노", 1), ("하", 1),
]  # fmt: skip
_RARE_SURNAMES = ["황보", "제갈", "남궁", "독고", "선우", "봉", "탁", "어", "편", "국"]
_GIVEN = """
민준 서준 하윤 지완 도현 서윤 예린 태오 은결 시아 준서 지안 하람 도윤 채원 유나 나윤 서아
지호 민서 건우 수아 지유 윤서 다온 로운 이안 서진 하준 아린 연우 재이 소율 주원 시온 은호
현서 지훈 수민 예준 다인 가온 승아 태린 선재 해솔 윤슬 지율 한별 수현 정민 영숙 순자 미경
상철 동혁 광수 혜진 경민 성훈 은정 민호 현정 보경 정훈 진영 지성 윤정 명희 재석 영호 숙희
""".split()
# Given names that are also ordinary words (하늘, 나라, 보람): persons only where the text
# says so; bare, they are the words.
_WORD_NAMES = ["나라", "보람", "하늘", "슬기", "다솜", "한결", "가람", "새봄"]
_ROMAN_SURNAME = {
    "김": ["Kim", "Kim", "Gim"], "이": ["Lee", "Lee", "Yi", "Rhee"], "박": ["Park", "Pak", "Bak"],
    "최": ["Choi", "Choe"], "정": ["Jung", "Jeong", "Chung"], "강": ["Kang"], "조": ["Cho", "Jo"],
    "윤": ["Yoon", "Yun"], "장": ["Jang", "Chang"], "임": ["Lim", "Im"], "한": ["Han"],
    "오": ["Oh"], "서": ["Seo", "Suh"], "신": ["Shin"], "권": ["Kwon"], "황": ["Hwang"],
}  # fmt: skip
_ROMAN_GIVEN = {
    "민준": "Min-jun", "서준": "Seo-jun", "하윤": "Ha-yun", "지완": "Ji-wan", "도현": "Do-hyun",
    "서윤": "Seo-yun", "예린": "Ye-rin", "지호": "Ji-ho", "민서": "Min-seo", "건우": "Geon-u",
    "수아": "Su-a", "지훈": "Ji-hoon", "수민": "Su-min", "예준": "Ye-jun", "현서": "Hyeon-seo",
    "정민": "Jeong-min", "혜진": "Hye-jin", "성훈": "Seong-hoon", "은정": "Eun-jeong",
    "재석": "Jae-seok", "지성": "Ji-sung", "유나": "Yu-na", "하준": "Ha-jun", "서진": "Seo-jin",
}  # fmt: skip


def surname() -> str:
    names, weights = zip(*_SURNAMES, strict=True)
    return rng.choices(names, weights)[0]


def given() -> str:
    return rng.choice(_GIVEN)


def person() -> str:
    return surname() + given()


def rare_person() -> str:
    return rng.choice(_RARE_SURNAMES) + given()


def word_person() -> str:
    return surname() + rng.choice(_WORD_NAMES)


def roman_person() -> str:
    sur = rng.choice(list(_ROMAN_SURNAME))
    s = rng.choice(_ROMAN_SURNAME[sur])
    g = rng.choice(list(_ROMAN_GIVEN.values()))
    style = rng.random()
    if style < 0.5:
        return f"{s} {g}"
    if style < 0.7:
        return f"{g} {s}"
    if style < 0.85:
        return f"{s} {g.replace('-', '').capitalize()}"
    return f"{s.upper()} {g.replace('-', '').upper()}"


# --- numbers ----------------------------------------------------------------------------


def digits(n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _rrn_digits() -> str:
    year, month, day = rng.randint(1950, 1999), rng.randint(1, 12), rng.randint(1, 28)
    body = f"{year % 100:02d}{month:02d}{day:02d}{rng.choice('12')}{digits(5)}"
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = sum(w * int(c) for w, c in zip(weights, body, strict=True))
    return body + str((11 - total % 11) % 10)


def rrn() -> str:
    d = _rrn_digits()
    return d[:6] + rng.choice(["-", "-", ".", " - ", " "]) + d[6:]


def mobile() -> str:
    return f"010-{rng.randint(2000, 9999)}-{digits(4)}"


_SPOKEN = dict(zip("0123456789", "공일이삼사오육칠팔구", strict=True))


def spoken_mobile() -> str:
    d = "010" + str(rng.randint(2000, 9999)) + digits(4)
    zero = rng.choice(["공", "영"])
    words = "".join(_SPOKEN[c] if c != "0" else zero for c in d)
    return f"{words[:3]} {words[3:7]} {words[7:]}"


def spaced_mobile() -> str:
    return f"010 {rng.randint(2000, 9999)} {digits(4)}"


def broken_mobile() -> str:
    return f"010-{rng.randint(2000, 9999)}-\n{digits(4)}"


def account() -> str:
    shape = rng.choice([(3, 3, 6), (6, 2, 6), (3, 2, 6), (4, 3, 6)])
    return "-".join(digits(n) for n in shape)


def spaced_account() -> str:
    shape = rng.choice([(3, 3, 6), (6, 2, 6), (3, 6, 5)])
    return " ".join(digits(n) for n in shape)


def card() -> str:
    body = rng.choice(["4", "5" + rng.choice("12345"), "9410"])
    body += digits(15 - len(body))
    num = with_luhn(body)
    return "-".join(num[i : i + 4] for i in range(0, 16, 4))


def email() -> str:
    user = rng.choice(["minjun", "sy.kim", "jh_park", "hayun.lee", "dohyun88", "yerin.c"])
    return f"{user}{rng.randint(1, 99)}@{rng.choice(['naver.com', 'gmail.com', 'daum.net'])}"


# --- addresses --------------------------------------------------------------------------

_ROADS = [
    ("부산광역시 해운대구", "센텀중앙로", "우동"), ("서울특별시 강남구", "테헤란로", "역삼동"),
    ("서울 마포구", "월드컵북로", "상암동"), ("경기도 성남시 분당구", "판교역로", "백현동"),
    ("인천광역시 연수구", "컨벤시아대로", "송도동"), ("대구광역시 수성구", "달구벌대로", "범어동"),
    ("광주광역시 서구", "상무중앙로", "치평동"), ("경기 수원시 영통구", "광교중앙로", "이의동"),
    ("대전 유성구", "대학로", "궁동"), ("울산광역시 남구", "삼산로", "삼산동"),
]  # fmt: skip
_BUILDINGS = [
    "센텀파크", "래미안아파트", "푸르지오", "한빛빌딩", "자이아파트", "e편한세상", "힐스테이트",
]  # fmt: skip


def _detail() -> str:
    kind = rng.random()
    if kind < 0.55:
        unit = f"{rng.randint(1, 35)}0{rng.randint(1, 4)}"
        return f" {rng.choice(_BUILDINGS)} {rng.randint(101, 115)}동 {unit}호"
    if kind < 0.8:
        return f", {rng.randint(2, 15)}층"
    return f" {rng.choice(_BUILDINGS)} {rng.randint(2, 12)}층"


def road_address() -> str:
    region, road, _ = rng.choice(_ROADS)
    return f"{region} {road} {rng.randint(1, 420)}{_detail()}"


def lot_address() -> str:
    region, _, dong = rng.choice(_ROADS)
    return f"{region} {dong} {rng.randint(1, 1999)}-{rng.randint(1, 40)}{_detail()}"


def partial_lot() -> str:
    _, _, dong = rng.choice(_ROADS)
    lot = f"{rng.randint(1, 1999)}" + (f"-{rng.randint(1, 40)}" if rng.random() < 0.7 else "")
    return f"{dong} {lot}"


_HISTORICAL = [
    "안중근 의사", "이순신 장군", "세종대왕", "유관순 열사", "김구 선생", "윤동주 시인",
    "정약용 선생", "신사임당", "장영실", "김유신 장군", "안창호 선생", "이황 선생",
]  # fmt: skip
_TEAMS = ["영업1팀", "인사팀", "디지털금융부", "여신심사팀", "리스크관리본부", "고객지원센터"]

# --- templates --------------------------------------------------------------------------

FILL: dict[str, tuple[str, Callable[[], str]]] = {
    "P": ("PERSON", person),
    "P2": ("PERSON", person),
    "PR": ("PERSON", rare_person),
    "PW": ("PERSON", word_person),
    "G": ("PERSON", given),
    "S": ("PERSON", surname),
    "RP": ("PERSON", roman_person),
    "A": ("ADDRESS", road_address),
    "AL": ("ADDRESS", lot_address),
    "AJ": ("ADDRESS", partial_lot),
    "PH": ("PHONE", mobile),
    "PHS": ("PHONE", spoken_mobile),
    "PHG": ("PHONE", spaced_mobile),
    "PHB": ("PHONE", broken_mobile),
    "PHL": ("PHONE", lambda: f"02-{rng.randint(2100, 3999)}-{digits(4)}"),
    "ACC": ("ACCOUNT", account),
    "ACCG": ("ACCOUNT", spaced_account),
    "RRN": ("RRN", rrn),
    "CARD": ("CARD", card),
    "EMAIL": ("EMAIL", email),
    # Decoys: filled, never labelled.
    "HIST": ("", lambda: rng.choice(_HISTORICAL)),
    "WORD": ("", lambda: rng.choice(_WORD_NAMES)),
    "AMT": ("", lambda: f"{rng.randint(1, 999):,}{rng.choice([',000', '만 ', '0,000'])}원"),
    "ORDER": ("", lambda: f"{rng.randint(2024, 2026)}{digits(4)}-{digits(5)}"),
    "REP": ("", lambda: f"{rng.choice(['1588', '1577', '1544', '1661'])}-{digits(4)}"),
    "DATE": ("", lambda: f"{rng.randint(2024, 2026)}. {rng.randint(1, 12)}. {rng.randint(1, 28)}."),
    "TEAM": ("", lambda: rng.choice(_TEAMS)),
}

# register -> templates; {KEY} is filled and labelled, text outside braces is fixed.
TEMPLATES: dict[str, list[str]] = {
    "kakao": [
        "{G}아 내일 봐 ㅋㅋ 늦지 말고",
        "{G}야 오늘 회식 어디서 해?",
        "ㅇㅇ {P}한테 물어봤는데 아직 답 없음",
        "[{P}] [오후 3:12] 사진 보냈어요",
        "{P} 님이 {P2} 님을 초대했습니다.",
        "나 지금 {G}이랑 같이 있어 ㅎㅎ",
        "{S} 대리님 오늘 반차라던데요?",
        "엄마 내 번호 바뀜 {PH} 저장해줘",
        "{P}: 넵 확인했습니다!",
        "아 그거 {P2} 선배가 알아",
        "우리 {G} 생일 선물 뭐 사지",
        "{G}아 계좌 불러줘 → 국민 {ACC}",
        "[{P}] 주소 {A} 로 보내주세요",
        "오늘 {S} 과장님 진짜 화나셨더라",
        "{P} 결혼식 다음 주 토요일이래",
        "ㅋㅋㅋ {G}야 그건 아니지",
    ],
    "stt": [
        "상담원: 네 고객님 성함 확인 부탁드립니다. 고객: 네 {P}요.",
        "고객: 제 번호가 {PHS}이에요.",
        "고객: 계좌는 {ACCG} 이고요",
        "상담원: 주민번호 앞자리 뒷자리 불러주시겠어요? 고객: {RRN}요",
        "고객: 아 저는 {P} 고요 어머니 대신 전화드렸어요",
        "상담원: 네 {S} 고객님 말씀하신 내용 확인됐습니다.",
        "고객: 휴대폰이 {PHG} 입니다",
        "고객: 주소가 {A}요",
        "고객: 어 {PHS} 맞아요 네",
        "상담원: 예금주 {P} 고객님 맞으십니까?",
        "고객: 카드번호는 {CARD} 입니다",
        "고객: 이사를 해서요 {AL}로 바꿔주세요",
        "상담원: 연락처 {PHB} 맞으시죠?",
        "고객: 남편 이름이 {P}인데요 같이 등록돼 있나요",
    ],
    "news": [
        "{P}(34) 씨는 지난달 보이스피싱 조직에 2천만 원을 송금했다.",
        "{P}·{P2} 부부가 운영하는 식당은 올해로 20년째다.",
        "이날 기자회견에는 {P} 한빛은행 노조위원장이 참석했다.",
        "{PR} 대표는 간담회에서 규제 완화를 요청했다.",
        "피해자 {P}씨의 유족은 재판부에 엄벌을 탄원했다.",
        "보호자 성명 {PR}, 연락처 {PH}로 접수됐다.",
        "수상자는 {P} 학생과 {P2} 학생이다.",
        '{P} 씨는 "다시는 이런 일이 없어야 한다"고 말했다.',
        "경찰은 용의자 {P}을 긴급 체포했다.",
        "{PW} 씨가 구조 소식을 전해 들었다.",
    ],
    "gongmun": [
        "담당: 민원봉사과 {P} 주무관 (☎ {PHL})",
        "수신: {P} 귀하\n주소: {A}",
        "신청인 {P}의 주소지({AL})를 확인한 결과 실거주가 확인됨.",
        "기안자 주무관 {P}  검토자 사무관 {P2}",
        "위 사람 {P}은(는) 2026. 3. 1.부터 본 기관에 재직 중임을 증명합니다.",
        "민원인 {P}(연락처 {PH})의 요청에 따라 회신합니다.",
        "붙임 1. {P} 경력증명서 1부.",
        "송달 장소: {AL}",
    ],
    "signature": [
        "감사합니다.\n{P} 드림",
        "그럼 이만 줄이겠습니다.\n{P} 올림",
        "{P} | 디지털금융부 과장\nM. {PH} | E. {EMAIL}",
        "--\n{P} / 여신심사팀\nTel {PH}",
        "Best regards,\n{RP}\nSenior Manager, Hanbit Bank",
        "{RP} | Global Desk | {EMAIL}",
        "검토 부탁드립니다.\n\n{P} 배상",
        "Name: {RP}\nPhone: {PH}",
        "{P} 책임 | 리스크관리본부\n{A}",
        "문의: {P} ({EMAIL})",
    ],
    "table": [
        "| 1 | {P} | 영업1팀 | 과장 |",
        "| 2 | {P} | {PH} | 재직 |",
        "{P}\t인사팀\t{PH}",
        "3, {P}, 1988-04-12, 서울",
        "| 번호 | 이름 | 부서 |\n| 7 | {P} | 기획실 |",
        "{P}, {P2}, 박물관 견학 참가 확정",
        "- {P} (마케팅팀)",
        "• {P}: 교육 이수 완료",
        "| {RP} | Overseas Branch | {EMAIL} |",
        "{PR}\t대표자\t{PH}",
    ],
    "memo": [
        "입금 {P} 50,000",
        "{P} 월세 3월분",
        "이체 {P} → {P2} 1,200,000원",
        "{P}회비",
        "받는분 통장표시: {P}",
        "출금 {ACC} {P}",
        "{P} 축의금",
        "환불 {P} {ACCG}",
    ],
    "minwon": [
        "저는 {A}에 사는 주민인데요 밤마다 공사 소음이 심합니다.",
        "제 주소는 {AJ}이고 연락은 {PH}로 주세요.",
        "민원 내용: {AL} 앞 불법주차 단속 요청합니다. 신고자 {P}",
        "저희 어머니 {P} 님이 요양급여를 못 받고 계십니다.",
        "{AJ} 근처 가로등이 고장났어요.",
        "답변은 {EMAIL}로 부탁드리고 제 번호는 {PHS}입니다",
        "주민번호 {RRN} 로 조회가 안 돼요",
        "옆집 {S} 씨네 개가 계속 짖습니다.",
    ],
}

# Hard negatives: no personal identifier at all, though each looks like one.
NEGATIVES: dict[str, list[str]] = {
    "kakao": [
        "말씀해 주세요 ㅎㅎ 다 들어드림",
        "{WORD} 얘기 나오니까 갑자기 생각났는데 ㅋㅋ",
        "오늘 {WORD} 진짜 좋다",
        "이따 강남역 10번 출구에서 보자 {AMT} 챙겨와",
        "정말 감사합니다 조심히 들어가세요",
        "배고파 김밥 먹을래? 내가 {AMT} 쏜다",
        "주문번호 {ORDER} 배송 언제 와?",
        "저번에 본 {HIST} 영화 진짜 좋더라",
        "회의 {DATE} 로 미뤄졌대요",
        "전화는 {REP} 로 하래",
    ],
    "stt": [
        "상담원: 네 잠시만 기다려 주세요.",
        "상담원: 대표번호 {REP}로 다시 걸어주시면 됩니다.",
        "고객: 아 네 알겠습니다 수고하세요",
        "상담원: 이용해 주셔서 감사합니다 좋은 하루 되세요",
        "상담원: 고객님 본인 확인이 필요하십니다.",
        "고객: 일이 좀 있어서 삼 일 뒤에 다시 할게요",
        "고객: 이체 한도가 {AMT}인데 올릴 수 있나요",
        "상담원: 주문번호 {ORDER} 조회해 드렸습니다.",
        "고객: 하나 둘 셋 하고 누르면 되나요",
        "상담원: 네 확인 감사합니다. {DATE} 처리 예정입니다.",
        "고객: 아까 {AMT} 보냈는데 안 들어왔대요",
    ],
    "news": [
        "{HIST}의 유해 발굴 사업이 재개된다.",
        "{HIST} 기념관에 올해 {AMT}의 예산이 배정됐다.",
        "한국은행은 기준금리를 연 3.25%로 동결했다.",
        "정부는 내년 예산안을 {AMT}으로 편성했다.",
        "{DATE} 기준 가계대출 잔액은 전달보다 늘었다.",
        "{HIST}을 다룬 뮤지컬이 개막했다.",
    ],
    "gongmun": [
        "성명: 홍길동 (작성 예시)",
        "주민등록번호: 000000-0000000 (예시)",
        "법인등록번호 란에는 000000-0000000 형식으로 적습니다.",
        "서울특별시청 민원실에서 접수합니다. 문의 {REP}",
        "제출 기한: {DATE}까지",
        "관련 근거: 개인정보 보호법 제15조 제1항",
        "수신: {TEAM}장\n제목: 업무 협조 요청",
        "붙임: 예산 집행 내역 1부. 총 {AMT}",
    ],
    "signature": [
        "감사합니다.\n{TEAM} 드림",
        "고객센터 {REP} | 평일 09:00~18:00",
        "한빛은행 {TEAM} | 대표전화 {REP}",
        "주식회사 한빛 드림",
        "Best regards,\nCustomer Service Team",
    ],
    "table": [
        "| 번호 | 이름 | 부서 | 직급 |",
        "| 합계 | | {AMT} | |",
        "| {DATE} | {TEAM} | 12건 |",
        "이름\t부서\t연락처",
        "- 공지사항 ({TEAM})",
        "| 3 | {TEAM} | {AMT} |",
    ],
    "memo": [
        "입금 급여 {AMT}",
        "관리비 3월분 {AMT}",
        "자동이체 통신요금",
        "카드대금 출금 {AMT}",
        "이자 입금",
        "{TEAM} 회식비",
        "적금 자동이체 {AMT}",
        "{DATE} 공과금 {AMT}",
    ],
    "minwon": [
        "주소란에는 도로명 주소를 적어 주세요.",
        "홍길동 씨처럼 예시 이름을 쓰지 마세요.",
        "도로 공사 기간은 {DATE}까지입니다.",
        "민원 처리 결과는 7일 이내에 알려드립니다.",
        "{HIST} 동상 주변 청소 좀 해주세요.",
        "과태료 {AMT} 부과가 부당합니다.",
    ],
}

_SLOT = re.compile(r"\{([A-Z0-9]+)\}")


# Particles whose form follows the last syllable of the name before them (민준아, 지유야).
_PAIRS = (("이랑", "랑"), ("아", "야"), ("을", "를"))


def _batchim(value: str) -> bool:
    last = value[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def _particle(value: str, rest: str) -> str:
    """`rest` with its leading particle in the form that suits `value`."""
    for after_consonant, after_vowel in _PAIRS:
        for form in (after_consonant, after_vowel):
            if rest.startswith(form) and not rest[len(form) : len(form) + 1] == "(":
                right = after_consonant if _batchim(value) else after_vowel
                return right + rest[len(form) :]
    return rest


def fill(template: str) -> tuple[str, list[dict[str, object]]]:
    parts: list[str] = []
    entities: list[dict[str, object]] = []
    at = 0
    length = 0
    previous = ""
    for m in _SLOT.finditer(template):
        fixed = template[at : m.start()]
        if previous:
            fixed = _particle(previous, fixed)
        parts.append(fixed)
        length += len(fixed)
        kind, make = FILL[m.group(1)]
        value = make()
        if kind:
            entities.append({"start": length, "end": length + len(value), "type": kind})
        parts.append(value)
        length += len(value)
        at = m.end()
        previous = value
    parts.append(_particle(previous, template[at:]) if previous else template[at:])
    return "".join(parts), entities


def build() -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    seen: set[str] = set()
    for source, per_fill in ((TEMPLATES, 3), (NEGATIVES, 3)):
        for register, templates in source.items():
            for i, template in enumerate(templates):
                split = "tune" if i % 2 == 0 else "heldout"
                for _ in range(per_fill):
                    text, entities = fill(template)
                    if text in seen:
                        continue  # a template without slots is written once
                    seen.add(text)
                    lines.append(
                        {"text": text, "entities": entities, "register": register, "split": split}
                    )
    return lines


def main() -> None:
    lines = build()
    with OUT.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    negatives = sum(1 for x in lines if not x["entities"])
    print(f"wrote {OUT}: {len(lines)} lines, {negatives} without an identifier")


if __name__ == "__main__":
    main()
