"""Documents with their marks, in and out of the library: the store side of export and import.

Export streams :class:`~newsmark.model.AnnotatedDocument` objects a chunk of
documents at a time with plain Core queries (bounded memory whatever the size
of the library). Import adds each annotated document whole or not at all: the
document, its marks, their tags, relations and the document's status and tags
go in under one savepoint, with one entry in the edit log; a bad document rolls
back alone and the rest of the batch lands. Batches are committed a few times a
second (one fsync per batch).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from newsmark.model import (
    AnnotatedDocument,
    ClaimType,
    NewDocument,
    Origin,
    Relation,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    relation_label,
)
from newsmark.store.library import AddResult, DocumentQuery, StoreError, _as_utc, plain_rows
from newsmark.store.schema import DocumentRow, RelationRow, SpanRow, TagRow, document_tags, span_tags, utcnow

if TYPE_CHECKING:
    from newsmark.store.library import Library


@dataclass(slots=True)
class ExportQuery:
    """What to export. Empty fields filter nothing.

    Documents: ``statuses`` (default: done only), any of ``tags`` (on the
    article or on one of its marks), ``published_from``/``published_to``
    (inclusive ISO dates, compared on the article's date; articles without a
    date are left out when a range is given), ``ids``, ``search``.
    Marks: ``span_statuses`` (default: accepted only; add rejected for negative
    examples, suggested for unreviewed work), ``labels``, ``kinds``. A relation
    is exported when both its ends are.
    """

    statuses: Sequence[ReviewStatus] = (ReviewStatus.DONE,)
    tags: Sequence[str] = ()
    published_from: str | None = None
    published_to: str | None = None
    ids: Sequence[int] = ()
    search: str = ""
    span_statuses: Sequence[SpanStatus] = (SpanStatus.ACCEPTED,)
    labels: Sequence[str] = ()
    kinds: Sequence[SpanKind] = ()


_SPAN_COLS = (
    SpanRow.id,
    SpanRow.document_id,
    SpanRow.start,
    SpanRow.end,
    SpanRow.label,
    SpanRow.kind,
    SpanRow.status,
    SpanRow.origin,
    SpanRow.origin_detail,
    SpanRow.claim_type,
    SpanRow.score,
    SpanRow.note,
    SpanRow.edited_from_id,
)

_DOC_COLS = (
    DocumentRow.id,
    DocumentRow.title,
    DocumentRow.text,
    DocumentRow.status,
    DocumentRow.source,
    DocumentRow.url,
    DocumentRow.author,
    DocumentRow.published,
    DocumentRow.meta,
    DocumentRow.annotated_by,
)

_KINDS = {k.value: k for k in SpanKind}
_STATUSES = {s.value: s for s in SpanStatus}
_ORIGINS = {o.value: o for o in Origin}
_CLAIM_TYPES = {c.value: c for c in ClaimType}


def export_document_ids(library: Library, query: ExportQuery) -> list[int]:
    """The ids of the documents an export with ``query`` writes, in export order (by id)."""
    stmt = library._document_select(
        DocumentQuery(search=query.search, statuses=tuple(query.statuses), ids=tuple(query.ids), order_by="id"),
        select(DocumentRow.id),
    )
    if query.tags:
        names = [t.strip() for t in query.tags if t.strip()]
        tagged_docs = select(document_tags.c.document_id).join(TagRow, TagRow.id == document_tags.c.tag_id).where(TagRow.name.in_(names))
        tagged_spans = (
            select(SpanRow.document_id)
            .join(span_tags, span_tags.c.span_id == SpanRow.id)
            .join(TagRow, TagRow.id == span_tags.c.tag_id)
            .where(TagRow.name.in_(names))
        )
        stmt = stmt.where(or_(DocumentRow.id.in_(tagged_docs), DocumentRow.id.in_(tagged_spans)))
    if query.published_from:
        stmt = stmt.where(DocumentRow.published.is_not(None), DocumentRow.published >= query.published_from)
    if query.published_to:
        # "2024-05-31" includes "2024-05-31T23:59"; compare on the date part.
        stmt = stmt.where(DocumentRow.published.is_not(None), DocumentRow.published < query.published_to + "\uffff")
    with library._read() as session:
        return list(session.scalars(stmt))


def count_export(library: Library, query: ExportQuery, doc_ids: Sequence[int] | None = None) -> tuple[int, int]:
    """(documents, marks) an export with ``query`` writes — for progress bars and the dialog's preview."""
    ids = export_document_ids(library, query) if doc_ids is None else list(doc_ids)
    total = 0
    with library._read() as session:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            stmt = select(func.count(SpanRow.id)).where(SpanRow.document_id.in_(chunk), *_span_filters(query))
            total += session.scalar(stmt) or 0
    return len(ids), total


