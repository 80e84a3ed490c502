import json

from hanji.train import LoopConfig, train_sft
from hanji.train.sources import CHATML_TEMPLATE, encode_conversation


def test_only_assistant_tokens_are_learned(toy_model_dir) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(toy_model_dir)
    assert not tok.chat_template  # the ChatML fallback renders the conversation
    msgs = [
        {"role": "system", "content": "친절하게 답하세요."},
        {"role": "user", "content": "갓생이 뭐예요?"},
        {"role": "assistant", "content": "부지런하고 알찬 삶을 뜻해요."},
        {"role": "user", "content": "고마워요"},
        {"role": "assistant", "content": "천만에요."},
    ]
    ids, labels = encode_conversation(tok, msgs, 512)
    assert len(ids) == len(labels)
    learned = [lab for lab in labels if lab != -100]
    text = tok.decode(learned)
    # the turn as the template writes it, end marker and newline included
    assert text == "부지런하고 알찬 삶을 뜻해요.<|im_end|>\n천만에요.<|im_end|>\n"
    # labels are shifted: position t holds token t+1
    for t, lab in enumerate(labels):
        if lab != -100:
            assert lab == ids[t + 1]


def test_sft_runs_and_saves(toy_model_dir, tmp_path) -> None:
    data = tmp_path / "chat.jsonl"
    conv = {
        "messages": [
            {"role": "user", "content": "한지가 뭐예요?"},
            {"role": "assistant", "content": "닥나무로 만든 한국의 종이예요."},
        ]
    }
    data.write_text("\n".join(json.dumps(conv, ensure_ascii=False) for _ in range(6)), "utf-8")
    summary = train_sft(
        str(toy_model_dir),
        [data],
        tmp_path / "sft",
        steps=4,
        lr=1e-3,
        seq_len=64,
        config=LoopConfig(batch_size=2, progress=False),
    )
    assert summary.completed and (tmp_path / "sft" / "model.safetensors").is_file()
    from transformers import AutoTokenizer

    # the template it was trained with ships with the model
    assert AutoTokenizer.from_pretrained(tmp_path / "sft").chat_template == CHATML_TEMPLATE


def test_bad_chat_line_names_file_and_line(toy_model_dir, tmp_path) -> None:
    import pytest

    data = tmp_path / "bad.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "안녕"}]}\n', "utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1: 'messages' must be"):
        train_sft(
            str(toy_model_dir), [data], tmp_path / "x", steps=1, config=LoopConfig(progress=False)
        )
