import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanji.tokenizer.extend import UnsupportedTokenizerError, check_byte_level_bpe, learn_extension


def _ids(tok, text):
    return tok.encode(text, add_special_tokens=False).ids


def test_base_ids_and_merges_are_unchanged(base_backend, extended, extension) -> None:
    base = json.loads(base_backend.to_str())["model"]
    new = json.loads(extended.to_str())["model"]
    assert all(new["vocab"][tok] == i for tok, i in base["vocab"].items())
    assert new["merges"][: len(base["merges"])] == base["merges"]
    assert len(new["vocab"]) == len(base["vocab"]) + len(extension.new_tokens)
    assert 0 < len(extension.new_tokens) <= 400
    ids = sorted(new["vocab"][t] for t in extension.new_tokens)
    assert ids == list(range(extension.base_vocab_size, extension.base_vocab_size + len(ids)))


def test_korean_costs_fewer_tokens(base_backend, extended, corpus) -> None:
    text = " ".join(corpus[:8])
    before, after = len(_ids(base_backend, text)), len(_ids(extended, text))
    assert after < before / 2.5, (before, after)


def test_new_tokens_compose_inside_words(extended) -> None:
    # Real merges, not added tokens: no token boundary falls inside 갓생, whatever follows.
    assert len(_ids(extended, " 갓생")) == 1
    for text in (" 갓생을", " 갓생에서", " 갓생이라니", "갓생러"):
        enc = extended.encode(text, add_special_tokens=False)
        start = text.index("갓생")
        cuts = {a for a, _ in enc.offsets} | {b for _, b in enc.offsets}
        assert not cuts & {start + 1}, (text, enc.tokens)
        assert extended.decode(enc.ids) == text


def test_must_have_word_survives_a_small_budget(base_backend, corpus) -> None:
    # The budget is smaller than the characters alone would take: the word still gets in.
    ext = learn_extension(base_backend, corpus, n_new=60, must_have=["갓생"])
    assert ext.must_have == {"갓생": True} and len(ext.new_tokens) <= 60


def test_must_have_report(extension) -> None:
    assert extension.must_have == {"갓생": True, "없는말": False}


def test_special_tokens_still_special(base_backend, extended) -> None:
    text = "<|im_start|>user\n안녕하세요<|im_end|>"
    assert _ids(extended, text)[0] == _ids(base_backend, text)[0] == 1
    assert extended.token_to_id("<|im_end|>") == 2


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
            st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),  # conjoining jamo
            st.characters(min_codepoint=0x3130, max_codepoint=0x318F),  # compatibility jamo
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # Hanja
            st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
            st.sampled_from(list(" \t\n\r  abcXYZ019.,!?'\"-_")),
            st.characters(codec="utf-8"),
        ),
        max_size=60,
    )
)
def test_round_trip_is_lossless(extended, text: str) -> None:
    assert extended.decode(_ids(extended, text), skip_special_tokens=False) == text


def test_non_bpe_base_is_refused() -> None:
    unigram = {"model": {"type": "Unigram", "vocab": []}, "pre_tokenizer": {"type": "Metaspace"}}
    with pytest.raises(UnsupportedTokenizerError, match="byte-level BPE tokenizers only"):
        check_byte_level_bpe(unigram)
    wordlevel_bpe = {"model": {"type": "BPE"}, "pre_tokenizer": {"type": "Whitespace"}}
    with pytest.raises(UnsupportedTokenizerError, match="model type 'BPE'"):
        check_byte_level_bpe(wordlevel_bpe)
