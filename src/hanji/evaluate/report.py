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


# ---------------------------------------------------------------- Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_quote(text: str | None) -> str:
    if text is None:
        return "> (없음)"
    return "\n".join(f"> {line}" if line else ">" for line in (text or "(빈 출력)").splitlines())


def _training_line(training: dict[str, Any]) -> str:
    stages = ", ".join(
        f"{s.get('kind', '?')} {s.get('steps', '?')}스텝" for s in training.get("stages") or []
    )
    losses = training.get("losses") or []
    last = f", 마지막 손실 {losses[-1]['loss']:.3f}" if losses else ""
    return f"총 {training.get('steps', len(losses))}스텝 ({stages}){last}"


def render_markdown(results: dict[str, Any], figures: dict[str, str]) -> str:
    has_base = "baseline" in results
    mlabel = model_label(results)
    m = results["model"]
    lines = ["# hanji 한국어 평가 보고서", ""]
    lines.append(f"- {mlabel}: `{m.get('model', '')}`")
    if has_base:
        lines.append(f"- {BASE_LABEL}: `{results['baseline'].get('model', '')}`")
    suite = results.get("suite") or {}
    if suite:
        lines.append(f"- 스위트: `{suite.get('name', '')}`, few-shot {suite.get('few_shot', 0)}")
    if results.get("created"):
        lines.append(f"- 생성 시각: {results['created']}")
    lines += ["", "## 핵심 지표", ""]
    if has_base:
        lines += [f"| 지표 | {BASE_LABEL} | {mlabel} | 변화 |", "|---|---:|---:|---:|"]
        for r in metric_rows(results):
            mark = {1: " ✅", -1: " ⚠️", 0: ""}[r.verdict()]
            cells = [_md_cell(r.label), r.value(r.base), r.value(r.new), r.delta() + mark]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines += [f"| 지표 | {mlabel} |", "|---|---:|"]
        lines += [f"| {_md_cell(r.label)} | {r.value(r.new)} |" for r in metric_rows(results)]
    lines += [
        "",
        "BPC(문자당 비트)는 글자 하나를 맞히는 데 드는 평균 정보량으로, 토크나이저가 달라도 "
        "공정하게 비교할 수 있다. 낮을수록 좋다.",
        "",
    ]
    for key in ("bpc_by_domain", "chars_per_token"):
        if key in figures:
            lines += [f"## {FIG_TITLES[key]}", "", f"![{FIG_TITLES[key]}]({figures[key]})", ""]
    tasks = task_rows(results)
    if tasks:
        lines += ["## 객관식 과제", ""]
        head = "| 과제 | 형식 | k | 문항 | 무작위 |"
        sep = "|---|---|---:|---:|---:|"
        if has_base:
            head += f" {BASE_LABEL} acc | {mlabel} acc | 변화 | {mlabel} acc_norm |"
            sep += "---:|---:|---:|---:|"
        else:
            head += " acc | acc_norm |"
            sep += "---:|---:|"
        lines += [head, sep]
        for t in tasks:
            acc, norm = t["acc"], t["acc_norm"]
            cells = [
                _md_cell(t["name"]),
                t["format"],
                str(t["k"]),
                str(t["n"]),
                f"{t['chance']:.0%}",
            ]
            row = "| " + " | ".join(cells) + " |"
            if has_base:
                row += f" {acc.value(acc.base)} | {acc.value(acc.new)} | {acc.delta()} |"
                row += f" {norm.value(norm.new)} |"
            else:
                row += f" {acc.value(acc.new)} | {norm.value(norm.new)} |"
            lines.append(row)
        lines += [
            "",
            "acc는 선택지의 로그우도 합, acc_norm은 글자당 로그우도로 순위를 매긴 정확도이다.",
            "",
        ]
        if "tasks" in figures:
            lines += [f"![{FIG_TITLES['tasks']}]({figures['tasks']})", ""]
    if "training_loss" in figures:
        lines += ["## 학습 손실", "", _training_line(results["training"]), ""]
        lines += [f"![{FIG_TITLES['training_loss']}]({figures['training_loss']})", ""]
    pairs = generation_pairs(results)
    if pairs:
        lines += ["## 생성 예시 (greedy)", ""]
        for i, p in enumerate(pairs, 1):
            lines += [f"### {i}. {p['prompt']}", ""]
            if has_base:
                lines += [f"**{BASE_LABEL}**", "", _md_quote(p["base"]), ""]
            lines += [f"**{mlabel}**", "", _md_quote(p["model"]), ""]
    return "\n".join(lines).rstrip() + "\n"


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


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _delta_cell(row: Row) -> str:
    cls = {1: "good", -1: "bad", 0: ""}[row.verdict()]
    return f'<td class="num {cls}">{_esc(row.delta())}</td>'