def _span_filters(query: ExportQuery) -> list[Any]:
    filters: list[Any] = []
    if query.span_statuses:
        filters.append(SpanRow.status.in_([SpanStatus(s).value for s in query.span_statuses]))
    if query.labels:
        filters.append(SpanRow.label.in_(list(query.labels)))
    if query.kinds:
        filters.append(SpanRow.kind.in_([SpanKind(k).value for k in query.kinds]))
    return filters


def iter_annotated(
    library: Library,
    query: ExportQuery | None = None,
    *,
    doc_ids: Sequence[int] | None = None,
    chunk: int = 100,
) -> Iterator[AnnotatedDocument]:
    """The documents ``query`` selects, with their marks, one chunk of documents per read transaction.

    Spans come ordered by (start, end, id); relations and ``edited_from`` are
    indexes into them; spans are ``Span`` objects with ``id``/``doc_id`` left
    empty (they are the library's business, not the file's).
    """
    query = query or ExportQuery()
    ids = export_document_ids(library, query) if doc_ids is None else list(doc_ids)
    span_filters = _span_filters(query)
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        with library._read() as session:
            docs = {r[0]: r for r in session.execute(select(*_DOC_COLS).where(DocumentRow.id.in_(part)))}
            spans_by_doc: dict[int, list[Any]] = {}
            for row in plain_rows(
                session,
                select(*_SPAN_COLS).where(SpanRow.document_id.in_(part), *span_filters).order_by(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.id),
            ):
                spans_by_doc.setdefault(row[1], []).append(row)
            rels_by_doc: dict[int, list[Any]] = {}
            for row in session.execute(
                select(RelationRow.document_id, RelationRow.head_id, RelationRow.tail_id, RelationRow.label, RelationRow.origin, RelationRow.origin_detail)
                .where(RelationRow.document_id.in_(part))
                .order_by(RelationRow.document_id, RelationRow.id)
            ):
                rels_by_doc.setdefault(row[0], []).append(row)
            span_tag_rows: dict[int, list[str]] = {}
            for span_id, name in session.execute(
                select(span_tags.c.span_id, TagRow.name)
                .join(TagRow, TagRow.id == span_tags.c.tag_id)
                .join(SpanRow, SpanRow.id == span_tags.c.span_id)
                .where(SpanRow.document_id.in_(part))
                .order_by(TagRow.name)
            ):
                span_tag_rows.setdefault(span_id, []).append(name)
            doc_tag_rows: dict[int, list[str]] = {}
            for doc_id, name in session.execute(
                select(document_tags.c.document_id, TagRow.name)
                .join(TagRow, TagRow.id == document_tags.c.tag_id)
                .where(document_tags.c.document_id.in_(part))
                .order_by(TagRow.name)
            ):
                doc_tag_rows.setdefault(doc_id, []).append(name)
        for doc_id in part:
            row = docs.get(doc_id)
            if row is None:  # deleted meanwhile
                continue
            yield _annotated(row, spans_by_doc.get(doc_id, []), rels_by_doc.get(doc_id, []), span_tag_rows, doc_tag_rows.get(doc_id, []))


def _annotated(doc: Any, span_rows: list[Any], rel_rows: list[Any], tags: dict[int, list[str]], doc_tags: list[str]) -> AnnotatedDocument:
    index = {r[0]: i for i, r in enumerate(span_rows)}
    spans = [  # positional, in SPAN_FIELD_ORDER (see store.library._span_from_tuple)
        Span(
            r[2],
            r[3],
            r[4],
            _KINDS[r[5]],
            _STATUSES[r[6]],
            _ORIGINS[r[7]],
            r[8] or "",
            _CLAIM_TYPES.get(r[9]) if r[9] else None,
            r[10],
            r[11] or "",
            None,  # id: the library's business, not the file's
            None,  # doc_id
            index.get(r[12]) if r[12] is not None else None,  # edited_from, as an index
            None,
            None,
            list(tags.get(r[0], [])),
        )
        for r in span_rows
    ]
    relations = [
        Relation(head=index[r[1]], tail=index[r[2]], label=relation_label(r[3]), origin=_ORIGINS[r[4]], origin_detail=r[5] or "")
        for r in rel_rows
        if r[1] in index and r[2] in index
    ]
    annotators = sorted({s.origin_detail for s in spans if s.origin == Origin.USER and s.origin_detail})
    meta = dict(doc[8] or {})
    return AnnotatedDocument(
        document=NewDocument(
            text=doc[2],
            title=doc[1] or "",
            source=doc[4],
            url=doc[5],
            author=doc[6],
            published=doc[7],
            meta=meta,
            origin=str(meta.get("imported_from", "")),
        ),
        spans=spans,
        relations=relations,
        status=ReviewStatus(doc[3]),
        tags=list(doc_tags),
        id=doc[0],
        annotators=annotators,
        annotated_by=doc[9],
    )


