"""Retention: zero by default; when a tenant keeps conversations, they are sealed by the vault.

Nothing about a prompt or a completion is written anywhere unless the tenant's policy has
``retention_days > 0``. Then the conversation (as the caller saw it, with the pseudonym
map) is encrypted under the tenant's data key, with an expiry that `purge_once` enforces.
`Purger` runs `hanji.tenants.lifecycle.purge_once` periodically inside the server;
`hanji tenant purge` runs it once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hanji.serve.backends.base import GenerateRequest
from hanji.serve.context import RequestContext
from hanji.tenants.lifecycle import purge_once

if TYPE_CHECKING:
    from hanji.audit.log import AuditLog
    from hanji.vault import Vault

log = logging.getLogger("hanji.serve.retention")

CONVERSATION = "conversation"


class ConversationKeeper:
    """Seals one finished conversation for a tenant whose retention is above zero."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def keep(
        self,
        ctx: RequestContext,
        request: GenerateRequest,
        reply: str,
        pseudonyms: dict[str, Any] | None,
        days: int,
    ) -> str:
        assert ctx.tenant is not None
        body: dict[str, Any] = {
            "request_id": ctx.request_id,
            "time": datetime.fromtimestamp(ctx.time, UTC).isoformat(),
            "model": request.model,
            "reply": reply,
        }
        if request.messages is not None:
            body["messages"] = [{"role": m.role, "content": m.content} for m in request.messages]
        else:
            body["prompt"] = request.prompt
        if pseudonyms:
            body["pseudonyms"] = pseudonyms
        plaintext = json.dumps(body, ensure_ascii=False).encode()
        return self.vault.seal(
            ctx.tenant.id,
            CONVERSATION,
            plaintext,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )


class Purger:
    """Runs `purge_once` every ``interval_s`` in a worker thread while the server is up."""

    def __init__(
        self, vault: Vault, audit: AuditLog | None, audit_retention_days: int, interval_s: float
    ) -> None:
        self.vault = vault
        self.audit = audit
        self.days = audit_retention_days
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                report = await asyncio.to_thread(purge_once, self.vault, self.audit, self.days)
                if report.records or report.audit_records:
                    log.info(
                        "purged %d expired records, %d audit records past retention",
                        report.records,
                        report.audit_records,
                    )
            except Exception as exc:
                log.error("purge failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
