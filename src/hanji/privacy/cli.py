"""`hanji privacy`: scan JSONL for Korean identifiers, or anonymise it.

Both commands read JSON Lines (stdin by default), one object with a "text" field per line,
and write exactly one line per input line (stdout by default), in the same order. A line
that is not such an object is not dropped: its output line carries an "error" field and
a count of such lines goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO

import typer

app = typer.Typer(
    help="Korean PII: find identifiers (scan) or anonymise them (redact).", no_args_is_help=True
)

KEY_ENV = "HANJI_HASH_KEY"


class Mode(StrEnum):
    mask = "mask"
    redact = "redact"
    hash = "hash"
    pseudonymize = "pseudonymize"


@contextmanager
def _open_in(path: Path | None) -> Iterator[IO[bytes]]:
    # Bytes, decoded line by line: one line that is not UTF-8 gets its own error line
    # instead of stopping the run (files and stdin behave alike).
    if path is None:
        yield sys.stdin.buffer
    else:
        with path.open("rb") as f:
            yield f


@contextmanager
def _open_out(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
    else:
        with path.open("w", encoding="utf-8") as f:
            yield f


def _records(stream: IO[bytes]) -> Iterator[tuple[dict | None, str | None]]:
    """(object, None) for each good line, (None, reason) for each bad one."""
    for raw in stream:
        try:
            line = raw.decode("utf-8-sig").strip()
        except UnicodeDecodeError:
            yield None, "line is not valid UTF-8"
            continue
        if not line:
            yield None, "empty line"
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield None, f"invalid JSON: {exc.msg}"
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield None, 'expected an object with a string "text" field'
            continue
        yield obj, None


def _types(types: str | None) -> list[str] | None:
    if not types:
        return None
    from hanji.privacy.detect import select_types

    chosen = [t.strip().upper() for t in types.split(",") if t.strip()]
    try:
        select_types(chosen)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--types") from None
    return chosen


def _write(out: IO[str], obj: dict) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate ("\ud800" in the input JSON) cannot be written as UTF-8; the
        # escaped form is the same JSON value.
        line = json.dumps(obj)
    out.write(line + "\n")


def _report(bad: list[int], total: int) -> None:
    """Count the unusable lines on stderr and name the first of them (numbers start at 1)."""
    if bad:
        where = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        typer.echo(
            f"{len(bad)} of {total} lines had no usable text (line {where}; "
            'see their "error" field)',
            err=True,
        )


def _each_line(
    input: Path | None,
    output: Path | None,
    handle: Callable[[dict], dict],
    on_bad: Callable[[str], dict],
) -> None:
    """One output line per input line: ``handle`` for good objects, ``on_bad`` for the rest."""
    bad: list[int] = []
    total = 0
    with _open_in(input) as src, _open_out(output) as out:
        for obj, error in _records(src):
            total += 1
            if obj is None:
                if error != "empty line":
                    bad.append(total)
                _write(out, on_bad(error or ""))
            else:
                _write(out, handle(obj))
    _report(bad, total)


@app.command()
def scan(
    input: Path | None = typer.Option(
        None, "--input", "-i", exists=True, dir_okay=False, help="JSONL file (default: stdin)"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="JSONL file (default: stdout)"),
    threshold: float | None = typer.Option(None, help="decision threshold (default 0.5)"),
    types: str | None = typer.Option(None, help="comma-separated types, e.g. RRN,PHONE"),
) -> None:
    """Write {"entities": [{"start", "end", "type", "score"}, ...]} for every input line."""
    from hanji.privacy.detect import detect

    chosen = _types(types)

    def handle(obj: dict) -> dict:
        ents = detect(obj["text"], threshold=threshold, types=chosen)
        return {"entities": [e.to_dict() for e in ents]}

    def on_bad(error: str) -> dict:
        return {"entities": [], "error": error} if error != "empty line" else {"entities": []}

    _each_line(input, output, handle, on_bad)


@app.command()
def redact(
    mode: Mode = typer.Option(Mode.mask, "--mode", "-m", help="how to replace identifiers"),
    input: Path | None = typer.Option(
        None, "--input", "-i", exists=True, dir_okay=False, help="JSONL file (default: stdin)"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="JSONL file (default: stdout)"),
    threshold: float | None = typer.Option(None, help="decision threshold (default 0.5)"),
    types: str | None = typer.Option(None, help="comma-separated types, e.g. RRN,PHONE"),
    mapping: Path | None = typer.Option(
        None, help="pseudonymize: write the placeholder mapping (JSON) here; keep it secret"
    ),
    key_file: Path | None = typer.Option(
        None, help=f"hash: file holding the HMAC key (default: ${KEY_ENV})"
    ),
) -> None:
    """Copy each input object with "text" anonymised (mask, redact, hash or pseudonymize)."""
    from hanji.privacy.anonymize import hash_values
    from hanji.privacy.anonymize import mask as mask_fn
    from hanji.privacy.anonymize import redact as redact_fn
    from hanji.privacy.detect import detect
    from hanji.privacy.pseudonym import Pseudonymizer

    chosen = _types(types)
    key = b""
    if mode is Mode.hash:
        key = key_file.read_bytes().strip() if key_file else os.environ.get(KEY_ENV, "").encode()
        if not key:
            raise typer.BadParameter(
                f"--mode hash needs --key-file or ${KEY_ENV}", param_hint="--mode"
            )
    if mapping is not None and mode is not Mode.pseudonymize:
        raise typer.BadParameter(
            "only --mode pseudonymize writes a mapping", param_hint="--mapping"
        )
    pseudo = Pseudonymizer(threshold=threshold, types=chosen)

    def handle(obj: dict) -> dict:
        text = obj["text"]
        ents = detect(text, threshold=threshold, types=chosen)
        if mode is Mode.mask:
            obj["text"] = mask_fn(text, ents)
        elif mode is Mode.redact:
            obj["text"] = redact_fn(text, ents)
        elif mode is Mode.hash:
            obj["text"] = hash_values(text, ents, key)
        else:
            obj["text"] = pseudo.apply(text, ents)
        return obj

    _each_line(input, output, handle, lambda error: {"error": error})
    if mapping is not None:
        mapping.write_text(pseudo.to_json(), encoding="utf-8")
