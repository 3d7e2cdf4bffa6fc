"""Pre-annotation: run the spaCy pipeline over documents and store its suggestions.

Texts stream from the library a chunk at a time into ``nlp.pipe`` (batched,
optionally in several processes). Suggestions are stored as they come out, a
spaCy batch at a time (:meth:`newsmark.store.Library.replace_suggestions_many`:
a few documents to a transaction, each document whole), so a run does not pay
one commit (one fsync) per article. Progress is reported for each document once
it is committed; a cancelled run keeps what it finished, and no document is ever
left half-annotated. Only still-pending suggestions are ever replaced (see
:meth:`newsmark.store.Library.replace_suggestions`).

(Writing on a thread of its own while spaCy works was tried and is slower:
``sqlite3`` takes the GIL back for every row it inserts, and each time waits for
spaCy's thread to let go of it.)
"""

from __future__ import annotations

import math
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
    commit_seconds: float = 0.25,
) -> AnnotateSummary:
    """Annotate ``doc_ids`` with ``nlp`` and store the suggestions, reporting progress; cancellable.

    Finished documents are stored when a spaCy batch is complete, or
    ``commit_seconds`` after the first of them came out (0: each one at once),
    and before a cancel takes effect.
    """
    from newsmark.nlp.loader import model_id
    from newsmark.nlp.suggest import annotate

    batch_size = batch_size or settings.get(library, "nlp.batch_size")
    n_process = n_process or settings.get(library, "nlp.n_process")
    summary = AnnotateSummary(model=model_id(nlp))
    total = len(doc_ids)
    started = time.monotonic()
    words_of: dict[int, int] = {}
    cancelled = should_cancel or (lambda: False)

    def texts() -> Any:
        for doc_id, text in library.iter_texts(doc_ids):
            if cancelled():
                return
            words_of[doc_id] = len(text.split())
            yield doc_id, text

    def stored(doc_id: int, added: int, replaced: int) -> None:
        summary.documents += 1
        summary.added += added
        summary.replaced += replaced
        summary.words += words_of.pop(doc_id, 0)
        summary.doc_ids.append(doc_id)
        if on_progress is not None:
            on_progress(AnnotateProgress(summary.documents, total, summary.words, doc_id, time.monotonic() - started))

    finished: list[tuple[int, Any]] = []  # annotated, not yet stored
    first_at = 0.0

    def store() -> None:
        library.replace_suggestions_many(finished, on_result=stored)
        finished.clear()

    # workers get a batch at a time, smaller when there are few articles, so that none idles at the end
    chunk_size = max(1, min(batch_size, math.ceil(total / (4 * n_process)))) if n_process > 1 else None
    for doc_id, suggestions in annotate(texts(), nlp, batch_size=batch_size, n_process=n_process, chunk_size=chunk_size):
        if not finished:
            first_at = time.monotonic()
        finished.append((doc_id, suggestions))
        if len(finished) >= batch_size or time.monotonic() - first_at >= commit_seconds:
            store()
        if cancelled():
            summary.cancelled = True
            break
    if finished:
        store()  # finished work is kept, also when cancelled
    if summary.documents < total and cancelled():
        summary.cancelled = True
    summary.seconds = time.monotonic() - started
    return summary
