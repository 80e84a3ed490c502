"""Korean retrieval: hanji's search (Kiwi-morpheme BM25 over sentence chunks) vs BM25 on
whitespace tokens, on text hanji did not write, in the same run.

    python bench/retrieval.py                 # 2,000 documents, both halves, latency, MB/s
    python bench/retrieval.py --docs 400      # quicker
    python bench/retrieval.py --tune          # chunk size sweep on the tuning half only
    python bench/retrieval.py --docs 400 --dense smollm2-135m   # + hybrid and dense rows

Documents: the sections of Debian's Korean FAQ (``debian-faq-ko``, one document per
``<h2>``/``<h3>`` section) and pages of LibreOffice's Korean help (``libreoffice-help-ko``)
as distractors, fetched at run time with ``apt-get download`` (`bench/debian_docs.py`);
none of it is committed. Questions: ``tests/data/search/retrieval_questions.jsonl``, written
for hanji, paraphrased (other endings, particles and words than the sections use), each with
every relevant section keyed by (package, path#anchor) and the page files' sha256; odd ids
are the tuning half, even ids the held-out half (the figures to quote).

Every document goes through `hanji.search.service.Documents` as the gateway uses it: sealed
under a tenant key, chunked, analysed, indexed in memory. A document's rank is that of its
best chunk. Baselines, same documents, same bm25s scorer: whitespace tokens on whole
documents (the baseline) and Kiwi terms on whole documents (what chunking adds).

With ``--dense MODEL`` (a model folder, a run or the embedded ``smollm2-135m``) the store's
chunks and the questions are also embedded by that model as the gateway's local backend
embeds them (`LocalBackend.embed`: mean of the last hidden states, unit length), and two
more rows come out of the same run: hybrid, hanji's search given the question's vector
(BM25 and cosine rankings fused by reciprocal rank, as `/v1/responses` searches when an
embeddings model is configured), and dense alone (a document's rank is that of its chunk
with the highest cosine). Embedding time is reported apart from ingestion.

Search latency: one core (``sched_setaffinity``), each question searched cold (the query's
Kiwi analysis not cached) and warm, p50/p99 over all searches. Ingestion: UTF-8 MB of
documents per second through add_file + attach + ingest (parse, chunk, Kiwi, seal).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from debian_docs import fetch

from hanji.search.chunk import Chunking
from hanji.search.parse import read_html
from hanji.search.service import Documents
from hanji.search.terms import analyse, query_terms, whitespace_terms
from hanji.tenants.store import Store
from hanji.vault import Vault

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "search" / "retrieval_questions.jsonl"
FAQ = ("debian-faq-ko", "usr/share/doc/debian/FAQ/ko")
HELP = ("libreoffice-help-ko", "usr/share/libreoffice/help/ko")
_SECTION = re.compile(rb'<h[23] class="title"><a id="([^"]+)"></a>')
TENANT = "ten_bench"


def faq_sections(root: Path) -> dict[str, str]:
    """``package:path#anchor`` -> the section's text (its heading included)."""
    out: dict[str, str] = {}
    for page in sorted((root / FAQ[1]).glob("*.html")):
        raw = page.read_bytes()
        heads = list(_SECTION.finditer(raw))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(raw)
            key = f"{FAQ[0]}:{FAQ[1]}/{page.name}#{head.group(1).decode()}"
            out[key] = read_html(raw[head.start() : end])
    return out


