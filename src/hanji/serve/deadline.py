"""A deadline for request headers on uvicorn's httptools protocol (slowloris).

A client that opens connections and trickles header bytes would otherwise hold each
connection for as long as it likes: uvicorn times only idle keep-alive connections. The
deadline runs from the connection's opening, and on a kept-alive connection from the next
request's first byte, to the end of its headers; past it the client gets 408 and the
connection is closed.

`HeaderDeadline` is a module-level class so that uvicorn can hand it to the worker
processes of `hanji serve --workers N` (they import it by name); its ``timeout_s`` is set
per server: a subclass in one process (`hanji.serve.app.header_timeout_protocol`), the
class attribute itself in a worker (`hanji.serve.app.worker_app`).
"""

from __future__ import annotations

import asyncio
import json
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _timeout_answer() -> bytes:
    body = json.dumps(
        {
            "error": {
                "message": "The request headers did not arrive in time.",
                "type": "invalid_request_error",
                "param": None,
                "code": "request_timeout",
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


_TOO_SLOW = _timeout_answer()


class HeaderDeadline(HttpToolsProtocol):
    timeout_s: ClassVar[float] = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered: its headers did arrive
        if not self.transport.is_closing():
            self.transport.write(_TOO_SLOW)
            self.transport.close()