# ---------------------------------------------------------------------- import


@dataclass(slots=True)
class AnnotatedAddResult:
    """What happened to one annotated document handed to :func:`add_annotated`."""

    result: AddResult
    spans: int = 0
    relations: int = 0
    merged: bool = False  # marks added to a document already in the library (same text)
    skipped_spans: int = 0  # marks that were already there (merge)

    @property
    def added(self) -> bool:
        return self.result.doc_id is not None


@dataclass(slots=True)
class _Prepared:
    rows: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int | None] = field(default_factory=list)  # span index -> row index (None: not added)


def add_annotated(
    library: Library,
    docs: Iterable[AnnotatedDocument],
    *,
    merge: bool = False,
    on_result: Callable[[AnnotatedAddResult], None] | None = None,
    batch_seconds: float = 0.25,
) -> list[AnnotatedAddResult]:
    """Add annotated documents, each whole or not at all.

    A document whose text is already in the library is reported as a duplicate
    and left alone — or, with ``merge``, receives the marks it does not have yet
    (same place, label and kind count as the same mark); its status and text
    are never changed by a merge.
    """
    results: list[AnnotatedAddResult] = []
    pending = iter(docs)
    exhausted = False
    while not exhausted:
        with library._write() as session:
            deadline = time.monotonic() + batch_seconds
            while True:
                doc = next(pending, None)
                if doc is None:
                    exhausted = True
                    break
                result = _add_annotated_one(library, session, doc, merge)
                results.append(result)
                if on_result is not None:
                    on_result(result)
                if time.monotonic() >= deadline:
                    break
    return results


def _add_annotated_one(library: Library, session: Session, doc: AnnotatedDocument, merge: bool) -> AnnotatedAddResult:
    try:
        with session.begin_nested():
            # The file's own meta is kept as it is (no "imported_from" added), so that a
            # Newsmark JSONL round trip is exact; where it came from is in the edit log.
            base = library._add_one(session, replace(doc.document, origin=""))
            base.origin = doc.document.origin
            base.annotated = True
            out = AnnotatedAddResult(base)
            if base.error is not None:
                return out
            if base.duplicate_of is not None:
                if not merge:
                    return out
                doc_id = base.duplicate_of
                out.merged = True
            else:
                doc_id = base.doc_id
                assert doc_id is not None
            _validate(doc)
            existing: set[tuple[int, int, str, str]] = set()
            if out.merged:
                existing = {
                    (r.start, r.end, r.label, r.kind)
                    for r in session.execute(select(SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.kind).where(SpanRow.document_id == doc_id))
                }
            prepared = _prepare_rows(library, doc, doc_id, existing)
            out.skipped_spans = sum(1 for p in prepared.positions if p is None)
            new_ids = library._insert_spans(session, prepared.rows)
            ids = [new_ids[p] if p is not None else None for p in prepared.positions]
            # edited_from points at another span of the same document: set once all have ids.
            for index, span in enumerate(doc.spans):
                if span.edited_from is not None and ids[index] is not None and ids[span.edited_from] is not None:
                    session.execute(update(SpanRow).where(SpanRow.id == ids[index]).values(edited_from_id=ids[span.edited_from]))
            _insert_tags(library, session, doc, ids, doc_id, out.merged)
            now = utcnow()
            relation_rows = [
                {
                    "document_id": doc_id,
                    "head_id": ids[rel.head],
                    "tail_id": ids[rel.tail],
                    "label": str(relation_label(rel.label))[:40],
                    "origin": Origin(rel.origin).value,
                    "origin_detail": (rel.origin_detail or "")[:300],
                    "created_at": now,
                }
                for rel in doc.relations
                if ids[rel.head] is not None and ids[rel.tail] is not None
            ]
            if out.merged and relation_rows:
                have = {
                    (r.head_id, r.tail_id, r.label)
                    for r in session.execute(select(RelationRow.head_id, RelationRow.tail_id, RelationRow.label).where(RelationRow.document_id == doc_id))
                }
                relation_rows = [r for r in relation_rows if (r["head_id"], r["tail_id"], r["label"]) not in have]
            seen: set[tuple[int, int, str]] = set()
            unique_rows = []
            for r in relation_rows:  # the same link twice in a file is one link
                key = (r["head_id"], r["tail_id"], r["label"])
                if key not in seen:
                    seen.add(key)
                    unique_rows.append(r)
            if unique_rows:
                session.execute(insert(RelationRow.__table__), unique_rows)
            out.spans = len(prepared.rows)
            out.relations = len(unique_rows)
            if not out.merged:
                values: dict[str, Any] = {"status": ReviewStatus(doc.status).value}
                if doc.annotated_by:
                    values["annotated_by"] = doc.annotated_by[:300]
                    values["annotated_at"] = now
                session.execute(update(DocumentRow).where(DocumentRow.id == doc_id).values(**values))
            library._log(
                session,
                "document.merge_marks" if out.merged else "document.import_marks",
                "document",
                doc_id,
                doc_id,
                None,
                {"origin": doc.document.origin, "spans": out.spans, "relations": out.relations},
            )
            session.flush()
            return out
    except (StoreError, ValueError) as exc:
        failed = AddResult(origin=doc.document.origin, title=(doc.document.title or "").strip()[:500], error=str(exc))
        return AnnotatedAddResult(failed)


