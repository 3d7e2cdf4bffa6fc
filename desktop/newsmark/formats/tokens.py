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
from collections.abc import Iterable
from typing import NamedTuple



_BASE = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)


def _is_mark(ch: str) -> bool:
    return ch > "\u02ff" and unicodedata.category(ch)[0] == "M"


def _pieces(text: str) -> list[list[int]]:
    """[start, end] of the words and punctuation of ``text``.

    Python's ``\\w`` does not count combining marks (Hindi vowel signs, Arabic
    harakat, a stress accent typed as a separate mark), so the fast pattern cuts
    "हिन्दी" or "Ми́ша" at each mark; adjacent pieces joined by a mark are glued
    back together here (a mark never starts a token; a word after a mark joins it).
    """
    pieces: list[list[int]] = []
    last_end = -1
    for match in _BASE.finditer(text):
        start, end = match.span()
        if start == last_end and (_is_mark(text[start]) or (_is_mark(text[start - 1]) and (text[start].isalnum() or text[start] == "_"))):
            pieces[-1][1] = end
        else:
            pieces.append([start, end])
        last_end = end
    return pieces


class Token(NamedTuple):
    """One token: ``[start, end)`` in the text, and whether whitespace follows it.

    A named tuple (not a dataclass): a long article has tens of thousands and
    exports build them for every article.
    """

    start: int
    end: int
    ws: bool  # followed by whitespace

    def text(self, text: str) -> str:
        return text[self.start : self.end]


def tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """Tokens of ``text``, split additionally at every offset in ``boundaries``."""
    cuts = sorted(set(boundaries))
    n_cuts = len(cuts)
    length = len(text)
    tokens: list[Token] = []
    add = tokens.append
    new = tuple.__new__  # a Token without the Python-level constructor (exports make millions)
    k = 0  # the first cut not yet behind us (pieces come in text order)
    for start, end in _pieces(text):
        while k < n_cuts and cuts[k] <= start:
            k += 1
        while k < n_cuts and cuts[k] < end:
            add(new(Token, (start, cuts[k], False)))
            start = cuts[k]
            k += 1
        add(new(Token, (start, end, end < length and text[end].isspace())))
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
