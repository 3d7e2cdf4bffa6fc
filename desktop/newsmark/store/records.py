"""The store's plain vocabulary, importable without SQLAlchemy.

The errors the store raises, the query and row types the library view uses, and
the schema version this Newsmark writes. The window's first screen is drawn from
these alone (see :mod:`newsmark.store.opening`), before SQLAlchemy, which costs
about half of Newsmark's start-up, has been imported.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsmark.model import ReviewStatus

# The newest migration. Opening a library that is already at HEAD (every start
# but the first after an update) does not need Alembic, which costs a sixth of
# a second to import; a test checks that HEAD is the head of migrations/versions.
HEAD = "0005"


class SchemaError(RuntimeError):
    """The library cannot be opened by this version of Newsmark (the message says why)."""


def default_actor() -> str:
    try:
        return os.environ.get("NEWSMARK_ANNOTATOR") or getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser can fail in odd environments
        return "user"


class StoreError(ValueError):
    """An operation was refused (the message says why, in words for the user)."""


class NotFound(StoreError):
    pass


@dataclass(slots=True)
class AddResult:
    """What happened to one document handed to :meth:`Library.add_documents`."""

    origin: str
    title: str
    doc_id: int | None = None  # the new document's id
    duplicate_of: int | None = None  # the existing document with the same text
    error: str | None = None
    annotated: bool = False  # it came with its marks (an annotation import)

    @property
    def added(self) -> bool:
        return self.doc_id is not None


@dataclass(slots=True)
class DocumentSummary:
    """One row of the library view: a document without its text, with mark counts."""

    id: int
    title: str
    source: str | None
    published: str | None
    imported_at: datetime | None
    status: ReviewStatus
    pending: int = 0
    accepted: int = 0
    rejected: int = 0
    chars: int = 0


def summaries(
    rows: Sequence[Sequence[Any]], counts: dict[int, tuple[int, int, int]], when: Callable[[Any], datetime | None]
) -> list[DocumentSummary]:
    """Library rows from ``(id, title, source, published, imported_at, status, length of text)`` rows.

    ``counts``: (pending, accepted, rejected) marks by document; ``when`` reads a stored time as UTC.
    """
    out = []
    for doc_id, title, source, published, imported_at, status, chars in rows:
        pending, accepted, rejected = counts.get(doc_id, (0, 0, 0))
        out.append(DocumentSummary(doc_id, title, source, published, when(imported_at), ReviewStatus(status), pending, accepted, rejected, chars or 0))
    return out


@dataclass(slots=True)
class DocumentQuery:
    """Filters for listing documents. Empty fields filter nothing."""

    search: str = ""  # full-text search (words, "phrases", prefix*)
    statuses: Sequence[ReviewStatus] = ()
    tag: str | None = None
    label: str | None = None  # documents with at least one non-rejected span of this label
    unannotated: bool = False  # only documents no model has annotated yet
    ids: Sequence[int] = ()  # only these documents
    order_by: str = "imported_at"  # imported_at | published | title | status | source | id | pending | accepted
    descending: bool = False
    limit: int | None = None
    offset: int = 0
