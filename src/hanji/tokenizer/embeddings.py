"""Grow a model's embedding matrices for new tokens and initialise the new rows (EEVE).

New input rows are the mean of the base embeddings of the pieces the base tokenizer cuts
the new token's text into; new output rows copy the first piece's row (EEVE: the first
piece is what the model predicted before the new token existed). Both choices are
configurable. With tied embeddings there is one matrix, initialised by the input rule,
unless ``untie`` asks for separate matrices. A new token the base cannot spell at all (a
byte the base vocabulary lacks) gets the mean of all base rows: a random row would draw
the model's greedy output towards a byte it never saw.
"""

from __future__ import annotations

from typing import Any, Literal

Init = Literal["mean", "first", "random"]


def _init_rows(weight: Any, pieces: list[list[int]], start: int, how: Init, seed: int) -> None:
    import torch

    gen = torch.Generator().manual_seed(seed)
    base = weight[:start]
    std = float(base.float().std())
    overall = base.float().mean(dim=0).to(weight.dtype)
    for offset, ids in enumerate(pieces):
        row = start + offset
        if how == "random":
            weight[row] = torch.randn(weight.shape[1], generator=gen).to(weight.dtype) * std
        elif not ids:
            weight[row] = overall
        elif how == "mean":
            weight[row] = base[ids].float().mean(dim=0).to(weight.dtype)
        else:
            weight[row] = base[ids[0]]


def resize_and_init(
    model: Any,
    piece_ids: list[list[int]],
    base_vocab_size: int,
    *,
    input_init: Init = "mean",
    output_init: Init = "first",
    untie: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """Make room for ``len(piece_ids)`` new tokens from id ``base_vocab_size`` on.

    Returns a record of what was done, saved next to the model so training can freeze the
    old rows in its first stages.
    """
    import torch

    n_new = len(piece_ids)
    new_size = base_vocab_size + n_new
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    if tied and untie:
        head = model.get_output_embeddings()
        head.weight = torch.nn.Parameter(head.weight.detach().clone())
        model.config.tie_word_embeddings = False
        tied = False
    current = model.get_input_embeddings().weight.shape[0]
    model.resize_token_embeddings(max(new_size, current), mean_resizing=False)
    with torch.no_grad():
        emb = model.get_input_embeddings().weight
        _init_rows(emb, piece_ids, base_vocab_size, input_init, seed)
        if not tied:
            head = model.get_output_embeddings().weight
            _init_rows(head, piece_ids, base_vocab_size, output_init, seed + 1)
    return {
        "base_vocab_size": base_vocab_size,
        "new_token_ids": [base_vocab_size, new_size],
        "n_new": n_new,
        "tied": tied,
        "input_init": input_init,
        "output_init": output_init if not tied else f"{input_init} (tied to input)",
    }
