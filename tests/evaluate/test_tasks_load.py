import json
import sys
import types
from pathlib import Path

import pytest

from hanji.evaluate.items import FORMATS, infer_format, to_item
from hanji.evaluate.sources import (
    TaskLoadError,
    TaskSpec,
    discover,
    load_task,
    task_specs,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "eval"


def test_every_sample_file_loads_in_its_published_schema() -> None:
    specs = discover(SAMPLE)
    names = {s.name for s in specs}
    assert names == {
        "kobest_boolq",
        "kobest_copa",
        "kobest_hellaswag",
        "kobest_sentineg",
        "kobest_wic",
        "kmmlu",
        "haerae",
        "click",
    }  # the .train/.dev files are few-shot pools, not tasks
    for spec in specs:
        task = load_task(spec, k=1)
        assert task.items and all(it.format == spec.name for it in task.items)
        assert all(0 <= it.answer < len(it.options) for it in task.items)


def test_formats_map_answers_to_the_right_option() -> None:
    copa = to_item(
        "kobest_copa",
        {
            "premise": "길이 꽁꽁 얼었다.",
            "question": "결과",
            "alternative_1": "사람들이 조심히 걸었다.",
            "alternative_2": "사람들이 수영을 했다.",
            "label": 0,
        },
    )
    assert (
        copa.prompt == "길이 꽁꽁 얼었다. 그래서" and copa.options[0] == " 사람들이 조심히 걸었다."
    )
    cause = to_item(
        "kobest_copa",
        {
            "premise": "울었다.",
            "question": "원인",
            "alternative_1": "가",
            "alternative_2": "나",
            "label": 1,
        },
    )
    assert cause.prompt.endswith("왜냐하면") and cause.answer == 1
    km = to_item(
        "kmmlu",
        {"question": "수도는?", "answer": "2", "A": "부산", "B": "서울", "C": "대전", "D": "광주"},
    )
    assert km.answer == 1 and km.options == [" A", " B", " C", " D"]
    assert km.prompt == "수도는?\nA. 부산\nB. 서울\nC. 대전\nD. 광주\n정답:"
    assert to_item("kmmlu", {**_kmmlu(), "answer": 4}, mode="text").options[3] == " 광주"
    hae = to_item(
        "haerae", {"query": "질문 ...\n정답:", "options": "['가', '나', '다']", "answer": "(C)"}
    )
    assert hae.answer == 2 and hae.options == [" (A)", " (B)", " (C)"]
    assert hae.labels == ["가", "나", "다"]
    ck = to_item(
        "click",
        {
            "id": "KIIP_economy_3",
            "paragraph": "",
            "question": "떡은?",
            "choices": ["송편", "떡국"],
            "answer": "떡국",
        },
    )
    assert ck.answer == 1 and ck.subject == "KIIP_economy" and "지문" not in ck.prompt
    wic = to_item("kobest_wic", {"word": "배", "context_1": "가", "context_2": "나", "label": 1})
    assert wic.options[wic.answer] == " 예"


def _kmmlu() -> dict:
    return {"question": "수도는?", "answer": 2, "A": "부산", "B": "서울", "C": "대전", "D": "광주"}


def test_schema_inference_recognises_each_benchmark() -> None:
    records = {
        "kobest_boolq": {"paragraph": "p", "question": "q", "label": 1},
        "kobest_copa": {
            "premise": "p",
            "question": "원인",
            "alternative_1": "a",
            "alternative_2": "b",
            "label": 0,
        },
        "kobest_hellaswag": {
            "context": "c",
            **{f"ending_{i}": "e" for i in range(1, 5)},
            "label": 0,
        },
        "kobest_sentineg": {"sentence": "s", "label": 0},
        "kobest_wic": {"word": "w", "context_1": "a", "context_2": "b", "label": 0},
        "kmmlu": _kmmlu(),
        "haerae": {"query": "q", "options": "['a', 'b']", "answer": "(A)"},
        "click": {"paragraph": "", "question": "q", "choices": ["a", "b"], "answer": "a"},
    }
    assert set(records) == set(FORMATS)
    for fmt, rec in records.items():
        assert infer_format(rec) == fmt


def test_kmmlu_csv_with_bom_and_subject(tmp_path) -> None:
    path = tmp_path / "Korean-History-test.csv"
    path.write_text(
        "\ufeffquestion,answer,A,B,C,D,Category,Human Accuracy\n"
        "훈민정음을 반포한 왕은?,3,태조,태종,세종,정조,HUMSS,0.9\n",
        "utf-8",
    )
    (item,) = load_task(TaskSpec(path=path)).items
    assert item.answer == 2 and item.subject == "HUMSS" and item.format == "kmmlu"


def test_bad_records_name_the_file_and_line(tmp_path) -> None:
    path = tmp_path / "copa.jsonl"
    good = {"premise": "p", "question": "결과", "alternative_1": "a", "alternative_2": "b"}
    path.write_text(
        json.dumps({**good, "label": 0}) + "\n" + json.dumps({**good, "label": 5}) + "\n", "utf-8"
    )
    with pytest.raises(TaskLoadError, match=r"copa\.jsonl:2: not a kobest_copa item"):
        load_task(TaskSpec(path=path))
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"질문": "무엇?"}\n', "utf-8")
    with pytest.raises(TaskLoadError, match=r"odd\.jsonl:1: .* match no known schema"):
        load_task(TaskSpec(path=odd))
    with pytest.raises(TaskLoadError, match="neither a file"):
        task_specs("kobest_nonexistent")


