from hanji.text import split_sentences, split_sentences_kiwi


def test_korean_endings_and_punctuation():
    text = "오늘은 날씨가 좋다. 산책을 갈까요? 네, 좋아요! 그럼 나가자."
    assert split_sentences(text) == [
        "오늘은 날씨가 좋다.",
        "산책을 갈까요?",
        "네, 좋아요!",
        "그럼 나가자.",
    ]


def test_numbers_versions_enumerations_and_abbreviations_do_not_split():
    text = "1. 서론 부분은 3.14와 v1.2.3을 다룬다. Dr. Kim이 썼다."
    assert split_sentences(text) == ["1. 서론 부분은 3.14와 v1.2.3을 다룬다.", "Dr. Kim이 썼다."]


def test_line_breaks_split_and_blank_lines_vanish():
    text = "제목\n\n본문 첫 문장이다. 둘째 문장이다\n"
    assert split_sentences(text) == ["제목", "본문 첫 문장이다.", "둘째 문장이다"]


def test_closing_quotes_stay_with_their_sentence():
    assert split_sentences('그가 "정말요?" 하고 물었다. 나는 웃었다.') == [
        '그가 "정말요?" 하고 물었다.',
        "나는 웃었다.",
    ]


def test_empty():
    assert split_sentences("") == []
    assert split_sentences_kiwi("  ") == []


def test_kiwi_splits_without_punctuation():
    sents = split_sentences_kiwi("오늘 날씨가 좋다 그래서 산책을 갔다")
    assert len(sents) == 2
    assert sents[0].startswith("오늘")
