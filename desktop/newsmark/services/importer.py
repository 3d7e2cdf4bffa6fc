"""Importing articles into a library: files, folders, pasted text, the sample articles.

Reading and parsing is done by :mod:`newsmark.formats.articles`; storing by
:class:`newsmark.store.Library`. This module joins them, keeps count, and
collects every problem with its file (and line) so nothing fails silently.
Each document is added whole or not at all; one bad file never stops a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsmark.formats.articles import iter_article_files, read_articles, read_pasted
from newsmark.model import NewDocument, Problem, ProblemKind
from newsmark.paths import seeds_dir
from newsmark.store import AddResult

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

SEEDED_SETTING = "seeds_loaded"


@dataclass(slots=True)
class ImportProgress:
    files_done: int
    files_total: int
    current: str
    added: int
    skipped: int


@dataclass(slots=True)
class ImportSummary:
    """What an import did: what was added, what was already there, and what went wrong where."""

    added: list[AddResult] = field(default_factory=list)
    duplicates: list[AddResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    cancelled: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == ProblemKind.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == ProblemKind.WARNING]

    def merge(self, other: ImportSummary) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.problems += other.problems
        self.files += other.files
        self.cancelled = self.cancelled or other.cancelled

    def headline(self) -> str:
        parts = [f"{len(self.added)} added"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the library")
        if self.errors:
            parts.append(f"{len(self.errors)} not imported")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        text = ", ".join(parts) + f" (from {self.files} file{'s' if self.files != 1 else ''})"
        return text + (" — cancelled" if self.cancelled else "")

    def details(self) -> list[str]:
        """One line per thing the user should know about, file and line first."""
        lines = [str(p) for p in self.problems]
        lines += [
            str(Problem(d.origin or "(pasted)", f"same text as document {d.duplicate_of}; not added again", kind=ProblemKind.DUPLICATE))
            for d in self.duplicates
        ]
        return lines


def _record(summary: ImportSummary, result: AddResult) -> None:
    if result.added:
        summary.added.append(result)
    elif result.duplicate_of is not None:
        summary.duplicates.append(result)
    else:
        summary.problems.append(Problem(result.origin or "(input)", result.error or "not added"))


def import_paths(
    library: Library,
    paths: Iterable[Path | str],
    *,
    on_progress: Callable[[ImportProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    tag_meta: dict[str, object] | None = None,
) -> ImportSummary:
    """Import files and folders (recursively). Never raises for bad input: problems are in the summary."""
    summary = ImportSummary()
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            summary.problems.append(Problem(str(path), "no such file or folder"))
    files = list(iter_article_files([p for p in given if p.exists()]))
    summary.files = len(files)

    def documents() -> Iterator[NewDocument]:
        for index, file in enumerate(files):
            if should_cancel is not None and should_cancel():
                summary.cancelled = True
                return
            if on_progress is not None:
                on_progress(ImportProgress(index, len(files), str(file), len(summary.added), len(summary.duplicates) + len(summary.errors)))
            for item in read_articles(file):
                if isinstance(item, Problem):
                    summary.problems.append(item)
                else:
                    if tag_meta:
                        item.meta.update(tag_meta)
                    yield item
        if on_progress is not None:
            on_progress(ImportProgress(len(files), len(files), "", len(summary.added), len(summary.duplicates) + len(summary.errors)))

    library.add_documents(documents(), on_result=lambda r: _record(summary, r))
    return summary


def import_text(library: Library, text: str, title: str | None = None) -> ImportSummary:
    """Add pasted text as a new article."""
    summary = ImportSummary(files=0)
    try:
        doc = read_pasted(text, title)
    except ValueError as exc:
        summary.problems.append(Problem("(pasted text)", str(exc)))
        return summary
    _record(summary, library.add_document(doc))
    return summary


def load_seeds_if_new(library: Library, folder: Path | None = None) -> ImportSummary | None:
    """On the first start of an empty library, load the sample articles so the app is never empty.

    Runs once per library: if the user later deletes the samples they stay deleted.
    """
    if library.get_setting(SEEDED_SETTING) or library.document_count() > 0:
        return None
    summary = import_paths(library, [folder or seeds_dir()], tag_meta={"sample": True})
    library.set_setting(SEEDED_SETTING, True)
    return summary
