"""Shared by the article readers: the "cannot read this" error and turning file bytes into text."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from newsmark.text import DecodeError, decode_bytes

# Encodings whose name the user need not be told about: they are Unicode and were not guessed.
UNICODE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", "utf-32"})

# Where an HTML page declares its encoding: <meta charset=...>, <meta http-equiv ... content="...; charset=...">
# or an XML declaration. Browsers look at the first 1024 bytes; we are a little more generous.
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_DECLARATION_WINDOW = 4096
# As in browsers (WHATWG Encoding): these labels mean Windows-1252, and a page cannot declare UTF-16/32 in itself.
_DECLARED_ALIASES = {"ascii": "cp1252", "latin-1": "cp1252", "iso8859-1": "cp1252"}
_IGNORED_DECLARATIONS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


# A byte-order mark outranks any declaration inside the page (as in browsers).
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32-LE starts like UTF-16-LE


class Unreadable(Exception):
    """An input that cannot be imported; the message is the reason, for the user."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class Decoded:
    """Text decoded from a file, the codec that did it, and a warning when that codec is a guess."""

    text: str
    encoding: str
    warning: str | None = None


def decode_text_file(data: bytes, path: str) -> Decoded:
    """Decode a plain-text file (see :func:`newsmark.text.decode_bytes`); raise :class:`Unreadable`."""
    try:
        text, encoding = decode_bytes(data, path)
    except DecodeError as exc:
        raise Unreadable(str(exc), exc.line) from None
    return Decoded(text, encoding, None if encoding in UNICODE_ENCODINGS else _guess_warning(encoding))


def decode_html(data: bytes, path: str) -> Decoded:
    """Decode an HTML page: a byte-order mark first, then the page's own declaration, then a guess.

    A declared encoding is used only if the bytes really are in it; otherwise the
    page is decoded like a text file and the user is warned that the declaration was wrong.
    """
    declared = _declared_encoding(data)
    if declared is None or data.startswith(_BOMS):
        return decode_text_file(data, path)
    if declared != "utf-8" and b"\x00" not in data[:_DECLARATION_WINDOW]:
        try:
            return Decoded(data.decode(declared), declared)
        except UnicodeDecodeError:
            pass
    decoded = decode_text_file(data, path)
    if decoded.encoding != declared and not (declared == "utf-8" and decoded.encoding in UNICODE_ENCODINGS):
        decoded.warning = f"the page says it is in {declared} but it is not; read it as {decoded.encoding} (a guess): check accented letters and quotation marks"
    return decoded


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:_DECLARATION_WINDOW])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _IGNORED_DECLARATIONS:
        return "utf-8"
    return _DECLARED_ALIASES.get(name, name)


def _guess_warning(encoding: str) -> str:
    return f"not UTF-8: read it as {encoding} (a guess from the bytes); check accented letters and quotation marks"
