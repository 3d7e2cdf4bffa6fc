"""The library: the operations the rest of Newsmark needs, each one short transaction.

Every method that changes something runs in its own ``BEGIN IMMEDIATE``
transaction, writes an entry to the edit log in that same transaction, and
commits before it returns: when a call returns, the change is on disk.
Objects handed out are plain :mod:`newsmark.model` dataclasses, never ORM rows.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, and_, bindparam, case, delete, func, insert, or_, select, text, type_coerce, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from newsmark.model import (
    ClaimType,
    Document,
    Event,
    NewDocument,
    Origin,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    Suggestions,
    relation_label,
)
from newsmark.store.engine import IMMEDIATE, engine_integrity_problems, make_engine, resolve_url, sqlite_path
from newsmark.store.migrate import current_revision, ensure_schema
from newsmark.store.schema import (
    DocumentRow,
    EventRow,
    RelationRow,
    SettingRow,
    SpanRow,
    TagRow,
    document_tags,
    span_tags,
    utcnow,
)
from newsmark.store.records import AddResult, DocumentQuery, DocumentSummary, NotFound, StoreError, default_actor, summaries
from newsmark.text import text_hash

__all__ = ["AddResult", "DocumentQuery", "DocumentSummary", "Library", "NotFound", "StoreError", "default_actor"]


_ORDER_COLUMNS = {
    "id": DocumentRow.id,
    "title": DocumentRow.title,
    "source": DocumentRow.source,
    "published": DocumentRow.published,
    "imported_at": DocumentRow.imported_at,
    "status": DocumentRow.status,
}

_EDITABLE_SPAN_FIELDS = frozenset({"start", "end", "label", "kind", "claim_type", "status", "note", "score", "edited_from"})
_SPAN_COLUMNS = (
    "id",
    "document_id",
    "start",
    "end",
    "label",
    "kind",
    "status",
    "origin",
    "origin_detail",
    "claim_type",
    "score",
    "note",
    "edited_from_id",
    "created_at",
    "updated_at",
)
_SPAN_FIELDS = ("start", "end", "label", "kind", "claim_type", "status", "origin", "origin_detail", "note", "score", "edited_from_id")

# Tables for Core statements: an edit is a handful of small statements, and going
# through the ORM's unit of work for them cost several times what SQLite itself takes.
_DOCS = DocumentRow.__table__
_SPANS = SpanRow.__table__
_EVENTS = EventRow.__table__
_RELATIONS = RelationRow.__table__
_TAGS = TagRow.__table__
# The columns of _SPAN_COLUMNS to select; times come as stored (see _utc_reader).
_SPAN_SELECT = tuple(
    type_coerce(_SPANS.c[name], String) if name in ("created_at", "updated_at") else _SPANS.c[name] for name in _SPAN_COLUMNS
)
# The statements of an edit, built once with bound parameters: building and hashing a
# statement anew costs several times what SQLite takes to run it.
_INSERT_SQL: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...], tuple[Any, ...]]] = {}  # see Library._insert_rows
_SPAN_BY_ID = select(*_SPAN_SELECT).where(_SPANS.c.id == bindparam("span_id_"))
_TAGS_OF_SPAN = (
    select(_TAGS.c.name).join(span_tags, span_tags.c.tag_id == _TAGS.c.id).where(span_tags.c.span_id == bindparam("span_id_")).order_by(_TAGS.c.name)
)
_RELATIONS_OF_SPAN = (
    select(_RELATIONS)
    .where(or_(_RELATIONS.c.head_id == bindparam("span_id_"), _RELATIONS.c.tail_id == bindparam("span_id_")))
    .order_by(_RELATIONS.c.id)
)
_DOCUMENT_EXISTS = select(_DOCS.c.id).where(_DOCS.c.id == bindparam("doc_id_"))
_DOCUMENT_BY_ID = select(_DOCS).where(_DOCS.c.id == bindparam("doc_id_"))
_TAGS_OF_DOCUMENT = (
    select(_TAGS.c.name).join(document_tags, document_tags.c.tag_id == _TAGS.c.id).where(document_tags.c.document_id == bindparam("doc_id_")).order_by(_TAGS.c.name)
)
_DOCUMENT_IMPORTED = select(type_coerce(_DOCS.c.imported_at, String)).where(_DOCS.c.id == bindparam("doc_id_"))
_DOCUMENT_BY_HASH = select(_DOCS.c.id).where(_DOCS.c.text_hash == bindparam("hash_"))
_TEXT_LENGTH = select(func.length(_DOCS.c.text)).where(_DOCS.c.id == bindparam("doc_id_"))
_UPDATE_SPAN = update(_SPANS).where(_SPANS.c.id == bindparam("span_id_"))  # SET: the columns of the parameters
_INSERT_EVENT = insert(_EVENTS)
_INSERT_DOCUMENT = insert(_DOCS)
_INSERT_SPAN = insert(_SPANS)
_DELETE_SPAN = delete(_SPANS).where(_SPANS.c.id == bindparam("span_id_"))
_UPDATE_DOCUMENT = update(_DOCS).where(_DOCS.c.id == bindparam("doc_id_"))
_TOUCH_DOCUMENT = _UPDATE_DOCUMENT.values(
    updated_at=bindparam("now_"),
    status=case((_DOCS.c.status == ReviewStatus.NEW.value, ReviewStatus.IN_PROGRESS.value), else_=_DOCS.c.status),
)


_SPANS_OF_DOCUMENT: dict[tuple[bool, tuple[str, ...]], Any] = {}  # Library.spans' statements, by filter
_COMPILED: dict[Any, tuple[str, tuple[str, ...], dict[str, Any]]] = {}  # plain_rows(cache=True)


def plain_rows(session: Session, stmt: Any, params: dict[str, Any] | None = None, *, cache: bool = False) -> list[tuple[Any, ...]]:
    """The rows of a Core statement as plain tuples, straight from the sqlite3 cursor.

    For statements whose columns need no conversion (integers, text, floats;
    times selected as text) and whose parameters are plain values: SQLAlchemy's
    row objects cost as much as SQLite's reading itself, which shows when an
    export reads a million marks or an article its 15,000. ``cache``: keep the
    compiled SQL of this (module-level, long-lived) statement.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in connection.execute(stmt, params or {})]
    compiled = _COMPILED.get(stmt) if cache else None
    if compiled is None:
        made = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
        compiled = (str(made), tuple(made.positiontup or ()), made.construct_params(params, _check=False))
        if cache:
            _COMPILED[stmt] = compiled
    sql, names, values = compiled
    if params:
        values = {**values, **params}
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return cursor.execute(sql, [values[name] for name in names]).fetchall()
    finally:
        cursor.close()


