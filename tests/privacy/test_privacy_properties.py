"""Properties over arbitrary text: no exceptions, valid offsets, reversible pseudonyms."""

from hypothesis import given, settings
from hypothesis import strategies as st

from hanji.privacy import ENTITY_TYPES, Pseudonymizer, detect, mask, redact

# Arbitrary Unicode (surrogates and all), and Korean-looking text dense with digits.
korean_ish = st.text(
    alphabet=st.sampled_from("가나다김이박민준서연0123456789-. @()+:,\n주민번호계좌로길동리번지"),
    max_size=80,
)
anything = st.one_of(st.text(max_size=120), korean_ish)


@settings(max_examples=400, deadline=None)
@given(anything, st.floats(min_value=0.0, max_value=1.0))
def test_detect_never_raises_and_offsets_are_valid(text, threshold):
    ents = detect(text, threshold=threshold)
    last_end = 0
    for e in ents:
        assert 0 <= e.start < e.end <= len(text)
        assert e.start >= last_end  # sorted, no overlaps
        assert e.type in ENTITY_TYPES
        assert e.score >= threshold
        assert e.text == text[e.start : e.end]
        last_end = e.end


@settings(max_examples=200, deadline=None)
@given(anything)
def test_mask_keeps_length_and_redact_removes_values(text):
    ents = detect(text)
    assert len(mask(text, ents)) == len(text)
    redacted = redact(text, ents)
    for e in ents:
        if len(e.text) >= 7:
            assert e.text not in redacted.replace(f"<{e.type}>", "")


@settings(max_examples=300, deadline=None)
@given(anything)
def test_pseudonymize_restore_round_trip(text):
    p = Pseudonymizer()
    hidden = p.pseudonymize(text)
    assert p.restore(hidden) == text
    assert Pseudonymizer.from_dict(p.to_dict()).restore(hidden) == text
