"""Build tests/data/pii_eval.jsonl, the labelled Korean PII evaluation set (run once, by hand).

    .venv/bin/python tests/privacy/build_eval_set.py

Sentences are original templates written for hanji in a dozen settings (bank, hospital,
delivery, HR, government, courts, IT logs, travel, chat, news); every identifier in them is
fictional and generated here with valid structure (check digits computed by this script's
own code, independent of `hanji.privacy.validators`). Hard negatives (dates, amounts,
order and tracking numbers, versions, postcodes, barcodes, ISBNs, representative and
toll-free numbers, case numbers, plates, student ids) carry no label.

Gold spans follow one convention: an identifier as written, separators included; a person
is the name only (no title, no particle); an address runs from the first region word to
the building or lot number and the detail that follows it (", 101동 1203호", " 3층",
" (역삼동)").
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "pii_eval.jsonl"
rng = random.Random(20241128)


def digits(n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


# --- identifiers ------------------------------------------------------------------------


def _birth(lo: int, hi: int) -> tuple[int, int, int]:
    year = rng.randint(lo, hi)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    return year, month, day


def _mod11_check(body: str, offset: int) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = 0
    for w, ch in zip(weights, body, strict=False):
        total += w * int(ch)
    return str((offset - total % 11) % 10)


def rrn_value(recent: bool = False) -> str:
    if recent:
        year, month, day = _birth(2020, 2024)
    else:
        year, month, day = _birth(1940, 2012)
    male = rng.random() < 0.5
    gender = ("1" if male else "2") if year < 2000 else ("3" if male else "4")
    body = f"{year % 100:02d}{month:02d}{day:02d}{gender}{digits(5)}"
    last = digits(1) if recent else _mod11_check(body, 11)
    return body + last


def rrn(sep: str = "-", recent: bool = False) -> str:
    v = rrn_value(recent)
    return v[:6] + sep + v[6:]


def frn(sep: str = "-") -> str:
    year, month, day = _birth(1960, 2010)
    male = rng.random() < 0.5
    gender = ("5" if male else "6") if year < 2000 else ("7" if male else "8")
    office = rng.choice(["10", "12", "24", "36", "48", "60", "72", "84"])
    body = f"{year % 100:02d}{month:02d}{day:02d}{gender}{digits(1)}{office}{digits(1)}"
    body += rng.choice("6789")
    v = body + _mod11_check(body, 13)
    return v[:6] + sep + v[6:]


def passport() -> str:
    letter = rng.choice("MMMMMS")
    if rng.random() < 0.5:
        return letter + digits(8)
    return letter + digits(3) + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(4)


def driver_license() -> str:
    code = rng.choice([str(c) for c in range(11, 27)] + ["28"])
    yy = f"{rng.randint(0, 24):02d}"
    if rng.random() < 0.2:
        region = rng.choice(["서울", "부산", "경기", "대구", "인천", "광주", "대전", "전남"])
        return f"{region} {yy}-{digits(6)}-{digits(2)}"
    return f"{code}-{yy}-{digits(6)}-{digits(2)}"


def brn(sep: str = "-") -> str:
    body = f"{rng.randint(101, 899)}{rng.choice(['01', '05', '13', '22', '81', '85', '86', '87'])}"
    body += digits(4)
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(w * int(c) for w, c in zip(weights, body, strict=False))
    total += (int(body[8]) * 5) // 10
    v = body + str((10 - total % 10) % 10)
    return v[:3] + sep + v[3:5] + sep + v[5:] if sep else v


def crn(sep: str = "-") -> str:
    office = rng.choice(["1101", "1201", "1301", "1311", "1341", "1344", "1601", "1701", "2001"])
    body = office + rng.choice(["11", "11", "11", "13", "14", "21", "22", "71"]) + digits(6)
    total = sum(int(c) * (2 if i % 2 else 1) for i, c in enumerate(body))
    v = body + str((10 - total % 10) % 10)
    return v[:6] + sep + v[6:]


def _luhn_complete(body: str) -> str:
    for last in "0123456789":
        num = body + last
        total = 0
        for i, c in enumerate(reversed(num)):
            d = int(c) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return num
    raise AssertionError


def card() -> str:
    kind = rng.random()
    if kind < 0.15:
        num = _luhn_complete("37" + digits(12))
        return f"{num[:4]}-{num[4:10]}-{num[10:]}"
    prefix = rng.choice(["4", "4", "5" + rng.choice("12345"), "9410", "9420", "3560"])
    num = _luhn_complete(prefix + digits(15 - len(prefix)))
    sep = rng.choice(["-", "-", "-", " ", ""])
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


_BANKS = [
    ("국민은행", (6, 2, 6)),
    ("KB국민은행", (6, 2, 6)),
    ("신한은행", (3, 3, 6)),
    ("우리은행", (4, 3, 6)),
    ("하나은행", (3, 6, 5)),
    ("농협", (3, 4, 4, 2)),
    ("NH농협은행", (6, 2, 6)),
    ("기업은행", (3, 6, 2, 3)),
    ("IBK기업은행", (3, 6, 2, 3)),
    ("카카오뱅크", (4, 2, 7)),
    ("토스뱅크", (4, 4, 4)),
    ("케이뱅크", (3, 3, 6)),
    ("우체국", (6, 2, 6)),
    ("새마을금고", (4, 2, 6, 1)),
    ("SC제일은행", (3, 2, 6)),
    ("부산은행", (3, 4, 4, 2)),
    ("수협", (3, 2, 6)),
]


def _account_for(layout: tuple[int, ...]) -> str:
    parts = [digits(n) for n in layout]
    parts[0] = str(rng.randint(1, 9)) + parts[0][1:]
    return "-".join(parts)


def bank() -> str:
    return rng.choice(_BANKS)[0]


def account() -> str:
    layout = rng.choice(_BANKS)[1]
    if layout == (4, 2, 6, 1):
        layout = (4, 2, 7)
    return _account_for(layout)


def account_plain() -> str:
    return account().replace("-", "")


def mobile(sep: str | None = None) -> str:
    sep = rng.choice(["-", "-", "-", "-", " ", ".", ""]) if sep is None else sep
    mid = str(rng.randint(2, 9)) + digits(3)
    return f"010{sep}{mid}{sep}{digits(4)}"


def landline() -> str:
    area = rng.choice(
        [
            "02",
            "02",
            "031",
            "032",
            "033",
            "041",
            "042",
            "051",
            "052",
            "053",
            "062",
            "063",
            "064",
            "070",
        ]
    )
    mid_len = 4 if area in ("02", "070") or rng.random() < 0.5 else 3
    if area == "070":
        mid_len = 4
    mid = str(rng.randint(2, 9)) + digits(mid_len - 1)
    form = rng.random()
    if form < 0.15 and area != "070":
        return f"({area}) {mid}-{digits(4)}"
    return f"{area}-{mid}-{digits(4)}"


def intl_phone() -> str:
    mid = str(rng.randint(2, 9)) + digits(3)
    return rng.choice(
        [f"+82 10-{mid}-{digits(4)}", f"+82-10-{mid}-{digits(4)}", f"+82 2-{mid}-{digits(4)}"]
    )


def phone() -> str:
    r = rng.random()
    if r < 0.65:
        return mobile()
    if r < 0.92:
        return landline()
    return intl_phone()


_ROMAN_SUR = [
    "kim",
    "lee",
    "park",
    "choi",
    "jung",
    "kang",
    "cho",
    "yoon",
    "jang",
    "lim",
    "han",
    "oh",
    "seo",
    "shin",
    "kwon",
    "hwang",
    "ahn",
    "song",
    "hong",
    "yu",
]
_ROMAN_GIVEN = [
    "minjun",
    "seoyeon",
    "jiho",
    "haeun",
    "doyun",
    "sua",
    "jiwoo",
    "yerin",
    "hyunwoo",
    "eunji",
    "sungmin",
    "dahye",
    "taeyang",
    "minseo",
    "junho",
    "soyoung",
    "jaehyun",
    "yujin",
    "donghyun",
    "hana",
]
_MAIL_DOMAINS = [
    "naver.com",
    "gmail.com",
    "daum.net",
    "hanmail.net",
    "kakao.com",
    "nate.com",
    "hanbit-logis.co.kr",
    "saebom-edu.kr",
    "mirae-clinic.com",
    "dasol-tech.io",
    "goeun-univ.ac.kr",
    "haneul-bank.co.kr",
    "outlook.kr",
]


def email() -> str:
    s, g = rng.choice(_ROMAN_SUR), rng.choice(_ROMAN_GIVEN)
    local = rng.choice(
        [
            f"{g}.{s}",
            f"{s}{g}",
            f"{g}{rng.randint(1, 99)}",
            f"{s}_{g}{digits(2)}",
            f"{g[0]}{s}",
            f"{g}-{s}",
        ]
    )
    return f"{local}@{rng.choice(_MAIL_DOMAINS)}"


def ipv4() -> str:
    r = rng.random()
    if r < 0.3:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    if r < 0.45:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    return (
        f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


def ipv6() -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(4)]
    return "2001:db8:" + ":".join(groups[:2]) + "::" + groups[3]


def ip() -> str:
    return ipv6() if rng.random() < 0.12 else ipv4()


# Addresses: (시/도, [시/군/구 ...], [roads], [법정동])
_REGIONS = [
    (
        "서울특별시",
        ["강남구"],
        ["테헤란로", "봉은사로", "언주로", "도산대로", "선릉로"],
        ["역삼동", "삼성동", "논현동"],
    ),
    (
        "서울특별시",
        ["마포구"],
        ["월드컵북로", "양화로", "독막로", "마포대로"],
        ["서교동", "합정동", "공덕동"],
    ),
    (
        "서울특별시",
        ["종로구"],
        ["세종대로", "율곡로", "자하문로", "종로"],
        ["청운동", "사직동", "효자동"],
    ),
    (
        "서울특별시",
        ["송파구"],
        ["올림픽로", "송파대로", "백제고분로"],
        ["잠실동", "가락동", "문정동"],
    ),
    ("서울특별시", ["관악구"], ["관악로", "남부순환로", "신림로"], ["봉천동", "신림동"]),
    ("서울특별시", ["노원구"], ["동일로", "노해로", "상계로"], ["상계동", "중계동"]),
    ("부산광역시", ["해운대구"], ["해운대로", "센텀중앙로", "달맞이길"], ["우동", "중동", "좌동"]),
    ("부산광역시", ["부산진구"], ["중앙대로", "서면로", "가야대로"], ["부전동", "전포동"]),
    ("대구광역시", ["수성구"], ["달구벌대로", "동대구로", "범어로"], ["범어동", "만촌동"]),
    (
        "인천광역시",
        ["연수구"],
        ["컨벤시아대로", "송도과학로", "인천타워대로"],
        ["송도동", "연수동"],
    ),
    ("인천광역시", ["남동구"], ["인주대로", "예술로", "남동대로"], ["구월동", "간석동"]),
    ("광주광역시", ["북구"], ["용봉로", "설죽로", "서암대로"], ["용봉동", "운암동"]),
    ("대전광역시", ["유성구"], ["대학로", "엑스포로", "유성대로"], ["궁동", "봉명동", "도룡동"]),
    ("울산광역시", ["남구"], ["삼산로", "번영로", "문수로"], ["삼산동", "달동"]),
    ("세종특별자치시", [], ["한누리대로", "도움6로", "갈매로"], []),
    (
        "경기도",
        ["성남시", "분당구"],
        ["판교역로", "불정로", "황새울로"],
        ["정자동", "서현동", "삼평동"],
    ),
    ("경기도", ["수원시", "영통구"], ["광교중앙로", "매영로", "청명로"], ["이의동", "매탄동"]),
    ("경기도", ["고양시", "일산동구"], ["중앙로", "정발산로", "장백로"], ["장항동", "마두동"]),
    ("경기도", ["용인시", "수지구"], ["포은대로", "수지로", "풍덕천로"], ["풍덕천동", "죽전동"]),
    ("경기도", ["파주시"], ["경의로", "청석로", "문발로"], ["금촌동", "문발동"]),
    ("강원특별자치도", ["춘천시"], ["중앙로", "공지로", "후석로"], ["효자동", "석사동"]),
    ("충청북도", ["청주시", "흥덕구"], ["가경로", "대농로", "1순환로"], ["복대동", "가경동"]),
    ("충청남도", ["천안시", "서북구"], ["불당대로", "번영로", "성정두정로"], ["불당동", "성정동"]),
    (
        "전북특별자치도",
        ["전주시", "완산구"],
        ["팔달로", "전라감영로", "효자로"],
        ["중앙동", "효자동"],
    ),
    ("전라남도", ["여수시"], ["시청로", "좌수영로", "여문로"], ["학동", "문수동"]),
    ("경상북도", ["포항시", "남구"], ["포스코대로", "대이로", "희망대로"], ["대잠동", "이동"]),
    ("경상남도", ["창원시", "성산구"], ["중앙대로", "원이대로", "창이대로"], ["상남동", "중앙동"]),
    ("제주특별자치도", ["제주시"], ["첨단로", "연북로", "노형로"], ["노형동", "연동", "아라동"]),
]
_SHORT_SIDO = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "경기도": "경기",
    "세종특별자치시": "세종시",
    "강원특별자치도": "강원도",
    "충청북도": "충북",
    "충청남도": "충남",
    "전북특별자치도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "제주특별자치도": "제주",
}
_RURAL = [
    ("경기도", "양평군", "양평읍", ["양근리", "오빈리", "백안리"]),
    ("강원특별자치도", "홍천군", "화촌면", ["성산리", "굴지리"]),
    ("충청남도", "예산군", "덕산면", ["사동리", "읍내리"]),
    ("경상북도", "의성군", "안계면", ["용기리", "봉양리"]),
    ("전라남도", "담양군", "담양읍", ["백동리", "객사리"]),
]


def address() -> str:
    r = rng.random()
    if r < 0.15:
        sido, gun, eup, ris = rng.choice(_RURAL)
        lot = f"{rng.randint(1, 999)}" + (f"-{rng.randint(1, 20)}" if rng.random() < 0.4 else "")
        return (
            f"{sido} {gun} {eup} {rng.choice(ris)} {lot}번지"
            if rng.random() < 0.6
            else f"{sido} {gun} {eup} {rng.choice(ris)} {lot}"
        )
    sido, sggs, roads, dongs = rng.choice(_REGIONS)
    use_sido = sido if rng.random() < 0.6 else _SHORT_SIDO[sido]
    if not sggs:
        region = use_sido
    elif rng.random() < 0.2 and len(sggs) == 1:
        region = sggs[0]  # district alone: "강남구 테헤란로 ..."
    else:
        region = use_sido + " " + " ".join(sggs)
    if dongs and rng.random() < 0.22:
        lot = f"{rng.randint(1, 1500)}" + (f"-{rng.randint(1, 60)}" if rng.random() < 0.6 else "")
        return f"{region} {rng.choice(dongs)} {lot}"
    road = rng.choice(roads)
    if rng.random() < 0.2:
        road += f"{rng.randint(1, 60)}" + rng.choice(["길", "번길"])
    num = f"{rng.randint(1, 600)}" + (f"-{rng.randint(1, 30)}" if rng.random() < 0.15 else "")
    base = f"{region} {road} {num}"
    d = rng.random()
    if d < 0.25:
        base += f", {rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 4):02d}호"
    elif d < 0.35:
        base += f", {rng.randint(2, 15)}층"
    elif d < 0.45:
        base += f" {rng.randint(1, 12)}{rng.randint(1, 9):02d}호"
    elif d < 0.55 and dongs:
        base += f" ({rng.choice(dongs)})"
    return base


_SURNAMES = (
    "김" * 21
    + "이" * 15
    + "박" * 8
    + "최" * 5
    + "정" * 5
    + "강조윤장임" * 2
    + "한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현"
    + "함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예"
)
_GIVEN_FIRST = (
    "민서지하수예도시주준현유은채윤다서지연승태재정성동영상혜진미경소선가나우건태희세아채규성원종"
)
_GIVEN_SECOND = "준윤우호원서연은아민현진영희수빈율린나경숙정혁훈석철식환규성미주라람솔결"


def person() -> str:
    r = rng.random()
    if r < 0.02:
        return (
            rng.choice(["남궁", "황보", "제갈", "선우"])
            + rng.choice(_GIVEN_FIRST)
            + rng.choice(_GIVEN_SECOND)
        )
    given = rng.choice(_GIVEN_FIRST) + rng.choice(_GIVEN_SECOND)
    return rng.choice(_SURNAMES) + given


def given_only() -> str:
    return rng.choice(_GIVEN_FIRST) + rng.choice(_GIVEN_SECOND)


# --- hard negatives -----------------------------------------------------------------------


def date() -> str:
    y, m, d = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{y}.{m:02d}.{d:02d}",
            f"{y}년 {m}월 {d}일",
            f"{y}{m:02d}{d:02d}",
            f"{y % 100:02d}.{m:02d}.{d:02d}",
            f"{y}/{m:02d}/{d:02d}",
        ]
    )


def amount() -> str:
    n = rng.randint(1, 99_999_999)
    return rng.choice([f"{n:,}원", f"₩{n:,}", f"{n // 10000}만 {n % 10000:,}원", f"{n:,} 원"])


def order_no() -> str:
    return rng.choice(
        [
            f"{rng.randint(2019, 2025)}{digits(12)}",
            f"ORD-{rng.randint(2019, 2025)}{digits(4)}-{digits(5)}",
            f"{rng.randint(2019, 2025)}{digits(4)}-{digits(6)}",
            f"{digits(4)}-{digits(4)}-{digits(4)}",
        ]
    )


def version() -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}",
            f"v{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
            f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",
        ]
    )


def postcode() -> str:
    return f"{rng.randint(1, 63):02d}{digits(3)}"


def _ean13(prefix: str) -> str:
    body = prefix + digits(12 - len(prefix))
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


def barcode() -> str:
    return _ean13("880")


def isbn() -> str:
    v = _ean13("97889")
    return rng.choice([v, f"{v[:3]}-{v[3:5]}-{v[5:9]}-{v[9:12]}-{v[12]}"])


_REP_PREFIXES = ["1588", "1577", "1544", "1566", "1600", "1644", "1661", "1670", "1688", "1899"]


def rep_number() -> str:
    return f"{rng.choice(_REP_PREFIXES)}-{digits(4)}"


def tollfree() -> str:
    return f"080-{rng.randint(200, 999)}-{digits(4)}"


def tracking() -> str:
    return rng.choice(
        [
            f"{digits(4)}-{digits(4)}-{digits(4)}",
            digits(12),
            f"{digits(3)}-{digits(4)}-{digits(4)}-{digits(2)}",
        ]
    )


_CASE_KINDS = ["가합", "가단", "고합", "고단", "나", "노", "구합", "드단"]


def case_no() -> str:
    year = rng.randint(2015, 2025)
    kind = rng.choice(_CASE_KINDS)
    return f"{year}{kind}{rng.randint(100, 99999)}"


_PLATE_SYLLABLES = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주허하호"


def plate() -> str:
    number = rng.randint(10, 399)
    return f"{number}{rng.choice(_PLATE_SYLLABLES)} {digits(4)}"


def student_id() -> str:
    return f"{rng.randint(2015, 2025)}{digits(rng.choice([5, 6]))}"


def time_() -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def luhn_order16() -> str:
    # 16 digits that pass Luhn but stand behind an order-number label.
    return _luhn_complete(rng.choice(["4", "5"]) + digits(14))


GEN: dict[str, tuple[Callable[[], str], str | None]] = {
    "RRN": (rrn, "RRN"),
    "RRN_NOSEP": (lambda: rrn(""), "RRN"),
    "RRN_RECENT": (lambda: rrn(recent=True), "RRN"),
    "FRN": (frn, "FRN"),
    "PASSPORT": (passport, "PASSPORT"),
    "DL": (driver_license, "DRIVER_LICENSE"),
    "BRN": (brn, "BRN"),
    "BRN_NOSEP": (lambda: brn(""), "BRN"),
    "CRN": (crn, "CRN"),
    "CARD": (card, "CARD"),
    "ACCOUNT": (account, "ACCOUNT"),
    "ACCOUNT_PLAIN": (account_plain, "ACCOUNT"),
    "PHONE": (phone, "PHONE"),
    "MOBILE": (mobile, "PHONE"),
    "MOBILE_PLAIN": (lambda: mobile(""), "PHONE"),
    "LANDLINE": (landline, "PHONE"),
    "INTL_PHONE": (intl_phone, "PHONE"),
    "EMAIL": (email, "EMAIL"),
    "IP": (ip, "IP"),
    "IPV4": (ipv4, "IP"),
    "IPV6": (ipv6, "IP"),
    "ADDRESS": (address, "ADDRESS"),
    "PERSON": (person, "PERSON"),
    "GIVEN": (given_only, "PERSON"),
    # unlabelled
    "bank": (bank, None),
    "date": (date, None),
    "amount": (amount, None),
    "order": (order_no, None),
    "order16": (luhn_order16, None),
    "version": (version, None),
    "postcode": (postcode, None),
    "barcode": (barcode, None),
    "isbn": (isbn, None),
    "rep": (rep_number, None),
    "tollfree": (tollfree, None),
    "tracking": (tracking, None),
    "case": (case_no, None),
    "plate": (plate, None),
    "student": (student_id, None),
    "time": (time_, None),
}

# Each template is used `times` times with fresh values: (times, template).
TEMPLATES: list[tuple[int, str]] = [
    # --- 은행·금융 ---
    (2, "{bank} {ACCOUNT} (예금주 {PERSON})으로 {amount}을 입금해 주세요."),
    (2, "환불 계좌: {bank} {ACCOUNT}, 예금주: {PERSON}"),
    (2, "계좌번호 {ACCOUNT_PLAIN}로 이체했는데 아직 확인이 안 됩니다."),
    (2, "{PERSON} 고객님, {date} 신청하신 대출 심사 결과를 안내드립니다."),
    (2, "카드번호 {CARD}, 유효기간 08/27로 결제를 요청합니다."),
    (2, "분실 신고된 카드({CARD})는 즉시 사용이 정지되었습니다."),
    (1, "신용카드 {CARD} 결제 승인 금액은 {amount}입니다."),
    (2, "{PERSON}님 명의의 {bank} 통장 {ACCOUNT}이 휴면 상태로 전환되었습니다."),
    (2, "송금하실 곳은 {bank} {ACCOUNT}이고 받는 분은 {PERSON}입니다."),
    (1, "대출 신청서에 주민등록번호 {RRN}와 연락처 {MOBILE}을 기재했습니다."),
    (1, "체크카드 {CARD}의 이번 달 사용액은 {amount}입니다."),
    (2, "입금자명을 {PERSON:으로} 해서 {ACCOUNT}로 보내주시면 됩니다."),
    # --- 병원·보험 ---
    (2, "환자명: {PERSON}, 주민번호: {RRN}, 보호자 연락처: {PHONE}"),
    (2, "{PERSON}({age}) 환자는 {date} 오전에 내원하였다."),
    (2, "보험금 청구인 {PERSON}의 주민등록번호는 {RRN}입니다."),
    (2, "담당 의사 {PERSON} 선생님께 진료 기록 사본을 요청했습니다."),
    (1, "신생아 출생신고 후 받은 주민등록번호 {RRN_RECENT}로 예방접종을 등록했어요."),
    (1, "아기 주민번호가 {RRN_RECENT}인데 check digit이 안 맞는다고 오류가 나요."),
    (2, "{PERSON} 간호사가 {time}에 투약 기록을 남겼다."),
    (1, "처방전 교부번호 {date}-{postcode}, 약국 문의는 {LANDLINE}로 하세요."),
    # --- 배송·쇼핑 ---
    (3, "받는 분: {PERSON} / 연락처: {MOBILE} / 주소: {ADDRESS}"),
    (2, "배송지를 {ADDRESS}로 변경해 주세요."),
    (2, "주문번호 {order}의 배송 주소는 {ADDRESS}입니다."),
    (2, "운송장번호 {tracking}으로 조회하시면 현재 위치를 확인할 수 있습니다."),
    (2, "주문번호 {order16} 결제가 완료되었습니다. 문의 {rep}"),
    (2, "택배 기사님이 {MOBILE}로 전화 주신대요."),
    (1, "상품코드 {barcode} 재고가 3개 남았습니다."),
    (2, "{PERSON}님, 주문하신 상품이 {date}에 발송되었습니다."),
    (1, "반품 접수번호 {order}, 회수지 {ADDRESS}"),
    (1, "고객센터 {rep} 또는 {tollfree}로 문의해 주세요."),
    # --- 인사·채용 ---
    (2, "지원자 {PERSON}, 이메일 {EMAIL}, 휴대폰 {MOBILE}"),
    (2, "{PERSON} 과장의 이메일 주소는 {EMAIL}입니다."),
    (2, "신규 입사자 {PERSON} 사원의 자택 주소는 {ADDRESS}로 등록되어 있습니다."),
    (2, "면접 일정은 {date} {time}, 담당자 {PERSON} 대리({LANDLINE})에게 문의하세요."),
    (1, "인사팀 {PERSON} 팀장님께 재직증명서를 요청했습니다."),
    (2, "급여 이체 계좌가 {bank} {ACCOUNT}로 변경되었습니다."),
    (1, "사번 {student}인 직원의 연말정산 서류를 확인 바랍니다."),
    (2, "{PERSON}, {PERSON}, {PERSON} 대리가 이번 프로젝트에 합류합니다."),
    (1, "참석자: {PERSON}, {PERSON}, {PERSON}"),
    (1, "추천인 {PERSON} 부장의 연락처는 {MOBILE}입니다."),
    # --- 행정·민원 ---
    (2, "민원인 {PERSON} ({RRN})의 전입신고가 처리되었습니다."),
    (2, "세대주 {PERSON}, 주소 {ADDRESS}"),
    (2, "외국인등록번호 {FRN}로 체류기간 연장을 신청했습니다."),
    (1, "외국인 근로자 등록번호 {FRN}, 고용주 연락처 {PHONE}"),
    (2, "등본상 주소가 {ADDRESS}로 되어 있어요."),
    (1, "우편번호 {postcode}, 주소 {ADDRESS}"),
    (2, "{PERSON} 주무관에게 {LANDLINE}로 연락 바랍니다."),
    (1, "공고 제{date}호에 따라 {amount}의 지원금을 지급합니다."),
    (1, "주민등록번호 뒷자리는 제외하고 앞 6자리만 입력하세요."),
    # --- 사업자·법인 ---
    (2, "사업자등록번호 {BRN}로 세금계산서를 발행해 주세요."),
    (2, "상호: 한빛물류, 대표자: {PERSON}, 사업자번호: {BRN}"),
    (1, "사업자등록번호 {BRN_NOSEP}은 휴업 상태로 조회됩니다."),
    (2, "법인등록번호 {CRN}, 본점 소재지 {ADDRESS}"),
    (1, "법인번호 {CRN}인 회사의 등기부등본을 발급받았다."),
    (1, "거래처 사업자 {BRN}, 담당자 {PERSON} 실장, 메일 {EMAIL}"),
    (1, "(주)새봄에듀 사업자등록번호 {BRN} / 대표번호 {rep}"),
    # --- 법원·수사 ---
    (2, "사건번호 {case}, 원고 {PERSON}, 피고 {PERSON}"),
    (2, "피고인 {PERSON:은} {date} 오후 {time}경 범행을 저질렀다."),
    (1, "증인 {PERSON}의 주소지는 {ADDRESS}이다."),
    (1, "{case} 사건의 선고 기일은 {date}로 정해졌다."),
    (1, "고소인 {PERSON:은} {amount}을 편취당했다고 주장했다."),
    # --- IT·보안 로그 ---
    (2, "{date} {time} 로그인 실패: 계정 {EMAIL}, 접속 IP {IP}"),
    (2, "서버 {IPV4}에서 비정상 트래픽이 감지되었습니다."),
    (1, "관리자 접속 주소가 {IPV6}로 기록되었다."),
    (2, "패키지를 {version} 버전으로 올린 뒤 {IPV4} 서버에 배포했다."),
    (1, "버전 {version} 릴리스 노트를 확인하세요."),
    (2, "비밀번호 재설정 링크를 {EMAIL}로 보냈습니다."),
    (1, "방화벽 규칙에 {IPV4}/32를 추가했고 담당자는 {PERSON} 선임입니다."),
    (1, "게이트웨이 {IPV4} 포트 8080에서 응답이 없습니다."),
    # --- 여행·출입국 ---
    (2, "여권번호 {PASSPORT}, 영문 성명 HONG GILDONG, 만료일 {date}"),
    (2, "탑승객 {PERSON}님의 여권번호는 {PASSPORT}입니다."),
    (1, "여권 {PASSPORT}로 온라인 체크인을 완료했습니다."),
    (1, "비자 신청서의 여권 번호란에 {PASSPORT}를 적었다."),
    # --- 렌터카·운전면허 ---
    (2, "운전면허번호 {DL}, 면허 종류 1종 보통"),
    (2, "렌터카 계약자 {PERSON}, 면허번호 {DL}, 연락처 {MOBILE}"),
    (1, "{plate} 차량 운전자의 면허증 번호는 {DL}입니다."),
    (1, "차량번호 {plate}, 사고 접수번호 {order}"),
    # --- 채팅·일상 ---
    (3, "내 번호 {MOBILE}로 문자 줘"),
    (2, "{MOBILE_PLAIN} 이 번호로 연락 주세요"),
    (2, "엄마 번호 바뀌었어 {MOBILE}"),
    (2, "회비는 {bank} {ACCOUNT} {PERSON}한테 보내면 돼"),
    (1, "{GIVEN:아} 내일 몇 시에 만나?"),
    (1, "{GIVEN:아}, 아까 부탁한 거 잊지 마"),
    (2, "오늘 {PERSON:이랑} 점심 먹었는데 너도 올래?"),
    (2, "{PERSON} 씨가 {ADDRESS}로 이사했대요."),
    (1, "우리 집 주소는 {ADDRESS}이야. 택배 여기로 보내줘"),
    (1, "국제전화는 {INTL_PHONE}로 걸면 돼"),
    (1, "사무실 전화 {LANDLINE}, 팩스는 없어요"),
    # --- 뉴스 ---
    (3, "{PERSON}({age}) 씨는 {date} 새벽 귀가하던 중 사고를 당했다."),
    (2, "{PERSON} 기자 {EMAIL}"),
    (2, "이날 행사에는 {PERSON} 시장과 {PERSON} 의원이 참석했다."),
    (2, "{PERSON} 대표는 기자간담회에서 신제품 출시 계획을 밝혔다."),
    (1, "{PERSON} 교수 연구팀은 이번 연구 결과를 국제 학술지에 발표했다."),
    (1, "{PERSON} 감독이 이끄는 대표팀은 {date} 귀국한다."),
    (1, "경찰은 {PERSON:을} 상대로 범행 동기를 조사하고 있다."),
    (1, "{PERSON:은} {date} 기자회견을 열고 사퇴 의사를 밝혔다."),
    # --- 교육 ---
    (2, "학번 {student} {PERSON} 학생의 성적 정정 요청이 접수되었습니다."),
    (1, "담임 {PERSON} 선생님 연락처: {MOBILE}"),
    (1, "보호자 {PERSON} ({MOBILE}), 학생 {PERSON}"),
    # --- 여러 유형이 섞인 서식 ---
    (3, "성명: {PERSON}\n주민등록번호: {RRN}\n주소: {ADDRESS}\n전화: {PHONE}"),
    (2, "이름 {PERSON} / 이메일 {EMAIL} / 휴대전화 {MOBILE} / 계좌 {bank} {ACCOUNT}"),
    (1, "신청인 {PERSON}, 생년월일 {date}, 연락처 {PHONE}, 주소 {ADDRESS}"),
    (1, "고객정보: {PERSON} | {MOBILE} | {EMAIL} | {ADDRESS}"),
    (1, "주민등록번호 {RRN_NOSEP} (하이픈 없이 입력)"),
    (1, "주민번호 {RRN}, 카드 {CARD}, 계좌 {ACCOUNT}"),
    # --- 추가: 드문 유형을 더 ---
    (3, "외국인등록증 번호 {FRN}, 국적 베트남, 체류자격 E-9"),
    (2, "{PERSON} 씨의 외국인등록번호는 {FRN}이며 연락처는 {MOBILE}입니다."),
    (2, "고용허가 신청서: 근로자 외국인번호 {FRN}, 사업장 {ADDRESS}"),
    (2, "외국인 유학생 등록번호 {FRN}로 건강보험 자격을 조회했다."),
    (3, "법인등록번호 {CRN}인 주식회사 다솔테크의 대표이사는 {PERSON}이다."),
    (2, "등기부상 법인등록번호: {CRN} / 사업자등록번호: {BRN}"),
    (2, "법인 {CRN} 명의로 계좌를 개설하려면 인감증명서가 필요합니다."),
    (2, "입찰 참가 자격: 사업자등록번호 {BRN}, 법인번호 {CRN}"),
    (3, "간이과세자 사업자번호 {BRN}의 부가세 신고 기한은 {date}입니다."),
    (2, "세금계산서 공급받는자 등록번호 {BRN}, 상호 미래상사"),
    (3, "운전면허 {DL} 소지자는 적성검사를 받아야 합니다."),
    (2, "사고 차량 운전자 {PERSON}, 운전면허번호 {DL}"),
    (2, "면허증 번호({DL})를 입력하면 진위 여부를 확인할 수 있습니다."),
    (3, "출국 심사 때 여권번호 {PASSPORT}가 조회되지 않았다."),
    (2, "여권 번호 {PASSPORT} / 성명 {PERSON} / 국적 대한민국"),
    (2, "호텔 예약 시 여권 {PASSPORT} 사본을 제출했습니다."),
    (3, "결제 카드 {CARD}로 {amount}이 청구되었습니다."),
    (2, "카드 번호 {CARD} 유효기간 11/26 CVC는 절대 알려주지 마세요."),
    (2, "법인카드 {CARD} 사용 내역을 첨부합니다."),
    (3, '접속 로그: {IPV4} - - [{date}] "GET /login HTTP/1.1" 200'),
    (2, "VPN 할당 IP는 {IPV4}이고 DNS는 {IPV4}입니다."),
    (2, "공유기 관리 페이지 {IPV4}에 접속해 비밀번호를 바꿨다."),
    (2, "IPv6 주소 {IPV6}에서 반복 로그인이 시도되었다."),
    (3, "문의 메일은 {EMAIL} 으로 보내주세요."),
    (2, "참조: {EMAIL}, {EMAIL}"),
    (2, "계정 아이디 {EMAIL}로 가입된 내역이 있습니다."),
    (2, "주민등록번호 {RRN} 소유자의 주소는 {ADDRESS}입니다."),
    (2, "본인 확인을 위해 주민번호 {RRN} 뒷자리를 다시 입력해 주세요."),
    (2, "{PERSON} ({RRN}) 님의 가족관계증명서가 발급되었습니다."),
    (2, "사망자 {PERSON}, 주민등록번호 {RRN}, 사망일 {date}"),
    (2, "이체 받을 계좌 {bank} {ACCOUNT}"),
    (2, "{bank} 계좌 {ACCOUNT} 예금주 {PERSON} 확인 부탁드립니다."),
    (2, "가상계좌 {bank} {ACCOUNT}로 {date}까지 입금하시기 바랍니다."),
    (2, "가게 전화번호는 {LANDLINE}입니다."),
    (2, "긴급 연락처: {PERSON} {MOBILE}"),
    (2, "휴대전화 {MOBILE} 인증번호 {postcode}{postcode}를 입력하세요."),
    (2, "현장 주소: {ADDRESS} (주차 불가)"),
    (2, "이전 주소는 {ADDRESS}였고 지금은 {ADDRESS}에 삽니다."),
    (2, "{PERSON} 변호사 사무실은 {ADDRESS}에 있다."),
    (2, "작성자 {PERSON} | 작성일 {date}"),
    (2, "{PERSON} 주임이 {date}자로 인사 발령을 받았습니다."),
    (2, "{PERSON}님께서 문의하신 내용에 답변드립니다."),
    (2, "오늘 당직은 {PERSON} 경위입니다."),
    (2, "수상자: {PERSON}(대상), {PERSON}(금상)"),
    (2, "{PERSON}에게 자료를 넘겨받아 검토했다."),
    (2, "{PERSON:과} 함께 출장을 다녀왔습니다."),
    (1, "어제 {PERSON:이} 보낸 메일을 확인해 주세요."),
    (1, "{PERSON} 선수는 전반 20분에 선제골을 넣었다."),
    (1, "{PERSON} 할머니께서 손수 만든 김치를 보내주셨다."),
    (1, "{GIVEN} 씨, 서류 준비됐나요?"),
]

# Lines with no identifier at all, many of them full of numbers that look like one.
NEGATIVES: list[tuple[int, str]] = [
    (2, "{date}까지 신청하면 {amount}을 환급받을 수 있습니다."),
    (2, "주문번호 {order}의 결제 금액은 {amount}입니다."),
    (2, "주문번호 {order16} 상품이 출고되었습니다."),
    (2, "운송장 번호 {tracking}, 배송 예정일 {date}"),
    (2, "ISBN {isbn} 도서를 대출했습니다."),
    (2, "바코드 {barcode}를 스캔해 주세요."),
    (1, "상품 바코드 {barcode}, 가격 {amount}"),
    (2, "우편번호 {postcode}로 조회된 지역입니다."),
    (2, "대표번호 {rep}로 전화하시면 상담원이 연결됩니다."),
    (2, "무료 상담 {tollfree} (평일 09:00~18:00)"),
    (2, "앱을 {version} 버전으로 업데이트했더니 오류가 사라졌다."),
    (1, "{version}에서 {version}로 올리면서 API가 바뀌었습니다."),
    (2, "사건번호 {case}에 대한 판결문을 열람했다."),
    (1, "{case} 사건은 {date}에 변론이 종결되었다."),
    (2, "{plate} 차량이 불법 주차로 단속되었다."),
    (2, "학번 {student} 학생의 수강 신청이 완료되었습니다."),
    (2, "회의는 {date} {time}에 3층 대회의실에서 열립니다."),
    (2, "올해 예산은 {amount}으로 작년보다 12% 늘었다."),
    (1, "인구는 9,411,264명, 면적은 605.2㎢이다."),
    (1, "좌표는 37.5665, 126.9780입니다."),
    (1, "제품 시리얼 {order}, 보증기간 {date}까지"),
    (1, "승인번호 {tracking}, 결제일 {date}"),
    (1, "접수번호 {order}로 진행 상황을 확인하세요."),
    (1, "예약번호 {tracking}, 체크인 {date} 15:00"),
    (1, "논문 DOI는 10.5555/{postcode}.{postcode}입니다."),
    (1, "1.2.3.4 항목을 다시 검토해 주세요."),
    (1, "경기 결과는 3:2였고, 관중은 12,345명이었다."),
    (1, "환율은 1,385.50원, 코스피는 2,650.31로 마감했다."),
    (1, "전화번호 앞자리는 보통 010으로 시작한다."),
    (1, "주민등록번호는 생년월일 6자리와 뒷자리 7자리로 이루어진다."),
    (1, "계좌번호를 알려주시면 확인 후 연락드리겠습니다."),
    (1, "여권 유효기간이 6개월 미만이면 출국이 제한될 수 있다."),
    (1, "운전면허 갱신은 가까운 경찰서에서 할 수 있습니다."),
    (1, "카드 결제 시 할부는 최대 12개월까지 가능합니다."),
    (1, "이메일 주소 형식이 올바르지 않습니다."),
    # Name-like words that are not names.
    (1, "한국인 선수가 결승전에서 금메달을 땄다."),
    (1, "유명한 작가의 신작이 다음 달 출간된다."),
    (1, "신임 장관은 취임식에서 개혁을 강조했다."),
    (1, "정부는 이번 주 안에 대책을 발표할 예정이다."),
    (1, "이사장님께서 내일 오전에 방문하십니다."),
    (1, "김부장님이 회의실을 예약해 두셨어요."),
    (1, "박과장이 보고서를 늦게 냈다고 한다."),
    (1, "김치찌개를 끓이는 동안 전기밥솥이 다 됐다."),
    (1, "조용한 학생이 발표를 맡았다."),
    (1, "성실한 직원에게 표창장이 수여되었다."),
    (1, "이번에 새로 온 선생님은 친절하시다."),
    (1, "고객님의 소중한 의견을 기다립니다."),
    (1, "한강공원에서 자전거를 탔다."),
    (1, "안전한 비밀번호를 사용하세요."),
    (1, "전문가 의견을 참고해 결정하겠습니다."),
    (1, "서울시 강남구 일대에 비가 내렸다."),
    (1, "강남구청역 2번 출구 앞에서 만나요."),
    (1, "서울 중구 을지로3가역 근처 식당을 추천해 주세요."),
    (1, "테헤란로 일대는 출근 시간마다 막힌다."),
    (1, "부산 해운대구에 새 도서관이 문을 열었다."),
    (1, "세종대로 사거리에서 집회가 열렸다."),
    (1, "정보보호 담당자 교육이 다음 주에 있습니다."),
    (1, "우리 회사 대표는 회의에 늦었다."),
    (1, "원장님 말씀으로는 다음 달부터 진료 시간이 바뀐다."),
    (1, "조합원 총회에서 안건이 통과되었다."),
    (1, "이용자 약관이 개정되었습니다."),
    (1, "고등학생 대상 코딩 캠프가 열린다."),
    (1, "황금연휴에 고속도로가 붐볐다."),
    (1, "오늘은 하늘이 맑고 바람이 선선하다."),
    (1, "민원실은 평일 9시부터 6시까지 운영합니다."),
    (1, "문의사항은 홈페이지 게시판을 이용해 주세요."),
    (1, "주요 내용은 다음과 같습니다: 첫째, 예산 확보; 둘째, 인력 충원."),
    (1, "신제품 출시 행사에 500명이 넘게 몰렸다."),
    (1, "지난해 매출은 3조 2천억 원으로 집계됐다."),
    (1, "임직원 모두가 봉사활동에 참여했다."),
    (1, "장관상 수상자는 다음 달에 발표된다."),
    (1, "전국의 초등학생 수가 해마다 줄고 있다."),
    (1, "한국어 교육 과정이 개편되었습니다."),
    (2, "바코드 번호 {barcode} 제품은 단종되었습니다."),
    (2, "ISBN {isbn}, 정가 {amount}"),
    (2, "주문 번호 {order} 취소 요청이 접수되었습니다."),
    (2, "택배 송장 {tracking} 조회 결과 배송 완료입니다."),
    (2, "고객센터 {rep} 운영시간은 09:00~18:00입니다."),
    (2, "수신자 부담 {tollfree}로 연락 주세요."),
    (2, "{date} {time} 기준 접속자 수는 1,234명입니다."),
    (2, "모델번호 SM-{postcode}N, 일련번호 {order}"),
    (1, "버전 {version}에서 보안 패치가 적용되었다."),
    (1, "공지 {date}: 서버 점검 {time}~{time}"),
    (1, "다음 회차 당첨번호는 3, 11, 19, 27, 34, 41입니다."),
    (1, "계약 기간은 {date}부터 {date}까지입니다."),
    (1, "총 {amount}, 부가세 {amount} 포함"),
    (1, "우편번호 {postcode} 지역은 도서산간으로 추가 배송비가 붙습니다."),
    (1, "학번 {student}, 학점 3.85/4.5"),
    (1, "{plate} 차량 소유주에게 과태료가 부과되었다."),
    (1, "사건 {case} 관련 자료를 제출하였습니다."),
    (1, "고시 제{date}호 개정안이 시행된다."),
    (1, "전화 상담은 {rep}, 팩스 접수는 불가합니다."),
    (1, "부품번호 {tracking} 재고 확인 부탁드립니다."),
    (1, "상품 코드 {barcode}는 유통기한이 {date}까지다."),
    (1, "이 책의 ISBN은 {isbn}이다."),
    (1, "이번 달 관리비는 {amount}이고 납부 기한은 {date}입니다."),
    (1, "영수증 번호 {order}, 결제 시각 {time}"),
    (1, "조회번호 {tracking}로 등기우편 위치를 확인했다."),
    (1, "특허 출원번호 10-{student}-{postcode}"),
    (1, "신규 가입자는 첫 달 요금이 50% 할인됩니다."),
    (1, "회의록은 공유 드라이브에 올려두었습니다."),
    (1, "정기 점검으로 서비스가 잠시 중단됩니다."),
    (1, "조사 결과 응답자의 67.3%가 찬성했다."),
    (1, "선거 관리 위원회는 투표율이 58.2%라고 밝혔다."),
    (1, "한국전력은 전기요금 인상을 검토 중이다."),
    (1, "신한 대표 선수단이 해외 전지훈련을 떠났다."),
    (1, "유기농 채소를 정기 배송으로 받아요."),
    (1, "오전 회의에서 정책 방향을 논의했다."),
    (1, "임원 회의는 매주 월요일에 열린다."),
    (1, "강사님이 준비한 자료를 나눠 드렸다."),
    (1, "경찰은 용의자를 추적하고 있다."),
    (1, "의사 선생님이 약을 처방해 주셨다."),
    (1, "간호사 선생님께 물어보세요."),
]


# Held-out templates: written after the recognisers were tuned on the ones above and never
# used for tuning; the benchmark reports them separately ("split": "heldout").
HELDOUT: list[tuple[int, str]] = [
    (2, "[배송 안내] {PERSON}님 앞으로 온 택배가 경비실에 보관 중입니다. 문의 {MOBILE}"),
    (2, "가입 정보 변경: 휴대폰 번호 {MOBILE} → {MOBILE}"),
    (2, "저희 사무실로 오시려면 {ADDRESS}로 오시면 됩니다."),
    (2, "{PERSON} 팀장님 번호 좀 알려주세요. {MOBILE} 맞나요?"),
    (2, "연말정산 부양가족: 배우자 {PERSON} ({RRN}), 자녀 {PERSON} ({RRN})"),
    (2, "보증금은 {bank} {ACCOUNT} (예금주: {PERSON})로 계약 당일 입금"),
    (2, "임대인 {PERSON}, 임차인 {PERSON}, 목적물 소재지 {ADDRESS}"),
    (2, "{PERSON} 원장님이 추천해 주신 병원은 {ADDRESS}에 있어요."),
    (2, "카드 뒷면 번호 말고 앞면 {CARD} 이 번호만 불러주세요."),
    (2, "계좌 {ACCOUNT} ({bank}) 로 환불 예정입니다."),
    (2, "주민번호 {RRN} 입력 시 오류가 발생합니다."),
    (2, "외국인 등록번호 {FRN} / 여권 {PASSPORT}"),
    (2, "사업장 등록번호 {BRN}, 대표 {PERSON}, 업태 도소매"),
    (2, "본점: {ADDRESS} / 법인등록번호 {CRN}"),
    (2, "면허 번호 {DL} 조회 결과 정상입니다."),
    (2, "서버 접근 기록: user={EMAIL} ip={IPV4} time={time}"),
    (2, "{IPV4} 대역에서 포트 스캔 시도가 있었습니다."),
    (2, "메일 주소가 {EMAIL}인지 {EMAIL}인지 확인 부탁드려요."),
    (2, "수신: {PERSON} 귀하 / 발신: {PERSON}"),
    (2, "{PERSON} 선생님, 내일 상담 시간 변경 가능할까요?"),
    (2, "공동 저자: {PERSON}, {PERSON} 교수"),
    (2, "사고 당사자 {PERSON}({age})씨와 {PERSON}({age})씨는 모두 경상을 입었다."),
    (2, "{PERSON} 전 장관은 이날 기자들과 만나 입장을 밝혔다."),
    (2, "신고자 {PERSON}, 연락처 {PHONE}, 신고 내용: 층간 소음"),
    (2, "{PERSON}이가 어제 {ADDRESS}로 이사 갔대."),
    (2, "{GIVEN:아}, 엄마야. 이 번호 {MOBILE}로 저장해 줘."),
    (2, "국민신문고 민원 접수: 민원인 {PERSON}, 주소 {ADDRESS}, 전화 {LANDLINE}"),
    (2, "전세 계약 중개인 {PERSON} 공인중개사 {LANDLINE}"),
    (2, "{PERSON} 씨 계좌가 {ACCOUNT_PLAIN} 맞죠? {bank}요."),
    (2, "통화 가능하시면 {INTL_PHONE}로 연락 주세요."),
    (2, "해외 결제 카드 {CARD} 승인 거절"),
    (2, "예약자명 {PERSON}, 인원 4명, 연락처 {MOBILE_PLAIN}"),
    (2, "조회하신 주민등록번호({RRN_NOSEP})는 유효하지 않습니다."),
    (2, "출생신고된 아이의 주민등록번호는 {RRN_RECENT}입니다."),
    # negatives
    (2, "제품 보증서 일련번호 {order}, 구입일 {date}"),
    (2, "도서 {isbn} 반납 예정일은 {date}입니다."),
    (2, "관리사무소 대표전화 {rep}, 야간 {rep}"),
    (2, "인증번호 {postcode}{postcode} 를 3분 안에 입력하세요."),
    (2, "총 결제금액 {amount} (할인 {amount})"),
    (2, "v{version} 릴리스에서 빌드 번호 {student}가 배포되었다."),
    (2, "택배 운송장 {tracking}이 등록되었습니다."),
    (2, "{case} 손해배상 청구 사건의 변론기일이 잡혔다."),
    (1, "이번 주말 정기 모임은 강남역 11번 출구에서 6시에 만납니다."),
    (1, "{PERSON} 할아버지 같은 배우가 되고 싶다는 꿈이 있었다."),
    (1, "정지선을 지키지 않으면 범칙금이 부과됩니다."),
    (1, "한지민원센터는 토요일에 문을 닫습니다."),
    (1, "오늘 이사회에서 신임 이사장이 선출되었다."),
    (1, "김장철을 맞아 배추 가격이 올랐다."),
    (1, "이번 달 전기요금은 지난달보다 8% 올랐다."),
    (1, "안전 교육은 필수이며 미이수 시 불이익이 있습니다."),
]

AGES = [str(a) for a in range(19, 81)]


# The attack matrix as evaluation items ("split": "variants"): the numeric identifiers of
# rendered lines rewritten the way a hostile client hides them (Unicode digits, invisible
# characters inside, other dashes and separators), and hard negatives whose digits are
# rewritten the same way; their gold spans move with the text. A separate generator, so
# the dev and held-out lines stay exactly as they were.
_VARIANT_TYPES = frozenset({"RRN", "FRN", "CARD", "ACCOUNT", "PHONE", "BRN", "CRN"})
_FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")
_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DASHES = "\u2010\u2011\u2013\u2014\u2212\uff0d\ufe63"
_SEPARATORS = ["\u00a0", "\t", " - ", "--", "-\n"]


def disguise(value: str, vrng: random.Random) -> str:
    """`value` written as one of the attack matrix's variants."""
    kind = vrng.randrange(5)
    if kind == 0:
        return value.translate(vrng.choice([_FULL, _BOLD, _ARABIC]))
    if kind == 1:  # an invisible character inside a digit group
        at = vrng.choice([i for i in range(1, len(value)) if value[i - 1 : i + 1].isdigit()])
        return value[:at] + vrng.choice(_INVISIBLE) + value[at:]
    if "-" not in value:
        return value.translate(_FULL)
    if kind == 2:
        return value.replace("-", vrng.choice(_DASHES))
    if kind == 3:
        return value.replace("-", vrng.choice(_SEPARATORS), 1)
    return value.translate(_FULL).replace("-", "\u200b-", 1)


