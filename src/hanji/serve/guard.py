"""The in-flight PII guard: a pipeline hook that applies the tenant's policy to every request.

On the way in it enforces the perimeter, caps max tokens, and scans every message (or
prompt, or embedding input) with `hanji.privacy.detect`: per type it lets the value
through, masks it, replaces it by a typed placeholder (<RRN_1>), or refuses the request
(400 naming the type, never the value). On the way out it masks PII that the model
emitted and that was not in the request, then puts the original values back in place of
the placeholders: in whole replies and in SSE streams, where a placeholder may arrive cut
over several chunks (`StreamGuard` holds back only what could still be one).

Detection on a text of `OFFLOAD_CHARS` or more runs in worker processes (`Scanner`), so a
request full of names does not hold up every other tenant's requests on the event loop;
short texts (the common case) are scanned inline. A request carrying more than
`max_scan_chars` characters of text is refused (413), a reply longer than that is not
passed on (502): text the guard did not scan never leaves the perimeter.

Per-request state lives on the request context, so one guard serves every request.
Decisions (profile, perimeter, PII counts by type, actions, refusals) go to
``ctx.decisions`` for the audit record: counts and type names only.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace

from hanji.privacy import Entity, Pseudonymizer, StreamGuard, canonical_value, detect, mask
from hanji.privacy.anonymize import mask_value, replace_entities
from hanji.serve.backends.base import (
    Backend,
    Chunk,
    EmbedRequest,
    GenerateRequest,
    GenerateResult,
    Message,
)
from hanji.serve.context import RequestContext
from hanji.serve.errors import (
    APIError,
    BadGateway,
    InvalidRequest,
    PayloadTooLarge,
    PermissionDenied,
)
from hanji.serve.hooks import Hook
from hanji.serve.retention import ConversationKeeper
from hanji.serve.scan import OFFLOAD_CHARS, Scanner
from hanji.settings import Settings
from hanji.tenants.policy import Policy, inside_perimeter, resolve_policy

log = logging.getLogger("hanji.serve.guard")

TYPE_LABELS = {
    "RRN": "주민등록번호 (RRN)",
    "FRN": "외국인등록번호 (FRN)",
    "PASSPORT": "여권번호 (PASSPORT)",
    "DRIVER_LICENSE": "운전면허번호 (DRIVER_LICENSE)",
    "BRN": "사업자등록번호 (BRN)",
    "CRN": "법인등록번호 (CRN)",
    "CARD": "카드번호 (CARD)",
    "ACCOUNT": "계좌번호 (ACCOUNT)",
    "PHONE": "전화번호 (PHONE)",
    "EMAIL": "이메일 주소 (EMAIL)",
    "IP": "IP 주소 (IP)",
    "ADDRESS": "주소 (ADDRESS)",
    "PERSON": "사람 이름 (PERSON)",
}
_NON_ALNUM = re.compile(r"[^0-9A-Za-z가-힣]")
_STATE = "guard"
MAX_SCAN_CHARS = Settings.model_fields["guard_max_scan_chars"].default
SCAN_LIMIT_CODE = "scan_limit_exceeded"


async def _off_loop(fn: Callable[[str], str], text: str) -> str:
    """`fn(text)`, on a worker thread when the text is long enough to stall the loop (a
    streamed chunk: the stream guard keeps state between chunks)."""
    if len(text) < OFFLOAD_CHARS:
        return fn(text)
    return await asyncio.to_thread(fn, text)


def _loose(value: str) -> str:
    return _NON_ALNUM.sub("", value).upper()


@dataclass
class GuardScope:
    """One request's guard state: its policy, pseudonyms and the values it carried."""

    policy: Policy
    pseudonyms: Pseudonymizer = field(default_factory=Pseudonymizer)
    known: set[str] = field(default_factory=set)
    found: Counter[str] = field(default_factory=Counter)
    masked_out: Counter[str] = field(default_factory=Counter)
    original: GenerateRequest | None = None
    seen_text: list[str] = field(default_factory=list)
    """The request's own text: a value it contains is not new, even if detection missed it."""

    def inbound(self, text: str, param: str, entities: list[Entity] | None = None) -> str:
        """Apply the per-type actions to one piece of request text (`entities`: what
        detection found in it, when it ran elsewhere)."""
        if not text:
            return text
        self.seen_text.append(text)
        if entities is None:
            entities = detect(text, threshold=self.policy.threshold)
        if not entities:
            return text
        actions = self.policy.actions
        blocked = sorted({e.type for e in entities if actions[e.type] == "block"})
        self.found.update(e.type for e in entities)
        if blocked:
            labels = ", ".join(TYPE_LABELS.get(t, t) for t in blocked)
            raise InvalidRequest(
                f"The request contains personal data that this tenant's policy blocks: "
                f"{labels}. Remove it and send the request again.",
                param=param,
                code="pii_blocked",
            )
        for e in entities:
            value = text[e.start : e.end]
            self.known.add(canonical_value(e.type, value))
            self.known.add(_loose(value))
        to_mask = [e for e in entities if actions[e.type] == "mask"]
        to_pseudo = [e for e in entities if actions[e.type] == "pseudonymize"]
        if to_mask:
            masked = mask(text, to_mask)
            if len(masked) == len(text):  # masks keep offsets: placeholders go in after
                text = masked
            else:  # pragma: no cover - defensive, masks are length-preserving
                text = self.pseudonyms.apply(text, to_pseudo)
                again = detect(text, threshold=self.policy.threshold)
                return mask(text, [e for e in again if actions[e.type] == "mask"])
        return self.pseudonyms.apply(text, to_pseudo) if to_pseudo else text

    def _is_known(self, entity: Entity, value: str) -> bool:
        if canonical_value(entity.type, value) in self.known or _loose(value) in self.known:
            return True
        return any(value in text for text in self.seen_text)

    def mask_new(self, text: str, entities: list[Entity]) -> str:
        """Mask what the model emitted that the request did not carry (StreamGuard transform)."""

        def one(e: Entity, value: str) -> str:
            if self._is_known(e, value):
                return value
            self.masked_out[e.type] += 1
            return mask_value(e.type, value)

        return replace_entities(text, entities, one)

    def outbound(self, text: str, entities: list[Entity] | None = None) -> str:
        """A whole reply: new PII masked, placeholders restored."""
        if self.policy.outbound_mask:
            if entities is None:
                entities = detect(text, threshold=self.policy.threshold)
            text = self.mask_new(text, entities)
        return self.pseudonyms.restore(text) if len(self.pseudonyms) else text

    def note(self, ctx: RequestContext) -> None:
        if self.found:
            ctx.decisions["pii_in"] = dict(sorted(self.found.items()))
            ctx.decisions["actions"] = {
                t: self.policy.actions[t] for t in sorted(self.found) if t in self.policy.actions
            }
        if self.masked_out:
            ctx.decisions["pii_out_masked"] = dict(sorted(self.masked_out.items()))


