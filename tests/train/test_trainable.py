"""Optimiser groups: every trainable parameter once; the embeddings at their own lr scale."""

import pytest
import torch
from transformers import AutoModelForCausalLM

from hanji.train.loop import StageSpec
from hanji.train.trainable import param_groups, prepare_stage, trainable


@pytest.mark.parametrize("kind", ["full", "embeddings", "lora"])
def test_groups_cover_each_trainable_parameter_once(toy_model_dir, kind) -> None:
    model = AutoModelForCausalLM.from_pretrained(toy_model_dir)
    model, _ = prepare_stage(model, kind)
    groups = param_groups(model, 5.0)
    ids = [id(p) for g in groups for p in g["params"]]
    assert sorted(ids) == sorted(id(p) for p in trainable(model))
    emb = model.get_input_embeddings().weight
    (emb_group,) = [g for g in groups if any(p is emb for p in g["params"])]
    assert emb_group["lr_scale"] == 5.0
    assert all(g["lr_scale"] == 1.0 for g in groups if g is not emb_group)


def test_scaled_group_takes_a_larger_step(toy_model_dir) -> None:
    """One AdamW step: the first step moves each weight by about lr, so the ratio shows."""
    model = AutoModelForCausalLM.from_pretrained(toy_model_dir)
    model, _ = prepare_stage(model, "full")
    groups = param_groups(model, 10.0)
    opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.0)
    for g in opt.param_groups:
        g["lr"] = 1e-3 * g["lr_scale"]
    before = {id(p): p.detach().clone() for p in trainable(model)}
    ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
    model(input_ids=ids, labels=ids).loss.backward()
    opt.step()
    emb = model.get_input_embeddings().weight
    moved_emb = (emb.detach() - before[id(emb)]).abs().max().item()
    body = model.model.layers[0].mlp.up_proj.weight
    moved_body = (body.detach() - before[id(body)]).abs().max().item()
    assert moved_emb == pytest.approx(1e-2, rel=0.05)
    assert moved_body == pytest.approx(1e-3, rel=0.05)


def test_bad_scale_names_the_field() -> None:
    with pytest.raises(ValueError, match="embedding_lr_scale must be > 0"):
        StageSpec("full", 10, 1e-4, embedding_lr_scale=0)
