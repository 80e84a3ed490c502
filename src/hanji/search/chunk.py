"""Chunks on Korean sentence boundaries, sized in morphemes, overlapping by whole sentences.

Sentences come from `hanji.text.split_sentences` (line breaks and terminal punctuation);
one Kiwi pass over them gives both each sentence's size (its morphemes, the measure of
``max_chunk_size_tokens``) and its index terms, so a chunk's terms are the concatenation of
its sentences' terms and no text is analysed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from hanji.search.terms import analyse
from hanji.text.sentences import split_sentences

AUTO_MAX_TOKENS = 100
AUTO_OVERLAP_TOKENS = 25


@dataclass(frozen=True)
class Chunking:
    """OpenAI's ``static`` chunking strategy; ``auto`` is `Chunking()`."""

    max_tokens: int = AUTO_MAX_TOKENS
    overlap_tokens: int = AUTO_OVERLAP_TOKENS

    def __post_init__(self) -> None:
        if not 100 <= self.max_tokens <= 4096:
            raise ValueError("max_chunk_size_tokens must be between 100 and 4096")
        if not 0 <= self.overlap_tokens <= self.max_tokens // 2:
            raise ValueError("chunk_overlap_tokens must be between 0 and max_chunk_size_tokens/2")


@dataclass(frozen=True)
class Chunk:
    text: str
    terms: tuple[str, ...]
    tokens: int


def _pieces(sentence: str, limit: int) -> list[str]:
    """A sentence longer than ``limit`` characters, cut at spaces (or anywhere, if none)."""
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    rest = sentence
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        out.append(rest)
    return [p for p in out if p]


def chunk_text(text: str, chunking: Chunking = Chunking()) -> list[Chunk]:
    """The chunks of ``text``: whole sentences up to ``max_tokens`` morphemes each."""
    sentences = [
        piece
        for sentence in split_sentences(text)
        for piece in _pieces(sentence, chunking.max_tokens)
    ]
    analysed = analyse(sentences)
    chunks: list[Chunk] = []
    window: list[int] = []  # indices of the sentences in the chunk being filled
    size = 0

    def emit() -> None:
        chunks.append(
            Chunk(
                " ".join(sentences[i] for i in window),
                tuple(t for i in window for t in analysed[i][1]),
                sum(analysed[i][0] for i in window),
            )
        )

    last_emitted = -1
    for i, (count, _) in enumerate(analysed):
        if window and size + count > chunking.max_tokens:
            emit()
            last_emitted = window[-1]
            keep: list[int] = []
            kept = 0
            for j in reversed(window):
                if kept + analysed[j][0] > chunking.overlap_tokens or len(keep) + 1 == len(window):
                    break
                keep.insert(0, j)
                kept += analysed[j][0]
            window, size = keep, kept
        window.append(i)
        size += count
    if window and window[-1] != last_emitted:
        emit()
    return chunks
