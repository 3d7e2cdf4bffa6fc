"""Helpers shared by the readers of other tools' annotation files (doccano, Label Studio, brat, CoNLL).

- :class:`TextMap`: a foreign file's text as Newsmark stores it (``normalize_text``)
  with the map from the file's own offsets to the stored text's offsets. Tools
  count offsets in the characters *they* were given: a ``\\r\\n`` is two, a
  byte-order mark kept in the text is one, "e" + combining accent is two. The
  map is exact; an offset that falls inside something normalisation merged
  (between ``\\r`` and ``\\n``, between a letter and the accent composed into it)
  has no place in the stored text and maps to ``None``.
- :func:`json_values`: the JSON values of a file that holds one JSON array, one
  object, or objects one after another (JSON Lines, or pretty-printed objects
  spanning several lines), each with the 1-based line where it starts; a value
  that does not parse is reported at its own line and reading resumes at the
  next object that starts at the same indentation.
- :func:`read_text_file`: a file's text, decoded (``newsmark.text.decode_bytes``),
  not normalised.
- :func:`without_rejected` / :class:`RejectedCount`: writers of formats that have
  no negative examples leave rejected spans out and say how many.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsmark.formats.interchange import drop_relations_to
from newsmark.model import AnnotatedDocument, Problem, ProblemKind, SpanStatus
from newsmark.text import DecodeError, decode_bytes, normalize_text

_BOM = "\ufeff"


class TextMap:
    """``raw`` text → ``text`` (normalised), with offsets mapped from the one to the other."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = normalize_text(raw)
        self.identity = self.text == raw
        self._removed: list[int] = []
        self._stage1 = raw
        self._nfc_only_lines = True
        if self.identity:
            return
        removed = [0] if raw.startswith(_BOM) else []
        start = 1 if removed else 0
        index = raw.find("\r\n", start)
        while index != -1:
            removed.append(index)
            index = raw.find("\r\n", index + 2)
        self._removed = removed
        stage1 = raw[start:].replace("\r\n", "\n").replace("\r", "\n")
        self._stage1 = stage1
        self._nfc_only_lines = stage1 == self.text

    @property
    def changed(self) -> bool:
        """Whether normalising changed the text (and offsets may have moved)."""
        return not self.identity

    def offset(self, i: int) -> int | None:
        """Where the file's offset ``i`` is in the stored text (``None``: nowhere, or out of range)."""
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= len(self.raw):
            return None
        if self.identity:
            return i
        if 0 < i < len(self.raw) and self.raw[i - 1] == "\r" and self.raw[i] == "\n":
            return None  # between the two characters of a CRLF
        j = i - bisect_left(self._removed, i)
        if self._nfc_only_lines:
            return j
        head = unicodedata.normalize("NFC", self._stage1[:j])
        if self.text.startswith(head) and head + unicodedata.normalize("NFC", self._stage1[j:]) == self.text:
            return len(head)
        return None

    def span(self, start: object, end: object) -> tuple[int, int] | None:
        """The stored-text span of the file's ``[start, end)``; ``None`` when it has none (or is empty)."""
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            return None
        a, b = self.offset(start), self.offset(end)
        if a is None or b is None or not a < b:
            return None
        return a, b

    def why_not(self, start: object, end: object) -> str:
        """Why :meth:`span` refused ``[start, end)``, for a warning."""
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
            return f"offsets must be whole numbers, got start={start!r}, end={end!r}"
        if not 0 <= start < end <= len(self.raw):
            return f"offsets [{start}, {end}) are outside the text (length {len(self.raw)}) or empty"
        return (
            f"offsets [{start}, {end}) fall inside characters that Newsmark's text normalisation "
            "(CRLF → LF, Unicode NFC) merges, so they have no place in the stored text"
        )


def same_text(stated: str, actual: str) -> bool:
    """Whether a span's text as a file states it matches the text at its offsets.

    Compared normalised and with runs of whitespace collapsed: tools write line
    breaks inside a span's text as spaces (brat) or keep them.
    """
    return " ".join(normalize_text(stated).split()) == " ".join(normalize_text(actual).split())


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point offset of a UTF-16 code-unit offset into ``text`` (``None`` if it splits a pair)."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def read_text_file(path: Path) -> str:
    """The decoded text of ``path``; a UTF-8 byte-order mark is kept (tools count it). Raises DecodeError/OSError."""
    text, codec = decode_bytes(path.read_bytes(), str(path))
    if codec == "utf-8-sig":
        text = _BOM + text
    return text


