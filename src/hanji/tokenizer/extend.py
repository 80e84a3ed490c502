"""Learn new BPE merges for Korean *on top of* a base byte-level BPE and append them.

Why not train a fresh Korean BPE and copy its merges over? Because BPE applies merges by
rank: the base's merges all rank before the appended ones, so a word is first cut exactly
as the base cuts it, and only then can new merges fire. Merges learned from raw bytes
assume a different path and often never fire. So the new merges are learned over the
base's own segmentation: every base token that occurs is mapped to one private-use
character, and the Hugging Face `tokenizers` BPE trainer (Rust, fast) learns merges over
those characters. Each learned merge is a merge of two base-or-new tokens, appended in the
order learned, and fires exactly when the trainer expected it to.

Must-have words (e.g. accepted neologisms) that are frequent enough get a chain of merges
ranked right after the base merges, so they become one token wherever they occur as a
whole pre-token or at its start (``갓생`` in ``갓생이``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hanji.tokenizer.bytelevel import byte_to_char

# Supplementary private-use planes 15 and 16: 131,068 code points for base tokens that occur.
_PUA_PLANES = ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_AFTER_SPACE = re.compile(r"(?<= )([^\x00-\x7f])")
_PUA_SIZE = sum(hi - lo + 1 for lo, hi in _PUA_PLANES)


class UnsupportedTokenizerError(ValueError):
    """The base tokenizer is not a byte-level BPE; the message says what is supported."""


def _pua(index: int) -> str:
    lo, hi = _PUA_PLANES[0]
    if index <= hi - lo:
        return chr(lo + index)
    lo2, _ = _PUA_PLANES[1]
    return chr(lo2 + index - (hi - lo + 1))


@dataclass
class Extension:
    """What is appended to the base: new tokens (in id order) and merges (in rank order)."""

    base_vocab_size: int
    new_tokens: list[str] = field(default_factory=list)
    merges: list[tuple[str, str]] = field(default_factory=list)
    must_have: dict[str, bool] = field(default_factory=dict)
    """Each must-have word and whether it became a single token."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_vocab_size": self.base_vocab_size,
            "n_new_tokens": len(self.new_tokens),
            "n_new_merges": len(self.merges),
            "new_tokens": self.new_tokens,
            "merges": [list(m) for m in self.merges],
            "must_have": self.must_have,
        }


def check_byte_level_bpe(tokenizer_json: dict[str, Any]) -> None:
    """Refuse anything but a byte-level BPE, with a message that says what is supported."""
    model = tokenizer_json.get("model", {})
    pre_spec = tokenizer_json.get("pre_tokenizer")
    pre = json.dumps(pre_spec)
    if model.get("type") != "BPE" or '"ByteLevel"' not in pre:
        kind = model.get("type", "unknown")
        pre_kind = pre_spec.get("type", "unknown") if isinstance(pre_spec, dict) else "none"
        raise UnsupportedTokenizerError(
            f"vocabulary expansion supports byte-level BPE tokenizers only (GPT-2, Llama-3, "
            f"Qwen2, SmolLM, Mistral-Nemo style: model type BPE with a ByteLevel "
            f"pre-tokenizer); this base has model type '{kind}' with pre-tokenizer "
            f"'{pre_kind}' (SentencePiece-style BPE with byte fallback, Unigram and "
            "WordPiece are not supported). Choose a byte-level BPE base model."
        )


class _Segmenter:
    """Base segmentation of pre-tokens, cached: the corpus repeats most words."""

    def __init__(self, tokenizer: Any) -> None:
        self.tok = tokenizer
        self.normalizer = tokenizer.normalizer
        self.pre = tokenizer.pre_tokenizer
        self.model = tokenizer.model
        self.cache: dict[str, tuple[str, ...]] = {}

    def pretokens(self, text: str) -> list[str]:
        if self.normalizer is not None:
            text = self.normalizer.normalize_str(text)
        return [piece for piece, _ in self.pre.pre_tokenize_str(text)]

    def pieces(self, pretoken: str) -> tuple[str, ...]:
        got = self.cache.get(pretoken)
        if got is None:
            got = tuple(t.value for t in self.model.tokenize(pretoken))
            self.cache[pretoken] = got
        return got


def count_pretokens(tokenizer: Any, texts: Iterable[str]) -> Counter[str]:
    seg = _Segmenter(tokenizer)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(seg.pretokens(text))
    return counts


