import math
import unicodedata

import pytest
import torch

from hanji.evaluate.bpc import bits_per_character, document_bits, sequence_nll

TEXT = "한지는 닥나무 껍질로 만든 종이다. 가볍고 질기며 숨을 쉰다고들 한다."


def _by_hand(model, ids):
    x = torch.tensor([ids])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=x).logits[0].double(), -1)
    return -sum(logp[t - 1, ids[t]].item() for t in range(1, len(ids)))


def test_bpc_equals_hand_computed_value(toy) -> None:
    model, tok = toy
    ids = [tok.eos_token_id, *tok(TEXT, add_special_tokens=False)["input_ids"]]
    bits, n_tok = document_bits(model, tok, TEXT, window=512)
    assert n_tok == len(ids) - 1
    assert bits == pytest.approx(_by_hand(model, ids) / math.log(2), rel=1e-5)
    result = bits_per_character(model, tok, [("news", TEXT), ("news", TEXT)])
    assert result.bpc == pytest.approx(bits / len(TEXT), rel=1e-5)
    assert result.group_bpc() == {"news": pytest.approx(result.bpc)}
    assert result.docs == 2 and result.chars == 2 * len(TEXT)


@pytest.mark.parametrize(("window", "stride"), [(8, 4), (8, 7), (5, 1), (3, 2), (64, 32)])
def test_sliding_window_scores_every_token_exactly_once(toy_llama, window, stride) -> None:
    # With no layers a model sees only the current token, so the window cannot change any
    # score: every window/stride must give the full-sequence total, no more and no less.
    model = toy_llama(50, layers=0)
    ids = [int(i) for i in torch.randint(0, 50, (40,), generator=torch.Generator().manual_seed(1))]
    full = _by_hand(model, ids)
    assert sequence_nll(model, ids, window=window, stride=stride) == pytest.approx(full, rel=1e-5)


def test_sliding_window_keeps_context(toy_llama) -> None:
    # With layers, a long window must match the full pass; a tiny one must differ.
    model = toy_llama(50, layers=2)
    ids = list(range(1, 41))
    full = _by_hand(model, ids)
    assert sequence_nll(model, ids, window=64) == pytest.approx(full, rel=1e-5)
    assert sequence_nll(model, ids, window=4, stride=2) != pytest.approx(full, rel=1e-6)


def test_decomposed_hangul_counts_syllables_not_jamo(toy) -> None:
    # NFD stores 한 as three jamo; BPC is per NFC character, so both spellings score alike.
    model, tok = toy
    nfd = unicodedata.normalize("NFD", TEXT)
    assert len(nfd) > len(TEXT)
    as_nfc = bits_per_character(model, tok, [("ko", TEXT)])
    as_nfd = bits_per_character(model, tok, [("ko", nfd)])
    assert as_nfd.chars == len(TEXT) and as_nfd.bpc == pytest.approx(as_nfc.bpc, rel=1e-6)