def test_limit_and_few_shot_pool(tmp_path) -> None:
    task = load_task(TaskSpec(path=SAMPLE / "kobest_copa.jsonl", limit=2), k=1)
    assert len(task.items) == 2 and task.pool is not None and len(task.pool) == 3
    assert load_task(TaskSpec(path=SAMPLE / "kobest_copa.jsonl"), k=0).pool is None


def _fake_datasets(monkeypatch, rows_by_split: dict, calls: list, fail: Exception | None = None):
    module = types.ModuleType("datasets")

    def load_dataset(path, name=None, split=None):
        calls.append((path, name, split))
        if fail is not None:
            raise fail
        return rows_by_split[split]

    module.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "datasets", module)


def test_hub_names_map_to_ids_splits_and_fewshot_splits(monkeypatch) -> None:
    calls: list = []
    row = {
        "premise": "비가 왔다.",
        "question": "결과",
        "alternative_1": "젖었다.",
        "alternative_2": "말랐다.",
        "label": 0,
    }
    _fake_datasets(monkeypatch, {"test": [row, row], "train": [row]}, calls)
    task = load_task(TaskSpec(hub="kobest_copa"), k=1)
    assert calls == [("skt/kobest_v1", "copa", "test"), ("skt/kobest_v1", "copa", "train")]
    assert len(task.items) == 2 and len(task.pool) == 1
    assert task.source == "hf:skt/kobest_v1/copa:test"
    calls.clear()
    _fake_datasets(monkeypatch, {"test": [_kmmlu()]}, calls)
    (item,) = load_task(TaskSpec(hub="kmmlu:Korean-History")).items
    assert calls == [("HAERAE-HUB/KMMLU", "Korean-History", "test")] and item.answer == 1


def test_hub_failure_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    _fake_datasets(monkeypatch, {}, [], fail=ConnectionError("no route"))
    with pytest.raises(TaskLoadError, match=r"skt/kobest_v1 \(boolq\).*offline mode is set"):
        load_task(TaskSpec(hub="kobest_boolq"))
    monkeypatch.setitem(sys.modules, "datasets", None)  # not installed
    with pytest.raises(TaskLoadError, match="pip install datasets"):
        load_task(TaskSpec(hub="click"))
    with pytest.raises(TaskLoadError, match="set format"):
        load_task(TaskSpec(hub="someone/unknown-bench"))