class OutboundStream:
    """Streamed reply text in, safe text out: new PII masked, split placeholders restored."""

    def __init__(self, scope: GuardScope) -> None:
        policy = scope.policy
        self.masker = (
            StreamGuard(scope.mask_new, threshold=policy.threshold)
            if policy.outbound_mask
            else None
        )
        self.restorer: StreamGuard | None = None
        if len(scope.pseudonyms):
            self.restorer = StreamGuard("restore", pseudonymizer=scope.pseudonyms)

    def feed(self, text: str) -> str:
        if self.masker is not None:
            text = self.masker.feed(text)
        if self.restorer is not None and text:
            text = self.restorer.feed(text)
        return text

    def flush(self) -> str:
        text = self.masker.flush() if self.masker is not None else ""
        if self.restorer is not None:
            text = self.restorer.feed(text) + self.restorer.flush()
        return text


class PolicyGuard(Hook):
    """The tenant's policy and PII guard, as the first (outermost) pipeline hook.

    Args:
        keeper: stores conversations, encrypted, for tenants whose retention is > 0
            (None: nothing is ever kept).
        max_scan_chars: text scanned per request, and per reply, at most.
        scan_processes: worker processes for long texts (`Scanner`; None: by the cores,
            0: a thread).
    """

    def __init__(
        self,
        keeper: ConversationKeeper | None = None,
        *,
        max_scan_chars: int = MAX_SCAN_CHARS,
        scan_processes: int | None = None,
    ) -> None:
        self.keeper = keeper
        self.max_scan_chars = max_scan_chars
        self.scanner = Scanner(scan_processes)

    def close(self) -> None:
        self.scanner.close()

    async def _inbound(self, scope: GuardScope, text: str, param: str) -> str:
        if len(text) < OFFLOAD_CHARS:
            return scope.inbound(text, param)
        entities = await self.scanner.detect(text, scope.policy.threshold)
        return await asyncio.to_thread(scope.inbound, text, param, entities)

    def _check_request_size(self, texts: Sequence[str], param: str) -> None:
        total = sum(len(t) for t in texts)
        if total > self.max_scan_chars:
            raise PayloadTooLarge(
                f"The request carries {total} characters of text; the PII guard scans at "
                f"most {self.max_scan_chars} characters per request (setting "
                "guard_max_scan_chars). Send the text in smaller requests.",
                param=param,
                code=SCAN_LIMIT_CODE,
            )

    def _check_reply_size(self, ctx: RequestContext, size: int) -> None:
        if size > self.max_scan_chars:
            ctx.decisions["refused"] = SCAN_LIMIT_CODE
            raise BadGateway(
                f"The model's reply is longer than the {self.max_scan_chars} characters the "
                "PII guard scans per reply (setting guard_max_scan_chars); it was not passed on.",
                code=SCAN_LIMIT_CODE,
            )

    # ------------------------------------------------------------ inbound

    def _scope(self, ctx: RequestContext, backend: Backend) -> GuardScope:
        tenant = ctx.tenant
        if tenant is None:  # tenant routes always carry one; refuse rather than pass data
            raise PermissionDenied("This route needs a tenant API key.")
        policy = resolve_policy(tenant.profile, tenant.policy)
        inside = inside_perimeter(backend.host, tenant.allowed_hosts)
        ctx.decisions["policy"] = policy.profile
        ctx.decisions["perimeter"] = "inside" if inside else "outside"
        if not inside:
            if policy.external == "refuse":
                ctx.decisions["refused"] = "outside_perimeter"
                raise PermissionDenied(
                    f"The model '{backend.name}' runs outside this tenant's perimeter, which "
                    f"profile {policy.profile} does not allow. Add its host to the tenant's "
                    "allow-list, or set the tenant's policy external = 'pseudonymize'.",
                    param="model",
                    code="outside_perimeter",
                )
            if policy.external == "pseudonymize":
                policy = policy.outside()
                ctx.decisions["external"] = "pseudonymized"
        scope = GuardScope(policy)
        ctx.hook_state[_STATE] = scope
        return scope

    def _refused(self, ctx: RequestContext, scope: GuardScope, err: APIError) -> None:
        scope.note(ctx)
        ctx.decisions["refused"] = err.code

    async def on_request(
        self, ctx: RequestContext, backend: Backend, request: GenerateRequest
    ) -> GenerateRequest:
        scope = self._scope(ctx, backend)
        scope.original = request
        params = request.params
        cap = scope.policy.max_tokens
        if cap is not None and params.max_tokens > cap:
            params = replace(params, max_tokens=cap)
            ctx.decisions["max_tokens_capped"] = cap
        try:
            # Every string that goes upstream is scanned: contents, message names, stops.
            if request.messages is not None:
                texts = [t for m in request.messages for t in (m.content, m.name) if t]
                self._check_request_size([*texts, *params.stop], "messages")
            else:
                self._check_request_size([request.prompt or "", *params.stop], "prompt")
            if params.stop:
                stop = tuple(scope.inbound(t, f"stop[{j}]") for j, t in enumerate(params.stop))
                params = replace(params, stop=stop)
            if request.messages is not None:
                messages = []
                for i, m in enumerate(request.messages):
                    param = f"messages[{i}].content"
                    content = await self._inbound(scope, m.content, param)
                    name = scope.inbound(m.name, f"messages[{i}].name") if m.name else m.name
                    messages.append(Message(m.role, content, name))
                request = GenerateRequest(request.model, params, messages=tuple(messages))
            else:
                prompt = await self._inbound(scope, request.prompt or "", "prompt")
                request = GenerateRequest(request.model, params, prompt=prompt)
        except (InvalidRequest, PayloadTooLarge) as err:
            self._refused(ctx, scope, err)
            raise
        scope.note(ctx)
        return request

    async def on_embed(
        self, ctx: RequestContext, backend: Backend, request: EmbedRequest
    ) -> EmbedRequest:
        scope = self._scope(ctx, backend)
        acts = any(a != "allow" for a in scope.policy.actions.values())
        inputs: list[str | tuple[int, ...]] = []
        try:
            self._check_request_size([t for t in request.inputs if isinstance(t, str)], "input")
            for i, item in enumerate(request.inputs):
                if isinstance(item, str):
                    param = f"input[{i}]"
                    inputs.append(await self._inbound(scope, item, param))
                elif acts:
                    raise InvalidRequest(
                        "Token-id inputs cannot be checked for personal data; "
                        f"profile {scope.policy.profile} needs text inputs.",
                        param="input",
                        code="unscannable_input",
                    )
                else:
                    inputs.append(item)
        except (InvalidRequest, PayloadTooLarge) as err:
            self._refused(ctx, scope, err)
            raise
        scope.note(ctx)
        return replace(request, inputs=tuple(inputs))

    # ------------------------------------------------------------ outbound

    async def on_result(
        self, ctx: RequestContext, request: GenerateRequest, result: GenerateResult
    ) -> GenerateResult:
        scope: GuardScope | None = ctx.hook_state.get(_STATE)
        if scope is None:
            return result
        self._check_reply_size(ctx, len(result.text))
        text = result.text
        if len(text) < OFFLOAD_CHARS:
            text = scope.outbound(text)
        else:
            found = None
            if scope.policy.outbound_mask:
                found = await self.scanner.detect(text, scope.policy.threshold)
            text = await asyncio.to_thread(scope.outbound, text, found)
        scope.note(ctx)
        await self._keep(ctx, scope, text)
        return GenerateResult(text, result.finish_reason, result.usage)

    def on_stream(
        self, ctx: RequestContext, request: GenerateRequest, stream: AsyncIterator[Chunk]
    ) -> AsyncIterator[Chunk]:
        scope: GuardScope | None = ctx.hook_state.get(_STATE)
        if scope is None:
            return stream
        return self._guarded(ctx, scope, stream)

    async def _guarded(
        self, ctx: RequestContext, scope: GuardScope, stream: AsyncIterator[Chunk]
    ) -> AsyncIterator[Chunk]:
        out = OutboundStream(scope)
        kept: list[str] | None = [] if self._keeps(scope) else None
        flushed = False
        first = True  # always passed on, even if held back, so the response starts
        scanned = 0
        try:
            async for chunk in stream:
                scanned += len(chunk.text)
                self._check_reply_size(ctx, scanned)
                text = await _off_loop(out.feed, chunk.text) if chunk.text else ""
                if chunk.finish_reason is not None and not flushed:
                    text += out.flush()
                    flushed = True
                if kept is not None and text:
                    kept.append(text)
                if first or text or chunk.finish_reason is not None or chunk.usage is not None:
                    yield Chunk(text, chunk.finish_reason, chunk.usage)
                first = False
            if not flushed:
                rest = out.flush()
                if rest:
                    if kept is not None:
                        kept.append(rest)
                    yield Chunk(rest)
        finally:
            scope.note(ctx)
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()
        if kept is not None:
            await self._keep(ctx, scope, "".join(kept))

    # ------------------------------------------------------------ retention

    def _keeps(self, scope: GuardScope) -> bool:
        return self.keeper is not None and scope.policy.retention_days > 0

    async def _keep(self, ctx: RequestContext, scope: GuardScope, reply: str) -> None:
        if not self._keeps(scope) or scope.original is None or ctx.tenant is None:
            return
        assert self.keeper is not None
        try:
            record_id = await asyncio.to_thread(
                self.keeper.keep,
                ctx,
                scope.original,
                reply,
                scope.pseudonyms.to_dict() if len(scope.pseudonyms) else None,
                scope.policy.retention_days,
            )
            ctx.decisions["kept"] = record_id
        except Exception as exc:  # the reply is already the caller's; record the failure
            log.error(
                "could not keep conversation",
                extra={"request_id": ctx.request_id, "error": type(exc).__name__},
            )
            ctx.decisions["kept"] = "failed"
