import json

from typer.testing import CliRunner

from hanji.privacy.cli import app

runner = CliRunner()


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines()]


def test_scan_writes_one_line_per_input_line(ids):
    src = "\n".join(
        [
            json.dumps(
                {"text": f"주민등록번호 {ids['rrn']}, 연락처 010-1234-5678"}, ensure_ascii=False
            ),
            json.dumps({"text": "개인정보 없음", "id": 7}, ensure_ascii=False),
            "not json",
            json.dumps({"body": "no text field"}),
        ]
    )
    result = runner.invoke(app, ["scan"], input=src + "\n")
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert len(out) == 4
    assert out[0] == {
        "entities": [
            {"start": 7, "end": 21, "type": "RRN", "score": out[0]["entities"][0]["score"]},
            {"start": 27, "end": 40, "type": "PHONE", "score": out[0]["entities"][1]["score"]},
        ]
    }
    assert all(e["score"] >= 0.5 for e in out[0]["entities"])
    assert out[1] == {"entities": []}
    assert out[2]["entities"] == [] and "invalid JSON" in out[2]["error"]
    assert out[3]["entities"] == [] and "text" in out[3]["error"]
    assert "2 of 4 lines" in result.stderr


def test_scan_files_and_type_filter(tmp_path):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text(
        json.dumps({"text": "김민준 씨 010-1234-5678"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["scan", "--input", str(src), "--output", str(dst), "--types", "phone"]
    )
    assert result.exit_code == 0, result.output
    assert [e["type"] for e in lines(dst.read_text(encoding="utf-8"))[0]["entities"]] == ["PHONE"]
    bad = runner.invoke(app, ["scan", "--input", str(src), "--types", "SSN"])
    assert bad.exit_code != 0 and "SSN" in bad.output


def test_redact_modes(tmp_path, monkeypatch):
    src = json.dumps({"id": 1, "text": "연락처 010-1234-5678"}, ensure_ascii=False) + "\n"
    masked = lines(runner.invoke(app, ["redact", "--mode", "mask"], input=src).stdout)
    assert masked == [{"id": 1, "text": "연락처 010-****-5678"}]
    red = lines(runner.invoke(app, ["redact", "--mode", "redact"], input=src).stdout)
    assert red == [{"id": 1, "text": "연락처 <PHONE>"}]
    monkeypatch.setenv("HANJI_HASH_KEY", "secret")
    hashed = lines(runner.invoke(app, ["redact", "--mode", "hash"], input=src).stdout)
    assert hashed[0]["text"].startswith("연락처 <PHONE:")
    monkeypatch.delenv("HANJI_HASH_KEY")
    assert runner.invoke(app, ["redact", "--mode", "hash"], input=src).exit_code != 0


def test_redact_pseudonymize_writes_a_mapping(tmp_path):
    mapping = tmp_path / "map.json"
    src = "\n".join(
        json.dumps({"text": t}, ensure_ascii=False)
        for t in ["연락처 010-1234-5678", "다시 010-1234-5678, 새 번호 010-2222-3333"]
    )
    result = runner.invoke(
        app, ["redact", "--mode", "pseudonymize", "--mapping", str(mapping)], input=src
    )
    assert result.exit_code == 0, result.output
    assert [o["text"] for o in lines(result.stdout)] == [
        "연락처 <PHONE_1>",
        "다시 <PHONE_1>, 새 번호 <PHONE_2>",
    ]
    saved = json.loads(mapping.read_text(encoding="utf-8"))
    assert saved["placeholders"] == {"<PHONE_1>": "010-1234-5678", "<PHONE_2>": "010-2222-3333"}


def test_a_line_that_is_not_utf8_gets_its_own_error(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "a"}\n{"text": "\xff\xfe"}\n{"text": "010-1234-5678"}\n')
    for args, stdin in ((["scan", "--input", str(src)], None), (["scan"], src.read_bytes())):
        result = runner.invoke(app, args, input=stdin)
        assert result.exit_code == 0, result.output
        out = lines(result.stdout)
        assert len(out) == 3
        assert out[1] == {"entities": [], "error": "line is not valid UTF-8"}
        assert [e["type"] for e in out[2]["entities"]] == ["PHONE"]
        assert "1 of 3 lines" in result.stderr and "line 2;" in result.stderr


def test_a_missing_input_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["scan", "--input", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "nope.jsonl" in result.output


def test_a_lone_surrogate_is_written_escaped():
    src = '{"text": "\\ud800 010-1234-5678"}\n{"text": "한 010-1234-5678"}\n'
    result = runner.invoke(app, ["redact", "--mode", "redact"], input=src)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['{"text": "\\ud800 <PHONE>"}', '{"text": "한 <PHONE>"}']
