"""Token buckets per key: bursts up to a minute's allowance, then the steady rate."""

from datetime import UTC, datetime

import pytest

from hanji.serve.errors import RateLimited
from hanji.serve.ratelimit import RateLimiter
from hanji.tenants.store import ApiKey


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _key(rpm: int | None = None, tpm: int | None = None) -> ApiKey:
    return ApiKey("key_1", "ten_1", "hk-ab…cdef", None, rpm, tpm, datetime.now(UTC))


def test_requests_per_minute_then_429_with_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    key = _key(rpm=3)
    for _ in range(3):
        limiter.check_request(key)
    with pytest.raises(RateLimited) as info:
        limiter.check_request(key)
    assert info.value.status == 429 and info.value.headers["Retry-After"] == "20"
    clock.now += 20  # one request's worth refilled
    limiter.check_request(key)


def test_tokens_per_minute_admits_while_positive_and_charges_after() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    key = _key(tpm=600)
    limiter.check_tokens(key)
    limiter.charge_tokens(key, 900)  # overshoot: the balance goes negative
    with pytest.raises(RateLimited) as info:
        limiter.check_tokens(key)
    assert info.value.code == "tokens_rate_limit_exceeded"
    assert int(info.value.headers["Retry-After"]) == 30
    clock.now += 31
    limiter.check_tokens(key)


def test_unlimited_keys_are_never_limited() -> None:
    limiter = RateLimiter(Clock())
    key = _key()
    for _ in range(1000):
        limiter.check_request(key)
    limiter.charge_tokens(key, 10**9)
    limiter.check_tokens(key)
