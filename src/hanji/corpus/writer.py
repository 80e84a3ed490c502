"""Step 8 (writer) and the hand-offs between stages.

`ShardWriter` is datatrove's ParquetWriter with a fixed schema, one file per domain and
rank: ``shards/{domain}/{rank:05d}.parquet``. Plain string/int64 columns, so
``datasets.load_dataset("parquet", data_files=...)`` and any Parquet reader open them.

Between stages documents travel as JSONL in ``work/`` (`WorkWriter` /
`WorkReader`): rank ``r`` of one stage reads exactly what rank ``r`` of the previous
stage wrote, in the same order, which datatrove's dedup filters rely on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.pipeline.writers.parquet import ParquetWriter

COLUMNS = ("id", "text", "domain", "source", "date", "n_chars", "n_hangul", "license", "origin")
_HANGUL = re.compile("[\uac00-\ud7a3]+")


def shard_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.string()),
            ("domain", pa.string()),
            ("source", pa.string()),
            ("date", pa.string()),
            ("n_chars", pa.int64()),
            ("n_hangul", pa.int64()),
            ("license", pa.string()),
            ("origin", pa.string()),
        ]
    )


def shard_row(doc: Document) -> dict[str, Any]:
    """One shard row: the contract columns plus licence and ``origin`` (input file:line)."""
    meta = doc.metadata
    text = doc.text
    line = meta.get("line")
    return {
        "id": doc.id,
        "text": text,
        "domain": meta.get("domain") or "other",
        "source": meta.get("source"),
        "date": meta.get("date"),
        "n_chars": len(text),
        "n_hangul": len(text) - len(_HANGUL.sub("", text)),
        "license": meta.get("license"),
        "origin": f"{meta.get('path')}:{line}" if line is not None else meta.get("path"),
    }


def _row_adapter(_writer: DiskWriter, doc: Document) -> dict[str, Any]:
    return shard_row(doc)


class ShardWriter(ParquetWriter):
    """Write kept documents to ``{output}/{domain}/{rank:05d}.parquet``.

    Args:
        output_folder: the shards folder (``out/shards``).
    """

    name = "hanji write"

    def __init__(self, output_folder: str) -> None:
        super().__init__(
            output_folder,
            output_filename="${domain}/${rank}.parquet",
            adapter=_row_adapter,
            schema=shard_schema(),
            max_file_size=-1,
            use_content_defined_chunking=False,
        )

    def write(self, document: Document, rank: int = 0, **kwargs: Any) -> None:
        domain = document.metadata.get("domain") or "other"
        document.metadata["domain"] = domain
        self.stat_update("kept")
        self.stat_update(f"domain_docs_{domain}")
        self.stat_update(f"domain_chars_{domain}", value=len(document.text))
        super().write(document, rank, **kwargs)


class WorkWriter(DiskWriter):
    """JSONL of documents for the next stage (stdlib json: no extra package).

    Uncompressed on purpose: ``work/`` is scratch space, and gzip cost more than filtering.
    """

    default_output_filename = "${rank}.jsonl"
    name = "hanji hand-off"

    def __init__(self, output_folder: str) -> None:
        super().__init__(output_folder, compression=None)

    def _write(self, document: dict, file_handler: IO, filename: str) -> None:
        file_handler.write(json.dumps(document, ensure_ascii=False) + "\n")


class WorkReader(PipelineStep):
    """Read back what rank ``r`` of the previous stage wrote (nothing if it kept nothing)."""

    type = "📖 - READER"
    name = "hanji hand-off"

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        path = Path(self.folder) / f"{rank:05d}.jsonl"
        if not path.exists():
            return
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                self.stat_update("read")
                yield Document(text=rec["text"], id=rec["id"], metadata=rec.get("metadata", {}))
