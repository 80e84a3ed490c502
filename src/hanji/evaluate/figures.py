"""The report's figures, drawn from ``results.json`` alone, with Hangul in a Korean font.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot, no global backend) and
inside `korean_rc()`, so every text artist resolves to the registered Korean font.
"""

from __future__ import annotations

import io
import math
from typing import Any

BASE_LABEL = "기준 모델"
MODEL_LABEL = "특화 모델"
ALONE_LABEL = "평가 모델"  # a model measured without a base is not "specialised" per se


def model_label(results: dict[str, Any]) -> str:
    return MODEL_LABEL if "baseline" in results else ALONE_LABEL


BASE_COLOR = "#9aa3ad"
MODEL_COLOR = "#c0392b"
DOMAIN_KO = {
    "textbook": "교과서",
    "encyclopedia": "백과사전",
    "news": "뉴스",
    "literature": "문학",
    "neologism": "신조어",
    "unseen": "처음 보는 글",
}


def domain_label(domain: str) -> str:
    """Korean name of a corpus domain (the key itself when hanji does not know it)."""
    return DOMAIN_KO.get(domain, domain)


def _models(results: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    out = []
    if "baseline" in results:
        out.append((BASE_LABEL, results["baseline"], BASE_COLOR))
    out.append((model_label(results), results["model"], MODEL_COLOR))
    return out


def _grouped_bars(
    ax: Any, groups: list[str], series: list[tuple[str, list[float], str]], fmt: str
) -> None:
    width = 0.8 / max(len(series), 1)
    for i, (label, values, color) in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        bars = ax.bar(xs, values, width * 0.95, label=label, color=color)
        for bar, v in zip(bars, values, strict=True):
            if not math.isnan(v):
                ax.annotate(
                    format(v, fmt),
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
    top = max((v for _, vals, _ in series for v in vals if not math.isnan(v)), default=1.0)
    ax.set_ylim(0, top * 1.22 or 1.0)  # headroom for the value labels and the legend
    ax.set_xticks(range(len(groups)), groups)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9, loc="upper left", ncol=len(series))


def _with_change(
    groups: list[str], series: list[tuple[str, list[float], str]], how: str
) -> list[str]:
    """Tick labels that carry the change from base to model under the group name."""
    if len(series) < 2:
        return groups
    out = []
    for g, b, n in zip(groups, series[0][1], series[-1][1], strict=True):
        if math.isnan(b) or math.isnan(n) or not b:
            out.append(g)
        elif how == "rel":
            out.append(f"{g}\n{(n - b) / b:+.1%}")
        else:
            out.append(f"{g}\n×{n / b:.2f}")
    return out


def _by_domain_figure(
    models: list[tuple[str, dict[str, Any], str]],
    key: str,
    change: str,
    fmt: str,
    height: float,
    ylabel: str,
    title: str,
) -> Any:
    """Bars per domain and overall (``key`` and ``key_by_domain``), one series per model."""
    from matplotlib.figure import Figure

    domains = sorted({d for _, r, _ in models for d in r.get(f"{key}_by_domain", {})})
    groups = [*map(domain_label, domains), "전체"]
    series = [
        (
            label,
            [r.get(f"{key}_by_domain", {}).get(d, math.nan) for d in domains] + [r[key]],
            color,
        )
        for label, r, color in models
    ]
    fig = Figure(figsize=(max(6.0, 1.3 * len(groups) + 2), height), layout="constrained")
    ax = fig.add_subplot()
    _grouped_bars(ax, _with_change(groups, series, change), series, fmt)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def bpc_figure(results: dict[str, Any]) -> Any:
    models = [m for m in _models(results) if "bpc_by_domain" in m[1]]
    return _by_domain_figure(
        models, "bpc", "rel", ".3f", 4.0, "문자당 비트 (BPC)", "도메인별 BPC — 낮을수록 좋음"
    )


def chars_per_token_figure(results: dict[str, Any]) -> Any:
    return _by_domain_figure(
        _models(results),
        "chars_per_token",
        "ratio",
        ".2f",
        3.8,
        "토큰당 글자 수",
        "토크나이저 효율: 토큰당 글자 수 — 높을수록 좋음",
    )


def tasks_figure(results: dict[str, Any]) -> Any:
    from matplotlib.figure import Figure

    models = [m for m in _models(results) if "tasks" in m[1]]
    names = list(models[-1][1]["tasks"]["per_task"])
    series = [
        (label, [r["tasks"]["per_task"].get(n, {}).get("acc", math.nan) for n in names], c)
        for label, r, c in models
    ]
    per_task = models[-1][1]["tasks"]["per_task"]
    fig = Figure(figsize=(max(6.0, 1.1 * len(names) + 2), 4.0), layout="constrained")
    ax = fig.add_subplot()
    _grouped_bars(ax, names, series, ".2f")
    for i, n in enumerate(names):
        chance = per_task[n]["chance"]
        ax.hlines(chance, i - 0.45, i + 0.45, colors="#333333", linestyles=":", linewidth=1)
    ax.plot([], [], ":", color="#333333", label="무작위 기준")
    ax.legend(frameon=False, fontsize=9, loc="upper left", ncol=len(series) + 1)
    ax.set_ylim(0, 1.18)
    ax.set_ylabel("정확도")
    ax.set_title("객관식 과제 정확도 (로그우도 순위)")
    ax.tick_params(axis="x", labelrotation=20)
    return fig


def loss_figure(training: dict[str, Any]) -> Any:
    from matplotlib.figure import Figure

    losses = training.get("losses") or []
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(
        [p["step"] for p in losses],
        [p["loss"] for p in losses],
        color=MODEL_COLOR,
        linewidth=1.2,
        label="학습 손실",
    )
    evals = [p for p in training.get("eval_losses") or [] if not math.isnan(p["loss"])]
    if evals:
        ax.plot(
            [p["step"] for p in evals],
            [p["loss"] for p in evals],
            "o--",
            color="#2c3e50",
            markersize=4,
            label="검증 손실",
        )
    start = 0
    for stage in training.get("stages") or []:
        end = stage.get("ended_at_step")
        if end is None:
            continue
        ax.axvline(end, color="#cccccc", linewidth=0.8)
        ax.text(
            (start + end) / 2,
            1.0,
            f"단계: {stage.get('kind', '')}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
        )
        start = end
    ax.set_xlabel("스텝")
    ax.set_ylabel("손실 (nats/토큰)")
    ax.set_title("학습 손실 곡선", pad=16)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9)
    return fig


def make_figures(results: dict[str, Any]) -> dict[str, Any]:
    """name → Figure for every figure the results can support."""
    from matplotlib import rc_context

    from hanji.evaluate.fonts import korean_rc

    figs: dict[str, Any] = {}
    with rc_context(korean_rc()):
        if "bpc_by_domain" in results["model"]:
            figs["bpc_by_domain"] = bpc_figure(results)
        if "chars_per_token" in results["model"]:
            figs["chars_per_token"] = chars_per_token_figure(results)
        if results["model"].get("tasks", {}).get("per_task"):
            figs["tasks"] = tasks_figure(results)
        if (results.get("training") or {}).get("losses"):
            figs["training_loss"] = loss_figure(results["training"])
    return figs


def png_bytes(fig: Any, dpi: int = 120) -> bytes:
    from matplotlib import rc_context

    from hanji.evaluate.fonts import korean_rc

    buf = io.BytesIO()
    with rc_context(korean_rc()):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
