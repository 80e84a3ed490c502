"""Regenerate the labelled filter fixtures: ``good.jsonl`` and ``junk.jsonl``.

    python tests/data/corpus/make_fixtures.py

Good documents are paragraph groups of hanji's own sample corpus (data/sample/train, all
five domains; the planted dirt is left out) plus a few written here. Junk documents are
generated from templates written for hanji: spam, menus, English, mojibake, stuffing,
repeats, tables, fragments... Each junk line carries the reason the pipeline should give.
Seeded, so the files only change when this script does.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
SAMPLE = HERE.parents[2] / "data" / "sample" / "train"
DOMAINS = ("textbook", "encyclopedia", "news", "literature", "neologism")
PLANTED = {"textbook-0046", "literature-0029", "news-0033"}
FURNITURE = ("구독하기", "무단전재", "기자 이메일", "관련기사", "홈 >", "ⓒ")
MIN_CHARS = 120

EXTRA_GOOD = [
    (
        "news",
        "코스피가 외국인 매수세에 힘입어 사흘 만에 반등했다. 28일 코스피는 전 거래일보다 "
        "31.42포인트(1.2%) 오른 2,648.15에 거래를 마쳤다. 외국인은 4,210억 원어치를 순매수했고 "
        "개인은 3,870억 원어치를 팔았다. 반도체와 자동차 업종이 상승을 이끌었다.",
    ),
    (
        "textbook",
        "Python에서 리스트(list)는 여러 값을 순서대로 담는 자료형이다. 대괄호 안에 값을 "
        "쉼표로 구분해 적으면 리스트가 만들어진다. 예를 들어 scores = [90, 85, 77]이라고 쓰면 "
        "세 개의 점수가 한 리스트에 담긴다. 리스트의 첫 번째 값은 scores[0]으로 꺼낸다.",
    ),
    (
        "literature",
        "창문을 열면\n먼 산이 먼저 들어온다\n\n어머니는 그 산을 보며\n빨래를 널었다\n\n"
        "바람이 불 때마다\n하얀 소매가\n손을 흔드는 것 같았다\n\n"
        "나는 아직도\n그 손짓에 대답하지 못했다",
    ),
    (
        "neologism",
        "요즘 회사에서 제일 많이 듣는 말이 '알잘딱깔센'이다. 알아서 잘, 딱 깔끔하고 "
        "센스 있게 하라는 뜻인데, 정작 무엇을 어떻게 하라는 건지는 아무도 말해 주지 않는다. "
        "그래서 나는 오늘도 눈치껏 일한다. 이게 바로 MZ의 생존법 아닐까.",
    ),
    (
        "encyclopedia",
        "측우기(測雨器)는 조선 세종 때 만든 강우량 측정 기구이다. 쇠로 만든 원통에 빗물을 "
        "받아 그 깊이를 자로 재었으며, 전국 각지에 같은 규격의 기구를 두어 비의 양을 기록하게 "
        "했다. 이 기록은 농사 계획을 세우는 데 중요한 자료가 되었다.",
    ),
]


def paragraph_docs() -> list[dict]:
    """Consecutive paragraphs merged until each piece has MIN_CHARS characters."""
    docs = []
    for domain in DOMAINS:
        path = SAMPLE / f"{domain}.jsonl"
        for line in path.read_text("utf-8").splitlines():
            rec = json.loads(line)
            if rec["id"] in PLANTED or not unicodedata.is_normalized("NFC", rec["text"]):
                continue
            if sum(c.isascii() and c.isalpha() for c in rec["text"]) > len(rec["text"]) / 3:
                continue
            buf: list[str] = []
            part = 0
            for para in rec["text"].split("\n\n"):
                if any(f in para for f in FURNITURE):
                    continue
                buf.append(para.strip())
                if sum(len(p) for p in buf) >= MIN_CHARS:
                    docs.append(
                        {"id": f"{rec['id']}-p{part}", "domain": domain, "text": "\n\n".join(buf)}
                    )
                    buf, part = [], part + 1
    return docs


def junk_docs(rng: random.Random) -> list[dict]:
    out: list[dict] = []

    def add(reason: str, text: str) -> None:
        out.append({"id": f"junk-{len(out):03d}", "reason": reason, "text": text})

    sites = ["럭키", "골드", "대박", "승리", "빅윈", "에이스", "로얄", "스타"]
    for i in range(10):
        s = rng.choice(sites)
        add(
            "spam",
            f"{s}카지노 신규가입 첫충 20% 매충 10% 꽁머니 지급\n먹튀검증 완료된 안전놀이터 "
            f"{s}벳 가입코드 {rng.randint(100, 999)} 입력시 추가 혜택\n바카라사이트 슬롯사이트 "
            f"환전무제한 롤링없음 24시간 고객센터 운영\n카톡문의 {s}{i} 텔레그램 @{s.lower()}{i}",
        )
    for i in range(8):
        add(
            "spam",
            f"오늘밤 외로우신가요? 조건만남 애인대행 출장안마 출장샵 전지역 {i + 1}시간 내 "
            f"방문\n무료야동 성인채팅 19금영상 지금바로클릭 회원가입 없이 무료체험\n카톡상담 환영 "
            f"100% 보장 비밀보장",
        )
    for _ in range(8):
        add(
            "spam",
            f"무직자대출 당일대출 신불자대출 가능합니다 한도 {rng.randint(3, 9)}천만원까지\n"
            f"소액결제현금화 정보이용료현금화 상품권현금화 최고 매입률\n무료상담 카톡문의 주세요 "
            f"고수익보장 재택부업 고액알바 모집중",
        )
    products = ["다이어트 보조제", "탈모 샴푸", "미백 크림", "무선 이어폰", "홍삼 세트"]
    for _ in range(8):
        p = rng.choice(products)
        add(
            "spam",
            f"[특가세일] {p} 최저가보장 단 하루 선착순마감!\n지금바로클릭 하시고 "
            f"무료체험 신청하세요 클릭하세요 클릭하세요\n문의주세요 카톡문의 상담환영 "
            f"이벤트 할인 최저가 {rng.randint(50, 90)}% 할인",
        )
    menus = [
        ["홈", "뉴스", "스포츠", "연예", "경제", "로그인", "회원가입"],
        ["정치", "경제", "사회", "문화", "국제", "오피니언", "포토"],
        ["공지사항", "자유게시판", "질문답변", "자료실", "갤러리", "이벤트"],
        ["회사소개", "제품안내", "고객센터", "오시는길", "채용정보"],
    ]
    for i in range(10):
        items = menus[i % len(menus)]
        lines = [" | ".join(rng.sample(items, len(items))) for _ in range(4)]
        lines += ["로그인", "회원가입", "고객센터", "맨 위로", "구독하기 | 로그인"]
        add("boilerplate", "\n".join(lines))
    english = [
        "The quarterly report shows that revenue grew by twelve percent while operating costs "
        "remained flat. Analysts expect the company to raise its guidance next month.",
        "To install the package, run the following command in your terminal and restart the "
        "application. If the problem persists, please contact our support team.",
        "She walked along the river at dusk, counting the lanterns that drifted past, and "
        "wondered whether anyone else remembered the festival her grandmother described.",
        "Click here to subscribe to our newsletter and receive weekly updates about new products, "
        "exclusive offers and upcoming events in your area.",
    ]
    for i in range(10):
        text = " ".join(rng.sample(english, 3))
        if i % 2:
            text = text.replace("river", "강") + " 감사합니다."
        add("not_korean", text)
    for i in range(4):
        add(
            "not_korean",
            "今日は朝から雨が降っていたので、駅まで歩くのをやめてバスに乗った。"
            "車内はとても混んでいて、窓の外の景色もよく見えなかった。" * (i + 1),
        )
        add(
            "not_korean",
            "今天早上下了很大的雨，我没有走路去车站，而是坐了公交车。车上人很多，"
            "几乎看不到窗外的风景。" * (i + 1),
        )
    korean = [
        "오늘은 아침부터 비가 내려서 역까지 걸어가는 대신 버스를 탔다. 버스 안은 무척 붐볐다.",
        "우리 동네 도서관은 다음 달부터 밤 열 시까지 문을 연다고 한다. 반가운 소식이다.",
        "김치찌개를 끓일 때는 잘 익은 김치를 먼저 볶아야 국물 맛이 깊어진다고 어머니가 말씀하셨다.",
        "새로 산 운동화를 신고 한강 공원을 한 시간 동안 걸었더니 기분이 한결 가벼워졌다.",
    ]
    for i in range(16):
        src = " ".join(rng.sample(korean, 3))
        kind = i % 4
        if kind == 0:
            text = src.encode("utf-8").decode("cp949", errors="replace")
        elif kind == 1:
            text = src.encode("utf-8").decode("cp1252", errors="replace")
        elif kind == 2:
            text = src.encode("euc-kr").decode("latin-1")
        else:
            text = src.encode("utf-8").decode("ascii", errors="replace")
        add("mojibake", text)
    words = ["다이어트", "다이어트 보조제", "다이어트 효과", "다이어트 후기", "살빼기", "체지방"]
    for i in range(8):
        chunks = [" ".join(rng.choice(words) for _ in range(5)) + " 최고다." for _ in range(12 + i)]
        add("top_ngram", " ".join(chunks))
    for i in range(8):
        line = rng.choice(korean)
        add("dup_lines", "\n".join([line] * (6 + i) + [rng.choice(korean)]))
    names = ["삼성전자", "SK하이닉스", "현대차", "LG화학", "NAVER", "카카오", "POSCO홀딩스", "기아"]
    for _ in range(8):
        rows = [
            f"{n} {rng.randint(10, 900) * 100:,} {rng.choice('+-')}{rng.randint(1, 99) / 10}% "
            f"{rng.randint(1000, 99999):,} {rng.randint(1, 30)}.{rng.randint(0, 99):02d}"
            for n in rng.sample(names, 6)
        ]
        add("digits", "종목명 현재가 등락률 거래량 PER\n" + "\n".join(rows))
    shorts = [
        "좋아요",
        "ㅋㅋㅋㅋㅋㅋ",
        "감사합니다!",
        "1등",
        "잘 보고 갑니다~",
        "ㅎㅎ 대박",
        "퍼가요~♡",
        "구독 눌렀어요",
        "오늘 날씨 좋네요.",
        "사진 잘 봤습니다",
    ]
    for s in shorts:
        add("too_short", s)
    for _ in range(6):
        add(
            "symbols",
            "★★★ 대박 ★★★ 오늘만 ♥♥♥ 특별 ♥♥♥\n▶▶▶ 놓치지 마세요 ◀◀◀ ■■■ 지금 ■■■\n"
            "☆☆☆ 최고의 기회 ☆☆☆ ♣♣ 행운 ♣♣ ●●● 참여 ●●●",
        )
    for i in range(6):
        add(
            "long_tokens",
            "최신영화무료다시보기사이트추천드라마다시보기예능다시보기무료회원가입없이"
            "바로보기고화질스트리밍지금접속하세요 " * (2 + i),
        )
    for i in range(6):
        add(
            "short_tokens",
            "저 희 사 이 트 에 서 는 매 일 새 로 운 소 식 을 전 해 드 립 니 다 많 은 "
            "관 심 부 탁 드 립 니 다 지 금 바 로 방 문 해 주 세 요 " * (1 + i % 3),
        )
    for i in range(6):
        links = [f"https://ev{i}{k}.kr" for k in range(6)]
        add(
            "links",
            "이번 주 진행하는 이벤트를 안내해 드립니다. 아래 주소에서 자세한 내용을 확인하세요.\n"
            + "\n".join(f"{k + 1}번 이벤트 참여하러 가기 {u}" for k, u in enumerate(links)),
        )
    for _ in range(6):
        teasers = [f"{s[: rng.randint(18, 30)]}..." for s in rng.sample(korean * 2, 6)]
        teasers = [f"[{k + 1}] {t}" for k, t in enumerate(teasers)]
        add("ellipsis_lines", "\n".join(teasers))
    return out


def main() -> None:
    rng = random.Random(4)
    good = paragraph_docs() + [
        {"id": f"extra-{i}", "domain": d, "text": t} for i, (d, t) in enumerate(EXTRA_GOOD)
    ]
    junk = junk_docs(rng)
    with (HERE / "good.jsonl").open("w", encoding="utf-8") as fh:
        for rec in good:
            fh.write(json.dumps({**rec, "label": "good"}, ensure_ascii=False) + "\n")
    with (HERE / "junk.jsonl").open("w", encoding="utf-8") as fh:
        for rec in junk:
            fh.write(json.dumps({**rec, "label": "junk"}, ensure_ascii=False) + "\n")
    counts = {d: sum(r["domain"] == d for r in good) for d in DOMAINS}
    print(f"good {len(good)} {counts}; junk {len(junk)}")


if __name__ == "__main__":
    main()
