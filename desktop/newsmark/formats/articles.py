"""Article importers: plain text, Markdown, HTML, JSON Lines, PDF and Word files in; documents out.

:func:`read_articles` turns one file into :class:`~newsmark.model.NewDocument`
objects and, for everything wrong with it, :class:`~newsmark.model.Problem`
objects that name the file (and the line, for JSON Lines) and say what is
wrong. It never raises for bad input. :func:`iter_article_files` expands the
files and folders a user picked; :func:`read_pasted` takes text from the clipboard.

The text of every document is normalised by :func:`newsmark.text.normalize_text`
(``\\n`` line endings, NFC) and is otherwise exactly what the file holds
(for HTML, PDF and Word: the text extracted from it). See ``docs/import.md``.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from newsmark.formats._decode import Unreadable, decode_html, decode_text_file
# trafilatura, pypdf and python-docx are imported on first use (in the functions
# below): they cost a quarter of a second at start-up, which the app does not wait for.
from newsmark.model import NewDocument, Problem, ProblemKind
from newsmark.text import guess_title, normalize_text

__all__ = [
    "MAX_ARTICLE_BYTES",
    "SUPPORTED_SUFFIXES",
    "iter_article_files",
    "read_articles",
    "read_pasted",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".pdf", ".docx")

# One article (one file, or one JSON Lines line) may be at most this big. Checked before reading.
MAX_ARTICLE_BYTES = 50 * 1024 * 1024
# A metadata sidecar is a handful of fields; anything bigger is not one.
MAX_SIDECAR_BYTES = 1024 * 1024
# Problems listed one by one per file; beyond this they are counted in one closing message.
MAX_PROBLEMS_PER_FILE = 100
SIDECAR_SUFFIX = ".meta.json"

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".pdf": "pdf",
    ".docx": "docx",
}
# Metadata keys that become NewDocument fields; "date" is accepted for "published".
_FIELDS = ("title", "source", "url", "author", "published")
_DATE_ALIAS = "date"
# An ATX heading: "# Title", optionally closed by #s; group 1 is the level marker, group 2 the text.
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_READ_CHUNK = 1024 * 1024


# --- choosing files ------------------------------------------------------------------------------


def iter_article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to import for the files and folders a user picked, each once.

    A folder is walked recursively in sorted order, skipping hidden files and
    folders, metadata sidecars (``*.meta.json``) and files of unsupported types.
    A file named explicitly is always yielded, whatever its type, so that
    :func:`read_articles` can say why it was not imported. A subfolder that
    cannot be listed is yielded too, for the same reason.
    """
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        for file in _walk(path) if path.is_dir() else iter((path,)):
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                yield file


def _walk(folder: Path) -> Iterator[Path]:
    unreadable: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=lambda exc: unreadable.append(Path(exc.filename))):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if _is_article_name(name):
                yield Path(root, name)
    yield from unreadable


def _is_article_name(name: str) -> bool:
    lowered = name.lower()
    return not name.startswith(".") and not lowered.endswith(SIDECAR_SUFFIX) and Path(lowered).suffix in SUPPORTED_SUFFIXES


# --- reading one file ----------------------------------------------------------------------------


def read_articles(path: Path) -> Iterator[NewDocument | Problem]:
    """Read one file: yield a document for each article in it and a problem for each thing wrong.

    A JSON Lines file holds an article per line; every other supported type
    holds one article. Never raises for bad input (missing, unreadable, too big,
    binary, badly encoded, malformed or empty files all become problems).
    """
    path = Path(path)
    where = str(path)
    fmt = _FORMATS.get(path.suffix.lower())
    try:
        if path.is_dir():
            os.scandir(path).close()  # a folder that cannot be listed raises OSError: say why
            yield Problem(where, "is a folder, not an article file")
        elif fmt is None:
            yield Problem(where, _unsupported(path))
        elif fmt == "jsonl":
            yield from _read_jsonl(path)
        else:
            yield from _read_single(path, fmt)
    except Unreadable as exc:
        yield Problem(where, str(exc), line=exc.line)
    except OSError as exc:
        yield Problem(where, f"cannot read it: {(exc.strerror or str(exc)).lower()}")


