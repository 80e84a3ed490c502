"""Tokenizer efficiency on Korean text: chars/token, tokens per 어절, bytes/token, byte pieces.

A reference is anything the model resolver accepts (``smollm2-135m``, a model or tokenizer
dir, a Hub id) or, when the optional ``quicktok-v1`` package is installed, an OpenAI
encoding name (``o200k_base``, ``cl100k_base``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

OPENAI_ENCODINGS = ("o200k_base", "cl100k_base")


@dataclass
class TokenizerStats:
    name: str
    chars_per_token: float
    tokens_per_word: float
    bytes_per_token: float
    byte_piece_rate: float
    """Share of tokens that are a fragment of a character (not valid UTF-8 alone)."""
    n_tokens: int
    n_chars: int
    n_words: int
    vocab_size: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Encoder:
    name: str
    encode: Callable[[str], list[int]]
    token_bytes: Callable[[int], bytes]
    vocab_size: int | None


def _hf_encoder(ref: str) -> _Encoder:
    from hanji.modeling import load_tokenizer

    path = Path(ref)
    tokenizer_only = (path / "tokenizer.json").is_file() and not (path / "config.json").is_file()
    if path.is_dir() and tokenizer_only:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(path)
    else:
        tok = load_tokenizer(ref)
    backend = tok.backend_tokenizer
    byte_level = "ByteLevel" in str(backend.pre_tokenizer)
    decoder_map: dict[int, bytes] = {}
    if byte_level:
        from hanji.tokenizer.bytelevel import token_to_bytes

        def token_bytes(i: int) -> bytes:
            got = decoder_map.get(i)
            if got is None:
                got = decoder_map[i] = token_to_bytes(backend.id_to_token(i) or "")
            return got
    else:

        def token_bytes(i: int) -> bytes:
            piece = backend.id_to_token(i) or ""
            if piece.startswith("<0x") and piece.endswith(">") and len(piece) == 6:
                return bytes([int(piece[3:5], 16)])
            return piece.replace("▁", " ").encode("utf-8")

    def encode(text: str) -> list[int]:
        return backend.encode(text, add_special_tokens=False).ids

    return _Encoder(ref, encode, token_bytes, len(tok))


def _openai_encoder(name: str) -> _Encoder:
    try:
        import quicktok
    except ImportError:
        raise ValueError(
            f"'{name}' needs the optional package quicktok-v1 (pip install quicktok-v1)"
        ) from None
    enc = quicktok.get_encoding(name)

    def token_bytes(i: int) -> bytes:
        return enc.decode_bytes([i]) if hasattr(enc, "decode_bytes") else enc.decode([i]).encode()

    return _Encoder(name, enc.encode, token_bytes, getattr(enc, "n_vocab", None))


def load_encoder(ref: str) -> _Encoder:
    return _openai_encoder(ref) if ref in OPENAI_ENCODINGS else _hf_encoder(ref)


def _is_fragment(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def tokenizer_stats(
    ref: str, texts: Sequence[str], encoder: _Encoder | None = None
) -> TokenizerStats:
    enc = encoder or load_encoder(ref)
    n_tokens = n_chars = n_words = n_bytes = n_fragments = 0
    for text in texts:
        ids = enc.encode(text)
        n_tokens += len(ids)
        n_chars += len(text)
        n_words += len(text.split())
        n_bytes += len(text.encode("utf-8"))
        n_fragments += sum(1 for i in ids if _is_fragment(enc.token_bytes(i)))
    tokens = max(n_tokens, 1)
    return TokenizerStats(
        name=ref,
        chars_per_token=n_chars / tokens,
        tokens_per_word=n_tokens / max(n_words, 1),
        bytes_per_token=n_bytes / tokens,
        byte_piece_rate=n_fragments / tokens,
        n_tokens=n_tokens,
        n_chars=n_chars,
        n_words=n_words,
        vocab_size=enc.vocab_size,
    )