def help_pages(root: Path, limit: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for page in sorted((root / HELP[1]).rglob("*.html")):
        if len(out) >= limit:
            break
        text = read_html(page.read_bytes())
        if len(text) >= 200:
            out[f"{HELP[0]}:{page.relative_to(root)}"] = text
    return out


def load_questions() -> tuple[dict, list[dict]]:
    lines = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    return lines[0], lines[1:]


def ndcg_mrr(ranked: list[str], relevant: set[str], k: int = 10) -> tuple[float, float]:
    gains = [1.0 if key in relevant else 0.0 for key in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    rr = next((1 / (i + 1) for i, g in enumerate(gains) if g), 0.0)
    return dcg / ideal, rr


class WholeDocBM25:
    """bm25s over whole documents with a given tokenizer (the baselines)."""

    def __init__(self, keys: list[str], token_lists: list[list[str]]) -> None:
        import bm25s

        self.keys = keys
        self.bm25 = bm25s.BM25()
        self.bm25.index(token_lists, show_progress=False)
        self.vocab = set(self.bm25.vocab_dict)

    def rank(self, tokens: list[str], k: int = 10) -> list[str]:
        wanted = [t for t in tokens if t in self.vocab]
        if not wanted:
            return []
        scores = np.asarray(self.bm25.get_scores(wanted))
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.keys[i] for i in top if scores[i] > 0]


class DenseModel:
    """A model's embeddings through hanji's local serve backend; chunk vectors kept by key."""

    def __init__(self, ref: str) -> None:
        import asyncio

        from hanji.serve.backends.local import LocalBackend

        self.ref = ref
        self.loop = asyncio.new_event_loop()
        self.backend = LocalBackend("bench-dense", ref)
        self.loop.run_until_complete(self.backend.start())
        self.seconds = 0.0
        self.texts = 0
        self.key: str | None = None
        """The document being ingested; its chunks' vectors are kept under it."""
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> list[list[float]]:
        from hanji.serve.backends.base import EmbedRequest

        started = time.perf_counter()
        request = EmbedRequest(model=self.ref, inputs=tuple(texts))
        vectors = self.loop.run_until_complete(self.backend.embed(request)).vectors
        if self.key is not None:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)
            self.vectors[self.key] = np.asarray(vectors, dtype=np.float32)
            if len(self.vectors) % 50 == 0:
                print(f"  embedded {len(self.vectors)} documents", file=sys.stderr, flush=True)
        return vectors

    def rank(self, vector: np.ndarray, k: int = 10) -> list[str]:
        """Documents by their best chunk's cosine (vectors are unit length)."""
        keys = list(self.vectors)
        best = np.array([float(np.max(self.vectors[key] @ vector)) for key in keys])
        return [keys[i] for i in np.argsort(-best, kind="stable")[:k]]

    def close(self) -> None:
        self.loop.run_until_complete(self.backend.close())
        self.loop.close()


def build_store(
    docs: Documents, texts: dict[str, str], chunking: Chunking, dense: DenseModel | None = None
) -> tuple[str, dict[str, str], float]:
    """A store holding every document; (store id, file id -> key, seconds it took)."""
    store_id = docs.create_store(TENANT, "bench", None, chunking)
    by_file: dict[str, str] = {}
    started = time.perf_counter()
    for n, (key, text) in enumerate(texts.items()):
        info = docs.add_file(TENANT, f"doc-{n:05d}.txt", "assistants", text.encode())
        docs.attach(TENANT, store_id, info.id, None, None)
        if dense is not None:
            dense.key = key
        status = docs.ingest(TENANT, store_id, info.id, dense)
        if dense is not None:
            dense.key = None
        if status.status != "completed":
            raise RuntimeError(f"{key}: {status.error_message}")
        by_file[info.id] = key
    return store_id, by_file, time.perf_counter() - started


def hanji_rank(
    docs: Documents,
    store_id: str,
    by_file: dict[str, str],
    question: str,
    vector: list[float] | None = None,
) -> list[str]:
    hits = docs.search(TENANT, store_id, [question], max_results=50, query_vector=vector)
    return list(dict.fromkeys(by_file[h.file_id] for h in hits))[:10]