def read_pasted(text: str, title: str | None = None) -> NewDocument:
    """A document from pasted text (origin ``"paste"``); ``title`` defaults to the first line.

    Raises ValueError if the text is empty or only whitespace, or too big for one article.
    """
    normalized = normalize_text(text)
    if not normalized.strip():
        raise ValueError("the pasted text is empty")
    size = len(normalized.encode("utf-8", "surrogatepass"))
    if size > MAX_ARTICLE_BYTES:
        raise ValueError(f"the pasted text {_too_big(size)}")
    return NewDocument(
        text=normalized,
        title=_clean_field(title) or guess_title(normalized),
        meta={"format": "paste"},
        origin="paste",
    )


def _unsupported(path: Path) -> str:
    kind = f"'{path.suffix}'" if path.suffix else "(no extension)"
    return f"unsupported file type {kind} (supported: {', '.join(SUPPORTED_SUFFIXES)})"


def _too_big(size: int) -> str:
    limit = f"{MAX_ARTICLE_BYTES // 2**20} MB" if MAX_ARTICLE_BYTES % 2**20 == 0 else f"{MAX_ARTICLE_BYTES} bytes"
    actual = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size} bytes"
    return f"is {actual}; one article may be at most {limit}"


# --- files that hold one article -----------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """What a format reader found in a file, before the common finishing."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)  # keys from _FIELDS
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _read_single(path: Path, fmt: str) -> Iterator[NewDocument | Problem]:
    where = str(path)
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise Unreadable(_too_big(size))
    if size == 0:
        raise Unreadable("empty file")
    found = _EXTRACTORS[fmt](path)
    text = normalize_text(found.text)
    if not text.strip():
        raise Unreadable("empty file (only whitespace)")
    side_fields, side_meta, side_problems = _read_sidecar(path)
    fields = found.fields | side_fields
    title = fields.get("title") or (_markdown_title(text) if fmt == "md" else None) or guess_title(text)
    yield NewDocument(
        text=text,
        title=title,
        source=fields.get("source"),
        url=fields.get("url"),
        author=fields.get("author"),
        published=fields.get("published"),
        meta=side_meta | {"file": path.name, "format": fmt} | found.meta,
        origin=where,
    )
    for warning in found.warnings:
        yield Problem(where, warning, kind=ProblemKind.WARNING)
    yield from side_problems


def _extract_plain(path: Path) -> _Found:
    decoded = decode_text_file(path.read_bytes(), str(path))
    return _Found(decoded.text, meta={"encoding": decoded.encoding}, warnings=[decoded.warning] if decoded.warning else [])


def _extract_html(path: Path) -> _Found:
    decoded = decode_html(path.read_bytes(), str(path))
    if not decoded.text.strip():
        raise Unreadable("empty file (only whitespace)")
    from newsmark.formats._html import extract_page

    page = extract_page(decoded.text)
    fields = {"title": page.title, "source": page.sitename, "url": page.url, "author": page.author, "published": page.published}
    meta: dict[str, Any] = {"encoding": decoded.encoding}
    if page.description:
        meta["description"] = page.description
    if page.language:
        meta["language"] = page.language
    warnings = [decoded.warning] if decoded.warning else []
    return _Found(page.text, _clean_fields(fields), meta, warnings)


def _extract_pdf(path: Path) -> _Found:
    from newsmark.formats._office import read_pdf

    found = read_pdf(path)
    return _Found(found.text, _clean_fields({"title": found.title, "author": found.author}), found.meta)


def _extract_docx(path: Path) -> _Found:
    from newsmark.formats._office import read_docx

    found = read_docx(path)
    return _Found(found.text, _clean_fields({"title": found.title, "author": found.author}), found.meta)


