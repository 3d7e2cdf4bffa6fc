"""The statements that must not scan every mark of the library use an index.

Checked with SQLite's EXPLAIN QUERY PLAN on a library at the newest schema, so a
migration that drops an index (or a query rewritten so that it cannot use one)
fails here rather than only in the benchmarks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsmark.model import NewDocument, Span, SpanStatus, Suggestions
from newsmark.store import DocumentQuery, Library


def plan(path: Path, sql: str) -> str:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        return "\n".join(row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + sql))
    finally:
        con.close()


def test_deleting_a_mark_does_not_scan_the_marks_edited_from_it(library: Library) -> None:
    # spans.edited_from_id is a foreign key with ON DELETE SET NULL: without an index on it
    # every deleted mark made SQLite read every mark of the library
    steps = plan(library.path, "DELETE FROM spans WHERE id = 1")  # type: ignore[arg-type]
    assert "SCAN spans" not in steps, steps
    assert "ix_spans_edited_from" in steps, steps


def test_counts_by_status_are_read_from_an_index(library: Library) -> None:
    steps = plan(
        library.path,  # type: ignore[arg-type]
        "SELECT count(*) FROM spans WHERE document_id = 1 AND status = 'suggested' AND kind IN ('entity', 'claim')",
    )
    assert "COVERING INDEX ix_spans_document_status" in steps, steps


def test_replacing_suggestions_and_deleting_marks_keep_the_links_they_should(library: Library) -> None:
    """The same behaviour through the index: a user's edit of a suggestion keeps existing when the suggestion goes."""
    doc = library.add_document(NewDocument(text="Alpha beta gamma delta.", title="t")).doc_id
    assert doc is not None
    library.replace_suggestions(doc, Suggestions(spans=[Span(0, 5, "ORG"), Span(6, 10, "ORG")], model="m 1"))
    first, second = library.spans(doc)
    edit = library.add_span(doc, Span(0, 5, "PERSON", status=SpanStatus.ACCEPTED, edited_from=first.id))
    library.delete_span(first.id)  # type: ignore[arg-type]
    assert library.get_span(edit.id).edited_from is None  # type: ignore[arg-type]
    added, removed = library.replace_suggestions(doc, Suggestions(spans=[Span(11, 16, "ORG")], model="m 2"))
    assert (added, removed) == (1, 1)
    assert [(s.label, s.start) for s in library.spans(doc)] == [("PERSON", 0), ("ORG", 11)]
    assert library.list_documents(DocumentQuery(order_by="pending", descending=True))[0].pending == 1
    assert second.id not in {s.id for s in library.spans(doc)}
