"""What every annotation format module shares: the reader/writer contract, atomic output, checks.

An annotation format is one module in :mod:`newsmark.formats` (``newsmark_jsonl``,
``prodigy``, ``doccano``, ``label_studio``, ``brat``, ``conll``; the spaCy
``DocBin`` lives in :mod:`newsmark.nlp.docbin` because it needs spaCy). Each
offers, as plain functions over :class:`~newsmark.model.AnnotatedDocument`:

``read(path) -> Iterator[AnnotatedDocument | Problem]``
    Streams the documents of a file (or a directory, for brat). Never raises for
    bad input: a document that cannot be read becomes a located ``Problem``
    (``ProblemKind.ERROR``, ``path`` and ``line`` set) and the next one is read;
    a span or relation that cannot be taken (offsets out of range, text that does
    not match the offsets, a relation to an unknown span …) is dropped with a
    ``ProblemKind.WARNING`` and the rest of the document imports. Problems are
    yielded *before* the document they concern. Foreign spans get
    ``origin=Origin.IMPORT`` and ``origin_detail="<tool>: <file name>"``
    (see :func:`import_origin`) and ``status=ACCEPTED`` unless the file says
    otherwise. Relations refer to spans by index in ``spans``.

``writer(path) -> DocumentWriter``
    An object with ``write(doc)`` (streamed, bounded memory), ``commit()`` (the
    output appears at ``path`` only now, renamed into place) and ``abort()``
    (nothing is left behind). Use :class:`AtomicTextWriter` /
    :class:`AtomicDirectory`.

Offsets everywhere are Python code-point offsets into the document text, half-open.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

from newsmark.model import AnnotatedDocument, Origin, Problem, ProblemKind, Relation, Span, SpanStatus


class DocumentWriter(Protocol):
    def write(self, doc: AnnotatedDocument) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class DocumentReader(Protocol):
    def __call__(self, path: Path) -> Iterator[AnnotatedDocument | Problem]: ...


def import_origin(tool: str, path: Path) -> str:
    """The ``origin_detail`` of a span imported from ``path`` written by ``tool``."""
    return f"{tool}: {path.name}"


def warning(path: Path | str, message: str, line: int | None = None) -> Problem:
    return Problem(str(path), message, line=line, kind=ProblemKind.WARNING)


def error(path: Path | str, message: str, line: int | None = None) -> Problem:
    return Problem(str(path), message, line=line, kind=ProblemKind.ERROR)


def check_span(text: str, start: object, end: object, expected_text: object = None) -> str | None:
    """Why ``[start, end)`` is not a usable span of ``text`` (``None`` when it is).

    ``expected_text`` is the span's text as the file states it, if it does.
    """
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        return f"offsets must be whole numbers, got start={start!r}, end={end!r}"
    if not 0 <= start < end <= len(text):
        return f"offsets [{start}, {end}) are outside the text (length {len(text)}) or empty"
    if expected_text is not None and text[start:end] != expected_text:
        return f"the text at [{start}, {end}) is {text[start:end]!r}, but the file says {expected_text!r}"
    return None


def drop_relations_to(relations: list[Relation], removed: set[int]) -> list[Relation]:
    """Relations that do not touch the removed span indexes, with indexes renumbered."""
    if not removed:
        return relations
    keep: list[Relation] = []
    for rel in relations:
        if rel.head in removed or rel.tail in removed:
            continue
        keep.append(
            Relation(
                head=rel.head - sum(1 for r in removed if r < rel.head),
                tail=rel.tail - sum(1 for r in removed if r < rel.tail),
                label=rel.label,
                origin=rel.origin,
                origin_detail=rel.origin_detail,
            )
        )
    return keep


def imported_span(start: int, end: int, label: str, origin_detail: str, **fields: object) -> Span:
    """A span read from a foreign file: accepted, ``origin=import`` unless ``fields`` say otherwise."""
    values: dict[str, object] = {"status": SpanStatus.ACCEPTED, "origin": Origin.IMPORT, "origin_detail": origin_detail}
    values.update(fields)
    return Span(start=start, end=end, label=label, **values)  # type: ignore[arg-type]


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (it is process-wide)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_public(path: Path) -> None:
    """Give a finished export the permissions any new file or folder of the user gets.

    ``mkstemp``/``mkdtemp`` create the temporary output readable by its owner
    only (0600 / 0700); an export is an ordinary file the user shares, so it
    ends up as ``open()``/``mkdir`` would have made it (0644 / 0755 under the
    usual umask 022).
    """
    mode = 0o777 if path.is_dir() else 0o666
    os.chmod(path, mode & ~_umask())


class AtomicTextWriter:
    """A text file written beside its destination and renamed into place on :meth:`commit`.

    Subclasses implement :meth:`write` in terms of :meth:`out` (the open stream)
    and may override :meth:`begin` / :meth:`end` to write a header / footer.
    A cancelled or failed export (``abort`` or an exception before ``commit``)
    leaves no file behind, and an existing file at ``path`` stays as it was.
    """

    newline = "\n"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        self._tmp = Path(tmp)
        self.out: IO[str] = io.open(fd, "w", encoding="utf-8", newline=self.newline)
        self.count = 0
        self._done = False
        self.begin()

    def begin(self) -> None:
        """Write what comes before the first document."""

    def end(self) -> None:
        """Write what comes after the last document."""

    def write(self, doc: AnnotatedDocument) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def write_rendered(self, text: str, documents: int) -> None:
        """Lines already rendered by the format's ``dumps`` (in another process), written as they are."""
        self.out.write(text)
        self.count += documents

    def commit(self) -> None:
        if self._done:
            return
        try:
            self.end()
            self.out.flush()
            os.fsync(self.out.fileno())
            self.out.close()
            make_public(self._tmp)
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self.out.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicTextWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


