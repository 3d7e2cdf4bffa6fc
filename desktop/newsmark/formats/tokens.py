"""A small, dependency-free tokeniser whose tokens never cross a span boundary.

Formats that count in tokens (Prodigy's ``token_start``/``token_end``, CoNLL,
spaCy ``Doc`` words) need tokens that start and end exactly where every span
does, whatever language the text is in. Words are runs of letters/digits
(joined by an apostrophe or hyphen inside a word), every other non-space
character is a token of its own, and tokens are then cut at each boundary
given — so a span always covers whole tokens and offsets survive exactly.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache



@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    """Words are letters/digits *with their combining marks* (Hindi vowel signs, Arabic harakat,
    accents typed as a separate mark): Python's ``\\w`` does not count marks, which would cut
    "हिन्दी" or "Ми́ша" into pieces. The class of marks is built once from the Unicode database.
    """
    ranges: list[str] = []
    start = prev = -1
    for cp in range(0x0300, 0x30000):
        if unicodedata.category(chr(cp))[0] == "M":
            if cp == prev + 1:
                prev = cp
                continue
            if start >= 0:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}" if prev > start else re.escape(chr(start)))
            start = prev = cp
    if start >= 0:
        ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}" if prev > start else re.escape(chr(start)))
    marks = "".join(ranges)
    word = rf"[\w{marks}]"
    return re.compile(rf"{word}+(?:['’\-]{word}+)*|[^\w\s{marks}]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    ws: bool  # followed by whitespace

    def text(self, text: str) -> str:
        return text[self.start : self.end]


def tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """Tokens of ``text``, split additionally at every offset in ``boundaries``."""
    cuts = sorted(set(boundaries))
    tokens: list[Token] = []
    for match in _token_pattern().finditer(text):
        start, end = match.span()
        i = bisect_left(cuts, start + 1)
        while i < len(cuts) and cuts[i] < end:
            tokens.append(Token(start, cuts[i], False))
            start = cuts[i]
            i += 1
        tokens.append(Token(start, end, end < len(text) and text[end].isspace()))
    return tokens


class TokenIndex:
    """Maps character offsets to token indexes for one tokenised text."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self._starts = {t.start: i for i, t in enumerate(tokens)}
        self._ends = {t.end: i for i, t in enumerate(tokens)}

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``(token_start, token_end)`` — inclusive, as Prodigy counts — or ``None`` if not aligned."""
        first = self._starts.get(start)
        last = self._ends.get(end)
        if first is None or last is None or last < first:
            return None
        return first, last
