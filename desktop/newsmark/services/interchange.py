"""Export of the journalist's work and import of annotations made elsewhere.

The formats themselves live in :mod:`newsmark.formats` (and the spaCy ``DocBin``
in :mod:`newsmark.nlp.docbin`), each a module with ``read`` and ``writer``;
this module knows them by name, picks one from a file when asked, streams
documents between them and the store, keeps count, and reports every problem
with its file and line. Exports are atomic (temp file renamed into place, so a
cancelled or failed export leaves nothing behind); imports add each document
whole or not at all.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from newsmark.model import AnnotatedDocument, Label, Problem, ProblemKind, SpanKind
from newsmark.services import settings
from newsmark.services.importer import ImportSummary
from newsmark.store import Library
from newsmark.store.interchange import AnnotatedAddResult, ExportQuery, add_annotated, count_export, export_document_ids, iter_annotated

# name -> module; the order is the order shown to users (the default first).
FORMAT_MODULES: dict[str, str] = {
    "newsmark": "newsmark.formats.newsmark_jsonl",
    "spacy": "newsmark.nlp.docbin",
    "prodigy": "newsmark.formats.prodigy",
    "doccano": "newsmark.formats.doccano",
    "label-studio": "newsmark.formats.label_studio",
    "brat": "newsmark.formats.brat",
    "conll": "newsmark.formats.conll",
}
# Formats that say what kind (entity, claim, source, cue) each span is; the others are re-kinded by label.
KNOWS_KINDS = frozenset({"newsmark", "spacy"})
# Colours for labels first met in an import (the user can change them in Preferences).
_NEW_LABEL_COLORS = ("#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f")


class FormatError(ValueError):
    """An unknown format name, or a file whose format cannot be told."""


@dataclass(frozen=True, slots=True)
class FormatInfo:
    name: str
    title: str
    extensions: tuple[str, ...]
    directory: bool
    can_write: bool = True


def format_module(name: str) -> ModuleType:
    module_name = FORMAT_MODULES.get(name)
    if module_name is None:
        raise FormatError(f"unknown format {name!r}; choose one of: {', '.join(FORMAT_MODULES)}")
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:  # a format whose module (or its library) is not installed
        raise FormatError(f"the {name} format is not available: {exc}") from exc


def available_formats() -> list[FormatInfo]:
    """The formats this installation can read (and write), default first."""
    out: list[FormatInfo] = []
    for name in FORMAT_MODULES:
        try:
            module = format_module(name)
        except FormatError:
            continue
        out.append(
            FormatInfo(
                name=name,
                title=getattr(module, "TITLE", name),
                extensions=tuple(getattr(module, "EXTENSIONS", ())),
                directory=bool(getattr(module, "DIRECTORY", False)),
                can_write=hasattr(module, "writer"),
            )
        )
    return out


def detect_format(path: Path) -> str:
    """The format of an annotation file or folder, by content where the name is ambiguous."""
    path = Path(path)
    candidates: list[str] = []
    for info in available_formats():
        module = format_module(info.name)
        if path.is_dir():
            if info.directory:
                candidates.append(info.name)
            continue
        if path.suffix.lower() in info.extensions or (info.directory and path.suffix.lower() in (".ann", ".txt")):
            candidates.append(info.name)
    if not candidates:
        raise FormatError(f"{path}: cannot tell the annotation format from the name; choose one with --format")
    for name in candidates:  # newsmark first: it is the most specific of the JSONL dialects
        sniff = getattr(format_module(name), "sniff", None)
        try:
            if sniff is not None and sniff(path):
                return name
        except OSError as exc:
            raise FormatError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if len(candidates) == 1:
        return candidates[0]
    raise FormatError(f"{path}: could be {' or '.join(candidates)}; choose one with --format")


def sniff_annotations(path: Path) -> str | None:
    """The annotation format of ``path`` if its content says it is one (``None``: treat it as articles).

    Only a positive ``sniff`` counts — a ``.jsonl`` of plain articles (``{"text", "meta"}``)
    or a folder of ``.txt`` files stays an article import.
    """
    path = Path(path)
    for name in FORMAT_MODULES:
        try:
            module = format_module(name)
        except FormatError:
            continue
        sniff = getattr(module, "sniff", None)
        if sniff is None:
            continue
        if path.is_dir() != bool(getattr(module, "DIRECTORY", False)) and path.is_dir():
            continue
        try:
            if sniff(path):
                return name
        except (OSError, ValueError):
            continue
    return None


# ---------------------------------------------------------------------- export


@dataclass(slots=True)
class ExportProgress:
    documents_done: int
    documents_total: int
    spans_done: int
    current: str


@dataclass(slots=True)
class ExportSummary:
    path: Path
    format: str
    documents: int = 0
    spans: int = 0
    relations: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def headline(self) -> str:
        if self.cancelled:
            return f"Export cancelled; {self.path} was not written"
        docs = f"{self.documents} article{'s' if self.documents != 1 else ''}"
        return f"Exported {docs}, {self.spans} marks, {self.relations} relations to {self.path} ({self.format})"


def export(
    library: Library,
    fmt: str,
    out: Path | str,
    query: ExportQuery | None = None,
    *,
    on_progress: Callable[[ExportProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    progress_every: float = 0.1,
) -> ExportSummary:
    """Write the documents ``query`` selects to ``out`` in format ``fmt``.

    The file (or folder) appears only when everything is written; a cancel or
    an error leaves no partial output and an existing file untouched.
    """
    module = format_module(fmt)
    if not hasattr(module, "writer"):
        raise FormatError(f"Newsmark can read {fmt} but not write it")
    query = query or ExportQuery()
    out = Path(out)
    summary = ExportSummary(path=out, format=fmt)
    started = time.perf_counter()
    ids = export_document_ids(library, query)
    writer = module.writer(out)
    last = 0.0
    try:
        for doc in iter_annotated(library, query, doc_ids=ids):
            if should_cancel is not None and should_cancel():
                writer.abort()
                summary.cancelled = True
                return summary
            writer.write(doc)
            summary.documents += 1
            summary.spans += len(doc.spans)
            summary.relations += len(doc.relations)
            now = time.perf_counter()
            if on_progress is not None and now - last >= progress_every:
                last = now
                on_progress(ExportProgress(summary.documents, len(ids), summary.spans, doc.document.title))
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    summary.problems.extend(getattr(writer, "problems", []))
    summary.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(ExportProgress(summary.documents, len(ids), summary.spans, ""))
    return summary


def preview(library: Library, query: ExportQuery) -> tuple[int, int]:
    """(articles, marks) an export would write — shown before the user starts it."""
    return count_export(library, query)


# ---------------------------------------------------------------------- import


@dataclass(slots=True)
class AnnotationImportSummary(ImportSummary):
    """An :class:`ImportSummary` that also counts the marks and relations taken in."""

    spans: int = 0
    relations: int = 0
    merged: int = 0  # documents already in the library that received marks
    new_labels: list[str] = field(default_factory=list)

    def headline(self) -> str:
        text = super().headline()
        extra = f"; {self.spans} marks, {self.relations} relations"
        if self.merged:
            extra += f"; marks added to {self.merged} article{'s' if self.merged != 1 else ''} already in the library"
        if self.new_labels:
            extra += f"; new labels: {', '.join(self.new_labels)}"
        return text + extra


@dataclass(slots=True)
class AnnotationImportProgress:
    files_done: int
    files_total: int
    current: str
    documents: int
    spans: int


def import_annotations(
    library: Library,
    paths: Iterable[Path | str],
    *,
    fmt: str | None = None,
    merge: bool = False,
    on_progress: Callable[[AnnotationImportProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> AnnotationImportSummary:
    """Import annotated documents from files (or brat folders). Never raises for bad input."""
    summary = AnnotationImportSummary()
    given = [Path(p) for p in paths]
    jobs: list[tuple[Path, str]] = []
    for path in given:
        if not path.exists():
            summary.problems.append(Problem(str(path), "no such file or folder"))
            continue
        try:
            jobs.append((path, fmt or detect_format(path)))
        except FormatError as exc:
            summary.problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
    summary.files = len(jobs)
    scheme = {label.name: label for label in settings.label_scheme(library)}
    new_labels: dict[str, SpanKind] = {}

    def documents() -> Iterator[AnnotatedDocument]:
        for index, (path, name) in enumerate(jobs):
            if should_cancel is not None and should_cancel():
                summary.cancelled = True
                return
            if on_progress is not None:
                on_progress(AnnotationImportProgress(index, len(jobs), str(path), len(summary.added), summary.spans))
            try:
                module = format_module(name)
            except FormatError as exc:
                summary.problems.append(Problem(str(path), str(exc)))
                continue
            try:
                for item in module.read(path):
                    if isinstance(item, Problem):
                        summary.problems.append(item)
                        continue
                    if name not in KNOWS_KINDS:
                        _kind_by_scheme(item, scheme)
                    for span in item.spans:
                        if span.label not in scheme and span.label not in new_labels:
                            new_labels[span.label] = SpanKind(span.kind)
                    if not item.document.origin:
                        item.document.origin = str(path)
                    yield item
                    if should_cancel is not None and should_cancel():
                        summary.cancelled = True
                        return
            except OSError as exc:
                summary.problems.append(Problem(str(path), f"cannot read it ({exc.strerror or exc})"))
        if on_progress is not None:
            on_progress(AnnotationImportProgress(len(jobs), len(jobs), "", len(summary.added), summary.spans))

    def record(result: AnnotatedAddResult) -> None:
        base = result.result
        if base.error is not None:
            summary.problems.append(Problem(base.origin or "(input)", base.error))
        elif result.merged:
            summary.merged += 1
            summary.spans += result.spans
            summary.relations += result.relations
        elif base.duplicate_of is not None:
            summary.duplicates.append(base)
        else:
            summary.added.append(base)
            summary.spans += result.spans
            summary.relations += result.relations

    add_annotated(library, documents(), merge=merge, on_result=record)
    if new_labels:
        _add_labels(library, new_labels, len(scheme))
        summary.new_labels = sorted(new_labels)
    return summary


def _kind_by_scheme(doc: AnnotatedDocument, scheme: dict[str, Label]) -> None:
    for span in doc.spans:
        label = scheme.get(span.label)
        if label is not None and span.kind == SpanKind.ENTITY and label.kind != SpanKind.ENTITY:
            span.kind = label.kind


def _add_labels(library: Library, labels: dict[str, SpanKind], offset: int) -> None:
    """Make labels first met in an import part of the user's scheme, so they show and can be chosen."""
    for n, (name, kind) in enumerate(sorted(labels.items())):
        try:
            settings.save_label(library, {"name": name, "kind": kind.value, "color": _NEW_LABEL_COLORS[(offset + n) % len(_NEW_LABEL_COLORS)]})
        except ValueError:
            continue  # a name the scheme refuses stays unlisted; its marks still show in grey


def problems_by_kind(problems: Sequence[Problem]) -> dict[ProblemKind, int]:
    counts: dict[ProblemKind, int] = {}
    for p in problems:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return counts


__all__ = [
    "AnnotationImportSummary",
    "ExportProgress",
    "ExportQuery",
    "ExportSummary",
    "FormatError",
    "FormatInfo",
    "available_formats",
    "detect_format",
    "export",
    "format_module",
    "import_annotations",
    "preview",
]
