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
from typing import Any

from newsmark.formats.articles import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES
from newsmark.model import AnnotatedDocument, Label, Problem, ProblemKind, SpanKind
from newsmark.parallel import can_start_workers, ordered_map, usable_cores
from newsmark.services import settings
from newsmark.services.importer import ImportProgress, ImportSummary, import_paths
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
    negatives: bool = False  # the format has a place for rejected marks (negative examples)


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
                negatives=bool(getattr(module, "NEGATIVE_EXAMPLES", False)),
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


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


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
        if self.documents == 0:
            return f"Nothing to export: no article matched; {self.path} was not written"
        return f"Exported {plural(self.documents, 'article')}, {plural(self.spans, 'mark')}, {plural(self.relations, 'relation')} to {self.path} ({self.format})"


def export(
    library: Library,
    fmt: str,
    out: Path | str,
    query: ExportQuery | None = None,
    *,
    replace: bool = False,
    on_progress: Callable[[ExportProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    progress_every: float = 0.1,
    workers: int | None = None,
) -> ExportSummary:
    """Write the documents ``query`` selects to ``out`` in format ``fmt``.

    The file (or folder) appears only when everything is written; a cancel or
    an error leaves no partial output and an existing file untouched. An
    existing file is replaced only with ``replace=True`` (the app asks first,
    the command line needs ``--force``): without it, :class:`FileExistsError`,
    checked before writing and again just before the new file is renamed into
    place. A folder format writes only into a new or empty folder, always.

    ``workers``: processes that render the lines of a line-per-document format
    (default: :func:`export_workers` decides; 1: all in this process).
    """
    module = format_module(fmt)
    if not hasattr(module, "writer"):
        raise FormatError(f"Newsmark can read {fmt} but not write it")
    query = query or ExportQuery()
    out = Path(out)
    _refuse_to_replace(out, replace)
    summary = ExportSummary(path=out, format=fmt)
    started = time.perf_counter()
    ids = export_document_ids(library, query)
    if not ids:  # nothing matched: no empty file either
        summary.seconds = time.perf_counter() - started
        return summary
    writer = module.writer(out)
    last = 0.0
    workers = export_workers(library, module, len(ids)) if workers is None else workers
    blocks = _rendered_in_workers(library, fmt, query, ids, workers) if workers > 1 else _rendered_here(module, iter_annotated(library, query, doc_ids=ids))
    try:
        for block in blocks:
            if should_cancel is not None and should_cancel():
                writer.abort()
                summary.cancelled = True
                return summary
            block.write_to(writer)
            summary.documents += block.documents
            summary.spans += block.spans
            summary.relations += block.relations
            now = time.perf_counter()
            if on_progress is not None and now - last >= progress_every:
                last = now
                on_progress(ExportProgress(summary.documents, len(ids), summary.spans, block.title))
        _refuse_to_replace(out, replace)  # a file that appeared there while the export ran is not replaced either
        writer.commit()
    except OSError as exc:
        writer.abort()
        if exc.filename is None and exc.errno is not None:  # a failed write names no file: name the export's
            raise type(exc)(exc.errno, exc.strerror, str(out)) from exc
        raise
    except BaseException:
        writer.abort()
        raise
    finally:
        blocks.close()  # workers, if any, end here
    summary.problems.extend(getattr(writer, "problems", []))
    summary.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(ExportProgress(summary.documents, len(ids), summary.spans, ""))
    return summary


# ---------------------------------------------------------------------- rendering, here or in workers

PARALLEL_MIN_DOCUMENTS = 1_000  # below this, starting worker processes costs more than it saves
_CHUNK = 100  # documents per block


@dataclass(slots=True)
class _Block:
    """Documents handed to the writer together: either the documents, or their lines already rendered."""

    documents: int
    spans: int
    relations: int
    title: str
    docs: list[AnnotatedDocument] | None = None
    text: str = ""

    def write_to(self, writer: Any) -> None:
        if self.docs is None:
            writer.write_rendered(self.text, self.documents)
        else:
            for doc in self.docs:
                writer.write(doc)


def _rendered_here(module: ModuleType, docs: Iterable[AnnotatedDocument]) -> Iterator[_Block]:
    for doc in docs:
        yield _Block(1, len(doc.spans), len(doc.relations), doc.document.title, docs=[doc])


def export_workers(library: Library, module: ModuleType, documents: int) -> int:
    """How many processes should render an export: 2 or more for a large line-per-document export, else 1.

    Newsmark JSONL spends most of its time building each line (tokens, token
    ranges, JSON); on a machine with two or more cores, processes of their own
    read and render blocks of documents while this one writes them in order.
    Only for a plain SQLite library (the workers open it themselves).
    """
    cores = usable_cores()
    if cores < 2 or documents < PARALLEL_MIN_DOCUMENTS or not hasattr(module, "dumps"):
        return 1
    path = library.path
    if path is None or getattr(library.url, "password", None):  # an encrypted library: its key stays in this process
        return 1
    if not can_start_workers():
        return 1
    return min(cores, 4)


_WORKER: dict[str, Any] = {}  # in a worker process: its library


def _start_worker(db: str) -> None:
    from newsmark.store import Library as OpenLibrary

    _WORKER["library"] = OpenLibrary.open(db)


def _render_block(ids: list[int], fmt: str, query: ExportQuery) -> _Block:
    """In a worker: the lines of ``ids`` as the format writes them."""
    dumps = format_module(fmt).dumps
    lines, spans, relations, title = [], 0, 0, ""
    for doc in iter_annotated(_WORKER["library"], query, doc_ids=ids):
        lines.append(dumps(doc))
        lines.append("\n")
        spans += len(doc.spans)
        relations += len(doc.relations)
        title = doc.document.title
    return _Block(len(lines) // 2, spans, relations, title, text="".join(lines))


def _rendered_in_workers(library: Library, fmt: str, query: ExportQuery, ids: list[int], workers: int) -> Iterator[_Block]:
    """Blocks of rendered lines, in order, from ``workers`` processes; at most two blocks per worker ahead of the writer."""
    chunks = (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK))
    # spawned, never forked: the workers open the library themselves, and a forked
    # child would inherit this process's open SQLite handles
    yield from ordered_map(
        _render_block, chunks, workers=workers, initializer=_start_worker, initargs=(str(library.path),), args=(fmt, query), method="spawn"
    )


def _refuse_to_replace(out: Path, replace: bool) -> None:
    if replace or not (out.exists() or out.is_symlink()):
        return
    if out.is_dir():
        if any(out.iterdir()):
            raise FileExistsError(f"{out} already exists and is not an empty folder; Newsmark never mixes an export with other files — choose a new folder")
        return  # an empty folder is filled (folder formats) or refused by the writer (file formats)
    raise FileExistsError(f"{out} already exists; Newsmark replaces a file only when told to (the app asks; on the command line add --force)")


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
    annotation_files: int = 0

    def headline(self) -> str:
        text = ImportSummary.headline(self)
        if not self.annotation_files:
            return text
        extra = f"; {plural(self.spans, 'mark')}, {plural(self.relations, 'relation')}"
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
    summary.annotation_files = len(jobs)
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
                    if not item.kinds_known:  # foreign files: a claim label makes a claim
                        _kind_by_scheme(item, scheme)
                    for span in item.spans:
                        if span.label not in scheme and span.label not in new_labels:
                            new_labels[span.label] = SpanKind(span.kind)
                            summary.problems.append(_new_label_warning(span.label, SpanKind(span.kind), item, path, name))
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


def split_paths(paths: Iterable[Path | str], fmt: str = "auto") -> tuple[list[Path], list[tuple[Path, str | None]]]:
    """Which paths are articles and which are annotation files (with their format, ``None``: detect)."""
    articles: list[Path] = []
    annotations: list[tuple[Path, str | None]] = []
    for raw in paths:
        path = Path(raw)
        if fmt == "articles":
            articles.append(path)
        elif fmt != "auto":
            annotations.append((path, fmt))
        elif path.is_dir() and not sniff_annotations(path):
            # A folder of mixed files: each file is told apart on its own (hidden files skipped).
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                if _is_brat_half(file):
                    continue  # the .txt of a brat pair is read with its .ann (sniffed, it would be a second import of the pair)
                found = sniff_annotations(file)
                if found:
                    annotations.append((file, found))
                elif _is_article_file(file):
                    articles.append(file)
                # else: skipped, as an article folder import skips it (a NAME.txt.meta.json sidecar,
                # a file of a type Newsmark does not read) — named explicitly, it is reported instead
        else:
            found = sniff_annotations(path) if path.exists() else None
            if found:
                annotations.append((path, found))
            else:
                articles.append(path)
    return articles, _one_job_per_brat_pair(annotations)


def _one_job_per_brat_pair(jobs: list[tuple[Path, str | None]]) -> list[tuple[Path, str | None]]:
    """A brat pair named by both its files (``a.txt a.ann``) is read once."""
    seen: set[Path] = set()
    out: list[tuple[Path, str | None]] = []
    for path, name in jobs:
        if name == "brat" and path.suffix.lower() in (".ann", ".txt"):
            if path.with_suffix("") in seen:
                continue
            seen.add(path.with_suffix(""))
        out.append((path, name))
    return out


def _is_article_file(path: Path) -> bool:
    name = path.name.lower()
    return not name.endswith(SIDECAR_SUFFIX) and path.suffix.lower() in SUPPORTED_SUFFIXES


def _is_brat_half(path: Path) -> bool:
    return path.suffix.lower() == ".txt" and path.with_suffix(".ann").is_file()


def import_any(
    library: Library,
    paths: Iterable[Path | str],
    *,
    fmt: str = "auto",
    merge: bool = False,
    on_progress: Callable[[ImportProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> AnnotationImportSummary:
    """Import articles and annotation files together (``fmt="auto"`` tells them apart by content).

    Progress is reported as :class:`ImportProgress` over all files; the summary
    counts both (``added`` lists every new article, from either kind of file).
    """
    articles, annotations = split_paths(paths, fmt)
    total = len(annotations) + (1 if articles else 0)
    summary = AnnotationImportSummary()
    done = 0
    if articles:
        part = import_paths(library, articles, on_progress=on_progress, should_cancel=should_cancel)
        summary.merge(part)
        done = 1
    for path, name in annotations:
        if should_cancel is not None and should_cancel():
            summary.cancelled = True
            break

        def relay(p: AnnotationImportProgress, base: int = done) -> None:
            if on_progress is not None:
                on_progress(ImportProgress(base, total, p.current or str(path), len(summary.added) + p.documents, len(summary.duplicates)))

        part = import_annotations(library, [path], fmt=name, merge=merge, on_progress=relay, should_cancel=should_cancel)
        summary.merge(part)
        summary.spans += part.spans
        summary.relations += part.relations
        summary.merged += part.merged
        summary.annotation_files += part.annotation_files
        summary.new_labels = sorted(set(summary.new_labels) | set(part.new_labels))
        done += 1
    return summary


def _new_label_warning(label: str, kind: SpanKind, doc: AnnotatedDocument, path: Path, fmt: str) -> Problem:
    """Where a label the user's scheme does not have was first met (it is added to the scheme)."""
    what = {SpanKind.ENTITY: "an entity", SpanKind.CLAIM: "a claim", SpanKind.SOURCE: "a source", SpanKind.CUE: "a cue"}[kind]
    where = doc.document.origin or str(path)
    if fmt == "brat" and where.endswith(".txt"):
        where = where[: -len(".txt")] + ".ann"  # the labels are in the .ann of the pair
    return Problem(
        where,
        f"label {label!r} is not in your label scheme: added to it as {what} label with a colour of its own (change it in Preferences)",
        line=doc.line,
        kind=ProblemKind.WARNING,
    )


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
    "import_any",
    "split_paths",
    "preview",
]
