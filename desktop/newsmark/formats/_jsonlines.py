"""What the JSON Lines annotation readers (Newsmark, Prodigy) share.

- :func:`records` streams the objects of a JSON Lines file with their 1-based
  line numbers, turning every unreadable line into a located ``Problem``
  (blank lines, a byte-order mark and CRLF line ends are fine).
- :class:`TextMap` normalises a document's text as Newsmark stores it and maps
  offsets computed on the file's text onto the normalised text.
- :func:`dumps_line` writes one object as one line that no line splitter can
  break (U+2028, U+2029 and U+0085 are escaped too).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmark.formats.interchange import error, warning
from newsmark.formats.tokens import Token
from newsmark.model import Problem
from newsmark.text import normalize_text

# A line longer than this is reported, not read (a news article with its tokens is far smaller).
MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024

# Characters that str.splitlines() and some editors treat as line breaks but JSON allows raw in strings.
_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_type(value: object) -> str:
    """How JSON names the type of a parsed value: "a string", "a list", "null" …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def dumps_line(record: dict[str, Any]) -> str:
    """``record`` as one compact JSON line (no trailing newline), UTF-8 text kept as is."""
    return escape_line_breaks(json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def escape_line_breaks(line: str) -> str:
    """``line`` (JSON text) with the characters some line splitters break at written as escapes."""
    if any(ch in line for ch in _LINE_BREAKS):
        for ch, escaped in _LINE_BREAKS.items():
            line = line.replace(ch, escaped)
    return line


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """``(line number, object)`` for each non-blank line of ``path``, or a located error for a bad line."""
    where = str(path)
    try:
        file = path.open("rb")
    except OSError as exc:
        yield error(where, f"cannot open the file: {exc.strerror or exc}")
        return
    found = 0
    with file:
        number = 0
        while raw := file.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                size = len(raw)
                while chunk := file.readline(_SKIP_CHUNK):
                    size += len(chunk)
                    if chunk.endswith(b"\n"):
                        break
                yield error(where, f"the line is {size / 2**20:.0f} MiB long, over the limit of {MAX_LINE_BYTES // 2**20} MiB", number)
                continue
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            found += 1
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
                yield error(where, f"invalid UTF-8 at column {column} (byte 0x{raw[exc.start]:02X}); JSONL files must be UTF-8", number)
                continue
            try:
                record = json.loads(source)
            except json.JSONDecodeError as exc:
                yield error(where, f"not valid JSON: {exc.msg} at column {exc.colno}", number)
                continue
            except RecursionError:
                yield error(where, "not valid JSON: nested too deeply", number)
                continue
            if not isinstance(record, dict):
                yield error(where, f'expected a JSON object {{"text": ...}}, got {json_type(record)}', number)
                continue
            yield number, record
    if found == 0:
        yield warning(where, "the file holds no documents")


def document_text(record: dict[str, Any]) -> str:
    """The record's ``text``, checked; raises ``ValueError`` with the reason when it is unusable."""
    if "text" not in record:
        keys = ", ".join(f'"{key}"' for key in list(record)[:8]) or "none"
        raise ValueError(f'no "text" field (the keys are: {keys})')
    text = record["text"]
    if not isinstance(text, str):
        raise ValueError(f'"text" must be a string, got {json_type(text)}')
    if not text.strip():
        raise ValueError('"text" is empty')
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError('"text" contains an unpaired surrogate (a lone \\ud800-\\udfff escape), which is not valid Unicode') from None
    return text


class TextMap:
    """A file's text, the text Newsmark stores (``normalize_text``), and offsets from one to the other.

    When normalising changes nothing (the usual case) offsets map to themselves.
    Otherwise an offset maps to the length of the normalised text before it —
    provided normalising the two sides separately gives the same text as
    normalising the whole (it does not in the middle of a ``\\r\\n`` pair or of a
    character that NFC composes); such offsets map to ``None``.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = normalize_text(raw)
        self.changed = self.text != raw
        self._cache: dict[int, int | None] = {}

    def offset(self, offset: int) -> int | None:
        if not self.changed:
            return offset
        if offset not in self._cache:
            before = normalize_text(self.raw[:offset])
            after = normalize_text(self.raw[offset:])
            self._cache[offset] = len(before) if before + after == self.text else None
        return self._cache[offset]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` of the file's text in the stored text, or ``None`` when it cannot be mapped."""
        mapped_start, mapped_end = self.offset(start), self.offset(end)
        if mapped_start is None or mapped_end is None or mapped_end <= mapped_start:
            return None
        return mapped_start, mapped_end


def file_tokens(value: object) -> list[Token] | None:
    """A record's ``tokens`` as :class:`Token` objects, or ``None`` when absent or unusable."""
    if not isinstance(value, list):
        return None
    tokens: list[Token] = []
    for item in value:
        if not isinstance(item, dict):
            return None
        start, end = item.get("start"), item.get("end")
        if not is_int(start) or not is_int(end) or not 0 <= start <= end:  # type: ignore[operator]
            return None
        tokens.append(Token(start, end, bool(item.get("ws", False))))  # type: ignore[arg-type]
    return tokens
