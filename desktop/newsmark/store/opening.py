"""Opening a library while the window already shows it.

Importing SQLAlchemy and opening the library through it is about half of
Newsmark's start-up (≈ 0.45 s of ≈ 1.1 s on the 2-core development machine),
yet the window needs neither to show the library: its first screen is a few
settings, the tags and the first page of the article list.
:func:`read_first_screen` reads those with the standard library's ``sqlite3``
in one read transaction (a few milliseconds), and :class:`OpeningLibrary`
stands in for the :class:`~newsmark.store.library.Library` while a thread
imports SQLAlchemy and opens it: it answers those reads from what was read, and
any other call waits until the library is open (a fraction of a second at most).

Only a library that can be used as it is takes this path: a plain, writable SQLite
file at this Newsmark's schema, with its sample articles already loaded, that needs
no check at start (:mod:`newsmark.store.health`). Anything else (a new,
encrypted, damaged, older or newer library, or a URL) is opened the usual way,
with its questions and dialogs; :func:`read_first_screen` returns None for it.

The SQL here mirrors :meth:`Library.list_documents` for the unfiltered list in
its default order; a test compares the two on the same library.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsmark.model import SpanKind, SpanStatus
from newsmark.store import health
from newsmark.store.files import is_encrypted_file, library_path
from newsmark.store.records import HEAD, DocumentQuery, DocumentSummary, default_actor, summaries

if TYPE_CHECKING:
    from newsmark.store.library import Library

FIRST_PAGE = 200  # the library view's page (ui.models.LibraryModel)
SEEDED_SETTING = "seeds_loaded"  # services.importer: the sample articles were loaded once

_DOCUMENTS = (
    "SELECT id, title, source, published, imported_at, status, length(text) FROM documents "
    "ORDER BY imported_at ASC, id ASC LIMIT ?"
)
_COUNTS = (
    "SELECT document_id, "
    "sum(CASE WHEN status = ? THEN 1 ELSE 0 END), sum(CASE WHEN status = ? THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status = ? THEN 1 ELSE 0 END) "
    "FROM spans WHERE document_id IN ({ids}) AND kind IN (?, ?) GROUP BY document_id"
)
_COUNT_ARGS = (SpanStatus.SUGGESTED.value, SpanStatus.ACCEPTED.value, SpanStatus.REJECTED.value, SpanKind.ENTITY.value, SpanKind.CLAIM.value)


@dataclass(slots=True)
class FirstScreen:
    """What the window shows before the library is open: settings, tags, the first page of articles."""

    path: Path
    settings: dict[str, Any]
    tags: list[str]
    documents: list[DocumentSummary]
    complete: bool  # ``documents`` holds every article of the library
    page: int = FIRST_PAGE

    def answers(self, query: DocumentQuery | None) -> bool:
        """Whether ``query`` asks for (a first part of) the unfiltered list in its default order."""
        query = query or DocumentQuery()
        if replace(query, limit=None) != DocumentQuery():
            return False
        if query.limit is None:
            return self.complete
        return query.limit <= self.page or self.complete

    def list_documents(self, query: DocumentQuery | None) -> list[DocumentSummary]:
        limit = (query or DocumentQuery()).limit
        rows = self.documents if limit is None else self.documents[:limit]
        return [replace(row) for row in rows]  # copies: the caller may change them


def _json(value: Any) -> Any:
    # The column is declared JSON, which SQLite gives numeric affinity: a number comes back as one.
    return json.loads(value) if isinstance(value, str | bytes) else value


def _utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(value)
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when  # stored as UTC, as Library reads it


def read_first_screen(db: str | os.PathLike[str] | None = None, *, page: int = FIRST_PAGE) -> FirstScreen | None:
    """The first screen of the library ``db`` names, or None when it must be opened the usual way (see the module)."""
    path = library_path(db)
    if path is None or not path.is_file() or path.stat().st_size == 0 or is_encrypted_file(path):
        return None
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK)):
        return None  # read-only: the usual way says so before the window opens
    if health.why_check(path) is not None:
        return None
    try:
        con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True, timeout=1.0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        con.execute("BEGIN")  # one snapshot for everything below
        revision = con.execute("SELECT version_num FROM alembic_version").fetchall()
        if revision != [(HEAD,)]:
            return None
        settings = {key: _json(value) for key, value in con.execute("SELECT key, value FROM settings")}
        if not settings.get(SEEDED_SETTING):
            return None  # the first start loads the samples: the usual way
        tags = [name for (name,) in con.execute("SELECT name FROM tags ORDER BY lower(name)")]
        rows = con.execute(_DOCUMENTS, (page + 1,)).fetchall()
        complete = len(rows) <= page
        rows = rows[:page]
        counts: dict[int, tuple[int, int, int]] = {}
        if rows:
            ids = [r[0] for r in rows]
            sql = _COUNTS.format(ids=",".join("?" * len(ids)))
            for doc_id, pending, accepted, rejected in con.execute(sql, (*_COUNT_ARGS[:3], *ids, *_COUNT_ARGS[3:])):
                counts[doc_id] = (int(pending or 0), int(accepted or 0), int(rejected or 0))
        documents = summaries(rows, counts, _utc)
        return FirstScreen(path=path, settings=settings, tags=tags, documents=documents, complete=complete, page=page)
    except (sqlite3.Error, ValueError, TypeError):
        return None  # anything unexpected: the usual way will say what is wrong
    finally:
        con.close()


@dataclass(eq=False)
class OpeningLibrary:
    """Stands in for a :class:`Library` that a thread is opening; answers the first screen's reads meanwhile.

    :meth:`start` starts the thread. While it runs, ``get_setting``, ``all_tags``,
    ``list_documents`` (of the first page), ``describe``, ``path``, ``actor`` and
    ``upgrade_backup`` are answered from the :class:`FirstScreen`; everything else
    waits for the library and is passed to it, and so is everything once it is open.
    If opening failed, every call that needs the library raises that error.
    """

    first: FirstScreen
    _library: Library | None = None
    _error: BaseException | None = None
    _done: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _callbacks: list[Callable[[BaseException | None], None]] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._open, name="newsmark-open-library", daemon=True)
            self._thread.start()

    def _open(self) -> None:
        try:
            from newsmark.store.library import Library

            self._library = Library.open(self.first.path)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits, never lost in the thread
            self._error = exc
        with self._lock:
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self._error)

    @property
    def is_open(self) -> bool:
        """The library is open (or failed to open: see :meth:`wait`)."""
        return self._done.is_set()

    def when_open(self, callback: Callable[[BaseException | None], None]) -> None:
        """Call ``callback(error)`` once opening has ended (in the opening thread, or now if it has)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self._error)

    def wait(self) -> Library:
        """The open library (starting the thread if need be); raises what opening raised."""
        self.start()
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._library is not None
        return self._library

    # ------------------------------------------------------------------ the first screen

    @property
    def path(self) -> Path:
        return self.first.path

    @property
    def is_sqlite(self) -> bool:
        return True

    def describe(self) -> str:
        return str(self.first.path)

    @property
    def upgrade_backup(self) -> Path | None:
        return None if not self.is_open else self.wait().upgrade_backup  # at HEAD already: nothing was upgraded

    @property
    def actor(self) -> str:
        if self.is_open:
            return self.wait().actor
        return self.first.settings.get("annotator") or default_actor()  # as Library.open sets it

    @actor.setter
    def actor(self, value: str) -> None:
        self.wait().actor = value

    def get_setting(self, key: str, default: Any = None) -> Any:
        if self.is_open:
            return self.wait().get_setting(key, default)
        value = self.first.settings.get(key)
        return default if value is None and key not in self.first.settings else value

    def all_tags(self) -> list[str]:
        return self.wait().all_tags() if self.is_open else list(self.first.tags)

    def list_documents(self, query: DocumentQuery | None = None) -> list[DocumentSummary]:
        if not self.is_open and self.first.answers(query):
            return self.first.list_documents(query)
        return self.wait().list_documents(query)

    def close(self) -> None:
        if self._thread is None:
            return
        self._done.wait()
        if self._library is not None:
            self._library.close()

    def __getattr__(self, name: str) -> Any:  # only called for what is not defined above
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.wait(), name)


def open_in_background(db: str | os.PathLike[str] | None = None) -> OpeningLibrary | None:
    """An :class:`OpeningLibrary` for ``db`` (its thread not started yet), or None to open it the usual way."""
    first = read_first_screen(db)
    return None if first is None else OpeningLibrary(first)
