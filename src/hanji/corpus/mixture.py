"""Step 9: domain mixture — recipe weights → sampling probabilities and epochs, capped.

Weights are target shares of training text (a domain not named gets 1). With a budget of
one pass over the corpus (B = Σ chars), domain d is sampled with probability p_d and
repeated ``epochs_d = p_d · B / chars_d`` times. A small domain with a large weight would
be repeated too often, so epochs are capped at ``max_epochs``: a capped domain keeps
exactly the cap and the probability it gives up is shared among the others by weight
(water-filling, repeated until no domain is over the cap).
"""

from __future__ import annotations

from typing import Any


def compute_mixture(
    chars: dict[str, int], weights: dict[str, float], max_epochs: float
) -> dict[str, Any]:
    """The mixture.json content for the domains that have text."""
    domains = sorted(d for d, c in chars.items() if c > 0)
    w = {d: float(weights.get(d, 1.0)) for d in domains}
    budget = sum(chars[d] for d in domains)
    probs: dict[str, float] = dict.fromkeys(domains, 0.0)
    capped: dict[str, float] = {}
    free = [d for d in domains if w[d] > 0]
    while free:
        mass = 1.0 - sum(capped.values())
        total_w = sum(w[d] for d in free)
        trial = {d: mass * w[d] / total_w for d in free}
        over = [d for d in free if trial[d] * budget / chars[d] > max_epochs + 1e-12]
        if not over:
            probs.update(trial)
            break
        for d in over:
            capped[d] = max_epochs * chars[d] / budget
            free.remove(d)
    probs.update(capped)
    norm = sum(probs.values())
    if norm > 0 and abs(norm - 1.0) > 1e-9:  # everything capped (max_epochs < 1): rescale
        probs = {d: p / norm for d, p in probs.items()}
    epochs = {d: (probs[d] * budget / chars[d]) if chars[d] else 0.0 for d in domains}
    return {
        "probabilities": {d: round(probs[d], 6) for d in domains},
        "epochs": {d: round(epochs[d], 4) for d in domains},
        "weights": w,
        "chars": {d: int(chars[d]) for d in domains},
        "max_epochs": max_epochs,
        "budget_chars": budget,
    }
