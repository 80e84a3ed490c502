"""Policy profiles and overrides: defaults, what each profile forbids, the perimeter."""

from __future__ import annotations

import pytest

from hanji.tenants.policy import (
    UNIQUE_IDS,
    PolicyError,
    inside_perimeter,
    resolve_policy,
    validate_overrides,
)


@pytest.mark.parametrize("profile", ["finance", "public", "general"])
def test_unique_identifiers_are_pseudonymised_by_default(profile: str) -> None:
    policy = resolve_policy(profile)
    assert all(policy.actions[t] == "pseudonymize" for t in UNIQUE_IDS)
    assert policy.retention_days == 0 and policy.outbound_mask
    assert policy.external == ("allow" if profile == "general" else "refuse")


def test_finance_also_pseudonymises_card_and_account() -> None:
    finance, public = resolve_policy("finance"), resolve_policy("public")
    assert finance.actions["CARD"] == finance.actions["ACCOUNT"] == "pseudonymize"
    assert public.actions["CARD"] == "allow" and finance.actions["PERSON"] == "allow"


def test_overrides_apply_and_are_validated() -> None:
    stored = validate_overrides(
        "finance",
        {"pii": {"PHONE": "mask", "RRN": "block"}, "retention_days": 30, "max_tokens": 256},
    )
    policy = resolve_policy("finance", stored)
    assert policy.actions["PHONE"] == "mask" and policy.actions["RRN"] == "block"
    assert (policy.retention_days, policy.max_tokens) == (30, 256)
    with pytest.raises(PolicyError, match="PASSPORT, RRN may be"):
        validate_overrides("public", {"pii": {"RRN": "allow", "PASSPORT": "allow"}})
    with pytest.raises(PolicyError, match="external may be"):
        validate_overrides("finance", {"external": "allow"})
    with pytest.raises(PolicyError, match="unknown PII type"):
        validate_overrides("general", {"pii": {"SSN": "mask"}})
    with pytest.raises(PolicyError, match=r"pii\.PHONE"):
        validate_overrides("general", {"pii": {"PHONE": "encrypt"}})
    with pytest.raises(PolicyError, match="retention_days"):
        validate_overrides("general", {"retention_days": -1})
    # a general tenant may choose to send identifiers in clear
    assert resolve_policy("general", {"pii": {"RRN": "allow"}}).actions["RRN"] == "allow"


def test_stored_override_that_became_illegal_still_never_sends_clear() -> None:
    policy = resolve_policy("finance", {"pii": {"RRN": "allow"}, "external": "allow"})
    assert policy.actions["RRN"] == "pseudonymize" and policy.external == "refuse"


def test_outside_the_perimeter_everything_is_pseudonymised() -> None:
    policy = resolve_policy("finance", {"external": "pseudonymize", "pii": {"PHONE": "mask"}})
    outside = policy.outside()
    assert outside.actions["PERSON"] == outside.actions["EMAIL"] == "pseudonymize"
    assert outside.actions["PHONE"] == "mask"  # stricter choices stay


def test_perimeter() -> None:
    hosts = ("vllm.bank.internal",)
    assert inside_perimeter(None, hosts)  # in-process model
    assert inside_perimeter("VLLM.bank.internal.", hosts)
    assert inside_perimeter("127.0.0.1", ()) and inside_perimeter("::1", ())
    assert inside_perimeter("localhost", ())
    assert not inside_perimeter("api.openai.com", hosts)
    assert not inside_perimeter("10.0.0.5", hosts)


@pytest.mark.parametrize("profile", ["finance", "public"])
def test_a_perimeter_profile_refuses_a_threshold_that_hides_identifiers(profile: str) -> None:
    """`--threshold 1.0` let a checksummed RRN (score 0.95) out in clear under finance."""
    with pytest.raises(PolicyError, match=r"threshold may be at most 0\.5"):
        validate_overrides(profile, {"threshold": 1.0})
    assert validate_overrides(profile, {"threshold": 0.3}) == {"threshold": 0.3}
    assert validate_overrides("general", {"threshold": 0.9}) == {"threshold": 0.9}
    # stored before the rule: clamped to the default, so the RRN is still found
    assert resolve_policy(profile, {"threshold": 1.0}).threshold == 0.5


def test_the_guard_pseudonymises_an_rrn_under_a_stored_high_threshold() -> None:
    from hanji.privacy import detect

    policy = resolve_policy("finance", {"threshold": 1.0})
    text = "주민등록번호 900101-1234568 확인 부탁드립니다"
    assert [e.type for e in detect(text, threshold=policy.threshold)] == ["RRN"]
