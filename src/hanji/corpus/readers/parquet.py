"""Parquet and Arrow IPC files (the latter as written by `datasets.save_to_disk`).

A file whose footer cannot be read counts as one ``unreadable_file``; when the footer is
intact but a row group is damaged, the rows that were not read are counted as
``unreadable_rows`` so the accounting stays exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hanji.corpus.readers.base import Bad, Position, Record

BATCH_ROWS = 1024


def _columns(names: list[str], unit: dict[str, Any]) -> list[str]:
    wanted = {unit.get("text_field", "text"), unit.get("id_field", "id"), "source", "date"}
    if unit.get("date_field"):
        wanted.add(unit["date_field"])
    return [n for n in names if n in wanted]


def iter_parquet(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        yield None, Bad("unreadable_file", f"not a readable Parquet file ({exc})")
        return
    total = pf.metadata.num_rows
    if total == 0:
        yield None, Bad("empty_file", "no rows")
        return
    text_field = unit.get("text_field", "text")
    if text_field not in pf.schema_arrow.names:
        yield None, Bad("no_text", f"no column '{text_field}' in {pf.schema_arrow.names}", total)
        return
    row = 0
    try:
        for batch in pf.iter_batches(
            batch_size=BATCH_ROWS, columns=_columns(pf.schema_arrow.names, unit)
        ):
            for rec in batch.to_pylist():
                yield row, rec
                row += 1
    except Exception as exc:
        yield row, Bad("unreadable_rows", f"damaged from row {row} on ({exc})", max(total - row, 1))


def iter_arrow(path: Path, unit: dict[str, Any]) -> Iterator[tuple[Position, Record]]:
    import pyarrow as pa

    row = 0
    try:
        with pa.memory_map(str(path)) as source:
            try:
                reader = pa.ipc.open_stream(source)
            except pa.ArrowInvalid:
                source.seek(0)
                file_reader = pa.ipc.open_file(source)
                batches = (file_reader.get_batch(i) for i in range(file_reader.num_record_batches))
            else:
                batches = iter(reader)
            for batch in batches:
                for rec in batch.to_pylist():
                    yield row, rec
                    row += 1
    except Exception as exc:
        yield row, Bad("unreadable_file", f"Arrow file damaged after row {row} ({exc})")
        return
    if row == 0:
        yield None, Bad("empty_file", "no rows")