# ---------------------------------------------------------------------- safe file names

# Names Windows gives to devices, whatever the extension ("CON.txt" too); also the superscript forms.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3")}
)
MAX_STEM_CHARS = 80
MAX_STEM_BYTES = 180  # UTF-8: with "-12345" and ".ann" well under the 255 bytes file systems allow
MAX_NAME_BYTES = 255
_UNSAFE_NAME = re.compile(r"[^\w\-.]+", re.UNICODE)


def safe_file_stem(value: str) -> str:
    """A plain, portable file name (without extension) made from ``value``, e.g. a title; ``""`` when nothing usable is left.

    Only letters, digits, ``_``, ``-`` and ``.`` (in NFC) stay; every other run of
    characters — separators, ``..``, ``:``, NUL and other control characters,
    spaces — becomes one ``-``; no leading or trailing ``-``/``.`` (no hidden
    files, no ``..``); at most 80 characters and 180 UTF-8 bytes; a Windows
    device name (``CON``, ``nul``, ``COM1`` …) gets a ``_`` in front. Idempotent.
    """
    text = unicodedata.normalize("NFC", str(value))
    text = _UNSAFE_NAME.sub("-", text.strip()).strip("-.")
    text = text[:MAX_STEM_CHARS].strip("-.")
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_STEM_BYTES:
        text = encoded[:MAX_STEM_BYTES].decode("utf-8", errors="ignore").strip("-.")
    if text and text.split(".")[0].upper() in WINDOWS_RESERVED:
        text = "_" + text
    return text


def plain_name_problem(name: str) -> str | None:
    """Why ``name`` is not a plain file name that stays inside its folder on every system (None: it is)."""
    if not name or name in (".", ".."):
        return "empty, . or .."
    if any(c in name for c in '/\\:*?"<>|') or any(ord(c) < 32 for c in name):
        return "it holds a path separator, a character Windows forbids, or a control character"
    if name != name.strip() or name.endswith("."):
        return "it starts or ends with a space, or ends with a dot"
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        return "it is a device name on Windows"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    return None


class AtomicDirectory:
    """A directory of output files (brat) built beside its destination and renamed into place.

    The destination must not exist or be an empty directory: an export never
    mixes its files with others, and never deletes the user's files.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise FileExistsError(f"{self.path} already exists and is not an empty folder; choose a new folder for the export")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent))
        self._done = False

    def file(self, name: str) -> Path:
        """Where to write the file ``name`` (inside the temporary directory): a plain name, or ValueError.

        The last line of defence for per-document names: whatever a writer
        makes of a title or an id, nothing is written outside the folder.
        """
        problem = plain_name_problem(name)
        if problem is not None:
            raise ValueError(f"not a plain file name ({problem}): {name!r}")
        path = self.tmp / name
        if path.parent != self.tmp:  # pragma: no cover - plain_name_problem already refuses what could do this
            raise ValueError(f"{name!r} would be written outside the export folder")
        return path

    def commit(self) -> None:
        if self._done:
            return
        self._done = True
        for child in self.tmp.iterdir():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
        make_public(self.tmp)
        if self.path.exists():
            self.path.rmdir()  # empty, checked above
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        shutil.rmtree(self.tmp, ignore_errors=True)
