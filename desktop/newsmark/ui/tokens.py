"""Token boundaries for snapping marks, without spaCy (the ui never imports it).

A small regex word tokenizer: a token is a run of word characters, possibly
joined by an inner apostrophe, hyphen, dot or comma ("don't", "Tel-HaShomer",
"2,000", "3.5"), or one other non-space character (punctuation, a symbol, an
emoji). All offsets are Python code points.

Snapping rules for a selection made with the mouse (see :func:`snap`):

- whitespace at either edge is always dropped;
- each edge is widened to the token it cuts through;
- punctuation at the edges is dropped, except a pair of quotes or brackets
  that enclose the whole selection (a direct quote keeps its quotation marks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TOKEN = re.compile(r"\w+(?:['’\-.,]\w+)*|[^\w\s]", re.UNICODE)
WINDOW = 200  # characters of context looked at around an edge; no token is longer in prose

OPENERS = "\"'“‘«‹([{„‚「『"
CLOSERS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "‹": "›", "(": ")", "[": "]", "{": "}", "„": "“", "‚": "‘", "「": "」", "『": "』"}


def tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Token ``(start, end)`` pairs of ``text`` that lie inside ``[start, end)``."""
    end = len(text) if end is None else end
    for m in TOKEN.finditer(text, start, end):
        yield m.start(), m.end()


def _window(text: str, pos: int) -> list[tuple[int, int]]:
    lo = max(0, pos - WINDOW)
    hi = min(len(text), pos + WINDOW)
    # start the scan at whitespace so that we don't begin mid-token
    while lo > 0 and not text[lo - 1].isspace() and pos - lo < 4 * WINDOW:
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and hi - pos < 4 * WINDOW:
        hi += 1
    return list(tokens(text, lo, hi))


def is_word(text: str, start: int, end: int) -> bool:
    return any(ch.isalnum() for ch in text[start:end])


def snap(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` to whole tokens and drop edge whitespace/punctuation.

    Returns ``None`` when nothing markable is left (only spaces or punctuation).
    """
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    toks = list(tokens(text, _token_start(text, start), _token_end(text, end)))
    if not toks:
        return None
    first = next((i for i, (s, e) in enumerate(toks) if e > start), 0)
    last = max(i for i, (s, e) in enumerate(toks) if s < end)
    toks = toks[first : last + 1]
    if not toks:
        return None
    s, e = toks[0][0], toks[-1][1]
    opener, closer = text[s], text[e - 1]
    if opener in CLOSERS and CLOSERS[opener] == closer and len(toks) > 2:
        return s, e  # a whole quotation or parenthesis: keep the marks around it
    while toks and not is_word(text, *toks[0]):
        toks.pop(0)
    while toks and not is_word(text, *toks[-1]):
        toks.pop()
    if not toks:
        return None
    return toks[0][0], toks[-1][1]


def exact(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Exact characters (the modifier-key mode): only surrounding whitespace is dropped."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _token_start(text: str, pos: int) -> int:
    """The start of the token containing ``pos`` (or ``pos`` itself)."""
    for s, e in _window(text, pos):
        if s <= pos < e:
            return s
    return pos


def _token_end(text: str, pos: int) -> int:
    """The end of the token containing the character before ``pos`` (or ``pos``)."""
    if pos <= 0:
        return pos
    for s, e in _window(text, pos - 1):
        if s <= pos - 1 < e:
            return e
    return pos


def grow_start(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the start one token to the left."""
    before = [t for t in _window(text, start) if t[1] <= start]
    return (before[-1][0], end) if before else (start, end)


def shrink_start(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the start one token to the right (never past the last token)."""
    after = [t for t in _window(text, start) if t[0] > start and t[0] < end]
    return (after[0][0], end) if after else (start, end)


def grow_end(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the end one token to the right."""
    after = [t for t in _window(text, end) if t[0] >= end]
    return (start, after[0][1]) if after else (start, end)


def shrink_end(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the end one token to the left (never before the first token)."""
    inside = [t for t in _window(text, end) if start < t[1] < end]
    return (start, inside[-1][1]) if inside else (start, end)


def occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    """Every place ``needle`` occurs in ``text`` as whole tokens (not inside a longer word)."""
    if not needle:
        return
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    for m in pattern.finditer(text):
        yield m.start(), m.end()
