import json
from pathlib import Path

from transformers import AutoTokenizer
from typer.testing import CliRunner

from hanji.tokenizer.cli import app
from hanji.tokenizer.stats import tokenizer_stats

runner = CliRunner()


def _corpus(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    return path


def test_extend_tokenizer_only_then_stats_json(tmp_path: Path, corpus: list[str]) -> None:
    corpus = _corpus(tmp_path, corpus)
    words = tmp_path / "words.txt"
    words.write_text("갓생\n", "utf-8")
    out = tmp_path / "ext"
    result = runner.invoke(
        app,
        [
            "extend",
            "--base",
            "smollm2-135m",
            "--corpus",
            str(corpus),
            "--out",
            str(out),
            "--add",
            "300",
            "--must-have",
            str(words),
            "--tokenizer-only",
        ],
    )
    assert result.exit_code == 0, result.output
    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok) == json.loads((out / "hanji_vocab.json").read_text())["n_new_tokens"] + 49_152
    chat = tok.apply_chat_template([{"role": "user", "content": "갓생이 뭐예요?"}], tokenize=False)
    assert "<|im_start|>user\n갓생이 뭐예요?<|im_end|>" in chat
    msgs = [{"role": "user", "content": "갓생"}]
    ids = tok.apply_chat_template(msgs, tokenize=True, return_dict=True)["input_ids"]
    for special in ("<|im_start|>", "<|im_end|>"):  # system + user turn, one id each
        assert ids.count(tok.convert_tokens_to_ids(special)) == 2
    for text in ("  갓생을\t산다 🙂\r\n韓國語 ᄒᆞᆫ글 ㄱㄴ  ", "<|im_end|>갓생 꾸안꾸", ""):
        assert tok.decode(tok.encode(text, add_special_tokens=False)) == text

    result = runner.invoke(
        app,
        [
            "stats",
            "--tokenizer",
            str(out),
            "--compare",
            "smollm2-135m",
            "--text",
            str(corpus),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["tokenizers"]
    assert [r["name"] for r in rows] == [str(out), "smollm2-135m"]
    assert set(rows[0]) == {"name", "chars_per_token", "tokens_per_word", "bytes_per_token"}
    assert rows[0]["chars_per_token"] > 2.5 * rows[1]["chars_per_token"]


def test_stats_counts_byte_pieces() -> None:
    stats = tokenizer_stats("smollm2-135m", ["한국어 문장", "hello world"])
    assert stats.n_words == 4 and stats.n_chars == 17
    assert 0 < stats.byte_piece_rate < 1  # Korean falls into byte pieces, English does not
    assert abs(stats.bytes_per_token - (len("한국어 문장".encode()) + 11) / stats.n_tokens) < 1e-9


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "extend",
            "--base",
            "smollm2-135m",
            "--corpus",
            str(tmp_path / "nope.jsonl"),
            "--out",
            str(tmp_path / "o"),
            "--tokenizer-only",
        ],
    )
    assert result.exit_code == 2 and "no such file" in result.output
