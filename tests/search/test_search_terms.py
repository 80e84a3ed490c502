"""Index terms and chunks: particles and endings never stop a match; chunks end on sentences."""

from __future__ import annotations

import pytest

from hanji.search.chunk import Chunking, chunk_text
from hanji.search.terms import query_terms, terms, whitespace_terms


def test_particles_and_endings_do_not_stop_a_match() -> None:
    assert "그라디언트" in terms("그라디언트를 계산했습니다.")
    assert "그라디언트" in query_terms("그라디언트가 뭐예요?")
    assert "그라디언트" in terms("그라디언트")
    # the baseline keeps the particle glued on: the two never meet
    assert "그라디언트" not in whitespace_terms("그라디언트를 계산했습니다.")
    kept = terms("개인정보보호법에 따라 주민등록번호를 수집할 수 없어요.")
    assert {"보호법", "주민", "등록", "번호", "수집"} <= set(kept)
    assert not {"에", "를", "어요", "."} & set(kept)


def test_chunks_end_on_sentences_and_overlap_by_whole_sentences() -> None:
    sentences = [
        f"제{i}조 이 조항은 대출 한도와 상환 기간에 관한 사항을 자세히 정한다."
        for i in range(1, 41)
    ]
    chunks = chunk_text("\n".join(sentences), Chunking(max_tokens=100, overlap_tokens=30))
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.tokens <= 100
        assert chunk.text.endswith("정한다.")  # never cut inside a sentence
        assert chunk.terms and "대출" in chunk.terms
    first, second = chunks[0].text, chunks[1].text
    tail = first.split(" 제")[-1]
    assert second.startswith("제" + tail)  # the next chunk repeats the last sentence(s)
    covered = " ".join(c.text for c in chunks)
    assert all(s in covered for s in sentences)  # nothing dropped


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces() -> None:
    long = " ".join(["한지는"] * 300) + "."
    chunks = chunk_text(long, Chunking(max_tokens=100, overlap_tokens=0))
    assert len(chunks) > 2 and all(c.tokens <= 100 for c in chunks)


@pytest.mark.parametrize("max_tokens,overlap", [(99, 0), (5000, 0), (200, 101)])
def test_chunking_limits_are_openai_s(max_tokens: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        Chunking(max_tokens, overlap)