def variant_lines(lines: list[dict[str, object]], count: int) -> list[dict[str, object]]:
    vrng = random.Random(20261204)
    numeric = [x for x in lines if any(e["type"] in _VARIANT_TYPES for e in x["entities"])]  # type: ignore[union-attr,index]
    negatives = [x for x in lines if not x["entities"] and any(c.isdigit() for c in str(x["text"]))]
    out = []
    for line in vrng.sample(numeric, count) + vrng.sample(negatives, count // 2):
        text = str(line["text"])
        entities = sorted(line["entities"], key=lambda e: e["start"])  # type: ignore[arg-type,index]
        new_text, new_entities, at = "", [], 0
        for e in entities:
            new_text += text[at : e["start"]]
            value = text[e["start"] : e["end"]]
            if e["type"] in _VARIANT_TYPES:
                value = disguise(value, vrng)
            new_entities.append(
                {"start": len(new_text), "end": len(new_text) + len(value), "type": e["type"]}
            )
            new_text += value
            at = e["end"]
        rest = text[at:]
        if not entities:  # a hard negative: its digits in full width, dashes of another kind
            rest = rest.translate(_FULL) if vrng.random() < 0.5 else rest.replace("-", "\u2011")
        out.append({"text": new_text + rest, "entities": new_entities, "split": "variants"})
    return out


# Particle pairs: (after a final consonant, after a vowel).
JOSA = {
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "이랑": ("이랑", "랑"),
    "으로": ("으로", "로"),
    "아": ("아", "야"),
}


def josa(word: str, particle: str) -> str:
    last = word[-1]
    if not "가" <= last <= "힣":
        return JOSA[particle][0]
    return JOSA[particle][0 if (ord(last) - 0xAC00) % 28 else 1]


def render(template: str) -> dict[str, object]:
    text = ""
    entities: list[dict[str, object]] = []
    pos = 0
    for m in re.finditer(r"\{([A-Za-z0-9_]+)(?::([가-힣]+))?\}", template):
        text += template[pos : m.start()]
        slot, particle = m.group(1), m.group(2)
        if slot == "age":
            value, kind = rng.choice(AGES), None
        else:
            fn, kind = GEN[slot]
            value = fn()
        if kind is not None:
            entities.append({"start": len(text), "end": len(text) + len(value), "type": kind})
        text += value
        if particle:
            text += josa(value, particle)
        pos = m.end()
    text += template[pos:]
    return {"text": text, "entities": entities}


def main() -> None:
    lines = []
    for times, template in TEMPLATES:
        for _ in range(2 * times):
            lines.append(render(template))
    for times, template in NEGATIVES:
        for _ in range(times + 1):
            lines.append(render(template))
    rng.shuffle(lines)
    for line in lines:
        line["split"] = "dev"
    held = [render(template) for times, template in HELDOUT for _ in range(times)]
    rng.shuffle(held)
    for line in held:
        line["split"] = "heldout"
    lines += held
    lines += variant_lines(lines, 120)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for line in lines:
        for e in line["entities"]:  # type: ignore[union-attr]
            counts[e["type"]] = counts.get(e["type"], 0) + 1  # type: ignore[index]
    print(f"{len(lines)} lines -> {OUT}")
    print(dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
