"""The one place where Python code-point offsets meet Qt's UTF-16 positions.

The store keeps every mark as ``[start, end)`` in Python code points of the
document's text. Qt (QString, QTextDocument, QTextCursor) counts UTF-16 code
units, so every character outside the Basic Multilingual Plane (most emoji,
rare CJK ideographs, mathematical letters …) takes two positions there and one
here. A QTextDocument also counts each block break as one position; since the
stored text uses ``\\n`` (one code point) as its only line break, that matches
without correction.

Every conversion in ``newsmark.ui`` goes through :class:`OffsetMap`. Both
directions are O(log n) in the number of astral characters and O(1) for text
that has none (the usual case).
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class OffsetMap:
    """Converts offsets in one text between code points (Python) and UTF-16 units (Qt)."""

    __slots__ = ("_astral_cp", "_astral_u16", "length", "length_utf16")

    def __init__(self, text: str) -> None:
        # Code-point indexes of the characters that take two UTF-16 units.
        self._astral_cp: list[int] = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
        # ... and the UTF-16 index of each of them.
        self._astral_u16: list[int] = [cp + n for n, cp in enumerate(self._astral_cp)]
        self.length = len(text)
        self.length_utf16 = len(text) + len(self._astral_cp)

    @property
    def has_astral(self) -> bool:
        return bool(self._astral_cp)

    def to_qt(self, cp: int) -> int:
        """A code-point offset -> the UTF-16 position just before that character."""
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_py(self, u16: int, *, round_up: bool = False) -> int:
        """A UTF-16 position -> a code-point offset.

        A position in the middle of a surrogate pair (which Qt should never hand
        out for a cursor, but a layout hit test can) falls to the start of the
        character, or to its end with ``round_up`` (for the end of a range).
        """
        if not self._astral_u16:
            return u16
        # astral characters that start strictly before u16
        before = bisect_left(self._astral_u16, u16)
        if before and self._astral_u16[before - 1] == u16 - 1:
            # u16 points at the low surrogate of an astral character
            char = self._astral_cp[before - 1]
            return char + 1 if round_up else char
        return u16 - before

    def range_to_qt(self, start: int, end: int) -> tuple[int, int]:
        return self.to_qt(start), self.to_qt(end)

    def range_to_py(self, start: int, end: int) -> tuple[int, int]:
        return self.to_py(start), self.to_py(end, round_up=True)

    def astral_between(self, start_cp: int, end_cp: int) -> int:
        """How many astral characters lie in ``[start_cp, end_cp)``."""
        return bisect_left(self._astral_cp, end_cp) - bisect_left(self._astral_cp, start_cp)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"OffsetMap(length={self.length}, astral={len(self._astral_cp)})"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what ``QString.size()`` would say)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


__all__ = ["OffsetMap", "utf16_len"]
