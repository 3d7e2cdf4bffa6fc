"""Pre-annotation: run the spaCy pipeline over documents and store its suggestions.

Texts stream from the library a chunk at a time into ``nlp.pipe`` (batched,
optionally in several processes); each document's suggestions are stored in
its own transaction as they come out, so a cancelled run keeps what it finished
and never leaves a document half-annotated. Only still-pending suggestions are
ever replaced (see :meth:`newsmark.store.Library.replace_suggestions`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsmark.services import settings
from newsmark.store import DocumentQuery, Library

Language = Any  # a spaCy pipeline; only newsmark.nlp imports spaCy (lazily)


@dataclass(slots=True)
class AnnotateProgress:
    done: int
    total: int
    words: int
    doc_id: int | None
    elapsed: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(slots=True)
class AnnotateSummary:
    model: str = ""
    documents: int = 0
    added: int = 0
    replaced: int = 0
    words: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    doc_ids: list[int] = field(default_factory=list)

    def headline(self) -> str:
        rate = f", {self.words / self.seconds:,.0f} words/s" if self.seconds > 0 and self.words else ""
        text = (
            f"{self.documents} article{'s' if self.documents != 1 else ''} annotated with {self.model or 'no model'}: "
            f"{self.added} suggestions added, {self.replaced} pending ones replaced{rate}"
        )
        return text + (" — cancelled" if self.cancelled else "")


def configured_model(library: Library) -> str | None:
    return settings.get(library, "nlp.model") or None


def load_model(library: Library, name: str | None = None) -> Language:
    """Load the pipeline named, or the one chosen in the library's settings, or the best installed.

    Raises :class:`newsmark.nlp.loader.ModelNotAvailable` with install instructions.
    """
    from newsmark.nlp.loader import load_pipeline

    return load_pipeline(name or configured_model(library))


def documents_to_annotate(library: Library, *, pending_only: bool = True, doc_ids: Sequence[int] | None = None) -> list[int]:
    if doc_ids is not None:
        return list(doc_ids)
    return library.document_ids(DocumentQuery(unannotated=pending_only, order_by="id"))


def annotate_documents(
    library: Library,
    nlp: Language,
    doc_ids: Sequence[int],
    *,
    batch_size: int | None = None,
    n_process: int | None = None,
    on_progress: Callable[[AnnotateProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> AnnotateSummary:
    """Annotate ``doc_ids`` with ``nlp`` and store the suggestions, reporting progress; cancellable."""
    from newsmark.nlp.loader import model_id
    from newsmark.nlp.suggest import annotate

    batch_size = batch_size or settings.get(library, "nlp.batch_size")
    n_process = n_process or settings.get(library, "nlp.n_process")
    summary = AnnotateSummary(model=model_id(nlp))
    total = len(doc_ids)
    started = time.monotonic()
    words_of: dict[int, int] = {}

    def texts() -> Any:
        for doc_id, text in library.iter_texts(doc_ids):
            if should_cancel is not None and should_cancel():
                return
            words_of[doc_id] = len(text.split())
            yield doc_id, text

    for doc_id, suggestions in annotate(texts(), nlp, batch_size=batch_size, n_process=n_process):
        added, replaced = library.replace_suggestions(doc_id, suggestions)
        summary.documents += 1
        summary.added += added
        summary.replaced += replaced
        summary.words += words_of.pop(doc_id, 0)
        summary.doc_ids.append(doc_id)
        if on_progress is not None:
            on_progress(AnnotateProgress(summary.documents, total, summary.words, doc_id, time.monotonic() - started))
        if should_cancel is not None and should_cancel():
            summary.cancelled = True
            break
    if summary.documents < total and should_cancel is not None and should_cancel():
        summary.cancelled = True
    summary.seconds = time.monotonic() - started
    return summary