def _as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)  # SQLite hands back naive datetimes; they were stored as UTC
    return value


# Enum members by stored value: a dict lookup is several times faster than calling the Enum,
# which matters when an article's 15,000 marks are read.
_KINDS = {member.value: member for member in SpanKind}
_STATUSES = {member.value: member for member in SpanStatus}
_ORIGINS = {member.value: member for member in Origin}
_CLAIM_TYPES = {member.value: member for member in ClaimType}


def _utc_reader() -> Callable[[Any], datetime | None]:
    """A converter from stored times (SQLite: ISO strings; other databases: datetimes) to aware UTC datetimes.

    It remembers what it converted: the marks of one model run share one time, so
    reading an article's marks parses a handful of strings instead of thousands.
    """
    memo: dict[Any, datetime | None] = {None: None}

    def read(value: Any) -> datetime | None:
        try:
            return memo[value]
        except KeyError:
            converted = _as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
            memo[value] = converted
            return converted

    return read


def _span_state(row: SpanRow) -> dict[str, Any]:
    state = {name: getattr(row, name) for name in _SPAN_FIELDS}
    state["document_id"] = row.document_id
    state["tags"] = [t.name for t in row.tags]
    return state


_STATE_INDEX = tuple((name, _SPAN_COLUMNS.index(name)) for name in _SPAN_FIELDS)


def _state_from_tuple(r: Any, tags: list[str]) -> dict[str, Any]:
    """What the edit log records of a mark (as :func:`_span_state`), from a row of :data:`_SPAN_COLUMNS`."""
    state = {name: r[i] for name, i in _STATE_INDEX}
    state["document_id"] = r[1]
    state["tags"] = list(tags)
    return state


def _to_span(row: SpanRow, tags: list[str] | None = None) -> Span:
    values = tuple(getattr(row, name) for name in _SPAN_COLUMNS)
    return _span_from_tuple(values, tags if tags is not None else [t.name for t in row.tags])


def _span_from_tuple(r: Any, tags: list[str], when: Callable[[Any], datetime | None] | None = None) -> Span:
    """A Span from a row of :data:`_SPAN_COLUMNS` (the fast path of :meth:`Library.spans`).

    ``when`` converts the stored times (default: :func:`_as_utc`, for datetimes);
    :meth:`Library.spans` passes a :func:`_utc_reader` shared by all the rows it reads.
    """
    when = when or _as_utc
    # Positional arguments, in the order of SPAN_FIELD_ORDER: less than half the cost of keywords,
    # which shows when an article's 15,000 marks are read.
    return Span(
        r[2],  # start
        r[3],  # end
        r[4],  # label
        _KINDS[r[5]],
        _STATUSES[r[6]],
        _ORIGINS[r[7]],
        r[8],  # origin_detail
        (_CLAIM_TYPES.get(r[9]) or ClaimType(r[9])) if r[9] else None,
        r[10],  # score
        r[11],  # note
        r[0],  # id
        r[1],  # doc_id
        r[12],  # edited_from
        when(r[13]),  # created_at
        when(r[14]),  # updated_at
        tags,
    )


# The order of Span's fields that the positional construction above relies on (checked at import).
SPAN_FIELD_ORDER = (
    "start", "end", "label", "kind", "status", "origin", "origin_detail", "claim_type", "score", "note",
    "id", "doc_id", "edited_from", "created_at", "updated_at", "tags",
)  # fmt: skip
if tuple(f.name for f in fields(Span)) != SPAN_FIELD_ORDER:
    raise ImportError("newsmark.model.Span's fields changed order: update store.library._span_from_tuple")


def _to_document(row: Any, tags: list[str]) -> Document:
    """A Document from a row of every column of ``documents``, and its tags' names."""
    return Document(
        id=row.id,
        title=row.title,
        text=row.text,
        text_hash=row.text_hash,
        status=ReviewStatus(row.status),
        source=row.source,
        url=row.url,
        author=row.author,
        published=row.published,
        imported_at=_as_utc(row.imported_at),
        updated_at=_as_utc(row.updated_at),
        meta=dict(row.meta or {}),
        tags=tags,
        annotated_by=row.annotated_by,
        annotated_at=_as_utc(row.annotated_at),
    )


def _fts_query(search: str) -> str:
    """Turn what a user types into a safe FTS5 query: words ANDed, "phrases" kept, word* as prefix."""
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', search):
        if phrase:
            cleaned = phrase.replace('"', " ").strip()
            if cleaned:
                parts.append(f'"{cleaned}"')
            continue
        prefix = word.endswith("*")
        core = re.sub(r"[^\w]+", " ", word, flags=re.UNICODE).strip()
        for i, piece in enumerate(core.split()):
            last = i == len(core.split()) - 1
            parts.append(f'"{piece}"' + ("*" if prefix and last else ""))
    return " ".join(parts)


