"""Stop sequences over a text stream: never emit text that a stop sequence may still swallow."""

from __future__ import annotations


class StopMatcher:
    """Feed text pieces in order; get back what is safe to emit and whether a stop was hit.

    Text that could be the start of a stop sequence is held back until the next piece
    decides it, so a stop split across chunks ("</", "끝>") is still found and cut.
    """

    def __init__(self, stops: tuple[str, ...] | list[str]) -> None:
        self.stops = tuple(s for s in stops if s)
        self._held = ""
        self.stopped = False

    def feed(self, text: str) -> tuple[str, bool]:
        if self.stopped:
            return "", True
        if not self.stops:
            return text, False
        buffer = self._held + text
        cut = min((i for i in (buffer.find(s) for s in self.stops) if i >= 0), default=-1)
        if cut >= 0:
            self._held = ""
            self.stopped = True
            return buffer[:cut], True
        hold = self._longest_open_prefix(buffer)
        self._held = buffer[len(buffer) - hold :] if hold else ""
        return buffer[: len(buffer) - hold], False

    def flush(self) -> str:
        """At the end of the stream the held text was not a stop after all."""
        held, self._held = self._held, ""
        return "" if self.stopped else held

    def _longest_open_prefix(self, buffer: str) -> int:
        best = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(buffer)), best, -1):
                if buffer.endswith(stop[:size]):
                    best = size
                    break
        return best
