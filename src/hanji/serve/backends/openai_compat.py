"""Backend for any OpenAI-compatible server (vLLM, llama.cpp, Azure OpenAI) over httpx.

Only connection failures are retried: the request never reached the upstream, so a retry
cannot run a generation twice. Everything else maps onto one gateway status: the
upstream's 4xx validation errors pass through as 400, its auth failures and 5xx become
502 (the caller cannot fix those), timeouts 504, its 429 stays 429 with ``Retry-After``.

Requests are httpx `Request`s built once per call and handed to the transport directly:
the `AsyncClient` layers above it (cookie jar, auth and redirect hooks) cost ~100-200 us
per call and serve nothing here — worse, the shared cookie jar would send one tenant's
upstream cookies with another tenant's requests. The transport is aiohttp's connection pool
under httpx's API (`httpx_aiohttp.AiohttpTransport`, the one the `openai` SDK offers):
httpx's default, httpcore over h11 and anyio, cost more CPU per upstream call than the rest
of the gateway (bench/gateway.py, two cores, a fast upstream: added p50 2.1 ms and 320
req/s at 200 concurrent requests with httpcore, 1.7 ms and 620 req/s with aiohttp). Two
cases keep the client: a transport passed in (tests pass `httpx.MockTransport`), and a
proxy set in the environment (``HTTPS_PROXY``...), which the client applies.

Connections are spread over several small pools used in turn (``pool_shards``), which kept
one busy pool of hundreds of connections from costing more per request the busier it got.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import math
import ssl
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    EmbedResult,
    FinishReason,
    GenerateRequest,
    GenerateResult,
    Usage,
)
from hanji.serve.errors import (
    APIError,
    BadGateway,
    GatewayTimeout,
    InvalidRequest,
    RateLimited,
)
from hanji.settings import UpstreamConfig

log = logging.getLogger("hanji.serve.upstream")

_FINISH = {"stop", "length", "content_filter", "tool_calls"}
_MAX_UPSTREAM_MESSAGE = 300


@dataclass(frozen=True)
class _Shard:
    """One connection pool: requests go to ``direct`` when it is set, else through ``client``."""

    client: httpx.AsyncClient
    direct: httpx.AsyncBaseTransport | None

    async def send(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        if self.direct is None:
            return await self.client.send(request, stream=stream)
        response = await self.direct.handle_async_request(request)
        response.request = request
        if not stream:
            try:
                await response.aread()  # closes the stream, which frees the connection
            except BaseException:
                await response.aclose()
                raise
        return response


def _sessions(limits: httpx.Limits, tls: ssl.SSLContext) -> Callable[[], aiohttp.ClientSession]:
    """aiohttp sessions for `AiohttpTransport`, made inside the running loop when first used.

    No cookie jar: one pool serves every tenant, and an upstream's ``Set-Cookie`` must not
    ride along on another tenant's request.
    """

    def make() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=tls,
        )
        return aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
        )

    return make


def _failure(exc: httpx.HTTPError) -> str:
    """What went wrong: ``connect`` (the request never left, so a retry cannot run a
    generation twice), ``timeout``, or ``broken`` (anything after the request was sent).

    httpx-aiohttp maps every aiohttp connection error, a server hanging up mid-response
    included, to `httpx.ConnectTimeout`; the aiohttp error it chains tells them apart.
    """
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError | TimeoutError):
        if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
            return "connect"
        return "timeout" if isinstance(cause, TimeoutError) else "broken"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return "connect"
    return "timeout" if isinstance(exc, httpx.TimeoutException) else "broken"


def _env_proxy(scheme: str) -> bool:
    """Whether the environment names a proxy for ``scheme`` (httpx's client honours it)."""
    proxies = urllib.request.getproxies()
    return bool(proxies.get(scheme) or proxies.get("all"))


class OpenAIBackend(Backend):
    kind = "openai"

    def __init__(
        self,
        config: UpstreamConfig,
        *,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(config.served_name)
        self.config = config
        self._host = urlparse(config.url).hostname  # asked twice per request
        self._api_key = api_key
        self._transport = transport
        self._shards: list[_Shard] = []
        self._next: itertools.cycle[_Shard] | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._headers = httpx.Headers()
        self._extensions: dict[str, Any] = {}

    @property
    def host(self) -> str | None:
        return self._host

    async def start(self) -> None:
        if self._shards:
            return
        cfg = self.config
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        per_shard = math.ceil(cfg.max_connections / cfg.pool_shards)
        # idle connections go before the upstream's own keep-alive ends (uvicorn's, vLLM's:
        # 5 s), so none is reused just as the server closes it
        limits = httpx.Limits(
            max_connections=per_shard, max_keepalive_connections=per_shard, keepalive_expiry=4.0
        )
        timeout = httpx.Timeout(cfg.timeout_s, connect=cfg.connect_timeout_s)
        tls = httpx.create_ssl_context()  # one for all shards: each costs ~20 ms to build
        direct = self._transport is None and not _env_proxy(httpx.URL(cfg.url).scheme)
        for _ in range(cfg.pool_shards):
            # with a proxy in the environment, httpx's own transport: a client given a
            # transport ignores environment proxies
            transport = self._transport
            if direct:
                transport = AiohttpTransport(
                    limits=limits, client=_sessions(limits, tls), trust_env=False
                )
            client = httpx.AsyncClient(
                base_url=cfg.url + "/",
                headers=headers,
                timeout=timeout,
                limits=limits,
                transport=transport,
                follow_redirects=False,
                verify=tls,
            )
            own = transport if direct else None
            self._shards.append(_Shard(client, own))
        self._next = itertools.cycle(self._shards)
        # built once: what `client.build_request` would merge on every request
        self._headers = httpx.Headers(self._shards[0].client.headers)
        self._headers["Content-Type"] = "application/json"
        self._extensions = {"timeout": timeout.as_dict()}
        self._urls = {
            path: httpx.URL(f"{cfg.url}/{path}")
            for path in ("chat/completions", "completions", "embeddings")
        }

    async def close(self) -> None:
        shards, self._shards, self._next = self._shards, [], None
        for shard in shards:
            await shard.client.aclose()

    # ------------------------------------------------------------ HTTP

    async def _send(self, path: str, body: dict[str, Any], *, stream: bool) -> httpx.Response:
        if self._next is None:
            raise BadGateway(f"the upstream for '{self.name}' is not connected")
        shard = next(self._next)
        # as httpx encodes json=, without its per-request header merging
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        attempt = 0
        while True:
            try:
                request = httpx.Request(
                    "POST",
                    self._urls[path],
                    content=content.encode(),
                    headers=self._headers,
                    extensions=dict(self._extensions),
                )
                response = await shard.send(request, stream=stream)
                break
            except httpx.HTTPError as exc:
                failure = _failure(exc)
                if failure == "connect" and attempt < self.config.connect_retries:
                    attempt += 1
                    await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
                    continue
                self._log_failure(exc, attempt + 1)
                if failure == "connect":
                    raise BadGateway(f"the upstream for '{self.name}' is unreachable") from None
                if failure == "timeout":
                    raise GatewayTimeout(f"the upstream for '{self.name}' timed out") from None
                raise BadGateway(
                    f"the connection to the upstream for '{self.name}' failed"
                ) from None
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise self._error_from(response)
        return response

    def _log_failure(self, exc: Exception, attempts: int) -> None:
        """The exception's type only: its text can quote URLs with credentials."""
        log.warning(
            "upstream request failed",
            extra={"model": self.name, "error": type(exc).__name__, "attempts": attempts},
        )

    def _error_from(self, response: httpx.Response) -> APIError:
        status = response.status_code
        message, param = _upstream_message(response)
        log.warning("upstream error", extra={"model": self.name, "upstream_status": status})
        if status == 429:
            retry = _retry_after(response.headers.get("retry-after"))
            return RateLimited(
                f"the upstream for '{self.name}' is rate limited",
                retry_after_s=retry,
                code="upstream_rate_limited",
            )
        if status in (408, 504):
            return GatewayTimeout(f"the upstream for '{self.name}' timed out")
        if status in (400, 413, 422):
            return InvalidRequest(f"the upstream rejected the request: {message}", param=param)
        return BadGateway(f"the upstream for '{self.name}' answered {status}")

    def _body(self, request: GenerateRequest, *, stream: bool) -> dict[str, Any]:
        p = request.params
        body: dict[str, Any] = {"model": self.config.model}
        if request.messages is not None:
            body["messages"] = [
                {"role": m.role, "content": m.content, **({"name": m.name} if m.name else {})}
                for m in request.messages
            ]
        else:
            body["prompt"] = request.prompt
        body["max_tokens"] = p.max_tokens
        optional = {
            "temperature": p.temperature,
            "top_p": p.top_p,
            "seed": p.seed,
            "presence_penalty": p.presence_penalty,
            "frequency_penalty": p.frequency_penalty,
            "stop": list(p.stop) or None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    @staticmethod
    def _path(request: GenerateRequest) -> str:
        return "chat/completions" if request.is_chat else "completions"

    # ------------------------------------------------------------ Backend

    async def generate(self, request: GenerateRequest) -> GenerateResult:
        response = await self._send(
            self._path(request), self._body(request, stream=False), stream=False
        )
        try:
            data = response.json()
            choice = data["choices"][0]
            if request.is_chat:
                text = (choice.get("message") or {}).get("content") or ""
            else:
                text = choice.get("text") or ""
            usage = _usage(data.get("usage"))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise BadGateway(f"the upstream for '{self.name}' sent a malformed reply") from None
        return GenerateResult(str(text), _finish(choice.get("finish_reason")), usage or Usage())

    async def stream(self, request: GenerateRequest) -> AsyncIterator[Chunk]:
        response = await self._send(
            self._path(request), self._body(request, stream=True), stream=True
        )
        finish: FinishReason | None = None
        usage: Usage | None = None
        pieces = 0
        try:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    event = json.loads(payload)
                except ValueError:
                    raise BadGateway(
                        f"the upstream for '{self.name}' sent a malformed event"
                    ) from None
                if "error" in event:
                    raise BadGateway(f"the upstream for '{self.name}' failed mid-stream")
                usage = _usage(event.get("usage")) or usage
                for choice in event.get("choices") or []:
                    delta = choice.get("delta") or {}
                    text = delta.get("content") if request.is_chat else choice.get("text")
                    if text:
                        pieces += 1
                        yield Chunk(str(text))
                    if choice.get("finish_reason"):
                        finish = _finish(choice["finish_reason"])
        except httpx.HTTPError as exc:
            if _failure(exc) == "timeout":
                raise GatewayTimeout(
                    f"the upstream for '{self.name}' timed out mid-stream"
                ) from None
            raise BadGateway(f"the upstream for '{self.name}' dropped the stream") from None
        finally:
            await response.aclose()
        # Without a usage event, count streamed pieces: about one token each on vLLM.
        yield Chunk(finish_reason=finish or "stop", usage=usage or Usage(0, pieces))

    async def embed(self, request: EmbedRequest) -> EmbedResult:
        body: dict[str, Any] = {
            "model": self.config.model,
            "input": [item if isinstance(item, str) else list(item) for item in request.inputs],
            "encoding_format": "float",
        }
        if request.dimensions is not None:
            body["dimensions"] = request.dimensions
        response = await self._send("embeddings", body, stream=False)
        try:
            data = response.json()
            rows = sorted(data["data"], key=lambda row: row["index"])
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (ValueError, KeyError, TypeError):
            raise BadGateway(f"the upstream for '{self.name}' sent a malformed reply") from None
        if len(vectors) != len(request.inputs):
            raise BadGateway(f"the upstream for '{self.name}' returned a wrong number of vectors")
        return EmbedResult(vectors, _usage(data.get("usage")) or Usage())


def _finish(value: Any) -> FinishReason:
    return value if value in _FINISH else "stop"


def _usage(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    try:
        return Usage(int(value.get("prompt_tokens") or 0), int(value.get("completion_tokens") or 0))
    except (TypeError, ValueError):
        return None


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _upstream_message(response: httpx.Response) -> tuple[str, str | None]:
    try:
        error = response.json().get("error") or {}
        message = str(error.get("message") or "")
        param = error.get("param")
    except (ValueError, AttributeError):
        message, param = "", None
    message = message[:_MAX_UPSTREAM_MESSAGE] or f"status {response.status_code}"
    return message, param if isinstance(param, str) else None