def _trainer_lines(words: list[tuple[str, int]], width: int = 1 << 16) -> Iterator[str]:
    line: list[str] = []
    size = 0
    for word, freq in words:
        for _ in range(freq):
            line.append(word)
            size += len(word) + 1
            if size >= width:
                yield " ".join(line)
                line, size = [], 0
    if line:
        yield " ".join(line)


def _chain(pieces: tuple[str, ...]) -> list[tuple[str, str]]:
    """Left-to-right merges that build ``"".join(pieces)`` from its pieces."""
    out: list[tuple[str, str]] = []
    acc = pieces[0]
    for piece in pieces[1:]:
        out.append((acc, piece))
        acc += piece
    return out


def learn_extension(
    tokenizer: Any,
    texts: Iterable[str],
    *,
    n_new: int,
    must_have: Iterable[str] = (),
    must_have_min_freq: int = 3,
    min_pair_freq: int = 2,
    min_char_freq: int = 2,
) -> Extension:
    """Learn up to ``n_new`` new tokens for the corpus ``texts``, in ranked layers.

    0. the byte tokens the base lacks, so that every string round-trips;
    1. whole characters: every non-ASCII character seen ``min_char_freq`` times that the base
       cuts into byte pieces (a Hangul syllable is 3 UTF-8 bytes, often 2–3 base tokens);
    2. must-have words, built character by character (their budget is kept aside first);
    3. merges learned by the `tokenizers` BPE trainer over the segmentation so far.

    Args:
        tokenizer: the base `tokenizers.Tokenizer` (byte-level BPE).
        texts: the Korean training corpus.
        n_new: how many new vocabulary entries to add at most.
        must_have: words that should become single tokens.
        must_have_min_freq: a must-have word needs this many occurrences in the corpus.
        min_pair_freq: a learned merge must be seen at least this often.
        min_char_freq: a character needs this many occurrences to become a token.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    base_spec = json.loads(tokenizer.to_str())
    check_byte_level_bpe(base_spec)
    vocab: dict[str, int] = dict(base_spec["model"]["vocab"])
    for added in base_spec.get("added_tokens", []):
        vocab.setdefault(added["content"], added["id"])
    ext = Extension(base_vocab_size=max(vocab.values()) + 1)
    known = set(vocab)
    seen_merges: set[tuple[str, str]] = set()

    def add_chain(pieces: Sequence[str], limit: int = n_new) -> bool:
        """Append the merges that build ``"".join(pieces)``; False when over ``limit``."""
        for a, b in _chain(tuple(pieces)) if len(pieces) > 1 else []:
            if (a, b) in seen_merges:
                continue
            new = a + b
            if new not in known:
                if len(ext.new_tokens) >= limit:
                    return False
                ext.new_tokens.append(new)
                known.add(new)
            ext.merges.append((a, b))
            seen_merges.add((a, b))
        return True

    def current() -> _Segmenter:
        spec = apply_extension(base_spec, ext)
        return _Segmenter(Tokenizer.from_str(json.dumps(spec, ensure_ascii=False)))

    # 0. Byte tokens the base lacks (SmolLM2 has no token for 0xF1, 0xF2 and a few control
    #    bytes, so it silently drops them): without them no string round-trips.
    for char in byte_to_char().values():
        if char not in known:
            ext.new_tokens.append(char)
            known.add(char)

    texts = list(texts)
    seg = _Segmenter(tokenizer)
    counts = count_pretokens(tokenizer, texts)

    def word_forms(word: str) -> list[str]:
        """The pre-tokens a word becomes after a space and at the start of a text."""
        return list(dict.fromkeys(seg.pretokens(" " + word)[-1:] + seg.pretokens(word)[:1]))

    # Frequent must-have words get budget before characters: building one over the base
    # pieces takes at most (pieces - 1) new tokens per form, fewer once layer 1 is in.
    corpus_text = "\n".join(texts)
    wanted = list(dict.fromkeys(w.strip() for w in must_have if w.strip()))
    frequent = [w for w in wanted if corpus_text.count(w) >= must_have_min_freq]
    reserve = sum(len(seg.pieces(f)) - 1 for w in frequent for f in word_forms(w))
    char_limit = max(len(ext.new_tokens), n_new - reserve)

    # 1. Characters, most frequent first.
    # A character after a space is a different pre-token ("Ġ" + bytes), counted apart.
    forms: Counter[str] = Counter()
    for text in texts:
        forms.update(text)
        forms.update(" " + m for m in _AFTER_SPACE.findall(text))
    for form, freq in forms.most_common():
        if freq < min_char_freq or len(ext.new_tokens) >= char_limit:
            break
        if form.isascii():
            continue
        for pretoken in seg.pretokens(form)[-1:]:
            pieces = seg.pieces(pretoken)
            if len(pieces) > 1 and not add_chain(pieces, char_limit):
                break

    # 2. Must-have words, character by character, over the segmentation with layer 1.
    seg = current()
    for word in wanted:
        ok = word in frequent
        ext.must_have[word] = ok and all(add_chain(seg.pieces(f)) for f in word_forms(word))

    # 3. Merges learned over the segmentation with layers 1 and 2.
    seg = current()
    index: dict[str, str] = {}
    back: dict[str, str] = {}
    words: list[tuple[str, int]] = []
    for pretoken, freq in counts.most_common():
        pieces = seg.pieces(pretoken)
        if len(pieces) < 2:
            continue
        chars_of: list[str] = []
        for piece in pieces:
            ch = index.get(piece)
            if ch is None:
                if len(index) >= _PUA_SIZE:
                    break
                ch = index[piece] = _pua(len(index))
                back[ch] = piece
            chars_of.append(ch)
        else:
            words.append(("".join(chars_of), freq))
    if words and len(ext.new_tokens) < n_new:
        trainer_tok = Tokenizer(models.BPE())
        trainer_tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        trainer = trainers.BpeTrainer(
            vocab_size=len(index) + 2 * (n_new - len(ext.new_tokens)) + 16,
            min_frequency=min_pair_freq,
            show_progress=False,
            special_tokens=[],
            initial_alphabet=list(index.values()),
            limit_alphabet=len(index),
        )
        trainer_tok.train_from_iterator(_trainer_lines(words), trainer=trainer)
        learned = json.loads(trainer_tok.to_str())["model"]["merges"]
        for pair in learned:
            # tokenizers < 0.20 writes merges as "a b", later versions as ["a", "b"].
            left, right = pair.split(" ", 1) if isinstance(pair, str) else pair
            merge = ["".join(back[c] for c in left), "".join(back[c] for c in right)]
            if not add_chain(merge):
                break
    return ext


def apply_extension(tokenizer_json: dict[str, Any], ext: Extension) -> dict[str, Any]:
    """A new ``tokenizer.json`` mapping with the extension appended; base ids unchanged."""
    spec = json.loads(json.dumps(tokenizer_json))
    check_byte_level_bpe(spec)
    vocab: dict[str, int] = spec["model"]["vocab"]
    next_id = ext.base_vocab_size
    for token in ext.new_tokens:
        if token in vocab:
            raise ValueError(f"new token {token!r} already in the base vocabulary")
        vocab[token] = next_id
        next_id += 1
    merges = spec["model"]["merges"]
    as_lists = bool(merges) and isinstance(merges[0], list)
    merges.extend([list(m) if as_lists else f"{m[0]} {m[1]}" for m in ext.merges])
    return spec


def must_have_words(paths: list[Path]) -> list[str]:
    """Words to build as single tokens, in file order, each once, in NFC.

    A ``.jsonl`` file holds one ``{"word": ...}`` object per line (the lexicon's
    ``domain_terms.jsonl`` or ``glossary.jsonl``); any other file one word per line
    (``must_have.txt``). A JSONL line without a string ``word`` is an error naming the line.
    """
    import unicodedata

    from hanji.text.io import ReadError, read_jsonl

    words: list[str] = []
    for path in paths:
        if path.suffix == ".jsonl":
            try:
                records = list(read_jsonl(path))
            except ReadError as exc:
                raise ValueError(f"{exc}") from None
            for n, record in records:
                word = record.get("word") if isinstance(record, dict) else None
                if not isinstance(word, str) or not word.strip():
                    raise ValueError(f"{path}:{n}: 'word' 필드가 없습니다 / no 'word'")
                words.append(word.strip())
        else:
            words.extend(w.strip() for w in path.read_text("utf-8").splitlines() if w.strip())
    return list(dict.fromkeys(unicodedata.normalize("NFC", w) for w in words))
