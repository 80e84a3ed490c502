"""Per-tenant policy: a profile (finance, public, general) plus stored overrides.

What a policy decides, per request:

- which backends may see the tenant's data: ``finance`` and ``public`` keep it inside the
  perimeter (in-process models, loopback, or hosts on the tenant's allow-list); a request
  for an external upstream is refused, unless the tenant opted into ``external =
  "pseudonymize"`` (the FSC sandbox rule), in which case every personal identifier is
  pseudonymised before it leaves;
- what happens to each type of personal data on the way in: ``allow``, ``mask``,
  ``pseudonymize`` (typed placeholders; the caller gets the originals back) or ``block``
  (400). Unique identifiers (RRN, FRN, passport, driver's licence) are pseudonymised by
  default under every profile and can never be allowed in clear under finance or public,
  nor hidden by a detection threshold above the default (0.5) there;
- whether new PII that the model emits is masked on the way out;
- how long conversations are kept (encrypted): zero days by default;
- the most tokens a completion may ask for.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hanji.privacy import DEFAULT_THRESHOLD, ENTITY_TYPES

Action = Literal["allow", "mask", "pseudonymize", "block"]
ACTIONS: tuple[str, ...] = get_args(Action)
External = Literal["allow", "refuse", "pseudonymize"]

UNIQUE_IDS: tuple[str, ...] = ("RRN", "FRN", "PASSPORT", "DRIVER_LICENSE")
"""고유식별정보: identifiers the law singles out; never sent to a backend in clear."""
PERIMETER_PROFILES: tuple[str, ...] = ("finance", "public")

_PROFILE_ACTIONS: dict[str, dict[str, Action]] = {
    "finance": {
        **dict.fromkeys(UNIQUE_IDS, "pseudonymize"),
        "CARD": "pseudonymize",
        "ACCOUNT": "pseudonymize",
    },
    "public": dict.fromkeys(UNIQUE_IDS, "pseudonymize"),
    "general": dict.fromkeys(UNIQUE_IDS, "pseudonymize"),
}


class PolicyError(ValueError):
    """An override that the profile does not permit; the message names the setting."""


class PolicyOverrides(BaseModel):
    """What `hanji tenant policy` stores for a tenant; unset fields keep the profile's value."""

    model_config = ConfigDict(extra="forbid")

    pii: dict[str, Action] = Field(default_factory=dict)
    retention_days: int | None = Field(default=None, ge=0, le=3650)
    max_tokens: int | None = Field(default=None, ge=1)
    external: External | None = None
    outbound_mask: bool | None = None
    threshold: float | None = Field(default=None, gt=0, le=1)

    @field_validator("pii")
    @classmethod
    def _known_types(cls, value: dict[str, Action]) -> dict[str, Action]:
        unknown = sorted(set(value) - set(ENTITY_TYPES))
        if unknown:
            raise ValueError(
                f"unknown PII type(s) {', '.join(unknown)}; known: {', '.join(ENTITY_TYPES)}"
            )
        return value


@dataclass(frozen=True)
class Policy:
    """The effective policy of one tenant (profile defaults with its overrides applied)."""

    profile: str
    actions: Mapping[str, Action]
    retention_days: int = 0
    max_tokens: int | None = None
    external: External = "allow"
    outbound_mask: bool = True
    threshold: float | None = None

    @property
    def perimeter(self) -> bool:
        return self.profile in PERIMETER_PROFILES

    def outside(self) -> Policy:
        """The policy for a request leaving the perimeter with ``external = pseudonymize``."""
        actions = {t: ("pseudonymize" if a == "allow" else a) for t, a in self.actions.items()}
        return replace(self, actions=actions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "pii": dict(self.actions),
            "retention_days": self.retention_days,
            "max_tokens": self.max_tokens,
            "external": self.external,
            "outbound_mask": self.outbound_mask,
            "threshold": self.threshold,
        }


def profile_policy(profile: str) -> Policy:
    if profile not in _PROFILE_ACTIONS:
        raise PolicyError(f"unknown profile '{profile}'")
    actions: dict[str, Action] = dict.fromkeys(ENTITY_TYPES, "allow")
    actions.update(_PROFILE_ACTIONS[profile])
    return Policy(
        profile=profile,
        actions=actions,
        external="refuse" if profile in PERIMETER_PROFILES else "allow",
    )


def validate_overrides(profile: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check overrides against the profile; returns the normalised dict to store."""
    try:
        parsed = PolicyOverrides.model_validate(dict(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "policy"
        raise PolicyError(f"{where}: {err['msg']}") from None
    if profile in PERIMETER_PROFILES:
        clear = sorted(t for t in UNIQUE_IDS if parsed.pii.get(t) == "allow")
        if clear:
            raise PolicyError(
                f"profile {profile} never sends unique identifiers in clear: "
                f"{', '.join(clear)} may be pseudonymize, mask or block, not allow"
            )
        if parsed.external == "allow":
            raise PolicyError(
                f"profile {profile} keeps data inside the perimeter: external may be "
                "'refuse' or 'pseudonymize', not 'allow'"
            )
        if parsed.threshold is not None and parsed.threshold > DEFAULT_THRESHOLD:
            raise PolicyError(
                f"profile {profile} detects at least what the default finds: threshold may "
                f"be at most {DEFAULT_THRESHOLD} (lower finds more), not {parsed.threshold}"
            )
    return parsed.model_dump(exclude_none=True, exclude_defaults=True)


@lru_cache(maxsize=1024)
def _resolve(profile: str, overrides_json: str) -> Policy:
    base = profile_policy(profile)
    raw = json.loads(overrides_json)
    if not raw:
        return base
    over = PolicyOverrides.model_validate(raw)
    actions = dict(base.actions)
    actions.update(over.pii)
    if profile in PERIMETER_PROFILES:  # stored before a stricter rule: still never clear
        for kind in UNIQUE_IDS:
            if actions[kind] == "allow":
                actions[kind] = "pseudonymize"
    external = over.external or base.external
    if profile in PERIMETER_PROFILES and external == "allow":
        external = "refuse"
    threshold = over.threshold
    if profile in PERIMETER_PROFILES and threshold is not None:  # a floor stored rules out
        threshold = min(threshold, DEFAULT_THRESHOLD)
    return Policy(
        profile=profile,
        actions=actions,
        retention_days=base.retention_days if over.retention_days is None else over.retention_days,
        max_tokens=over.max_tokens or base.max_tokens,
        external=external,
        outbound_mask=base.outbound_mask if over.outbound_mask is None else over.outbound_mask,
        threshold=threshold,
    )


def resolve_policy(profile: str, overrides: Mapping[str, Any] | None = None) -> Policy:
    """The effective policy; cached, since it is needed on every request."""
    return _resolve(profile, json.dumps(dict(overrides or {}), sort_keys=True))


@lru_cache(maxsize=1024)
def inside_perimeter(host: str | None, allowed_hosts: tuple[str, ...]) -> bool:
    """In-process (no host), this machine (loopback), or a host on the tenant's allow-list.

    Cached: a pure function of a few backend hosts and allow-lists, asked on every request.
    """
    if host is None:
        return True
    host = host.strip().lower().rstrip(".").strip("[]")
    if host in allowed_hosts or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
