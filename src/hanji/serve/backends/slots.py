"""Admission for in-process backends: a bounded queue in front of a fixed worker pool.

A semaphore admits at most ``max_concurrency`` requests to the model, at most
``max_queue`` more may wait for a slot (beyond that: 429), and the worker pool has exactly
``max_concurrency`` threads, so a slow or cancelled generation can never put more work on
the CPU than configured. Used by the transformers and the llama.cpp backends alike.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hanji.serve.errors import RateLimited, ServerError


class WorkerSlots:
    def __init__(self, name: str, max_concurrency: int = 1, max_queue: int = 64) -> None:
        self.name = name
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self._slots = asyncio.Semaphore(max_concurrency)
        self._waiting = 0
        self.executor: ThreadPoolExecutor | None = None

    def open(self, thread_prefix: str) -> None:
        """Start the pool; the semaphore is made here so it binds to the serving loop."""
        self.executor = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix=thread_prefix)
        self._slots = asyncio.Semaphore(self.max_concurrency)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    @contextlib.asynccontextmanager
    async def slot(self, ready: bool) -> AsyncIterator[None]:
        """Hold one of the model's slots; 503-style error when not loaded, 429 when full."""
        if not ready or self.executor is None:
            raise ServerError(f"the model '{self.name}' is not loaded", code="model_not_ready")
        if self._slots.locked() and self._waiting >= self.max_queue:
            raise RateLimited(
                f"the model '{self.name}' is busy; retry shortly",
                retry_after_s=1,
                code="model_overloaded",
            )
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    async def run(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on one of the pool's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, fn, *args)
