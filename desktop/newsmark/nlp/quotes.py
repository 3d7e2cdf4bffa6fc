"""Finding quotations in plain text, character by character (no spaCy here).

News style sets a long quotation over several paragraphs by leaving the closing
mark off every paragraph but the last and opening each following paragraph
again with a quotation mark. :func:`find_quotes` follows that convention:

- curly (“ ” „ « ») and straight (") double quotation marks are recognised; a
  mark's role (opening or closing) comes from what stands beside it (a mark
  after a space and before a letter opens, one after a letter and before a
  space or punctuation closes), and only when the context says nothing from its
  shape (“ opens, ” closes, " alternates). Typesetting slips such as a ”
  opening a paragraph are therefore read as intended;
- a quote still open at the end of a paragraph continues if the next non-empty
  paragraph starts with an opening mark; otherwise it ends with the paragraph;
- a second opening mark while a quote is open is treated as a nested quote and
  ignored; a closing mark with no open quote is ignored;
- two apostrophes (``''``) or backticks (````` `` `````) stand for a double mark, as in
  some wire copy;
- single quotation marks (‘ ’ ') are not quotes here: in running text they are
  nested quotes, scare quotes or apostrophes, and telling them apart needs more
  than a character's neighbours.

Offsets are Python code-point offsets, ``[start, end)``, and include the marks.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENING = frozenset("“„«‟")
CLOSING = frozenset("”»")
AMBIGUOUS = frozenset('"″＂')
QUOTE_MARKS = OPENING | CLOSING | AMBIGUOUS

_BEFORE_OPENING = set("([{—–-/\u00a0") | OPENING | CLOSING | AMBIGUOUS
_AFTER_CLOSING = set(".,;:!?)]}—–-…\u00a0'’") | OPENING | CLOSING | AMBIGUOUS


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: ``[start, end)`` including its marks.

    ``closed`` is False when the quote ran to the end of a paragraph without a
    closing mark and no continuation followed. ``paragraphs`` counts the
    paragraphs it spans.
    """

    start: int
    end: int
    closed: bool = True
    paragraphs: int = 1


DOUBLED = ("''", "``")  # two apostrophes / backticks standing for a quotation mark (some wire copy)
QUOTE_TOKENS = QUOTE_MARKS | frozenset(DOUBLED)


def _marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The quotation marks in ``text[start:end]``: (position, length, glyph)."""
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch in QUOTE_MARKS:
            out.append((i, 1, ch))
        elif ch in "'`" and i + 1 < end and text[i + 1] == ch:
            out.append((i, 2, "“" if ch == "`" else '"'))
            i += 1
        i += 1
    return out


def _role(text: str, i: int, length: int, glyph: str, is_open: bool) -> str:
    """'open' or 'close' for the quotation mark at ``text[i:i+length]``."""
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[i + length] if i + length < len(text) else "\n"
    left_free = prev.isspace() or prev in _BEFORE_OPENING
    right_free = nxt.isspace() or nxt in _AFTER_CLOSING
    if left_free and not right_free:
        return "open"
    if right_free and not left_free:
        return "close"
    if glyph in OPENING:
        return "open"
    if glyph in CLOSING:
        return "close"
    return "close" if is_open else "open"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as ``(start, end)``, leading/trailing blanks excluded."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def find_quotes(text: str) -> list[Quote]:
    """All double-quoted stretches of ``text``, in order (see the module notes)."""
    if not any(ch in QUOTE_MARKS for ch in text) and "''" not in text and "``" not in text:
        return []
    paragraphs = _paragraphs(text)
    quotes: list[Quote] = []
    open_at: int | None = None
    spanned = 1
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        carried = open_at is not None  # this paragraph continues a quote and starts with an opening mark
        for i, length, glyph in _marks(text, p_start, p_end):
            if carried and i == p_start:
                continue
            role = _role(text, i, length, glyph, open_at is not None)
            if role == "open":
                if open_at is None:
                    open_at = i
                    spanned = 1
            elif open_at is not None:
                quotes.append(Quote(open_at, i + length, True, spanned))
                open_at = None
        if open_at is not None:
            nxt = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            if nxt is not None:
                first = _marks(text, nxt[0], min(nxt[1], nxt[0] + 2))
                if first and first[0][0] == nxt[0] and _role(text, nxt[0], first[0][1], first[0][2], False) == "open":
                    spanned += 1
                    continue
            quotes.append(Quote(open_at, p_end, False, spanned))
            open_at = None
    return quotes
