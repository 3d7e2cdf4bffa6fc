"""An article's marks in reading order, patched (not rebuilt) after each edit.

The editor asks "which marks overlap these characters", "which mark comes
next", "is there a mark exactly here" on every keystroke; with 15,000 marks a
scan of all of them costs more than the whole edit may take. The index keeps
the keys ``(start, -end, id)`` sorted — reading order, longer first where two
start together — so each question is a bisection plus a short walk.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator

from newsmark.model import Span

Key = tuple[int, int, int]


def key_of(span: Span) -> Key:
    return (span.start, -span.end, span.id or 0)


class MarkIndex:
    """Sorted keys ``(start, -end, id)`` of marks; ``max_len`` bounds how far back an overlap can start."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.keys: list[Key] = []
        self.max_len = 0
        self.build(spans)

    def build(self, spans: Iterable[Span]) -> None:
        self.keys = sorted(key_of(s) for s in spans)
        self.max_len = max((-k[1] - k[0] for k in self.keys), default=0)

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, span: Span) -> None:
        insort(self.keys, key_of(span))
        self.max_len = max(self.max_len, span.end - span.start)

    def remove(self, span: Span) -> None:
        """Forget ``span`` as it was indexed (its start and end then)."""
        key = key_of(span)
        i = bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]
        # max_len stays an upper bound: a little more walking, never a missed mark

    def overlapping(self, start: int, end: int) -> Iterator[int]:
        """Ids of marks sharing at least one character with ``[start, end)``, in reading order."""
        keys = self.keys
        i = bisect_left(keys, (start - self.max_len,))
        n = len(keys)
        while i < n:
            s, neg_end, span_id = keys[i]
            if s >= end:
                break
            if -neg_end > start:
                yield span_id
            i += 1

    def covering(self, cp: int) -> Iterator[int]:
        """Ids of marks covering the character at ``cp``."""
        return self.overlapping(cp, cp + 1)

    def at(self, start: int, end: int) -> list[int]:
        """Ids of marks on exactly ``[start, end)``."""
        keys = self.keys
        i = bisect_left(keys, (start, -end))
        out = []
        while i < len(keys) and keys[i][0] == start and keys[i][1] == -end:
            out.append(keys[i][2])
            i += 1
        return out

    def after(self, key: Key) -> Iterator[int]:
        """Ids of marks after ``key`` in reading order."""
        keys = self.keys
        for i in range(bisect_right(keys, key), len(keys)):
            yield keys[i][2]

    def before(self, key: Key) -> Iterator[int]:
        """Ids of marks before ``key`` in reading order, nearest first."""
        keys = self.keys
        for i in range(bisect_left(keys, key) - 1, -1, -1):
            yield keys[i][2]

    def ids(self) -> Iterator[int]:
        for k in self.keys:
            yield k[2]
