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


def _role(text: str, i: int, is_open: bool) -> str:
    """'open' or 'close' for the quotation mark at ``text[i]``."""
    mark = text[i]
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[i + 1] if i + 1 < len(text) else "\n"
    left_free = prev.isspace() or prev in _BEFORE_OPENING
    right_free = nxt.isspace() or nxt in _AFTER_CLOSING
    if left_free and not right_free:
        return "open"
    if right_free and not left_free:
        return "close"
    if mark in OPENING:
        return "open"
    if mark in CLOSING:
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
    if not any(ch in QUOTE_MARKS for ch in text):
        return []
    paragraphs = _paragraphs(text)
    quotes: list[Quote] = []
    open_at: int | None = None
    spanned = 1
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        skip_first = False
        if open_at is not None:
            # carried over from the previous paragraph: this one starts with an opening mark
            skip_first = True
        for i in range(p_start, p_end):
            ch = text[i]
            if ch not in QUOTE_MARKS:
                continue
            if skip_first and i == p_start:
                continue
            role = _role(text, i, open_at is not None)
            if role == "open":
                if open_at is None:
                    open_at = i
                    spanned = 1
            elif open_at is not None:
                quotes.append(Quote(open_at, i + 1, True, spanned))
                open_at = None
        if open_at is not None:
            nxt = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            if nxt is not None and text[nxt[0]] in QUOTE_MARKS and _role(text, nxt[0], False) == "open":
                spanned += 1
                continue
            quotes.append(Quote(open_at, p_end, False, spanned))
            open_at = None
    return quotes
