"""`hanji tokenizer`: Korean vocabulary expansion and tokenizer efficiency tables."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Tokenizer vocabulary expansion and statistics.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("extend")
def extend(
    base: str = typer.Option(..., "--base", help="base model reference (e.g. smollm2-135m)"),
    corpus: list[Path] = typer.Option(..., "--corpus", help="JSONL/Parquet/text files or dirs"),
    out: Path = typer.Option(..., "--out", help="output HF model dir"),
    add: int = typer.Option(8000, "--add", min=1, help="new vocabulary entries, at most"),
    must_have: list[Path] = typer.Option(
        [],
        "--must-have",
        help="words that should become one token: a .txt with one per line (must_have.txt) "
        'or a .jsonl of {"word"} (domain_terms.jsonl); repeatable',
    ),
    input_init: str = typer.Option("mean", help="new input rows: mean | first | random"),
    output_init: str = typer.Option("first", help="new output rows: first | mean | random"),
    untie: bool = typer.Option(False, help="give a tied model separate output embeddings"),
    tokenizer_only: bool = typer.Option(False, help="write the tokenizer only, no model"),
) -> None:
    """Append Korean BPE merges to a byte-level BPE base and resize its embeddings (EEVE)."""
    from hanji.modeling.errors import ModelResolutionError
    from hanji.text.io import iter_texts
    from hanji.tokenizer.extend import UnsupportedTokenizerError, must_have_words
    from hanji.tokenizer.model_dir import extend_model

    for name, value in (("--input-init", input_init), ("--output-init", output_init)):
        if value not in ("mean", "first", "random"):
            raise typer.BadParameter(f"{name} must be mean, first or random, not '{value}'")
    try:
        words = must_have_words(must_have)
        texts = list(iter_texts(corpus))
        with console.status(f"learning up to {add} Korean tokens on {len(texts)} documents"):
            result = extend_model(
                base,
                texts,
                out,
                n_new=add,
                must_have=words,
                input_init=input_init,
                output_init=output_init,  # type: ignore[arg-type]
                untie=untie,
                with_model=not tokenizer_only,
            )
    except (UnsupportedTokenizerError, ModelResolutionError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(
        f"vocabulary {result.base_vocab_size:,} → {result.new_vocab_size:,} "
        f"(+{result.n_new_tokens:,}); must-have words as one token: "
        f"{result.must_have_single}/{result.must_have_total}; {result.seconds:.1f}s"
    )
    typer.echo(str(result.out))


@app.command("stats")
def stats(
    tokenizer: str = typer.Option(..., "--tokenizer", help="model/tokenizer reference"),
    compare: list[str] = typer.Option([], "--compare", help="more references to compare"),
    text: list[Path] = typer.Option(..., "--text", help="Korean text files (JSONL/Parquet/txt)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """Chars/token, tokens per 어절, bytes/token and byte-piece rate, one row per tokenizer."""
    from hanji.modeling.errors import ModelResolutionError
    from hanji.text.io import iter_texts
    from hanji.tokenizer.stats import tokenizer_stats

    try:
        texts = list(iter_texts(text))
        rows = [tokenizer_stats(ref, texts) for ref in [tokenizer, *compare]]
    except (ModelResolutionError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        payload = {
            "tokenizers": [
                {
                    "name": r.name,
                    "chars_per_token": r.chars_per_token,
                    "tokens_per_word": r.tokens_per_word,
                    "bytes_per_token": r.bytes_per_token,
                }
                for r in rows
            ]
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=f"tokenizers on {rows[0].n_chars:,} characters of Korean text")
    for col in ("tokenizer", "vocab", "chars/token", "tokens/어절", "bytes/token", "byte pieces"):
        table.add_column(col, justify="right" if col != "tokenizer" else "left")
    for r in rows:
        table.add_row(
            r.name,
            f"{r.vocab_size:,}" if r.vocab_size else "-",
            f"{r.chars_per_token:.3f}",
            f"{r.tokens_per_word:.2f}",
            f"{r.bytes_per_token:.2f}",
            f"{r.byte_piece_rate:.1%}",
        )
    Console().print(table)