def render_html(results: dict[str, Any], pngs: dict[str, bytes]) -> str:
    has_base = "baseline" in results
    mlabel = model_label(results)
    m = results["model"]
    out = [
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>hanji 한국어 평가 보고서</title><style>{CSS}</style></head><body>",
        "<h1>hanji 한국어 평가 보고서</h1>",
        '<p class="meta">',
        f"{mlabel}: <code>{_esc(m.get('model', ''))}</code>",
    ]
    if has_base:
        out.append(f"<br>{BASE_LABEL}: <code>{_esc(results['baseline'].get('model', ''))}</code>")
    suite = results.get("suite") or {}
    if suite:
        out.append(
            f"<br>스위트: <code>{_esc(suite.get('name', ''))}</code>, "
            f"few-shot {_esc(suite.get('few_shot', 0))}"
        )
    if results.get("created"):
        out.append(f"<br>생성 시각: {_esc(results['created'])}")
    out += ["</p>", "<h2>핵심 지표</h2><table>"]
    if has_base:
        out.append(f"<tr><th>지표</th><th>{BASE_LABEL}</th><th>{mlabel}</th><th>변화</th></tr>")
    else:
        out.append(f"<tr><th>지표</th><th>{mlabel}</th></tr>")
    for r in metric_rows(results):
        cells = f"<td>{_esc(r.label)}</td>"
        if has_base:
            cells += f'<td class="num">{_esc(r.value(r.base))}</td>'
        cells += f'<td class="num">{_esc(r.value(r.new))}</td>'
        if has_base:
            cells += _delta_cell(r)
        out.append(f"<tr>{cells}</tr>")
    out += [
        "</table>",
        '<p class="note">BPC(문자당 비트)는 글자 하나를 맞히는 데 드는 평균 정보량으로, '
        "토크나이저가 달라도 공정하게 비교할 수 있다. 낮을수록 좋다.</p>",
    ]

    def img(key: str) -> None:
        if key in pngs:
            data = base64.b64encode(pngs[key]).decode("ascii")
            out.append(f'<img alt="{_esc(FIG_TITLES[key])}" src="data:image/png;base64,{data}">')

    for key in ("bpc_by_domain", "chars_per_token"):
        if key in pngs:
            out.append(f"<h2>{FIG_TITLES[key]}</h2>")
            img(key)
    tasks = task_rows(results)
    if tasks:
        out.append(
            "<h2>객관식 과제</h2><table><tr><th>과제</th><th>형식</th><th>k</th>"
            "<th>문항</th><th>무작위</th>"
        )
        if has_base:
            out.append(
                f"<th>{BASE_LABEL} acc</th><th>{mlabel} acc</th><th>변화</th>"
                f"<th>{mlabel} acc_norm</th></tr>"
            )
        else:
            out.append("<th>acc</th><th>acc_norm</th></tr>")
        for t in tasks:
            acc, norm = t["acc"], t["acc_norm"]
            cells = (
                f"<td>{_esc(t['name'])}</td><td>{_esc(t['format'])}</td>"
                f'<td class="num">{t["k"]}</td><td class="num">{t["n"]}</td>'
                f'<td class="num">{t["chance"]:.0%}</td>'
            )
            if has_base:
                cells += f'<td class="num">{_esc(acc.value(acc.base))}</td>'
            cells += f'<td class="num">{_esc(acc.value(acc.new))}</td>'
            if has_base:
                cells += _delta_cell(acc)
            cells += f'<td class="num">{_esc(norm.value(norm.new))}</td>'
            out.append(f"<tr>{cells}</tr>")
        out.append(
            '</table><p class="note">acc는 선택지의 로그우도 합, acc_norm은 글자당 로그우도로 '
            "순위를 매긴 정확도이다.</p>"
        )
        img("tasks")
    if "training_loss" in pngs:
        out.append(f"<h2>학습 손실</h2><p>{_esc(_training_line(results['training']))}</p>")
        img("training_loss")
    pairs = generation_pairs(results)
    if pairs:
        out.append('<h2>생성 예시 (greedy)</h2><table class="gen"><tr><th>프롬프트</th>')
        if has_base:
            out.append(f"<th>{BASE_LABEL}</th>")
        out.append(f"<th>{mlabel}</th></tr>")
        for p in pairs:
            row = f"<td>{_esc(p['prompt'])}</td>"
            if has_base:
                row += f"<td>{_esc(p['base'] if p['base'] is not None else '(없음)')}</td>"
            row += f"<td>{_esc(p['model'])}</td>"
            out.append(f"<tr>{row}</tr>")
        out.append("</table>")
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
    md = out_dir / "report.md"
    md.write_text(render_markdown(results, rel), "utf-8")
    page = out_dir / "report.html"
    page.write_text(render_html(results, pngs), "utf-8")
    return {"report_md": md, "report_html": page, **paths}
