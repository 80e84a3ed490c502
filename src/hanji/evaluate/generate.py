"""Greedy answers to a fixed list of Korean prompts, so base and specialised can be read
side by side. Greedy, so a re-run gives the same text; short, so a CPU run stays quick."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

PROMPTS: tuple[str, ...] = (
    "한지는 어떻게 만드나요? 두 문장으로 설명해 주세요.",
    "'갓생'이라는 말은 무슨 뜻인가요?",
    "다음 문장을 높임말로 바꿔 주세요: 내일 할머니 댁에 갈 거야.",
    "김장을 하는 까닭을 간단히 알려 주세요.",
    "광합성이 무엇인지 초등학생에게 설명해 주세요.",
    "비 오는 날 어울리는 음식을 하나 추천해 주세요.",
)


@dataclass
class GenerationSpec:
    prompts: list[str] = field(default_factory=lambda: list(PROMPTS))
    max_new_tokens: int = 48
    chat: bool | None = None
    """Use the tokenizer's chat template; None = when it has one."""

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if not self.prompts:
            raise ValueError("prompts must not be empty")


def render_prompt(tokenizer: Any, prompt: str, chat: bool | None = None) -> tuple[str, bool]:
    """The text fed to the model, and whether the chat template was used."""
    use_chat = bool(getattr(tokenizer, "chat_template", None)) if chat is None else chat
    if use_chat:
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
        return text, True
    return f"질문: {prompt}\n답변:", False


def generate_answers(model: Any, tokenizer: Any, spec: GenerationSpec) -> list[dict[str, Any]]:
    import torch

    model.eval()
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out = []
    for prompt in spec.prompts:
        text, used_chat = render_prompt(tokenizer, prompt, spec.chat)
        ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"].to(device)
        t0 = time.perf_counter()
        with torch.no_grad():
            generated = model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                do_sample=False,
                max_new_tokens=spec.max_new_tokens,
                pad_token_id=pad,
            )
        new = generated[0, ids.shape[1] :]
        out.append(
            {
                "prompt": prompt,
                # a token budget can end inside a multi-byte syllable: drop the broken tail
                "output": tokenizer.decode(new, skip_special_tokens=True).rstrip("\ufffd").strip(),
                "new_tokens": int(new.shape[0]),
                "chat": used_chat,
                "seconds": round(time.perf_counter() - t0, 3),
            }
        )
    return out