def evaluate(rank, questions: list[dict], half: str) -> tuple[float, float]:
    scores = [
        ndcg_mrr(rank(q["question"]), set(q["relevant"])) for q in questions if q["half"] == half
    ]
    return statistics.fmean(s[0] for s in scores), statistics.fmean(s[1] for s in scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents in the store")
    parser.add_argument("--chunk-tokens", type=int, default=None, help="default: auto")
    parser.add_argument("--tune", action="store_true", help="sweep chunk sizes, tuning half")
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    parser.add_argument(
        "--dense",
        metavar="MODEL",
        default=None,
        help="also embed with MODEL (a model folder, a run or smollm2-135m): hybrid, dense rows",
    )
    args = parser.parse_args()
    if args.dense and args.tune:
        parser.error("--dense measures the chosen chunk size; leave out --tune")
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    roots = fetch([FAQ[0], HELP[0]])
    meta, questions = load_questions()
    import hashlib

    for path, digest in meta["pages_sha256"].items():
        if hashlib.sha256((roots[FAQ[0]] / path).read_bytes()).hexdigest() != digest:
            print(f"warning: {path} differs from the labelled version {meta['version']}")
    sections = faq_sections(roots[FAQ[0]])
    missing = {k for q in questions for k in q["relevant"]} - set(sections)
    if missing:
        raise SystemExit(f"labelled sections not found: {sorted(missing)[:3]}")
    texts = dict(sections)
    texts.update(help_pages(roots[HELP[0]], max(0, args.docs - len(sections))))
    size_mb = sum(len(t.encode()) for t in texts.values()) / 1e6
    flags = "amx_tile" if "amx_tile" in Path("/proc/cpuinfo").read_text() else "no amx_tile"
    print(
        f"documents: {len(texts)} ({len(sections)} FAQ sections), {size_mb:.2f} MB; "
        f"questions: {len(questions)}; cores: {len(os.sched_getaffinity(0))}; cpu: {flags}"
    )

    keys = list(texts)
    whitespace = WholeDocBM25(keys, [whitespace_terms(texts[k]) for k in keys])
    kiwi_terms = [terms for _, terms in analyse([texts[k] for k in keys])]
    kiwi_whole = WholeDocBM25(keys, kiwi_terms)

    dense = DenseModel(args.dense) if args.dense else None
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")  # the gateway's engine and pragmas
        vault = Vault(store.engine, default_provider=lambda t: f"local-file:{tmp}/{t}.json")
        docs = Documents(store.engine, vault)
        sizes: list[int | None] = [None]
        if args.chunk_tokens:
            sizes = [args.chunk_tokens]
        elif args.tune:
            sizes = [100, 200, 400, 800]
        for size in sizes:
            chunking = Chunking() if size is None else Chunking(size, size // 4)
            store_id, by_file, seconds = build_store(docs, texts, chunking, dense)
            started = time.perf_counter()
            docs.search(TENANT, store_id, ["색인"], max_results=10)  # builds the index
            built = time.perf_counter() - started
            label = f"hanji (chunks of {chunking.max_tokens})"
            if dense is not None:
                seconds -= dense.seconds
                print(
                    f"\nembeddings, {dense.ref}: {dense.texts} chunks in {dense.seconds:.1f} s "
                    f"({dense.texts / dense.seconds:.2f} chunks/s, not counted in ingestion)"
                )
            print(f"\ningestion, {label}: {size_mb / seconds:.3f} MB/s ({seconds:.1f} s)")
            print(f"index build on first search (decrypt chunks, bm25s): {built:.2f} s")
            rows = {
                "BM25, whitespace tokens, whole docs (baseline)": lambda q: whitespace.rank(
                    whitespace_terms(q)
                ),
                "BM25, Kiwi morphemes, whole docs": lambda q: kiwi_whole.rank(list(query_terms(q))),
                label: lambda q, s=store_id, f=by_file: hanji_rank(docs, s, f, q),
            }
            if dense is not None:
                started = time.perf_counter()
                vectors = {q["question"]: dense([q["question"]])[0] for q in questions}
                per_query = (time.perf_counter() - started) * 1000 / len(questions)
                print(f"query embedding: {per_query:.1f} ms per question")
                rows[f"hybrid: hanji + {dense.ref} (RRF)"] = (
                    lambda q, s=store_id, f=by_file, v=vectors: hanji_rank(docs, s, f, q, v[q])
                )
                rows[f"dense alone: {dense.ref}, best chunk"] = lambda q, v=vectors: dense.rank(
                    np.asarray(v[q], dtype=np.float32)
                )
            halves = ["tune"] if args.tune else ["tune", "heldout"]
            base = {h: evaluate(rows[next(iter(rows))], questions, h) for h in halves}
            print(
                f"{'':48} "
                + "  ".join(f"{h + ' nDCG@10':>15} {'MRR@10':>7} {'x base':>6}" for h in halves)
            )
            for name, rank in rows.items():
                cells = []
                for h in halves:
                    ndcg, mrr = evaluate(rank, questions, h)
                    cells.append(f"{ndcg:15.3f} {mrr:7.3f} {ndcg / base[h][0]:6.2f}")
                print(f"{name:48} " + "  ".join(cells))
            if args.tune:
                docs.delete_store(TENANT, store_id)
                continue
            cold, warm = [], []
            for _ in range(5):
                for q in questions:
                    query_terms.cache_clear()
                    t = time.perf_counter()
                    docs.search(TENANT, store_id, [q["question"]], max_results=10)
                    cold.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    docs.search(TENANT, store_id, [q["question"]], max_results=10)
                    warm.append((time.perf_counter() - t) * 1000)
            extra = docs.add_file(TENANT, "extra.txt", "assistants", "추가 문서.".encode())
            docs.attach(TENANT, store_id, extra.id, None, None)
            docs.ingest(TENANT, store_id, extra.id)
            started = time.perf_counter()
            docs.search(TENANT, store_id, ["색인"], max_results=10)
            print(
                "index rebuild after one more file (decrypt it, bm25s over every chunk): "
                f"{time.perf_counter() - started:.2f} s"
            )
            for name, values in (("cold (query analysed)", cold), ("warm (query cached)", warm)):
                q = statistics.quantiles(values, n=100)
                print(
                    f"search latency, {len(texts)} docs, {name}: "
                    f"p50 {q[49]:.2f} ms, p99 {q[98]:.2f} ms"
                )
        docs.close()
        store.close()
    if dense is not None:
        dense.close()


if __name__ == "__main__":
    main()
