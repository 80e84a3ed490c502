"""`report.md` and a self-contained `report.html` from ``results.json`` alone.

The HTML embeds its figures as base64 PNG, so the one file can be mailed or attached to a
ticket; the Markdown links the same PNGs from ``figures/``. Both show the metrics table
(base, specialised, change), BPC per domain, tokenizer chars/token, task accuracies, the
training loss curve when the training summary is present, and generations side by side.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hanji.evaluate.figures import (
    BASE_LABEL,
    domain_label,
    make_figures,
    model_label,
    png_bytes,
)

TITLE = "hanji 한국어 평가 보고서"
FIG_DIR = "figures"
FIG_TITLES = {
    "bpc_by_domain": "도메인별 BPC",
    "chars_per_token": "토크나이저 효율",
    "tasks": "객관식 과제",
    "training_loss": "학습 손실",
}


@dataclass
class Row:
    label: str
    base: float | None
    new: float | None
    kind: Literal["bpc", "ratio", "acc", "count"]
    better: Literal["lower", "higher", ""] = ""

    def value(self, v: float | None) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        if self.kind == "bpc":
            return f"{v:.4f}"
        if self.kind == "ratio":
            return f"{v:.3f}"
        if self.kind == "acc":
            return f"{v:.1%}"
        return f"{int(v):,}"

    def delta(self) -> str:
        b, n = self.base, self.new
        if b is None or n is None or any(math.isnan(float(x)) for x in (b, n)):
            return ""
        if self.kind == "bpc":
            return f"{(n - b) / b:+.1%}" if b else ""
        if self.kind == "ratio":
            return f"×{n / b:.2f}" if b else ""
        if self.kind == "acc":
            return f"{(n - b) * 100:+.1f}%p"
        return f"{int(n - b):+,}"

    def verdict(self) -> int:
        """+1 improved, -1 worse, 0 same (within display rounding) or not comparable."""
        b, n = self.base, self.new
        if b is None or n is None or not self.better or any(math.isnan(float(x)) for x in (b, n)):
            return 0
        change = n - b if self.kind == "acc" else (n - b) / b if b else 0.0
        if abs(change) < (0.005 if self.kind == "ratio" else 0.0005):
            return 0
        up = n > b
        return 1 if up == (self.better == "higher") else -1


def metric_rows(results: dict[str, Any]) -> list[Row]:
    m, b = results["model"], results.get("baseline") or {}

    def get(r: dict[str, Any], *keys: str) -> Any:
        for k in keys:
            if not isinstance(r, dict) or k not in r:
                return None
            r = r[k]
        return r

    rows: list[Row] = []
    if "bpc" in m:
        rows.append(Row("BPC — 검증 글 전체", get(b, "bpc"), m["bpc"], "bpc", "lower"))
        for dom, v in m.get("bpc_by_domain", {}).items():
            name = f"BPC — {domain_label(dom)}" + (f" ({dom})" if domain_label(dom) != dom else "")
            rows.append(Row(name, get(b, "bpc_by_domain", dom), v, "bpc", "lower"))
    if "bpc_unseen" in m:
        rows.append(
            Row("BPC — 처음 보는 글", get(b, "bpc_unseen"), m["bpc_unseen"], "bpc", "lower")
        )
    if "chars_per_token" in m:
        rows.append(
            Row(
                "토큰당 글자 수", get(b, "chars_per_token"), m["chars_per_token"], "ratio", "higher"
            )
        )
    if "vocab_size" in m:
        rows.append(Row("어휘 크기", get(b, "vocab_size"), m["vocab_size"], "count"))
    if "probe" in m:
        for key, name in (("acc_norm", "길이 정규화"), ("acc_raw", "합계")):
            rows.append(
                Row(
                    f"신조어 프로브 정확도 ({name})",
                    get(b, "probe", key),
                    m["probe"][key],
                    "acc",
                    "higher",
                )
            )
    if "tasks" in m:
        for avg, name in (("macro", "과제 평균"), ("micro", "문항 평균")):
            rows.append(
                Row(
                    f"객관식 정확도 — {name}",
                    get(b, "tasks", avg, "acc"),
                    m["tasks"][avg]["acc"],
                    "acc",
                    "higher",
                )
            )
    return rows


def task_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    m = results["model"].get("tasks", {}).get("per_task", {})
    b = (results.get("baseline") or {}).get("tasks", {}).get("per_task", {})
    out = []
    for name, r in m.items():
        base = b.get(name, {})
        out.append(
            {
                "name": name,
                "format": r.get("format", ""),
                "k": r.get("k", 0),
                "n": r["n"],
                "chance": r["chance"],
                "acc": Row(name, base.get("acc"), r["acc"], "acc", "higher"),
                "acc_norm": Row(name, base.get("acc_norm"), r["acc_norm"], "acc", "higher"),
            }
        )
    return out


def generation_pairs(results: dict[str, Any]) -> list[dict[str, str | None]]:
    """Prompt, base output, specialised output — matched by prompt."""
    base = {
        g["prompt"]: g["output"] for g in (results.get("baseline") or {}).get("generations", [])
    }
    return [
        {"prompt": g["prompt"], "base": base.get(g["prompt"]), "model": g["output"]}
        for g in results["model"].get("generations", [])
    ]


def _training_line(training: dict[str, Any]) -> str:
    stages = ", ".join(
        f"{s.get('kind', '?')} {s.get('steps', '?')}스텝" for s in training.get("stages") or []
    )
    losses = training.get("losses") or []
    last = f", 마지막 손실 {losses[-1]['loss']:.3f}" if losses else ""
    return f"총 {training.get('steps', len(losses))}스텝 ({stages}){last}"


# ---------------------------------------------------------------- blocks


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str
    note: bool = False
    """An explanatory aside (set apart in HTML)."""


@dataclass
class MetaLine:
    label: str
    code: str | None = None
    """Shown as code: a model reference, a suite name."""
    tail: str = ""


@dataclass
class Meta:
    lines: list[MetaLine]


@dataclass
class Column:
    label: str
    num: bool = False
    """Right-aligned numbers."""


@dataclass
class Cell:
    text: str
    verdict: int | None = None
    """Set on a change cell: +1 better, -1 worse, 0 neither (`Row.verdict`)."""


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]]


@dataclass
class Figure:
    name: str
    """A key of `make_figures`; each writer knows where the image is."""

    @property
    def title(self) -> str:
        return FIG_TITLES[self.name]


@dataclass
class Generations:
    """Greedy outputs side by side: per prompt, one output per model (None: not run)."""

    models: list[str]
    rows: list[tuple[str, list[str | None]]]


Block = Heading | Paragraph | Meta | Table | Figure | Generations

BPC_NOTE = (
    "BPC(문자당 비트)는 글자 하나를 맞히는 데 드는 평균 정보량으로, 토크나이저가 달라도 "
    "공정하게 비교할 수 있다. 낮을수록 좋다."
)
ACC_NOTE = "acc는 선택지의 로그우도 합, acc_norm은 글자당 로그우도로 순위를 매긴 정확도이다."


def _meta(results: dict[str, Any]) -> Meta:
    lines = [MetaLine(model_label(results), results["model"].get("model", ""))]
    if "baseline" in results:
        lines.append(MetaLine(BASE_LABEL, results["baseline"].get("model", "")))
    suite = results.get("suite") or {}
    if suite:
        few_shot = f", few-shot {suite.get('few_shot', 0)}"
        lines.append(MetaLine("스위트", suite.get("name", ""), few_shot))
    if results.get("created"):
        lines.append(MetaLine("생성 시각", tail=results["created"]))
    return Meta(lines)


def _metrics_table(results: dict[str, Any]) -> Table:
    has_base, mlabel = "baseline" in results, model_label(results)
    if has_base:
        columns = [Column("지표"), Column(BASE_LABEL, True), Column(mlabel, True)]
        columns.append(Column("변화", True))
    else:
        columns = [Column("지표"), Column(mlabel, True)]
    rows = []
    for r in metric_rows(results):
        if has_base:
            values = [Cell(r.value(r.base)), Cell(r.value(r.new)), Cell(r.delta(), r.verdict())]
            rows.append([Cell(r.label), *values])
        else:
            rows.append([Cell(r.label), Cell(r.value(r.new))])
    return Table(columns, rows)


def _tasks_table(results: dict[str, Any], tasks: list[dict[str, Any]]) -> Table:
    has_base, mlabel = "baseline" in results, model_label(results)
    columns = [Column("과제"), Column("형식")]
    columns += [Column(label, True) for label in ("k", "문항", "무작위")]
    if has_base:
        labels = [f"{BASE_LABEL} acc", f"{mlabel} acc", "변화", f"{mlabel} acc_norm"]
    else:
        labels = ["acc", "acc_norm"]
    columns += [Column(label, True) for label in labels]
    rows = []
    for t in tasks:
        acc, norm = t["acc"], t["acc_norm"]
        cells = [Cell(t["name"]), Cell(t["format"]), Cell(str(t["k"])), Cell(str(t["n"]))]
        cells.append(Cell(f"{t['chance']:.0%}"))
        if has_base:
            cells += [Cell(acc.value(acc.base)), Cell(acc.value(acc.new))]
            cells.append(Cell(acc.delta(), acc.verdict()))
        else:
            cells.append(Cell(acc.value(acc.new)))
        rows.append([*cells, Cell(norm.value(norm.new))])
    return Table(columns, rows)


def report_blocks(results: dict[str, Any], figures: Collection[str]) -> list[Block]:
    """The report, once, for every writer; ``figures`` names the figures that were drawn."""
    blocks: list[Block] = [Heading(TITLE, 1), _meta(results), Heading("핵심 지표")]
    blocks += [_metrics_table(results), Paragraph(BPC_NOTE, note=True)]
    for key in ("bpc_by_domain", "chars_per_token"):
        if key in figures:
            blocks += [Heading(FIG_TITLES[key]), Figure(key)]
    tasks = task_rows(results)
    if tasks:
        blocks += [Heading("객관식 과제"), _tasks_table(results, tasks)]
        blocks.append(Paragraph(ACC_NOTE, note=True))
        if "tasks" in figures:
            blocks.append(Figure("tasks"))
    if "training_loss" in figures:
        blocks += [Heading(FIG_TITLES["training_loss"])]
        blocks += [Paragraph(_training_line(results["training"])), Figure("training_loss")]
    pairs = generation_pairs(results)
    if pairs:
        has_base = "baseline" in results
        models = [BASE_LABEL, model_label(results)] if has_base else [model_label(results)]
        rows = [(p["prompt"], [p["base"], p["model"]] if has_base else [p["model"]]) for p in pairs]
        blocks += [Heading("생성 예시 (greedy)"), Generations(models, rows)]
    return blocks


# ---------------------------------------------------------------- Markdown

VERDICT_MARK = {1: " ✅", -1: " ⚠️", 0: ""}


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_quote(text: str | None) -> str:
    if text is None:
        return "> (없음)"
    return "\n".join(f"> {line}" if line else ">" for line in (text or "(빈 출력)").splitlines())


def _md_block(block: Block, figures: dict[str, str]) -> list[str]:
    """Markdown paragraphs (separated by blank lines) for one block."""
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Meta):
        lines = []
        for m in block.lines:
            code = f"`{m.code}`" if m.code is not None else ""
            lines.append(f"- {m.label}: {code}{m.tail}")
        return ["\n".join(lines)]
    if isinstance(block, Table):
        lines = ["| " + " | ".join(_md_cell(c.label) for c in block.columns) + " |"]
        lines.append("|" + "".join("---:|" if c.num else "---|" for c in block.columns))
        for row in block.rows:
            texts = [_md_cell(c.text) + VERDICT_MARK[c.verdict or 0] for c in row]
            lines.append("| " + " | ".join(texts) + " |")
        return ["\n".join(lines)]
    if isinstance(block, Figure):
        return [f"![{block.title}]({figures[block.name]})"]
    if isinstance(block, Generations):
        out = []
        for i, (prompt, outputs) in enumerate(block.rows, 1):
            out.append(f"### {i}. {prompt}")
            for label, text in zip(block.models, outputs, strict=True):
                out += [f"**{label}**", _md_quote(text)]
        return out
    raise TypeError(f"no Markdown for {block!r}")


def render_markdown(blocks: list[Block], figures: dict[str, str]) -> str:
    """``figures``: figure name → path of its PNG relative to the report."""
    parts = [part for block in blocks for part in _md_block(block, figures)]
    return "\n\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:"Noto Sans KR","Apple SD Gothic Neo","Malgun Gothic",NanumGothic,sans-serif;
max-width:1080px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.6}
h1{border-bottom:3px solid #c0392b;padding-bottom:.3rem}
h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1rem 0;font-size:.95rem}
th,td{border:1px solid #ddd;padding:.35rem .7rem;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.good{color:#1e8449;font-weight:600}.bad{color:#b03a2e;font-weight:600}
.meta{color:#555}.note{color:#555;font-size:.9rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
table.gen{width:100%;table-layout:fixed}table.gen td{white-space:pre-wrap;font-size:.9rem}
"""

