"""BPC must not depend on how the text is cut into tokens.

A trained LM only approximates this, so the test builds a model for which it holds exactly:
one character-level model (a seeded bigram over characters) read through two tokenizers of
the same characters — one token per character, and one token per UTF-8 byte (3 per Hangul
syllable, like the base alphabet of a byte-level BPE). The byte model's next-byte
distribution is the character model's mass on the characters whose encoding continues the
bytes seen so far, so both assign the text the same probability: the same total bits, the
same BPC, while bits per *token* differ about threefold.
"""

import math
from types import SimpleNamespace

import pytest
import torch

from hanji.evaluate.bpc import bits_per_character

TEXT = "한지는 닥나무 껍질로 만든 종이다. 가볍고 질기며 숨을 쉰다고들 한다."
OTHER = "갓생 사는 친구가 오운완 인증을 올렸다."
ALPHABET = sorted(set(TEXT + OTHER + "가나다라마바사"))
EOS = 0
NEG = -1e4  # log of (practically) zero


class CharBigram:
    """p(char | previous char); row ``len(ALPHABET)`` is the start of a document."""

    def __init__(self, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        logits = torch.randn(len(ALPHABET) + 1, len(ALPHABET), generator=g, dtype=torch.float64)
        self.logp = torch.log_softmax(2.0 * logits, dim=-1)
        self.index = {c: i for i, c in enumerate(ALPHABET)}

    def row(self, prev: str | None) -> torch.Tensor:
        return self.logp[len(ALPHABET) if prev is None else self.index[prev]]

    def bits(self, text: str) -> float:
        prev, total = None, 0.0
        for c in text:
            total -= float(self.row(prev)[self.index[c]])
            prev = c
        return total / math.log(2)


class CharTokenizer:
    eos_token_id, bos_token_id = EOS, None
    vocab_size = len(ALPHABET) + 1

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": [1 + ALPHABET.index(c) for c in text]}

    @staticmethod
    def next_logprobs(lm: CharBigram, history: list[int]) -> torch.Tensor:
        prev = None if history[-1] == EOS else ALPHABET[history[-1] - 1]
        return torch.cat([torch.tensor([NEG], dtype=torch.float64), lm.row(prev)])


class ByteTokenizer:
    eos_token_id, bos_token_id = EOS, None
    vocab_size = 257

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": [1 + b for b in text.encode("utf-8")]}

    @staticmethod
    def next_logprobs(lm: CharBigram, history: list[int]) -> torch.Tensor:
        # Context after the last EOS; a window may start inside a character: skip its tail.
        tail = history[max((i for i, t in enumerate(history) if t == EOS), default=-1) + 1 :]
        data = bytes(t - 1 for t in tail).lstrip(bytes(range(0x80, 0xC0)))
        text = data.decode("utf-8", errors="ignore")  # complete characters only
        partial = data[len(text.encode("utf-8")) :]
        row = lm.row(text[-1] if text else None)
        out = torch.full((257,), NEG, dtype=torch.float64)
        mass: dict[int, list[torch.Tensor]] = {}
        for i, c in enumerate(ALPHABET):
            enc = c.encode("utf-8")
            if enc.startswith(partial) and len(enc) > len(partial):
                mass.setdefault(enc[len(partial)], []).append(row[i])
        norm = torch.logsumexp(torch.stack([v for vs in mass.values() for v in vs]), 0)
        for byte, values in mass.items():
            out[1 + byte] = torch.logsumexp(torch.stack(values), 0) - norm
        return out


class TokenView(torch.nn.Module):
    """A causal 'LM' whose logits at t are log q(next token | tokens 0..t) for a tokenizer."""

    def __init__(self, lm: CharBigram, tokenizer) -> None:
        super().__init__()
        self.lm, self.tok = lm, tokenizer
        self.config = SimpleNamespace(max_position_embeddings=4096)
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the module a device

    def forward(self, input_ids: torch.Tensor) -> SimpleNamespace:
        ids = input_ids[0].tolist()
        rows = [self.tok.next_logprobs(self.lm, ids[: t + 1]) for t in range(len(ids))]
        return SimpleNamespace(logits=torch.stack(rows)[None].float())


def _bpc(tokenizer, window: int, texts=(TEXT,)):
    model = TokenView(CharBigram(), tokenizer)
    return bits_per_character(model, tokenizer, [("ko", t) for t in texts], window=window)


def test_two_tokenizations_of_the_same_characters_give_the_same_bits() -> None:
    chars, by_bytes = _bpc(CharTokenizer(), 4096), _bpc(ByteTokenizer(), 4096)
    assert by_bytes.tokens == len(TEXT.encode("utf-8")) > 2 * chars.tokens == 2 * len(TEXT)
    expected = CharBigram().bits(TEXT)
    assert chars.bits == pytest.approx(expected, rel=1e-5)
    assert by_bytes.bits == pytest.approx(expected, rel=1e-5)
    assert by_bytes.bpc == pytest.approx(chars.bpc, rel=1e-5)
    # per-token figures are not comparable: that is why hanji reports bits per character
    assert by_bytes.bits / by_bytes.tokens < 0.5 * chars.bits / chars.tokens


def test_invariance_holds_through_the_sliding_window() -> None:
    # Windows of 16 tokens leave >= 8 tokens of context: enough for a bigram over bytes,
    # even when a window starts in the middle of a 3-byte syllable.
    texts = (TEXT, OTHER)
    full = _bpc(ByteTokenizer(), 4096, texts)
    windowed = _bpc(ByteTokenizer(), 16, texts)
    chars = _bpc(CharTokenizer(), 5, texts)
    assert windowed.bits == pytest.approx(full.bits, rel=1e-5)
    assert chars.bpc == pytest.approx(full.bpc, rel=1e-5)
    assert full.bpc == pytest.approx(
        (CharBigram().bits(TEXT) + CharBigram().bits(OTHER)) / (len(TEXT) + len(OTHER)), rel=1e-5
    )


def test_a_model_that_ignores_the_characters_is_not_invariant() -> None:
    # Control: a uniform next-token model pays log2(V) bits per *token*, so its BPC moves
    # with the tokenizer — the invariance above comes from the model, not from the metric.
    class Uniform(TokenView):
        def forward(self, input_ids):
            n = input_ids.shape[1]
            return SimpleNamespace(logits=torch.zeros(1, n, self.tok.vocab_size))

    char = bits_per_character(
        Uniform(CharBigram(), CharTokenizer()), CharTokenizer(), [("ko", TEXT)]
    )
    byte = bits_per_character(
        Uniform(CharBigram(), ByteTokenizer()), ByteTokenizer(), [("ko", TEXT)]
    )
    assert byte.bpc != pytest.approx(char.bpc, rel=0.05)
