"""Per-key limits: requests/min and tokens/min as token buckets.

A bucket holds up to one minute of allowance and refills continuously, so a key may
burst its whole minute at once and then runs at the steady rate. Token use is known only
after a generation, so admission asks for a positive balance and the real count is
charged afterwards (the balance may go negative; the next request then waits).

`RateLimiter` keeps the buckets in this process (one gateway on a SQLite file: no database
write per request). `SharedRateLimiter` keeps them in the store's `rate_buckets` table,
one row per key and kind taken by an atomic UPDATE, so several replicas on one PostgreSQL,
or the worker processes of one `hanji serve --workers N`, share each key's minute
(`limiter_for` picks).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from hanji.serve.errors import RateLimited
from hanji.tenants.store import ApiKey, Store


@dataclass
class TokenBucket:
    capacity: float
    level: float
    updated: float

    @property
    def rate(self) -> float:
        """Units per second: a full bucket per minute."""
        return self.capacity / 60.0

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, amount: float, now: float) -> float:
        """Take ``amount`` if available; else return how many seconds until it is."""
        self.refill(now)
        if self.level >= amount:
            self.level -= amount
            return 0.0
        return (amount - self.level) / self.rate

    def wait_for_positive(self, now: float) -> float:
        self.refill(now)
        return 0.0 if self.level > 0 else (1e-9 - self.level) / self.rate


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def _bucket(self, key_id: str, kind: str, limit: int) -> TokenBucket:
        bucket = self._buckets.get((key_id, kind))
        if bucket is None or bucket.capacity != limit:
            bucket = TokenBucket(capacity=float(limit), level=float(limit), updated=self._clock())
            self._buckets[(key_id, kind)] = bucket
        return bucket

    def check_request(self, key: ApiKey) -> None:
        """Count one request against the key's requests/min; 429 when none is left."""
        if key.rpm is None:
            return
        wait = self._bucket(key.id, "rpm", key.rpm).take(1.0, self._clock())
        if wait > 0:
            raise RateLimited(
                f"Rate limit reached: {key.rpm} requests per minute for this key.",
                retry_after_s=wait,
            )

    def check_tokens(self, key: ApiKey) -> None:
        """Admit a generation only while the key's tokens/min balance is positive."""
        if key.tpm is None:
            return
        wait = self._bucket(key.id, "tpm", key.tpm).wait_for_positive(self._clock())
        if wait > 0:
            raise RateLimited(
                f"Rate limit reached: {key.tpm} tokens per minute for this key.",
                retry_after_s=wait,
                code="tokens_rate_limit_exceeded",
            )

    def charge_tokens(self, key: ApiKey, tokens: int) -> None:
        if key.tpm is None or tokens <= 0:
            return
        bucket = self._bucket(key.id, "tpm", key.tpm)
        bucket.refill(self._clock())
        bucket.level -= tokens


def _refused(key: ApiKey, kind: str, wait: float) -> RateLimited:
    if kind == "rpm":
        return RateLimited(
            f"Rate limit reached: {key.rpm} requests per minute for this key.",
            retry_after_s=wait,
        )
    return RateLimited(
        f"Rate limit reached: {key.tpm} tokens per minute for this key.",
        retry_after_s=wait,
        code="tokens_rate_limit_exceeded",
    )


class SharedRateLimiter:
    """The same buckets as `RateLimiter`, kept in the database every replica uses.

    Blocking (one UPDATE per admitted request): the gateway calls it off the event loop for
    a network database. The clock is the wall clock (``time.time``), shared across hosts.
    """

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def check_request(self, key: ApiKey) -> None:
        if key.rpm is None:
            return
        full = self._store.take_allowance(key.id, "rpm", key.rpm, 1.0, self._clock())
        if full is not None:
            capacity, level, updated = full
            wait = TokenBucket(capacity, level, updated).take(1.0, updated)
            raise _refused(key, "rpm", wait)

    def check_tokens(self, key: ApiKey) -> None:
        if key.tpm is None:
            return
        empty = self._store.take_allowance(key.id, "tpm", key.tpm, 0.0, self._clock())
        if empty is not None:
            capacity, level, updated = empty
            wait = TokenBucket(capacity, level, updated).wait_for_positive(updated)
            raise _refused(key, "tpm", wait)

    def charge_tokens(self, key: ApiKey, tokens: int) -> None:
        if key.tpm is None or tokens <= 0:
            return
        self._store.charge_allowance(key.id, "tpm", key.tpm, float(tokens), self._clock())


def limiter_for(store: Store, processes: int = 1) -> RateLimiter | SharedRateLimiter:
    """Shared buckets where other processes may use the same keys: always on a server
    database (replicas may run anywhere), on SQLite when this gateway runs ``processes`` > 1
    workers; else in-process."""
    if store.engine.dialect.name == "sqlite" and processes == 1:
        return RateLimiter()
    return SharedRateLimiter(store)
