"""The script step on real Korean pages: Debian's Korean FAQ, fetched with apt at test time.

Slow and networked by nature: skipped, with the reason, where apt-get cannot fetch the
package (no apt, no Debian archive). The full measurement is ``bench/corpus.py lid``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from datatrove.data import Document

from hanji.corpus.filters import ScriptFilter
from hanji.text import normalize

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_debian_korean_faq_pages_are_kept(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import debian_docs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    try:
        roots = debian_docs.fetch(["debian-faq-ko"], tmp_path)
    except (debian_docs.Unavailable, OSError) as exc:
        pytest.skip(f"Debian's debian-faq-ko could not be fetched here: {exc}")
    labels = [r for r in debian_docs.load_labels() if r["package"] == "debian-faq-ko"]
    found, changed = debian_docs.labelled_pages(labels, roots)
    if not found:
        pytest.skip(f"debian-faq-ko changed since it was labelled ({changed} pages differ)")
    step = ScriptFilter()
    for row, text in found:
        d = Document(text=normalize(text), id=row["path"], metadata={"path": row["path"]})
        reason = step.check(d)
        assert (reason is None) == (row["label"] in ("ko", "mixed")), (row, d.metadata)
