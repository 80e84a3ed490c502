import json

import pytest

from hanji.evaluate.choice import continuation_logprob, score_options
from hanji.evaluate.probe import load_probe, run_probe


def test_scores_are_log_probabilities_and_pick_the_best(toy) -> None:
    model, tok = toy
    prefix = "요즘 친구들은 "
    options = ["갓생", "바나나", "월요일", "책상"]
    scores = score_options(model, tok, prefix, options, "을 산다.")
    for opt, raw in zip(options, scores.raw, strict=True):
        assert raw == pytest.approx(continuation_logprob(model, tok, prefix, opt + "을 산다."))
        assert raw < 0
    assert scores.pick_raw == max(range(4), key=lambda i: scores.raw[i])
    assert scores.norm[1] == pytest.approx(scores.raw[1] / len("바나나을 산다."))


def test_probe_accuracy_follows_the_scores(toy, tmp_path) -> None:
    model, tok = toy
    options = ["갓생", "바나나", "월요일", "책상"]
    best = score_options(model, tok, "나는 ", options, "을 산다.").pick_norm
    path = tmp_path / "probe.jsonl"
    items = [
        {
            "word": "갓생",
            "prefix": "나는 ",
            "suffix": "을 산다.",
            "options": options,
            "answer": best,
        },
        {
            "word": "갓생",
            "context": "나는 ___을 산다.",
            "options": options,
            "answer": (best + 1) % 4,
        },
    ]
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), "utf-8")
    result = run_probe(model, tok, load_probe(path))
    assert result.n == 2 and result.correct_norm == 1 and result.acc_norm == 0.5


def test_bad_probe_line_names_file_and_line(tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"options": ["a"], "answer": 0, "prefix": ""}\n{"answer": 1}\n', "utf-8")
    with pytest.raises(ValueError, match=r"p\.jsonl:2: not a probe item"):
        load_probe(path)


def test_the_shared_prompt_cache_gives_the_same_scores_as_one_pass_per_option(toy) -> None:
    from hanji.evaluate.choice import _ids, _shared

    model, tok = toy
    prefix = "다음 문장을 완성하시오.\n나는 어제 "  # the space merges into some options only
    options = ["친구를 만났다.", "\n집에 갔다.", "123번 버스를 탔다.", "Seoul에 갔다."]
    head = [tok.eos_token_id, *_ids(tok, prefix)]
    starts = {_shared([tok.eos_token_id, *_ids(tok, prefix + o)], head) for o in options}
    assert len(starts) > 1  # a token straddles the boundary for some options, not others
    scores = score_options(model, tok, prefix, options)
    alone = [continuation_logprob(model, tok, prefix, o) for o in options]
    assert scores.raw == pytest.approx(alone, rel=1e-5)
