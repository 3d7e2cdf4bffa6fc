"""Text as Newsmark stores it: decoding bytes, the two normalisations, hashing, titles.

Every span offset is a code-point offset into a document's *stored* text, so
the stored text must be exactly what :func:`normalize_text` returns and nothing
may change it afterwards. The normalisations are deliberately few:

1. line endings: ``\\r\\n`` and lone ``\\r`` become ``\\n`` (and a leading
   byte-order mark, if one survived decoding, is dropped);
2. Unicode NFC, so that "é" typed as one code point and "é" arriving as
   "e" + combining accent are the same text, the same length and the same hash.

Nothing else is touched: inner whitespace, tabs, blank lines and trailing
spaces are kept as they are.

Standard library only (layer rule), with one exception kept out of the import
path: guessing the encoding of legacy 8-bit text needs charset-normalizer, which
is imported inside that one branch. ``import newsmark.text`` therefore works in a
bare interpreter, and the library is loaded only when a non-UTF-8 file shows up.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

__all__ = ["DecodeError", "decode_bytes", "guess_title", "normalize_text", "text_hash"]

TITLE_MAX_CHARS = 120

_BOM = "\ufeff"

# Byte-order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
# Each with the codec that reads it (and drops the mark); the codec name is also the reported encoding.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# How much of a file the binary check looks at, and the share of control bytes
# (other than tab, line feed, vertical tab, form feed, carriage return and escape) above
# which a file is taken for binary. Text in any 8-bit or UTF-8 encoding has next to none.
_SNIFF_BYTES = 64 * 1024
_MAX_CONTROL_SHARE = 0.05
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B} | {0x7F}

# One well-formed UTF-8 sequence of two to four bytes (RFC 3629, no surrogates, no overlongs).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]"
    rb"|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]"
    rb"|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}"
)

# Encodings that charset-normalizer may propose but that are never right for a file
# without a byte-order mark that passed the binary check (it has no NUL bytes).
_NOT_LEGACY = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "utf_7"]
# The most common legacy encoding of Western news text: taken whenever it fits the bytes
# at least as well as charset-normalizer's best guess (which, on short text, often
# prefers a Central-European code page for French or German).
_PREFERRED_LEGACY = "cp1252"


class DecodeError(ValueError):
    """Bytes that cannot be read as text.

    ``str(error)`` is the reason, for the user; ``path`` names the input and
    ``line`` (1-based) locates the fault when it has a place in the file.
    """

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def normalize_text(s: str) -> str:
    """Return ``s`` as Newsmark stores it: ``\\n`` line endings, Unicode NFC, no leading BOM.

    Idempotent: ``normalize_text(normalize_text(s)) == normalize_text(s)``.
    """
    if s.startswith(_BOM):
        s = s[1:]
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", s)


def text_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text's UTF-8: the identity used to spot duplicates."""
    return hashlib.sha256(normalize_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def guess_title(text: str, max_chars: int = TITLE_MAX_CHARS) -> str:
    """The first non-empty line, whitespace collapsed, cut to ``max_chars`` on a word boundary.

    A cut title ends with "…" (counted in ``max_chars``). Returns "" for blank text.
    """
    for line in text.splitlines():
        title = " ".join(line.split())
        if title:
            break
    else:
        return ""
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars - 1]
    space = cut.rfind(" ")
    if space > max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)``.

    ``encoding`` is a Python codec name: ``"utf-8"`` (also for plain ASCII),
    ``"utf-8-sig"``, ``"utf-16"`` or ``"utf-32"`` when a byte-order mark says so,
    or, for 8-bit text that is not UTF-8, the legacy encoding guessed from the
    bytes (``"cp1252"``, ``"cp1251"`` ...). A guessed encoding is the caller's
    cue to warn the user. The text is decoded only, not normalised.

    Raises :class:`DecodeError` for binary data, for UTF-8 that is truncated or
    mixed with another encoding (naming the line and the offending byte), and
    for data that claims a Unicode encoding by its byte-order mark but is not.
    ``path`` is recorded on the error for the caller's message.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                name = codec.removesuffix("-sig").upper()
                raise DecodeError(
                    f"starts with a {name} byte-order mark but is not valid {name} "
                    f"(bad data at byte {exc.start}): the file is damaged or not text",
                    path,
                ) from None
    _reject_binary(data, path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        error = exc
    if _UTF8_MULTIBYTE.search(data) is None:
        return _decode_legacy(data, path)
    line, column = _position(data, error.start)
    if error.reason == "unexpected end of data" and error.end == len(data):
        raise DecodeError(
            f"truncated UTF-8: the file ends in the middle of a character (column {column}); "
            "it was probably cut off while being copied or downloaded",
            path,
            line,
        ) from None
    bad = data[error.start]
    raise DecodeError(
        f"mixed encodings: invalid UTF-8 at line {line}, column {column}, byte 0x{bad:02X}, "
        "although the rest of the file is UTF-8; part of it came from a file in another "
        "encoding (often Windows-1252). Re-save the file as UTF-8 and import it again",
        path,
        line,
    ) from None


def _reject_binary(data: bytes, path: str) -> None:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        raise DecodeError("looks like a binary file, not text (it contains NUL bytes)", path)
    if sample:
        controls = sum(sample.count(bytes((b,))) for b in _CONTROL_BYTES)
        if controls / len(sample) > _MAX_CONTROL_SHARE:
            raise DecodeError(f"looks like a binary file, not text ({controls} control bytes in the first {len(sample)})", path)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as far as they can be decoded) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return line, column


def _decode_legacy(data: bytes, path: str) -> tuple[str, str]:
    """Guess the 8-bit encoding of text that is not UTF-8."""
    from charset_normalizer import from_bytes  # the one non-stdlib import; see the module doc

    best = from_bytes(data, cp_exclusion=_NOT_LEGACY).best()
    preferred = from_bytes(data, cp_isolation=[_PREFERRED_LEGACY]).best()
    if preferred is not None and (
        best is None or (preferred.chaos <= best.chaos and preferred.coherence >= best.coherence)
    ):
        best = preferred
    if best is None:
        raise DecodeError("not UTF-8, and its encoding could not be recognised; re-save the file as UTF-8", path)
    return str(best), codecs.lookup(best.encoding).name

