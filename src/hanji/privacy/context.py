"""Korean context words before a candidate: "계좌" makes digits an account number,
"주문번호" makes them nothing. The nearest keyword before the candidate decides."""

from __future__ import annotations

import re

from hanji.privacy.regex_trie import word_alternation

__all__ = ["CONTEXT_WINDOW", "NEGATIVE", "nearest_keyword"]

# How far back (code points) a keyword may stand from the candidate it qualifies.
CONTEXT_WINDOW = 24
NEGATIVE = "NEG"

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "RRN": ("주민등록번호", "주민등록 번호", "주민번호", "주민 번호", "주민등록", "RRN"),
    "FRN": (
        "외국인등록번호", "외국인 등록번호", "외국인번호", "외국인등록증", "외국인등록",
        "거소신고번호", "외국인",
    ),
    "PASSPORT": ("여권번호", "여권 번호", "여권", "passport", "Passport", "PASSPORT"),
    "DRIVER_LICENSE": ("운전면허번호", "운전면허", "운전 면허", "면허번호", "면허 번호", "면허증"),
    "BRN": ("사업자등록번호", "사업자 등록번호", "사업자번호", "사업자 번호", "사업자"),
    "CRN": ("법인등록번호", "법인 등록번호", "법인번호", "법인 번호", "법인"),
    "CARD": ("카드번호", "카드 번호", "신용카드", "체크카드", "카드", "card", "Card", "CARD"),
    "ACCOUNT": (
        "계좌번호", "계좌", "예금주", "입금", "송금", "이체", "은행", "뱅크", "농협", "신협",
        "수협", "우체국", "새마을금고", "통장", "증권", "account",
    ),
    "PHONE": (
        "연락처", "전화번호", "전화", "휴대폰", "핸드폰", "휴대전화", "휴대번호", "휴대폰번호",
        "tel", "Tel", "TEL", "phone", "Phone", "모바일", "문자", "연락", "H.P", "HP",
    ),
    "IP": ("IP 주소", "IP주소", "IP", "ip", "아이피", "접속", "서버", "로그인"),
    NEGATIVE: (
        "주문번호", "주문 번호", "주문", "ISBN", "isbn", "사건번호", "사건", "우편번호", "바코드",
        "송장", "운송장", "운송장번호", "택배", "접수번호", "예약번호", "상품코드", "상품번호",
        "모델번호", "모델명", "일련번호", "시리얼", "버전", "version", "Version", "ver", "학번",
        "관리번호", "승인번호", "거래번호", "문서번호", "회원번호", "인증번호", "품번", "등기번호",
        "고유번호", "제품번호", "특허", "출원번호", "조회번호", "영수증번호", "티켓번호", "쿠폰",
        "증권번호", "차대번호", "부품번호", "생산번호", "로트", "배치번호", "청구번호", "수험번호",
        "군번", "사번", "트래킹", "tracking", "송장번호", "좌표", "판결", "고시", "공고",
        "공고번호", "과제번호", "논문", "DOI", "doi", "계약번호", "견적번호", "발주번호", "코드",
    ),
}  # fmt: skip

_TYPE_OF: dict[str, str] = {}
for _type, _words in _KEYWORDS.items():
    for _w in _words:
        _TYPE_OF.setdefault(_w, _type)
_KEYWORD_RE = re.compile(word_alternation(_TYPE_OF))


def nearest_keyword(text: str, start: int, window: int = CONTEXT_WINDOW) -> str | None:
    """Type named by the keyword closest before `start` (within `window`), or None.

    Returns an entity type, `NEGATIVE` for words such as 주문번호 or 바코드, or None.
    """
    words = _KEYWORD_RE.findall(text, max(0, start - window), start)
    return _TYPE_OF[words[-1]] if words else None