VERDICT_CLASS = {1: " good", -1: " bad", 0: ""}


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _tag(tag: str, text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{_esc(text)}</{tag}>"


def _html_row(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _html_block(block: Block, pngs: dict[str, bytes]) -> list[str]:
    """HTML lines for one block."""
    if isinstance(block, Heading):
        return [_tag(f"h{block.level}", block.text)]
    if isinstance(block, Paragraph):
        return [_tag("p", block.text, "note" if block.note else "")]
    if isinstance(block, Meta):
        lines = []
        for m in block.lines:
            code = f"<code>{_esc(m.code)}</code>" if m.code is not None else ""
            lines.append(f"{'<br>' if lines else ''}{_esc(m.label)}: {code}{_esc(m.tail)}")
        return ['<p class="meta">', *lines, "</p>"]
    if isinstance(block, Table):
        out = ["<table>", _html_row([_tag("th", c.label) for c in block.columns])]
        for row in block.rows:
            tds = []
            for col, cell in zip(block.columns, row, strict=True):
                cls = ("num" if col.num else "") + VERDICT_CLASS[cell.verdict or 0]
                tds.append(_tag("td", cell.text, cls))
            out.append(_html_row(tds))
        return [*out, "</table>"]
    if isinstance(block, Figure):
        data = base64.b64encode(pngs[block.name]).decode("ascii")
        return [f'<img alt="{_esc(block.title)}" src="data:image/png;base64,{data}">']
    if isinstance(block, Generations):
        head = [_tag("th", label) for label in ["프롬프트", *block.models]]
        out = ['<table class="gen">', _html_row(head)]
        for prompt, outputs in block.rows:
            texts = [prompt, *("(없음)" if t is None else t for t in outputs)]
            out.append(_html_row([_tag("td", t) for t in texts]))
        return [*out, "</table>"]
    raise TypeError(f"no HTML for {block!r}")


def render_html(blocks: list[Block], pngs: dict[str, bytes]) -> str:
    """One self-contained page: ``pngs`` (figure name → PNG bytes) are embedded."""
    out = [
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_esc(TITLE)}</title><style>{CSS}</style></head><body>",
    ]
    for block in blocks:
        out += _html_block(block, pngs)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(out_dir: str | Path, results: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``figures/*.png`` into ``out_dir``.

    ``results`` defaults to the ``results.json`` in ``out_dir``. Returns the paths written:
    ``report_md``, ``report_html`` and ``fig_<name>`` per figure.
    """
    out_dir = Path(out_dir)
    if results is None:
        results = json.loads((out_dir / "results.json").read_text("utf-8"))
    fig_dir = out_dir / FIG_DIR
    fig_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    pngs: dict[str, bytes] = {}
    rel: dict[str, str] = {}
    for name, fig in make_figures(results).items():
        pngs[name] = png_bytes(fig)
        path = fig_dir / f"{name}.png"
        path.write_bytes(pngs[name])
        paths[f"fig_{name}"] = path
        rel[name] = f"{FIG_DIR}/{name}.png"
    blocks = report_blocks(results, pngs)
    md = out_dir / "report.md"
    md.write_text(render_markdown(blocks, rel), "utf-8")
    page = out_dir / "report.html"
    page.write_text(render_html(blocks, pngs), "utf-8")
    return {"report_md": md, "report_html": page, **paths}