def _validate(doc: AnnotatedDocument) -> None:
    length = len(doc.document.text)
    for i, span in enumerate(doc.spans):
        if not 0 <= span.start < span.end <= length:
            raise StoreError(f"mark {i + 1} [{span.start}, {span.end}) lies outside the text (length {length})")
        if not span.label or not str(span.label).strip():
            raise StoreError(f"mark {i + 1} has no label")
        if span.edited_from is not None and not 0 <= span.edited_from < len(doc.spans):
            raise StoreError(f"mark {i + 1} says it was edited from mark {span.edited_from + 1}, which is not in the document")
    for rel in doc.relations:
        if not (0 <= rel.head < len(doc.spans) and 0 <= rel.tail < len(doc.spans)):
            raise StoreError(f"a relation joins marks {rel.head + 1} and {rel.tail + 1}, but the document has {len(doc.spans)}")


def _prepare_rows(library: Library, doc: AnnotatedDocument, doc_id: int, existing: set[tuple[int, int, str, str]]) -> _Prepared:
    prepared = _Prepared()
    now = utcnow()
    seen = set(existing)
    for span in doc.spans:
        kind = SpanKind(span.kind).value
        key = (span.start, span.end, span.label, kind)
        if existing and key in seen:
            prepared.positions.append(None)
            continue
        seen.add(key)
        prepared.positions.append(len(prepared.rows))
        origin = Origin(span.origin)
        prepared.rows.append(
            {
                "document_id": doc_id,
                "start": span.start,
                "end": span.end,
                "label": span.label[:100],
                "kind": kind,
                "claim_type": ClaimType(span.claim_type).value if span.claim_type else None,
                "origin": origin.value,
                "origin_detail": (span.origin_detail or (library.actor if origin == Origin.USER else ""))[:300],
                "status": SpanStatus(span.status).value,
                "edited_from_id": None,
                "score": span.score,
                "note": span.note or "",
                "created_at": _as_utc(span.created_at) or now,
                "updated_at": _as_utc(span.updated_at) or now,
            }
        )
    return prepared


def _insert_tags(library: Library, session: Session, doc: AnnotatedDocument, ids: list[int | None], doc_id: int, merged: bool) -> None:
    names = {t.strip() for span in doc.spans for t in span.tags if t.strip()} | {t.strip() for t in doc.tags if t.strip()}
    if not names:
        return
    tag_ids = {name: library._tag_row(session, name).id for name in sorted(names)}
    pairs = {(ids[i], tag_ids[t.strip()]) for i, span in enumerate(doc.spans) if ids[i] is not None for t in span.tags if t.strip()}
    if pairs:
        session.execute(insert(span_tags), [{"span_id": s, "tag_id": t} for s, t in sorted(pairs)])
    doc_pairs = {tag_ids[t.strip()] for t in doc.tags if t.strip()}
    if doc_pairs:
        if merged:
            have = set(session.scalars(select(document_tags.c.tag_id).where(document_tags.c.document_id == doc_id)))
            doc_pairs -= have
        if doc_pairs:
            session.execute(insert(document_tags), [{"document_id": doc_id, "tag_id": t} for t in sorted(doc_pairs)])


__all__ = ["AnnotatedAddResult", "ExportQuery", "add_annotated", "count_export", "export_document_ids", "iter_annotated"]
