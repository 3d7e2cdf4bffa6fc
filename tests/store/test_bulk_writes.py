"""Writing many documents' suggestions: few commits, each document whole, the same rows as one at a time."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest

from newsmark.model import ClaimType, NewDocument, Relation, RelationLabel, Span, SpanKind, Suggestions
from newsmark.store import Library, NotFound


def suggestions(model: str = "m 1") -> Suggestions:
    return Suggestions(
        spans=[
            Span(0, 5, "PERSON"),
            Span(0, 20, "REPORTED", kind=SpanKind.CLAIM, claim_type=ClaimType.REPORTED, score=0.75),
            Span(6, 12, "SOURCE", kind=SpanKind.SOURCE),
        ],
        relations=[Relation(1, 2, RelationLabel.SPEAKER)],
        model=model,
    )


def docs(library: Library, n: int) -> list[int]:
    return [library.add_document(NewDocument(text=f"Alpha said beta gamma delta {i}.", title=str(i))).doc_id for i in range(n)]  # type: ignore[misc]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    original = Library._write

    @contextmanager
    def counting(self):  # type: ignore[no-untyped-def]
        count[0] += 1
        with original(self) as session:
            yield session

    monkeypatch.setattr(Library, "_write", counting)
    return count


def raw_rows(library: Library, doc_id: int) -> list[tuple]:  # type: ignore[type-arg]
    con = sqlite3.connect(library.path)  # type: ignore[arg-type]
    try:
        spans = con.execute(
            'SELECT start, "end", label, kind, claim_type, origin, origin_detail, status, score, note, '
            "length(created_at), created_at = updated_at FROM spans WHERE document_id = ? ORDER BY id",
            (doc_id,),
        ).fetchall()
        relations = con.execute("SELECT label, origin, origin_detail, length(created_at) FROM relations WHERE document_id = ?", (doc_id,)).fetchall()
        return spans + relations
    finally:
        con.close()


def test_many_documents_in_few_commits_store_what_one_at_a_time_stores(library: Library, writes: list[int]) -> None:
    one, *many = docs(library, 6)
    writes[0] = 0
    library.replace_suggestions(one, suggestions())
    assert writes[0] == 1
    reported: list[tuple[int, int, int]] = []
    writes[0] = 0
    results = library.replace_suggestions_many([(d, suggestions()) for d in many], on_result=lambda *r: reported.append(r))
    assert writes[0] == 1  # five small documents: one transaction
    assert results == [(3, 0)] * 5 and reported == [(d, 3, 0) for d in many]
    for d in many:
        assert raw_rows(library, d) == raw_rows(library, one)
        spans = library.spans(d)
        assert [s.created_at for s in spans] == [spans[0].created_at] * 3 and spans[0].created_at.tzinfo is not None  # type: ignore[union-attr]
    # times are stored in the format SQLAlchemy itself writes (26 characters, microseconds)
    assert raw_rows(library, one)[0][10] == 26


def test_a_failing_document_leaves_those_before_it_stored_and_reported(library: Library) -> None:
    a, b, c = docs(library, 3)
    library.delete_document(b)
    reported: list[int] = []
    with pytest.raises(NotFound):
        library.replace_suggestions_many([(a, suggestions()), (b, suggestions()), (c, suggestions())], on_result=lambda d, *_: reported.append(d))
    assert reported == [a]
    assert len(library.spans(a)) == 3 and library.spans(c) == []
    assert library.get_document(a).annotated_by == "m 1" and library.get_document(c).annotated_by is None


def test_commits_follow_the_time_budget(library: Library, writes: list[int]) -> None:
    ids = docs(library, 4)
    writes[0] = 0
    library.replace_suggestions_many([(d, suggestions()) for d in ids], batch_seconds=0)
    assert writes[0] == 4  # no time budget: one document per commit
    assert all(len(library.spans(d)) == 3 for d in ids)


def test_a_remembered_text_length_is_not_trusted_for_another_document(library: Library) -> None:
    """Marks are checked against the text's length, measured once per document; a document
    deleted since, or an id handed out again after a rolled-back import, is not mistaken for it."""
    from newsmark.model import NewDocument as New
    from newsmark.store import StoreError

    class Undo(Exception):
        pass

    short = "Short text."
    with pytest.raises(Undo), library._write() as session:  # an import that is rolled back ...
        doc_id = library._add_one(session, New(text=short, title="gone")).doc_id
        library._check_span(session, doc_id, 0, len(short))  # ... after its length was measured
        raise Undo
    long_id = library.add_document(New(text="A much longer text than the one rolled back.", title="kept")).doc_id
    assert long_id == doc_id  # SQLite gave the id out again (the AUTOINCREMENT counter rolled back too)
    mark = library.add_span(long_id, Span(20, 30, "X"))  # beyond the short text: fine for this one
    assert (mark.start, mark.end) == (20, 30)
    library.delete_document(long_id)
    with pytest.raises(NotFound):
        library.add_span(long_id, Span(0, 5, "X"))
    with pytest.raises(StoreError, match="inside the text"):
        library.add_span(docs(library, 1)[0], Span(0, 500, "X"))
