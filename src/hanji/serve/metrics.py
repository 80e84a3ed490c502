"""Prometheus text exposition for the gateway, kept in memory and written by hand.

Labels are route, model, status and token kind: nothing about tenants' content, and a
bounded set of values (unknown paths collapse to ``other``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from hanji.serve.context import RequestRecord

BUCKETS_S = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)


def _labels(**pairs: str) -> str:
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs.items())
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self) -> None:
        self.in_flight = 0
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.tokens: dict[tuple[str, str], int] = defaultdict(int)
        self.latency_counts: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = defaultdict(float)

    def emit(self, record: RequestRecord) -> None:
        model = record.model or ""
        self.requests[(record.route, model, str(record.status))] += 1
        if record.prompt_tokens:
            self.tokens[(model, "prompt")] += record.prompt_tokens
        if record.completion_tokens:
            self.tokens[(model, "completion")] += record.completion_tokens
        seconds = record.latency_ms / 1000
        counts = self.latency_counts.setdefault(record.route, [0] * (len(BUCKETS_S) + 1))
        counts[bisect_left(BUCKETS_S, seconds)] += 1
        self.latency_sum[record.route] += seconds

    def render(self, backends: Iterable[tuple[str, str, bool]] = ()) -> str:
        """Text format 0.0.4; ``backends`` is (name, kind, ready) for a readiness gauge."""
        out: list[str] = [
            "# HELP hanji_requests_total Requests answered, by route, model and status.",
            "# TYPE hanji_requests_total counter",
        ]
        for (route, model, status), n in sorted(self.requests.items()):
            out.append(
                f"hanji_requests_total{_labels(route=route, model=model, status=status)} {n}"
            )
        out += [
            "# HELP hanji_tokens_total Tokens processed, by model and kind.",
            "# TYPE hanji_tokens_total counter",
        ]
        for (model, kind), n in sorted(self.tokens.items()):
            out.append(f"hanji_tokens_total{_labels(model=model, kind=kind)} {n}")
        out += [
            "# HELP hanji_request_duration_seconds Time from request to last byte, by route.",
            "# TYPE hanji_request_duration_seconds histogram",
        ]
        for route, counts in sorted(self.latency_counts.items()):
            running = 0
            for bound, n in zip((*BUCKETS_S, float("inf")), counts, strict=True):
                running += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(
                    f"hanji_request_duration_seconds_bucket{_labels(route=route, le=le)} {running}"
                )
            total = self.latency_sum[route]
            out.append(f"hanji_request_duration_seconds_sum{_labels(route=route)} {total:.6f}")
            out.append(f"hanji_request_duration_seconds_count{_labels(route=route)} {running}")
        out += [
            "# HELP hanji_requests_in_flight Requests being answered now.",
            "# TYPE hanji_requests_in_flight gauge",
            f"hanji_requests_in_flight {self.in_flight}",
            "# HELP hanji_backend_ready Whether a served model is loaded or connected.",
            "# TYPE hanji_backend_ready gauge",
        ]
        for name, kind, ready in backends:
            out.append(f"hanji_backend_ready{_labels(model=name, kind=kind)} {int(ready)}")
        return "\n".join(out) + "\n"