_EXTRACTORS: dict[str, Callable[[Path], _Found]] = {
    "txt": _extract_plain,
    "md": _extract_plain,
    "html": _extract_html,
    "pdf": _extract_pdf,
    "docx": _extract_docx,
}


def _markdown_title(text: str) -> str | None:
    """The first level-1 ATX heading ("# Title"), else the first heading of any level."""
    headings = [(len(match.group(1)), match.group(2)) for match in _MD_HEADING.finditer(text)]
    if not headings:
        return None
    level_one = [heading for level, heading in headings if level == 1]
    return _clean_field(level_one[0] if level_one else headings[0][1])


def _read_sidecar(path: Path) -> tuple[dict[str, str], dict[str, Any], list[Problem]]:
    """Fields and extra meta from ``<file>.meta.json`` beside ``path``, if there is one.

    A broken sidecar does not stop the import: it is ignored with a warning.
    """
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}, {}, []

    def ignored(reason: str, line: int | None = None) -> tuple[dict[str, str], dict[str, Any], list[Problem]]:
        return {}, {}, [Problem(str(sidecar), f"metadata ignored: {reason}", line=line, kind=ProblemKind.WARNING)]

    try:
        if sidecar.stat().st_size > MAX_SIDECAR_BYTES:
            return ignored(f"the file is over {MAX_SIDECAR_BYTES // 1024} KB, too big for a metadata file")
        data = json.loads(sidecar.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        return ignored(f"cannot read it: {(exc.strerror or str(exc)).lower()}")
    except UnicodeDecodeError:
        return ignored("it is not UTF-8")
    except json.JSONDecodeError as exc:
        return ignored(f"not valid JSON ({exc.msg}, column {exc.colno})", exc.lineno)
    except RecursionError:
        return ignored("not valid JSON (nested too deeply)")
    if not isinstance(data, dict):
        return ignored(f"expected a JSON object with keys such as \"title\", got {_json_type(data)}")
    fields, rest = _lift_fields(data)
    return fields, rest, []


# --- JSON Lines: one article per line ------------------------------------------------------------


def _read_jsonl(path: Path) -> Iterator[NewDocument | Problem]:
    """Stream a JSON Lines file; the size limit applies to each line, not to the file."""
    where = str(path)
    problems = 0
    documents = 0
    with path.open("rb") as file:
        for line in _jsonl_lines(file):
            if line.number == 1 and b"\x00" in line.data:
                raise Unreadable("looks like a binary file, not text (it contains NUL bytes)")
            if line.size <= MAX_ARTICLE_BYTES and not line.data.strip():
                continue
            try:
                doc = _jsonl_document(line, where, path.name)
            except Unreadable as exc:
                problems += 1
                if problems <= MAX_PROBLEMS_PER_FILE:
                    yield Problem(where, str(exc), line=line.number)
                continue
            documents += 1
            yield doc
    if problems > MAX_PROBLEMS_PER_FILE:
        hidden = problems - MAX_PROBLEMS_PER_FILE
        yield Problem(where, f"{hidden} more bad line{'s' if hidden != 1 else ''} not listed ({problems} in all)")
    if documents == 0 and problems == 0:
        yield Problem(where, "empty file (no articles in it)")


class _Line(NamedTuple):
    """One line of a JSON Lines file: its 1-based number, its bytes, and its size in bytes.

    A line over the size limit is not kept: ``data`` is empty and ``size`` says how big it was.
    """

    number: int
    data: bytes
    size: int


def _jsonl_lines(file: BinaryIO) -> Iterator[_Line]:
    number = 0
    while raw := file.readline(MAX_ARTICLE_BYTES + 1):
        number += 1
        if len(raw) <= MAX_ARTICLE_BYTES or raw.endswith(b"\n"):
            yield _Line(number, raw, len(raw))
            continue
        size = len(raw)
        while True:  # skip the rest of the line without holding it
            chunk = file.readline(_READ_CHUNK)
            size += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                break
        yield _Line(number, b"", size)


def _jsonl_document(line: _Line, where: str, name: str) -> NewDocument:
    """The document on one line, or :class:`Unreadable` saying what is wrong with the line."""
    if line.size > MAX_ARTICLE_BYTES:
        raise Unreadable(f"the line {_too_big(line.size)}")
    raw = line.data.removeprefix(codecs.BOM_UTF8) if line.number == 1 else line.data
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
        raise Unreadable(
            f"invalid UTF-8 at column {column} (byte 0x{raw[exc.start]:02X}); JSON Lines files must be UTF-8"
        ) from None
    try:
        record = json.loads(source)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise Unreadable("not valid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise Unreadable(f"expected a JSON object {{\"text\": ...}}, got {_json_type(record)}")
    if "text" not in record:
        keys = ", ".join(f'"{key}"' for key in list(record)[:8]) or "none"
        raise Unreadable(f'no "text" field (the keys are: {keys})')
    text = record["text"]
    if not isinstance(text, str):
        raise Unreadable(f'"text" must be a string, got {_json_type(text)}')
    text = normalize_text(text)
    if not text.strip():
        raise Unreadable('empty "text"')
    if not _is_valid_unicode(text):
        raise Unreadable('"text" contains an unpaired surrogate (a lone \\ud800-\\udfff escape), which is not valid Unicode')
    nested = record.get("meta", {})
    if not isinstance(nested, dict):
        raise Unreadable(f'"meta" must be an object, got {_json_type(nested)}')
    top_fields, top_rest = _lift_fields({key: value for key, value in record.items() if key not in ("text", "meta")})
    meta_fields, meta_rest = _lift_fields(nested)
    fields = top_fields | meta_fields  # "meta" wins; an overridden top-level value is kept in meta
    for name in top_fields.keys() & meta_fields.keys():
        key = name if name in record else _DATE_ALIAS  # only "published" has another spelling
        top_rest[key] = record[key]
    if not all(_is_valid_unicode(value) for value in fields.values()):
        raise Unreadable("a metadata field contains an unpaired surrogate escape, which is not valid Unicode")
    return NewDocument(
        text=text,
        title=fields.get("title") or guess_title(text),
        source=fields.get("source"),
        url=fields.get("url"),
        author=fields.get("author"),
        published=fields.get("published"),
        meta=top_rest | meta_rest | {"file": name, "format": "jsonl", "line": line.number},
        origin=where,
    )


# --- metadata ------------------------------------------------------------------------------------


def _lift_fields(mapping: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Split metadata into NewDocument fields (title, source, url, author, published) and the rest.

    A field is lifted when its value is a non-blank string (or a whole number,
    for a year); "date" stands for "published" when there is no usable
    "published". Anything not lifted stays, unchanged, in the rest.
    """
    fields: dict[str, str] = {}
    rest: dict[str, Any] = {}
    for key in sorted(mapping, key=lambda key: key == _DATE_ALIAS):  # "published" before "date"
        value = mapping[key]
        name = "published" if key == _DATE_ALIAS else key
        cleaned = _clean_field(value) if name in _FIELDS else None
        if cleaned is not None and name not in fields:
            fields[name] = cleaned
        else:
            rest[key] = value
    return fields, rest


def _clean_fields(values: dict[str, str | None]) -> dict[str, str]:
    """Keep the fields that have a value, cleaned as by :func:`_clean_field`."""
    return {key: cleaned for key, value in values.items() if (cleaned := _clean_field(value)) is not None}


def _clean_field(value: object) -> str | None:
    """A metadata value as a one-line NFC string, or None if it is blank or not a string or whole number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    return cleaned or None


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_type(value: object) -> str:
    """How JSON calls the type of a parsed value, with an article: "a list", "a number" ..."""
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
