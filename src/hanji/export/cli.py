"""`hanji export`: a built model dir → GGUF for llama.cpp, Ollama and LM Studio; verified."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(
    help="Export a model dir to GGUF and verify it with llama.cpp.", no_args_is_help=True
)
console = Console(stderr=True)


@app.command("gguf")
def gguf_command(
    model_dir: Path = typer.Argument(..., help="a hanji-built (HF) model dir, e.g. runs/x/model"),
    out: Path = typer.Option(..., "--out", help="the .gguf file to write"),
    gguf_type: str = typer.Option(
        "f16",
        "--type",
        help="f16 | q8_0 | q4_k_m (q4_k_m: llama.cpp's quantiser, needs the llamacpp extra)",
    ),
    name: str | None = typer.Option(None, "--name", help="general.name in the file"),
) -> None:
    """Write one GGUF file with the model's weights, tokenizer and chat template."""
    from hanji.export.errors import ExportError
    from hanji.export.gguf import export_gguf

    try:
        with console.status(f"exporting {model_dir} as {gguf_type} GGUF"):
            result = export_gguf(model_dir, out, gguf_type=gguf_type, name=name)
    except ExportError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(
        f"wrote {result.path} ({result.bytes / 1e6:.1f} MB, {result.architecture}, "
        f"pre-tokenizer {result.pre_tokenizer}, {result.n_vocab} tokens) "
        f"in {result.seconds:.1f}s"
    )
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))


@app.command("verify")
def verify_command(
    model_dir: Path = typer.Argument(..., help="the model dir the GGUF was exported from"),
    gguf_file: Path = typer.Argument(..., help="the exported .gguf file"),
    lines: list[Path] = typer.Option(
        ..., "--lines", help="Korean text files: each line's tokens are compared"
    ),
    heldout: list[Path] = typer.Option([], "--heldout", help="texts for the BPC comparison"),
    prompts: int = typer.Option(10, "--prompts", help="greedy prompts (the first lines)"),
    max_lines: int = typer.Option(200, "--max-lines", help="lines compared for tokenization"),
    n_tokens: int = typer.Option(32, "--tokens", help="greedy tokens generated per prompt"),
) -> None:
    """llama.cpp vs transformers: tokenization, greedy generation and bits per character."""
    from hanji.export.errors import ExportError
    from hanji.export.verify import verify_gguf
    from hanji.text.io import iter_texts

    texts = [line.strip() for t in iter_texts(lines) for line in t.splitlines() if line.strip()]
    held = list(iter_texts(heldout)) if heldout else []
    try:
        with console.status("comparing llama.cpp with transformers"):
            result = verify_gguf(
                model_dir,
                gguf_file,
                lines=texts[:max_lines],
                prompts=[t[:40] for t in texts[:prompts]],
                bpc_texts=held,
                n_tokens=n_tokens,
            )
    except ExportError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