class Library:
    """A Newsmark library: one database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, engine: Engine, url: URL, *, actor: str | None = None, upgrade_backup: Path | None = None):
        self.engine = engine
        self.url = url
        self.actor = actor or default_actor()
        self.upgrade_backup = upgrade_backup  # set when opening upgraded an older schema
        # Length of each document's text, once measured (SQLite counts the characters of a
        # text by reading all of it: 1 ms for 100,000 words). A text never changes once stored
        # (update_document refuses it); the cached length is used only while the row still
        # has the import time it had when measured (read without touching the text), so a
        # deleted document, or an id handed out again after a rolled-back import, is seen.
        self._text_lengths: dict[int, tuple[Any, int]] = {}

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, db: str | os.PathLike[str] | URL | None = None, *, actor: str | None = None) -> Library:
        """Open (creating or upgrading as needed) the library named by a path, a URL or the default."""
        url = db if isinstance(db, URL) else resolve_url(db)
        engine = make_engine(url)
        try:
            backup = ensure_schema(engine, sqlite_path(url))
        except Exception:
            engine.dispose()
            raise
        library = cls(engine, url, actor=actor, upgrade_backup=backup)
        if actor is None:
            library.actor = library.get_setting("annotator") or library.actor  # the name chosen in settings
        return library

    @property
    def path(self) -> Path | None:
        """The database file, for a SQLite library on disk."""
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        return str(self.path) if self.path else self.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One short write transaction (BEGIN IMMEDIATE on SQLite), committed on exit."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.connection(execution_options={IMMEDIATE: True})
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def _log(
        self,
        session: Session,
        action: str,
        target_type: str,
        target_id: int | None,
        document_id: int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> None:
        session.execute(
            _INSERT_EVENT,
            {
                "at": utcnow(),
                "actor": actor or self.actor,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "document_id": document_id,
                "before": before,
                "after": after,
            },
        )

    # ------------------------------------------------------------------ documents

    def add_document(self, doc: NewDocument) -> AddResult:
        """Add one document (whole or not at all). Duplicates (same text) are reported, not added."""
        return self.add_documents([doc])[0]

    def add_documents(
        self,
        docs: Iterable[NewDocument],
        *,
        on_result: Callable[[AddResult], None] | None = None,
        batch_seconds: float = 0.25,
    ) -> list[AddResult]:
        """Add documents, each whole or not at all, reporting each one.

        Documents are written in batches (one commit, hence one fsync, per
        ``batch_seconds``) with a savepoint per document, so a bad document
        rolls back alone and the rest of the batch still lands.
        """
        results: list[AddResult] = []
        pending = iter(docs)
        exhausted = False
        while not exhausted:
            with self._write() as session:
                deadline = time.monotonic() + batch_seconds
                while True:  # at least one document per batch
                    doc = next(pending, None)
                    if doc is None:
                        exhausted = True
                        break
                    result = self._add_one(session, doc)
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
                    if time.monotonic() >= deadline:
                        break
        return results

    def _add_one(self, session: Session, doc: NewDocument) -> AddResult:
        title = (doc.title or "").strip()[:500]
        result = AddResult(origin=doc.origin, title=title)
        if not doc.text.strip():
            result.error = "the document has no text"
            return result
        digest = text_hash(doc.text)
        existing = session.scalar(_DOCUMENT_BY_HASH, {"hash_": digest})
        if existing is not None:
            result.duplicate_of = existing
            return result
        meta = dict(doc.meta)
        if doc.origin:
            meta.setdefault("imported_from", doc.origin)
        now = utcnow()
        try:
            with session.begin_nested():  # the document and its log entry, or neither
                doc_id = session.execute(
                    _INSERT_DOCUMENT,
                    {
                        "title": title,
                        "source": doc.source,
                        "url": doc.url,
                        "author": doc.author,
                        "published": doc.published,
                        "text": doc.text,
                        "text_hash": digest,
                        "status": ReviewStatus.NEW.value,
                        "meta": meta,
                        "imported_at": now,
                        "updated_at": now,
                    },
                ).inserted_primary_key[0]
                self._log(session, "document.import", "document", doc_id, doc_id, None, {"title": title, "origin": doc.origin})
        except IntegrityError as exc:
            result.error = f"the database refused it ({exc.orig})"
            return result
        result.doc_id = doc_id
        return result

    def get_document(self, doc_id: int) -> Document:
        with self._read() as session:  # Core statements: the ORM's get with its tags took several times longer
            row = session.execute(_DOCUMENT_BY_ID, {"doc_id_": doc_id}).first()
            if row is None:
                raise NotFound(f"there is no document {doc_id}")
            tags = list(session.scalars(_TAGS_OF_DOCUMENT, {"doc_id_": doc_id}))
            return _to_document(row, tags)

    def iter_texts(self, doc_ids: Sequence[int], chunk: int = 200) -> Iterator[tuple[int, str]]:
        """(id, text) of the given documents, read a chunk at a time (bounded memory)."""
        for i in range(0, len(doc_ids), chunk):
            ids = list(doc_ids[i : i + chunk])
            with self._read() as session:
                found = dict(session.execute(select(DocumentRow.id, DocumentRow.text).where(DocumentRow.id.in_(ids))).all())
            for doc_id in ids:
                if doc_id in found:
                    yield doc_id, found[doc_id]

    def schema_revision(self) -> str | None:
        return current_revision(self.engine)

    def document_count(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.count(DocumentRow.id))) or 0

    def document_ids(self, query: DocumentQuery | None = None) -> list[int]:
        with self._read() as session:
            return list(session.scalars(self._document_select(query or DocumentQuery(), select(DocumentRow.id))))

    def _document_select(self, query: DocumentQuery, stmt):  # type: ignore[no-untyped-def]
        if query.search.strip():
            if self.is_sqlite:
                match = _fts_query(query.search)
                if match:
                    stmt = stmt.where(DocumentRow.id.in_(text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q").bindparams(q=match)))
            else:
                like = f"%{query.search.strip()}%"
                stmt = stmt.where(or_(DocumentRow.title.ilike(like), DocumentRow.text.ilike(like)))
        if query.ids:
            stmt = stmt.where(DocumentRow.id.in_(list(query.ids)))
        if query.unannotated:
            stmt = stmt.where(DocumentRow.annotated_at.is_(None))
        if query.statuses:
            stmt = stmt.where(DocumentRow.status.in_([ReviewStatus.parse(s).value for s in query.statuses]))
        if query.tag:
            stmt = stmt.where(
                DocumentRow.id.in_(
                    select(document_tags.c.document_id).join(TagRow, TagRow.id == document_tags.c.tag_id).where(TagRow.name == query.tag)
                )
            )
        if query.label:
            stmt = stmt.where(
                DocumentRow.id.in_(select(SpanRow.document_id).where(SpanRow.label == query.label, SpanRow.status != SpanStatus.REJECTED.value))
            )
        if query.order_by in ("pending", "accepted"):
            wanted = SpanStatus.SUGGESTED if query.order_by == "pending" else SpanStatus.ACCEPTED
            column = (
                select(func.count(SpanRow.id))
                .where(
                    SpanRow.document_id == DocumentRow.id,
                    SpanRow.status == wanted.value,
                    SpanRow.kind.in_([SpanKind.ENTITY.value, SpanKind.CLAIM.value]),
                )
                .scalar_subquery()
            )
        else:
            column = _ORDER_COLUMNS.get(query.order_by, DocumentRow.imported_at)
        ordering = column.desc() if query.descending else column.asc()
        stmt = stmt.order_by(ordering, DocumentRow.id.desc() if query.descending else DocumentRow.id.asc())
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        if query.offset:
            stmt = stmt.offset(query.offset)
        return stmt

    def list_documents(self, query: DocumentQuery | None = None) -> list[DocumentSummary]:
        """Library rows (no text), with counts of pending/accepted/rejected marks."""
        query = query or DocumentQuery()
        stmt = self._document_select(
            query,
            select(
                DocumentRow.id,
                DocumentRow.title,
                DocumentRow.source,
                DocumentRow.published,
                DocumentRow.imported_at,
                DocumentRow.status,
                func.length(DocumentRow.text),
            ),
        )
        with self._read() as session:
            rows = session.execute(stmt).all()
            counts = self._span_counts(session, [r[0] for r in rows])
        return summaries(rows, counts, _as_utc)

    def document_summary(self, doc_id: int) -> DocumentSummary:
        """One library row, e.g. to refresh it after an edit."""
        rows = self.list_documents(DocumentQuery(ids=[doc_id]))
        if not rows:
            raise NotFound(f"there is no document {doc_id}")
        return rows[0]

    @staticmethod
    def _span_counts(session: Session, doc_ids: list[int]) -> dict[int, tuple[int, int, int]]:
        if not doc_ids:
            return {}
        counts: dict[int, tuple[int, int, int]] = {}
        chunk = 900  # stay below SQLite's bound-parameter limit on old builds
        for i in range(0, len(doc_ids), chunk):
            ids = doc_ids[i : i + chunk]
            stmt = (
                select(
                    SpanRow.document_id,
                    func.sum(case((SpanRow.status == SpanStatus.SUGGESTED.value, 1), else_=0)),
                    func.sum(case((SpanRow.status == SpanStatus.ACCEPTED.value, 1), else_=0)),
                    func.sum(case((SpanRow.status == SpanStatus.REJECTED.value, 1), else_=0)),
                )
                .where(SpanRow.document_id.in_(ids), SpanRow.kind.in_([SpanKind.ENTITY.value, SpanKind.CLAIM.value]))
                .group_by(SpanRow.document_id)
            )
            for doc_id, pending, accepted, rejected in session.execute(stmt):
                counts[doc_id] = (int(pending or 0), int(accepted or 0), int(rejected or 0))
        return counts

    def set_document_status(self, doc_id: int, status: ReviewStatus | str) -> ReviewStatus:
        """Set a document's review status; returns the status it had before."""
        new = ReviewStatus.parse(status)
        with self._write() as session:
            status = session.scalar(select(_DOCS.c.status).where(_DOCS.c.id == doc_id))  # not the whole row: the text may be long
            if status is None:
                raise NotFound(f"there is no document {doc_id}")
            old = ReviewStatus(status)
            if old != new:
                session.execute(_UPDATE_DOCUMENT, {"doc_id_": doc_id, "status": new.value, "updated_at": utcnow()})
                self._log(session, "document.status", "document", doc_id, doc_id, {"status": old.value}, {"status": new.value})
            return old

    def update_document(self, doc_id: int, **fields: Any) -> dict[str, Any]:
        """Change a document's title/source/url/author/published/meta. Returns the old values."""
        allowed = {"title", "source", "url", "author", "published", "meta"}
        unknown = set(fields) - allowed
        if unknown:
            raise StoreError(f"cannot change {', '.join(sorted(unknown))} of a document")
        with self._write() as session:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                raise NotFound(f"there is no document {doc_id}")
            before = {k: getattr(row, k) for k in fields}
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            self._log(session, "document.update", "document", doc_id, doc_id, before, dict(fields))
            return before

    def delete_document(self, doc_id: int) -> None:
        with self._write() as session:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                raise NotFound(f"there is no document {doc_id}")
            self._log(session, "document.delete", "document", doc_id, doc_id, {"title": row.title, "text_hash": row.text_hash}, None)
            session.delete(row)

    # ------------------------------------------------------------------ spans

    def spans(self, doc_id: int, *, include_rejected: bool = True, kinds: Sequence[SpanKind] = ()) -> list[Span]:
        """The document's spans, ordered by position.

        Read with a plain Core query (no ORM identity map), enum members looked up
        by value and the shared creation times parsed once: an article with
        15,000 marks is read in about a tenth of a second.
        """
        key = (include_rejected, tuple(sorted(SpanKind(k).value for k in kinds)))
        stmt = _SPANS_OF_DOCUMENT.get(key)
        if stmt is None:
            stmt = select(*_SPAN_SELECT).where(_SPANS.c.document_id == bindparam("doc_id_"))
            if not include_rejected:
                stmt = stmt.where(_SPANS.c.status != SpanStatus.REJECTED.value)
            if kinds:
                stmt = stmt.where(_SPANS.c.kind.in_(list(key[1])))
            stmt = _SPANS_OF_DOCUMENT[key] = stmt.order_by(_SPANS.c.start, _SPANS.c.end.desc(), _SPANS.c.id)
        with self._read() as session:
            rows = plain_rows(session, stmt, {"doc_id_": doc_id}, cache=True)
            tags = self._tags_of_document_spans(session, doc_id)
        when = _utc_reader()
        if not tags:
            return [_span_from_tuple(r, [], when) for r in rows]
        return [_span_from_tuple(r, tags.get(r[0], []), when) for r in rows]

    @staticmethod
    def _tags_of_document_spans(session: Session, doc_id: int) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        stmt = (
            select(span_tags.c.span_id, _TAGS.c.name)
            .join(_TAGS, _TAGS.c.id == span_tags.c.tag_id)
            .join(_SPANS, _SPANS.c.id == span_tags.c.span_id)
            .where(_SPANS.c.document_id == doc_id)
            .order_by(_TAGS.c.name)
        )
        for span_id, name in session.execute(stmt):
            out.setdefault(span_id, []).append(name)
        return out

    @staticmethod
    def _span_tuple(session: Session, span_id: int) -> Any:
        """One mark's row of :data:`_SPAN_COLUMNS`, or None."""
        return session.execute(_SPAN_BY_ID, {"span_id_": span_id}).first()

    @staticmethod
    def _span_tag_names(session: Session, span_id: int) -> list[str]:
        return list(session.scalars(_TAGS_OF_SPAN, {"span_id_": span_id}))

    def get_span(self, span_id: int) -> Span:
        with self._read() as session:
            r = self._span_tuple(session, span_id)
            if r is None:
                raise NotFound(f"there is no mark {span_id}")
            return _span_from_tuple(r, self._span_tag_names(session, span_id), _utc_reader())

    def _text_length(self, session: Session, doc_id: int) -> int:
        """The length of a document's text (raises NotFound if there is no such document)."""
        imported = session.scalar(_DOCUMENT_IMPORTED, {"doc_id_": doc_id})  # columns before the text: cheap
        if imported is None:
            self._text_lengths.pop(doc_id, None)
            raise NotFound(f"there is no document {doc_id}")
        cached = self._text_lengths.get(doc_id)
        if cached is not None and cached[0] == imported:
            return cached[1]
        length = session.scalar(_TEXT_LENGTH, {"doc_id_": doc_id}) or 0
        self._text_lengths[doc_id] = (imported, length)
        return length

    def _check_span(self, session: Session, doc_id: int, start: int, end: int) -> None:
        length = self._text_length(session, doc_id)
        if not (0 <= start < end <= length):
            raise StoreError(f"a mark must lie inside the text (0 ≤ start < end ≤ {length}), got [{start}, {end})")

    # The _..._in helpers work inside a caller's transaction, so that one user
    # action that touches several marks is still one transaction (and one undo step).
    # They use Core statements (no ORM objects): see _SPANS.

    def _add_span_in(self, session: Session, doc_id: int, span: Span, span_id: int | None = None) -> Span:
        """Insert one mark (``span_id``: under that id, e.g. to restore it); returns it as stored."""
        self._check_span(session, doc_id, span.start, span.end)
        now = utcnow()
        values: dict[str, Any] = {
            "document_id": doc_id,
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "kind": SpanKind(span.kind).value,
            "claim_type": ClaimType(span.claim_type).value if span.claim_type else None,
            "origin": Origin(span.origin).value,
            "origin_detail": span.origin_detail or (self.actor if span.origin == Origin.USER else ""),
            "status": SpanStatus(span.status).value,
            "edited_from_id": span.edited_from,
            "note": span.note,
            "score": span.score,
            "created_at": span.created_at if span.created_at is not None else now,
            "updated_at": now,
        }
        if span_id is not None:
            values["id"] = span_id
        try:
            result = session.execute(_INSERT_SPAN, values)
        except IntegrityError as exc:
            raise StoreError(f"mark {span_id} already exists") from exc
        new_id = span_id if span_id is not None else result.inserted_primary_key[0]
        tags: list[str] = []
        if span.tags:
            tag_rows = [self._tag_row(session, name) for name in span.tags]
            tags = [t.name for t in tag_rows]
            tag_ids = list(dict.fromkeys(t.id for t in tag_rows))
            session.execute(insert(span_tags), [{"span_id": new_id, "tag_id": tag_id} for tag_id in tag_ids])
        stored = tuple(new_id if name == "id" else values[name] for name in _SPAN_COLUMNS)
        self._log(session, "span.create", "span", new_id, doc_id, None, _state_from_tuple(stored, tags))
        return _span_from_tuple(stored, tags)

    def _update_span_in(self, session: Session, span_id: int, changes: dict[str, Any]) -> Span:
        """Change fields of one mark; returns it as it was before."""
        unknown = set(changes) - _EDITABLE_SPAN_FIELDS
        if unknown:
            raise StoreError(f"cannot change {', '.join(sorted(unknown))} of a mark")
        r = self._span_tuple(session, span_id)
        if r is None:
            raise NotFound(f"there is no mark {span_id}")
        tags = self._span_tag_names(session, span_id)
        before = _span_from_tuple(r, tags, _utc_reader())
        state_before = _state_from_tuple(r, tags)
        if "start" in changes or "end" in changes:  # a stored mark already lies inside its text
            self._check_span(session, r[1], changes.get("start", r[2]), changes.get("end", r[3]))
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "kind":
                value = SpanKind(value).value
            elif key == "status":
                value = SpanStatus(value).value
            elif key == "claim_type":
                value = ClaimType(value).value if value else None
            elif key == "edited_from":
                key = "edited_from_id"
            values[key] = value
        state_after = dict(state_before, **values)
        state_after["tags"] = list(tags)
        values["updated_at"] = utcnow()
        values["span_id_"] = span_id
        session.execute(_UPDATE_SPAN, values)
        self._log(session, "span.update", "span", span_id, r[1], state_before, state_after)
        return before

    def _delete_span_in(self, session: Session, span_id: int) -> tuple[Span, list[Relation]]:
        r = self._span_tuple(session, span_id)
        if r is None:
            raise NotFound(f"there is no mark {span_id}")
        tags = self._span_tag_names(session, span_id)
        span = _span_from_tuple(r, tags, _utc_reader())
        rels = [
            self._to_relation(row)
            for row in session.execute(_RELATIONS_OF_SPAN, {"span_id_": span_id})
        ]
        self._log(session, "span.delete", "span", span_id, r[1], _state_from_tuple(r, tags), None)
        # its tags and relations go with it (ON DELETE CASCADE); marks edited from it keep
        # their own place (edited_from: ON DELETE SET NULL)
        session.execute(_DELETE_SPAN, {"span_id_": span_id})
        return span, rels

    def add_span(self, doc_id: int, span: Span, *, span_id: int | None = None) -> Span:
        """Add a mark. ``span_id`` re-creates a deleted mark under its old id (undo)."""
        return self.add_spans(doc_id, [span], span_ids=[span_id])[0]

    def add_spans(
        self,
        doc_id: int,
        spans: Sequence[Span],
        *,
        span_ids: Sequence[int | None] | None = None,
        reject: Iterable[int] = (),
        accept: Iterable[int] = (),
    ) -> list[Span]:
        """Add several marks and accept/reject others, all in one transaction (one user action).

        E.g. "label every occurrence", or a new mark that replaces the pending
        suggestions it overlaps. Nothing is changed if any part is refused.
        """
        ids = list(span_ids) if span_ids is not None else [None] * len(spans)
        if len(ids) != len(spans):
            raise ValueError("span_ids must match spans")
        with self._write() as session:
            self._text_length(session, doc_id)  # NotFound before anything else
            created = [self._add_span_in(session, doc_id, span, span_id) for span, span_id in zip(spans, ids)]
            for span_id in reject:
                self._update_span_in(session, span_id, {"status": SpanStatus.REJECTED})
            for span_id in accept:
                self._update_span_in(session, span_id, {"status": SpanStatus.ACCEPTED})
            self._touch_document(session, doc_id)
            return created

    def update_span(self, span_id: int, **changes: Any) -> Span:
        """Change fields of a mark (start, end, label, kind, claim_type, status, note, score, edited_from).

        Returns the mark as it was *before* (for undo).
        """
        return self.update_spans([(span_id, changes)])[0]

    def update_spans(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> list[Span]:
        """Change several marks in one transaction; returns each as it was before, in order."""
        with self._write() as session:
            befores = [self._update_span_in(session, span_id, dict(change)) for span_id, change in changes]
            for doc_id in {b.doc_id for b in befores}:
                self._touch_document(session, doc_id)  # type: ignore[arg-type]
            return befores

    def set_span_status(self, span_id: int, status: SpanStatus | str) -> Span:
        return self.update_span(span_id, status=SpanStatus(status))

    def delete_span(self, span_id: int) -> tuple[Span, list[Relation]]:
        """Delete a mark and its relations; returns both (for undo with :meth:`restore_spans`)."""
        return self.delete_spans([span_id])[0]

    def delete_spans(
        self, span_ids: Sequence[int], *, update: Sequence[tuple[int, dict[str, Any]]] = ()
    ) -> list[tuple[Span, list[Relation]]]:
        """Delete several marks and their relations, and change others (``update``, as for
        :meth:`update_spans`), in one transaction; returns what was deleted.

        E.g. undoing a new mark that had rejected the suggestions it replaced.
        """
        with self._write() as session:
            deleted = [self._delete_span_in(session, span_id) for span_id in span_ids]
            changed = [self._update_span_in(session, span_id, dict(change)) for span_id, change in update]
            for doc_id in {span.doc_id for span, _ in deleted} | {span.doc_id for span in changed}:
                self._touch_document(session, doc_id)  # type: ignore[arg-type]
            return deleted

    def restore_spans(self, deleted: Sequence[tuple[Span, Sequence[Relation]]]) -> None:
        """Put deleted marks back exactly as they were — ids, times, tags, relations and their origin — in one transaction."""
        with self._write() as session:
            doc_ids = set()
            for span, _ in deleted:
                if span.id is None or span.doc_id is None:
                    raise StoreError("only a stored mark can be restored")
                self._add_span_in(session, span.doc_id, span, span.id)
                doc_ids.add(span.doc_id)
            seen: set[int] = set()
            for _, relations in deleted:
                for rel in relations:
                    if rel.id in seen:  # a relation between two restored marks is listed twice
                        continue
                    seen.add(rel.id)  # type: ignore[arg-type]
                    self._add_relation_in(session, rel.head, rel.tail, rel.label, relation_id=rel.id, origin=rel.origin, origin_detail=rel.origin_detail)
            for doc_id in doc_ids:
                self._touch_document(session, doc_id)

    def _touch_document(self, session: Session, doc_id: int) -> None:
        """The first edit of a new document moves it to 'in progress'."""
        session.execute(_TOUCH_DOCUMENT, {"doc_id_": doc_id, "now_": utcnow()})

    # ------------------------------------------------------------------ relations

    @staticmethod
    def _to_relation(row: RelationRow) -> Relation:
        return Relation(
            id=row.id,
            doc_id=row.document_id,
            head=row.head_id,
            tail=row.tail_id,
            label=relation_label(row.label),
            origin=Origin(row.origin),
            origin_detail=row.origin_detail,
        )

    def relations(self, doc_id: int) -> list[Relation]:
        with self._read() as session:
            rows = session.scalars(select(RelationRow).where(RelationRow.document_id == doc_id).order_by(RelationRow.id))
            return [self._to_relation(r) for r in rows]

    def _add_relation_in(
        self,
        session: Session,
        head_id: int,
        tail_id: int,
        label: RelationLabel | str,
        *,
        relation_id: int | None = None,
        origin: Origin = Origin.USER,
        origin_detail: str | None = None,
    ) -> RelationRow:
        head, tail = session.get(SpanRow, head_id), session.get(SpanRow, tail_id)
        if head is None or tail is None:
            raise NotFound(f"there is no mark {head_id if head is None else tail_id}")
        if head.document_id != tail.document_id:
            raise StoreError("a relation must join two marks of the same article")
        row = RelationRow(
            document_id=head.document_id,
            head_id=head_id,
            tail_id=tail_id,
            label=str(relation_label(label)),
            origin=Origin(origin).value,
            origin_detail=self.actor if origin_detail is None else origin_detail,
        )
        if relation_id is not None:
            row.id = relation_id
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError as exc:
            raise StoreError("these two marks are already linked that way") from exc
        self._log(session, "relation.create", "relation", row.id, head.document_id, None, {"head": head_id, "tail": tail_id, "label": row.label})
        return row

    def _delete_relation_in(self, session: Session, row: RelationRow) -> Relation:
        rel = self._to_relation(row)
        self._log(session, "relation.delete", "relation", row.id, row.document_id, {"head": row.head_id, "tail": row.tail_id, "label": row.label}, None)
        session.delete(row)
        return rel

    def add_relation(self, head_id: int, tail_id: int, label: RelationLabel | str = RelationLabel.SPEAKER, *, relation_id: int | None = None) -> Relation:
        with self._write() as session:
            row = self._add_relation_in(session, head_id, tail_id, label, relation_id=relation_id)
            self._touch_document(session, row.document_id)
            return self._to_relation(row)

    def delete_relation(self, relation_id: int) -> Relation:
        with self._write() as session:
            row = session.get(RelationRow, relation_id)
            if row is None:
                raise NotFound(f"there is no relation {relation_id}")
            return self._delete_relation_in(session, row)

    def restore_relations(self, relations: Sequence[Relation], *, delete: Sequence[int] = ()) -> None:
        """Delete relations ``delete`` and put ``relations`` back exactly (ids, labels, origin), in one transaction.

        E.g. undoing a change of a claim's speaker.
        """
        with self._write() as session:
            for relation_id in delete:
                row = session.get(RelationRow, relation_id)
                if row is None:
                    raise NotFound(f"there is no relation {relation_id}")
                self._delete_relation_in(session, row)
            session.flush()
            for rel in relations:
                row = self._add_relation_in(
                    session, rel.head, rel.tail, rel.label, relation_id=rel.id, origin=rel.origin, origin_detail=rel.origin_detail
                )
                self._touch_document(session, row.document_id)

    def set_speaker(self, claim_id: int, speaker_id: int | None) -> tuple[list[Relation], Relation | None]:
        """Make ``speaker_id`` the claim's only speaker (None: no speaker), in one transaction.

        Returns the speaker relations removed and the one added (for undo).
        """
        with self._write() as session:
            claim = session.get(SpanRow, claim_id)
            if claim is None:
                raise NotFound(f"there is no mark {claim_id}")
            old_rows = list(
                session.scalars(
                    select(RelationRow).where(RelationRow.head_id == claim_id, RelationRow.label == RelationLabel.SPEAKER.value).order_by(RelationRow.id)
                )
            )
            removed = [self._delete_relation_in(session, r) for r in old_rows]
            session.flush()
            added = None
            if speaker_id is not None:
                added = self._to_relation(self._add_relation_in(session, claim_id, speaker_id, RelationLabel.SPEAKER))
            self._touch_document(session, claim.document_id)
            return removed, added

    # ------------------------------------------------------------------ model suggestions

    def replace_suggestions(self, doc_id: int, suggestions: Suggestions) -> tuple[int, int]:
        """Store a model's suggestions for a document in one transaction.

        Only still-pending model suggestions are replaced. A mark the user
        accepted, rejected, edited or created is never touched; a suggestion
        that the user rejected before (same place, label and kind) is not
        proposed again; a suggestion overlapping a user's mark of the same kind
        is not added on top of it. Returns (added, removed).
        """
        with self._write() as session:
            return self._replace_suggestions_in(session, doc_id, suggestions)

    def replace_suggestions_many(
        self,
        items: Iterable[tuple[int, Suggestions]],
        *,
        on_result: Callable[[int, int, int], None] | None = None,
        batch_seconds: float = 0.1,
    ) -> list[tuple[int, int]]:
        """Store several documents' suggestions, each exactly as :meth:`replace_suggestions` does.

        Documents are written a few to a transaction (one commit, so one fsync,
        per ``batch_seconds`` of work), each in a savepoint of its own: a
        document is stored whole or not at all. ``on_result(doc_id, added,
        removed)`` is called for each document once its transaction has
        committed. If one document fails (e.g. it was deleted meanwhile), those
        before it are committed and reported, then the error is raised.
        """
        pending = iter(items)
        results: list[tuple[int, int]] = []
        failure: BaseException | None = None
        item = next(pending, None)
        while item is not None and failure is None:
            done: list[tuple[int, int, int]] = []
            with self._write() as session:
                deadline = time.monotonic() + batch_seconds
                while item is not None:
                    doc_id, suggestions = item
                    try:
                        with session.begin_nested():
                            added, removed = self._replace_suggestions_in(session, doc_id, suggestions)
                    except Exception as exc:  # noqa: BLE001 - re-raised once the documents before it are committed
                        failure = exc
                        break
                    done.append((doc_id, added, removed))
                    item = next(pending, None)
                    if time.monotonic() >= deadline:
                        break
            for doc_id, added, removed in done:
                results.append((added, removed))
                if on_result is not None:
                    on_result(doc_id, added, removed)
        if failure is not None:
            raise failure
        return results

    def _replace_suggestions_in(self, session: Session, doc_id: int, suggestions: Suggestions) -> tuple[int, int]:
        if session.scalar(_DOCUMENT_EXISTS, {"doc_id_": doc_id}) is None:
            raise NotFound(f"there is no document {doc_id}")
        # one statement (an id list could pass SQLite's limit on bound parameters)
        removed = session.execute(
            delete(_SPANS).where(
                _SPANS.c.document_id == doc_id,
                _SPANS.c.status == SpanStatus.SUGGESTED.value,
                _SPANS.c.origin == Origin.MODEL.value,
            )
        ).rowcount
        kept = session.execute(
            select(_SPANS.c.start, _SPANS.c.end, _SPANS.c.label, _SPANS.c.kind, _SPANS.c.status).where(_SPANS.c.document_id == doc_id)
        ).all()
        rejected = {(r.start, r.end, r.label, r.kind) for r in kept if r.status == SpanStatus.REJECTED.value}
        # Anything the user decided on or made blocks suggestions overlapping it.
        decided = [r for r in kept if r.status != SpanStatus.REJECTED.value]
        now = utcnow()
        rows: list[dict[str, Any]] = []
        positions: list[int | None] = []  # suggestion index -> index in rows (None: not added)
        for span in suggestions.spans:
            kind = SpanKind(span.kind).value
            if kept and (
                (span.start, span.end, span.label, kind) in rejected
                or any(r.kind == kind and r.start < span.end and span.start < r.end for r in decided)
            ):
                positions.append(None)
                continue
            positions.append(len(rows))
            rows.append(
                {
                    "document_id": doc_id,
                    "start": span.start,
                    "end": span.end,
                    "label": span.label,
                    "kind": kind,
                    "claim_type": ClaimType(span.claim_type).value if span.claim_type else None,
                    "origin": Origin.MODEL.value,
                    "origin_detail": span.origin_detail or suggestions.model,
                    "status": SpanStatus.SUGGESTED.value,
                    "edited_from_id": None,
                    "score": span.score,
                    "note": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        new_ids = self._insert_spans(session, rows)
        ids = [new_ids[p] if p is not None else None for p in positions]
        relation_rows = [
            {
                "document_id": doc_id,
                "head_id": ids[rel.head],
                "tail_id": ids[rel.tail],
                "label": str(relation_label(rel.label)),
                "origin": Origin.MODEL.value,
                "origin_detail": rel.origin_detail or suggestions.model,
                "created_at": now,
            }
            for rel in suggestions.relations
            if ids[rel.head] is not None and ids[rel.tail] is not None
        ]
        if relation_rows:
            self._insert_rows(session, _RELATIONS, relation_rows)
        added = len(rows)
        session.execute(_UPDATE_DOCUMENT, {"doc_id_": doc_id, "annotated_by": suggestions.model, "annotated_at": utcnow()})
        self._log(
            session,
            "document.annotate",
            "document",
            doc_id,
            doc_id,
            {"pending_removed": removed},
            {"model": suggestions.model, "added": added},
            actor=suggestions.model or self.actor,
        )
        return added, removed

    def _insert_spans(self, session: Session, rows: list[dict[str, Any]]) -> list[int]:
        """Insert many span rows at once (no ORM objects); returns their ids in the order of ``rows``.

        On SQLite one ``executemany`` is far faster than INSERT ... RETURNING row by row:
        the table is AUTOINCREMENT and this transaction holds the write lock
        (BEGIN IMMEDIATE), so the new ids are exactly those above the largest one
        before, in insertion order. Other databases use RETURNING with its order kept.
        """
        if not rows:
            return []
        table = SpanRow.__table__
        if not self.is_sqlite:
            result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            return [r[0] for r in result]
        before = session.scalar(select(func.max(table.c.id))) or 0
        self._insert_rows(session, table, rows)
        ids = list(session.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))
        if len(ids) != len(rows):  # pragma: no cover - would mean another writer inside our transaction
            raise StoreError("the new marks could not be numbered; nothing was stored")
        return ids

    def _insert_rows(self, session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
        """``INSERT`` many rows (all with the same keys) in one ``executemany``.

        On SQLite the statement is compiled once and each column's value converted
        by its type's own bind processor (a time shared by the rows only once), then
        handed to the driver directly: SQLAlchemy's per-row parameter processing
        cost as much as SQLite's own work for a model run's 200 marks an article.
        """
        if not rows:
            return
        if not self.is_sqlite:
            session.execute(insert(table), rows)
            return
        dialect = self.engine.dialect
        cached = _INSERT_SQL.get((table.name, tuple(rows[0])))
        if cached is None:
            compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
            order = tuple(compiled.positiontup or ())
            if set(order) != set(rows[0]):  # columns with Python-side defaults left out: let SQLAlchemy fill them
                session.execute(insert(table), rows)
                return
            processors = tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order)
            cached = _INSERT_SQL[(table.name, tuple(rows[0]))] = (str(compiled), order, processors)
        sql, keys, processors = cached
        getter = itemgetter(*keys)
        params = [getter(row) for row in rows] if len(keys) > 1 else [(row[keys[0]],) for row in rows]
        converting = [(i, processor) for i, processor in enumerate(processors) if processor is not None]
        if converting:
            columns = list(zip(*params))
            for i, processor in converting:
                memo: dict[Any, Any] = {}
                converted = []
                for value in columns[i]:
                    if value is None:
                        converted.append(None)
                        continue
                    try:
                        out = memo.get(value)
                        if out is None:
                            out = memo[value] = processor(value)
                    except TypeError:  # unhashable (e.g. a JSON value)
                        out = processor(value)
                    converted.append(out)
                columns[i] = tuple(converted)
            params = list(zip(*columns))
        session.connection().exec_driver_sql(sql, params)

    # ------------------------------------------------------------------ tags

    @staticmethod
    def _tag_row(session: Session, name: str) -> TagRow:
        name = name.strip()
        if not name:
            raise StoreError("a tag cannot be empty")
        row = session.scalar(select(TagRow).where(TagRow.name == name))
        if row is None:
            row = TagRow(name=name)
            session.add(row)
            session.flush()
        return row

    def all_tags(self) -> list[str]:
        with self._read() as session:
            return list(session.scalars(select(TagRow.name).order_by(func.lower(TagRow.name))))

    def set_span_tags(self, span_id: int, tags: Iterable[str]) -> list[str]:
        """Replace a mark's tags; returns the old ones."""
        with self._write() as session:
            row = session.get(SpanRow, span_id, options=[selectinload(SpanRow.tags)])
            if row is None:
                raise NotFound(f"there is no mark {span_id}")
            old = [t.name for t in row.tags]
            new = sorted({t.strip() for t in tags if t.strip()})
            row.tags = [self._tag_row(session, name) for name in new]
            row.updated_at = utcnow()
            self._log(session, "span.tags", "span", span_id, row.document_id, {"tags": old}, {"tags": new})
            return old

    def set_document_tags(self, doc_id: int, tags: Iterable[str]) -> list[str]:
        """Replace a document's tags; returns the old ones."""
        with self._write() as session:
            row = session.get(DocumentRow, doc_id, options=[selectinload(DocumentRow.tags)])
            if row is None:
                raise NotFound(f"there is no document {doc_id}")
            old = [t.name for t in row.tags]
            new = sorted({t.strip() for t in tags if t.strip()})
            row.tags = [self._tag_row(session, name) for name in new]
            self._log(session, "document.tags", "document", doc_id, doc_id, {"tags": old}, {"tags": new})
            return old

    # ------------------------------------------------------------------ history, settings

    def events(self, *, doc_id: int | None = None, target: tuple[str, int] | None = None, limit: int = 200) -> list[Event]:
        """The edit log, newest first."""
        stmt = select(EventRow).order_by(EventRow.id.desc()).limit(limit)
        if doc_id is not None:
            stmt = stmt.where(EventRow.document_id == doc_id)
        if target is not None:
            stmt = stmt.where(and_(EventRow.target_type == target[0], EventRow.target_id == target[1]))
        with self._read() as session:
            return [
                Event(
                    id=r.id,
                    at=_as_utc(r.at) or utcnow(),
                    actor=r.actor,
                    action=r.action,
                    target_type=r.target_type,
                    target_id=r.target_id,
                    doc_id=r.document_id,
                    before=r.before,
                    after=r.after,
                )
                for r in session.scalars(stmt)
            ]

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._read() as session:
            row = session.get(SettingRow, key)
            return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        with self._write() as session:
            row = session.get(SettingRow, key)
            if row is None:
                session.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check (and SQLCipher's for an encrypted library): an empty list means the file is sound."""
        return engine_integrity_problems(self.engine)

