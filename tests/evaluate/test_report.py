import base64
import io
import re
import sys
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.text import Text

from hanji.evaluate.figures import make_figures, png_bytes
from hanji.evaluate.fonts import korean_font_path, korean_rc
from hanji.evaluate.report import Heading, Table, metric_rows, report_blocks, write_report

HANGUL = re.compile("[가-힣]")


def _results(baseline: bool = True) -> dict:
    def model(ref: str, bpc: float, cpt: float, acc: float, out: str) -> dict:
        return {
            "model": ref,
            "vocab_size": 49152 if ref == "base" else 53152,
            "bpc": bpc,
            "bpc_by_domain": {"news": bpc * 1.1, "neologism": bpc * 1.3, "textbook": bpc * 0.9},
            "chars_per_token": cpt,
            "chars_per_token_by_domain": {"news": cpt, "neologism": cpt * 0.9, "textbook": cpt},
            "probe": {"n": 8, "acc_raw": acc, "acc_norm": acc, "chance": 0.25},
            "tasks": {
                "per_task": {
                    "kobest_copa": {
                        "format": "kobest_copa",
                        "k": 0,
                        "n": 6,
                        "acc": acc,
                        "acc_norm": acc,
                        "chance": 0.5,
                    },
                    "kmmlu": {
                        "format": "kmmlu",
                        "k": 0,
                        "n": 6,
                        "acc": 0.25,
                        "acc_norm": 0.25,
                        "chance": 0.25,
                    },
                },
                "macro": {"acc": (acc + 0.25) / 2, "acc_norm": (acc + 0.25) / 2},
                "micro": {"acc": (acc + 0.25) / 2, "acc_norm": (acc + 0.25) / 2},
                "n": 12,
            },
            "generations": [
                {"prompt": "'갓생'이라는 말은 무슨 뜻인가요?", "output": out},
                {"prompt": "김장을 하는 까닭은?", "output": "<script>alert(1)</script> 겨울 대비"},
            ],
        }

    results = {
        "suite": {"name": "quick", "few_shot": 0},
        "model": model("runs/x/model", 2.1, 1.9, 0.75, "부지런하고 알차게 사는 삶을 뜻해요."),
        "training": {
            "steps": 6,
            "losses": [{"step": i, "loss": 5.0 - 0.5 * i} for i in range(1, 7)],
            "stages": [
                {"kind": "new_embeddings", "steps": 3, "ended_at_step": 3},
                {"kind": "full", "steps": 3, "ended_at_step": 6},
            ],
        },
    }
    if baseline:
        results["baseline"] = model("base", 3.0, 0.6, 0.5, "God life is a game.")
    return results


def test_the_font_is_the_nanumgothic_that_koreanize_matplotlib_ships(monkeypatch) -> None:
    path = korean_font_path()
    assert path.name == "NanumGothic.ttf" and path.parent.parent.name == "koreanize_matplotlib"
    monkeypatch.delitem(sys.modules, "koreanize_matplotlib", raising=False)
    korean_rc()
    assert "koreanize_matplotlib" not in sys.modules  # located, not imported (no side effects)


def test_every_text_in_every_figure_resolves_to_the_korean_font() -> None:
    figs = make_figures(_results())
    assert set(figs) == {"bpc_by_domain", "chars_per_token", "tasks", "training_loss"}
    expected = korean_font_path().resolve()
    hangul_texts = 0
    for name, fig in figs.items():
        png_bytes(fig)  # tick labels exist only once the figure is drawn
        for text in fig.findobj(Text):
            if not text.get_text().strip():
                continue
            used = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
            assert used and Path(used).resolve() == expected, (name, text)
            hangul_texts += bool(HANGUL.search(text.get_text()))
    assert hangul_texts >= 12  # titles, axis labels, legends, tick labels in Korean


def _glyph_warnings(render) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_rendering_hangul_leaves_no_tofu() -> None:
    figs = make_figures(_results())
    assert _glyph_warnings(lambda: [png_bytes(f) for f in figs.values()]) == []

    def without_korean_font() -> None:  # control: the check does catch tofu
        with rc_context({"font.family": ["DejaVu Sans"]}):
            fig = Figure()
            fig.text(0.1, 0.5, "도메인별 BPC")
            fig.savefig(io.BytesIO(), format="png")

    assert _glyph_warnings(without_korean_font)


def test_report_files_are_written_and_self_contained(tmp_path) -> None:
    paths = write_report(tmp_path, _results())
    assert {"report_md", "report_html", "fig_bpc_by_domain", "fig_training_loss"} <= set(paths)
    html = paths["report_html"].read_text("utf-8")
    assert '<html lang="ko">' in html and "<link" not in html and "http" not in html
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', html)
    assert len(images) == 4
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "부지런하고 알차게" in html and "God life is a game." in html
    md = paths["report_md"].read_text("utf-8")
    assert "| 지표 | 기준 모델 | 특화 모델 | 변화 |" in md
    assert "| BPC — 검증 글 전체 | 3.0000 | 2.1000 | -30.0% ✅ |" in md
    assert "| 토큰당 글자 수 | 0.600 | 1.900 | ×3.17 ✅ |" in md
    assert "![도메인별 BPC](figures/bpc_by_domain.png)" in md
    assert (tmp_path / "figures" / "bpc_by_domain.png").is_file()


def test_report_for_a_model_alone(tmp_path) -> None:
    results = _results(baseline=False)
    del results["training"]
    paths = write_report(tmp_path, results)
    md = paths["report_md"].read_text("utf-8")
    assert "| 지표 | 평가 모델 |" in md and "기준 모델" not in md
    assert "fig_training_loss" not in paths and "학습 손실" not in md


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("BPC — 검증 글 전체", 1),
        ("토큰당 글자 수", 1),
        ("어휘 크기", 0),
        ("객관식 정확도 — 과제 평균", 1),
    ],
)
def test_metric_rows_know_which_direction_is_better(label: str, verdict: int) -> None:
    rows = {r.label: r for r in metric_rows(_results())}
    assert rows[label].verdict() == verdict


def test_markdown_and_html_show_the_same_blocks(tmp_path) -> None:
    results = _results()
    paths = write_report(tmp_path, results)
    md, page = paths["report_md"].read_text("utf-8"), paths["report_html"].read_text("utf-8")
    blocks = report_blocks(results, {"bpc_by_domain", "chars_per_token", "tasks", "training_loss"})
    headings = [b for b in blocks if isinstance(b, Heading)]
    assert [h.text for h in headings[:3]] == [
        "hanji 한국어 평가 보고서",
        "핵심 지표",
        "도메인별 BPC",
    ]
    for h in headings:
        assert f"{'#' * h.level} {h.text}\n" in md and f"<h{h.level}>{h.text}</h{h.level}>" in page
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 2
    for row in (row for t in tables for row in t.rows):
        for cell in row:
            assert f" {cell.text}" in md and f">{cell.text}</td>" in page
    # a task that improved is marked in both formats, as the metrics are
    assert "| kobest_copa | kobest_copa | 0 | 6 | 50% | 50.0% | 75.0% | +25.0%p ✅ | 75.0% |" in md
    assert '<td class="num good">+25.0%p</td>' in page