def decode_error(exc: DecodeError | OSError | UnicodeError) -> str:
    """A user-facing reason for a file that could not be read."""
    if isinstance(exc, OSError):
        return f"cannot read the file: {exc.strerror or exc}"
    return str(exc)


@dataclass(slots=True)
class JsonValue:
    """One top-level value (or array item) of a JSON file: where it starts and what it is."""

    index: int  # 0-based position among the file's values / the array's items
    line: int  # 1-based line where it starts
    value: Any = None
    error: str | None = None  # why it could not be parsed (then ``value`` is None)
    in_array: bool = False


_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class _Lines:
    """1-based line numbers of offsets, counted incrementally (offsets asked in increasing order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _resync(text: str, pos: int) -> int:
    """Where the next value starting at the same indentation as the one at ``pos`` begins (-1: none)."""
    line_start = text.rfind("\n", 0, pos) + 1
    indent = text[line_start:pos]
    if indent.strip():
        indent = ""
    pattern = re.compile(r"\n" + re.escape(indent) + r"(?=[\[{])")
    match = pattern.search(text, pos + 1)
    return -1 if match is None else match.end()


def json_values(text: str) -> Iterator[JsonValue]:
    """The values of a JSON / JSON Lines / concatenated-JSON text, each located (see the module doc)."""
    lines = _Lines(text)
    pos = _WS.match(text, 1 if text.startswith(_BOM) else 0).end()  # type: ignore[union-attr]
    in_array = pos < len(text) and text[pos] == "["
    if in_array:
        pos += 1
    index = 0
    need_comma = False
    while True:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            if in_array:
                yield JsonValue(index, lines.at(pos), error="the JSON array is not closed (missing ']')", in_array=True)
            return
        if in_array:
            if text[pos] == "]":
                rest = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
                if rest < len(text):
                    yield JsonValue(index, lines.at(rest), error="unexpected text after the end of the JSON array")
                return
            if need_comma:
                if text[pos] != ",":
                    yield JsonValue(index, lines.at(pos), error=f"expected ',' or ']' between array items, found {text[pos]!r}", in_array=True)
                    nxt = _resync(text, pos)
                    if nxt < 0:
                        return
                    pos, need_comma = nxt, False
                    continue
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        line = lines.at(pos)
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            yield JsonValue(index, line, error=f"invalid JSON: {exc.msg} ({where})", in_array=in_array)
            index += 1
            nxt = _resync(text, pos)
            if nxt < 0:
                return
            pos, need_comma = nxt, False
            continue
        except RecursionError:  # arrays/objects nested thousands deep: no annotation file looks like that
            yield JsonValue(index, line, error="invalid JSON: nested too deeply to read", in_array=in_array)
            index += 1
            nxt = _resync(text, pos)
            if nxt < 0:
                return
            pos, need_comma = nxt, False
            continue
        yield JsonValue(index, line, value=value, in_array=in_array)
        index += 1
        pos = end
        need_comma = True


def without_rejected(doc: AnnotatedDocument) -> tuple[AnnotatedDocument, int, int]:
    """``doc`` without its rejected spans (and the relations touching them), and how many of each went.

    Formats that cannot mark a span as a negative example (doccano, Label Studio,
    brat, CoNLL) must not write a rejected suggestion as if it were a mark.
    """
    removed = {i for i, span in enumerate(doc.spans) if span.status is SpanStatus.REJECTED}
    if not removed:
        return doc, 0, 0
    relations = drop_relations_to(doc.relations, removed)
    kept = AnnotatedDocument(
        document=doc.document,
        spans=[span for i, span in enumerate(doc.spans) if i not in removed],
        relations=relations,
        status=doc.status,
        tags=doc.tags,
        id=doc.id,
        annotators=doc.annotators,
        annotated_by=doc.annotated_by,
    )
    return kept, len(removed), len(doc.relations) - len(relations)


class RejectedCount:
    """Counts what :func:`without_rejected` left out over an export, for one warning at the end."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.spans = 0
        self.relations = 0
        self.documents = 0

    def filter(self, doc: AnnotatedDocument) -> AnnotatedDocument:
        kept, spans, relations = without_rejected(doc)
        if spans:
            self.spans += spans
            self.relations += relations
            self.documents += 1
        return kept

    def problem(self, path: Path) -> Problem | None:
        if not self.spans:
            return None
        relations = f" and {self.relations} relation(s) to them" if self.relations else ""
        return Problem(
            str(path),
            f"{self.spans} rejected mark(s) in {self.documents} document(s){relations} were not written: "
            f"{self.tool} has no way to mark a negative example",
            kind=ProblemKind.WARNING,
        )
