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


# The shared buckets (`SharedRateLimiter`, one row per key in the store) behave like the
# in-process ones: here on a SQLite store; the replica test runs them on PostgreSQL.


@pytest.fixture
def shared(tmp_path):
    from hanji.serve.ratelimit import SharedRateLimiter
    from hanji.tenants.store import Store

    store = Store(f"sqlite:///{tmp_path / 'hanji.db'}")
    clock = Clock()
    yield SharedRateLimiter(store, clock), clock
    store.close()


def test_shared_requests_per_minute_then_429_with_retry_after(shared) -> None:
    limiter, clock = shared
    key = _key(rpm=3)
    for _ in range(3):
        limiter.check_request(key)
    with pytest.raises(RateLimited) as info:
        limiter.check_request(key)
    assert info.value.status == 429 and info.value.headers["Retry-After"] == "20"
    clock.now += 20  # one request's worth refilled
    limiter.check_request(key)
    with pytest.raises(RateLimited):
        limiter.check_request(key)


def test_shared_tokens_per_minute_admits_while_positive_and_charges_after(shared) -> None:
    limiter, clock = shared
    key = _key(tpm=600)
    limiter.check_tokens(key)
    limiter.charge_tokens(key, 900)  # overshoot: the balance goes negative
    with pytest.raises(RateLimited) as info:
        limiter.check_tokens(key)
    assert info.value.code == "tokens_rate_limit_exceeded"
    assert int(info.value.headers["Retry-After"]) == 30
    clock.now += 31
    limiter.check_tokens(key)


def test_shared_bucket_restarts_when_the_key_limit_changes(shared) -> None:
    limiter, _ = shared
    for _ in range(2):
        limiter.check_request(_key(rpm=2))
    with pytest.raises(RateLimited):
        limiter.check_request(_key(rpm=2))
    for _ in range(5):  # a raised limit starts a full bucket of the new size
        limiter.check_request(_key(rpm=5))
    with pytest.raises(RateLimited):
        limiter.check_request(_key(rpm=5))


def test_two_limiters_on_one_store_share_the_minute(tmp_path) -> None:
    """Two gateways on one database: 4 requests per minute in all, not 4 each."""
    from hanji.serve.ratelimit import SharedRateLimiter
    from hanji.tenants.store import Store

    url = f"sqlite:///{tmp_path / 'hanji.db'}"
    stores = [Store(url), Store(url)]
    clock = Clock()
    a, b = (SharedRateLimiter(s, clock) for s in stores)
    key = _key(rpm=4)
    admitted = 0
    for limiter in (a, b, a, b, a, b):
        try:
            limiter.check_request(key)
            admitted += 1
        except RateLimited:
            pass
    assert admitted == 4
    for s in stores:
        s.close()
