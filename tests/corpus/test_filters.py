"""Korean filters: exact drop reasons on inline text, and keep/drop rates on the fixtures."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from datatrove.data import Document

from hanji.corpus.filters import (
    BoilerplateLines,
    KoreanQualityFilter,
    Normalize,
    ScriptFilter,
    SpamFilter,
)
from hanji.corpus.filters.quality import ngram_stats

from .conftest import ARTICLE, FIXTURES


def doc(text: str) -> Document:
    return Document(text=text, id="t", metadata={"path": "t.jsonl", "line": 1})


def judge(text: str) -> str | None:
    """The first drop reason of the whole filter chain, or None when kept."""
    d = doc(text)
    for step in (Normalize(), BoilerplateLines()):
        result = step.process(d)
        if isinstance(result, str):
            return result
    for f in (ScriptFilter(), SpamFilter(), KoreanQualityFilter()):
        reason = f.check(d)
        if reason:
            return reason
    return None


def test_normalise_repairs_nfd_and_zero_width_and_counts_them() -> None:
    import unicodedata

    step = Normalize()
    nfd = unicodedata.normalize("NFD", ARTICLE)
    out = list(step.run([doc(nfd), doc("한\u200b지는 종이다.")]))
    assert out[0].text == ARTICLE and out[1].text == "한지는 종이다."
    assert step.stats["fixed_nfd"].total == 1 and step.stats["fixed_zero_width"].total == 1
    assert {w["reason"] for w in step.ledger.warnings} == {"nfd", "zero_width"}


def test_boilerplate_lines_go_and_the_article_stays() -> None:
    text = (
        f"홈 > 사회 > 사건사고\n구독하기 | 로그인\n\n{ARTICLE}\n\n김하늘 기자\n"
        "기자 이메일 보내기\n관련기사 더보기\nⓒ 한지일보 무단전재 및 재배포 금지"
    )
    d = doc(text)
    assert BoilerplateLines().process(d) is d
    assert d.text == f"{ARTICLE}\n\n김하늘 기자"
    assert d.metadata["boilerplate_lines"] == 5


def test_a_sentence_about_copyright_is_not_boilerplate() -> None:
    line = (
        "이 판결은 기사를 무단 전재한 블로그 운영자에게 손해를 배상하라는 취지로, "
        "언론사의 저작권을 폭넓게 인정했다는 평가를 받는다."
    )
    d = doc(line)
    assert BoilerplateLines().process(d).text == line


def test_only_furniture_is_dropped_as_boilerplate() -> None:
    assert (
        BoilerplateLines().process(doc("홈 | 뉴스 | 스포츠 | 연예\n로그인\n맨 위로"))
        == "boilerplate"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "The committee will publish its findings next week, according to a statement.",
            "not_korean",
        ),
        (ARTICLE.encode("utf-8").decode("cp949", errors="replace"), "mojibake"),
        (ARTICLE.encode("euc-kr").decode("latin-1"), "mojibake"),
        ("ㅋㅋ 좋아요", "too_short"),
        ("먹튀검증 완료된 안전놀이터 가입코드 입력하면 꽁머니 지급. 카톡문의 주세요.", "spam"),
        ("코스피 2,648.15 +1.2% 31.42 4,210 3,870 1,234 5,678 9,101 1.1% 2.2%", "digits"),
        ("★★★ 대박 ★★★ 오늘만 ♥♥♥ 특별 할인 ♥♥♥ ▶▶ 지금 참여 ◀◀ 놓치지 마세요! " * 2, "symbols"),
        ("\n".join(["오늘도 좋은 하루 보내세요."] * 8), "dup_lines"),
    ],
)
def test_drop_reasons(text: str, reason: str) -> None:
    assert judge(text) == reason


def test_everyday_words_alone_are_not_spam_unless_stuffed() -> None:
    minutes = (
        "영업팀 주간 회의에서는 다음 달 할인 행사의 일정과 예산을 논의했다. 지난 행사 때 고객 "
        "문의가 몰려 답변이 늦어졌다는 지적이 나와, 이번에는 할인 기간 동안 문의 전담 인력을 "
        "두 명 더 배치하기로 했다. 할인 폭은 지난해와 같게 유지하고, 문의가 많은 품목은 안내 "
        "문구를 미리 손보기로 했다."
    )
    assert SpamFilter().score(minutes) == 0 and judge(minutes) is None
    stuffed = (
        "카지노 바카라 토토 슬롯 배팅 잭팟 환전 충전 카지노 바카라 토토 슬롯 오늘도 대박 나세요."
    )
    assert judge(stuffed) == "spam"


def test_korean_with_english_terms_is_kept() -> None:
    text = (
        "Python에서 리스트(list)는 여러 값을 순서대로 담는 자료형이다. 대괄호 안에 값을 쉼표로 "
        "구분해 적으면 리스트가 만들어진다. 예를 들어 scores = [90, 85, 77]이라고 쓰면 세 개의 "
        "점수가 한 리스트에 담긴다."
    )
    assert judge(text) is None


def test_ngram_stats_measure_repetition() -> None:
    top, dup = ngram_stats("가 나 가 나 가 나 다 라".split(), (2,), (3,))
    assert top[2] == pytest.approx(6 / 8)
    assert dup[3] == pytest.approx(6 / 8)


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]


def test_fixtures_keep_good_korean_and_drop_junk() -> None:
    good, junk = load("good.jsonl"), load("junk.jsonl")
    per_domain = Counter(r["domain"] for r in good)
    assert len(junk) >= 100 and all(n >= 100 for n in per_domain.values()) and len(per_domain) == 5
    kept = Counter(r["domain"] for r in good if judge(r["text"]) is None)
    for domain, total in per_domain.items():
        assert kept[domain] / total >= 0.95, (domain, kept[domain], total)
    reasons = [(judge(r["text"]), r["reason"]) for r in junk]
    assert sum(got is not None for got, _ in reasons) / len(junk) >= 0.95
    assert sum(got == want for got, want in reasons) / len(junk) >= 0.9
