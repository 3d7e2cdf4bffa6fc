"""The library's operations: each one a transaction, logged, returning plain model objects."""

from __future__ import annotations

import pytest

from newsmark.model import (
    ClaimType,
    NewDocument,
    Origin,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
    Suggestions,
)
from newsmark.store import DocumentQuery, Library, NotFound, StoreError

TEXT = "Basem Naim, a member of Hamas’ political bureau, told CNN there is nothing official."


def add(library: Library, text: str = TEXT, **kw) -> int:  # type: ignore[no-untyped-def]
    result = library.add_document(NewDocument(text=text, title=kw.pop("title", text[:20]), **kw))
    assert result.doc_id is not None, result
    return result.doc_id


def test_add_document_round_trips_every_field(library: Library) -> None:
    doc = NewDocument(
        text="Émile said “bonjour” 👋.",
        title="Greeting",
        source="Gazette",
        url="https://example.org/a",
        author="A. Writer",
        published="2024-07-05",
        meta={"feed": "local", "n": 3},
        origin="/tmp/a.txt",
    )
    result = library.add_document(doc)
    stored = library.get_document(result.doc_id)
    assert (stored.title, stored.source, stored.url, stored.author, stored.published) == (
        "Greeting",
        "Gazette",
        "https://example.org/a",
        "A. Writer",
        "2024-07-05",
    )
    assert stored.text == doc.text
    assert stored.meta["feed"] == "local" and stored.meta["n"] == 3
    assert stored.meta["imported_from"] == "/tmp/a.txt"
    assert stored.status == ReviewStatus.NEW
    assert stored.imported_at is not None and stored.imported_at.tzinfo is not None
    assert len(stored.text_hash) == 64


def test_duplicate_text_is_reported_not_added(library: Library) -> None:
    first = library.add_document(NewDocument(text=TEXT, title="one", origin="a.txt"))
    second = library.add_document(NewDocument(text=TEXT, title="two", origin="b.txt"))
    assert second.doc_id is None and second.duplicate_of == first.doc_id
    assert library.document_count() == 1


def test_a_batch_adds_each_document_on_its_own(library: Library) -> None:
    docs = [NewDocument(text=f"Article number {i}.", title=f"A{i}") for i in range(5)]
    docs.insert(2, NewDocument(text="   ", title="blank"))
    docs.insert(4, NewDocument(text="Article number 1.", title="dup"))
    results = library.add_documents(docs, batch_seconds=0.0)
    assert [r.added for r in results] == [True, True, False, True, False, True, True]
    assert results[2].error == "the document has no text"
    assert results[4].duplicate_of == results[1].doc_id
    assert library.document_count() == 5


def test_full_text_search(library: Library) -> None:
    a = add(library, "The ceasefire negotiations resumed in Doha on Thursday.", title="Doha talks")
    b = add(library, "Café owners in Zürich protest a new tax.", title="Zurich cafés")
    add(library, "Nothing to see here.", title="Other")

    def ids(search: str) -> list[int]:
        return [d.id for d in library.list_documents(DocumentQuery(search=search))]

    assert ids("ceasefire") == [a]
    assert ids("negotiat*") == [a]
    assert ids('"resumed in Doha"') == [a]
    assert ids('"Doha resumed"') == []
    assert ids("cafe zurich") == [b]  # diacritics do not matter
    assert ids("doha talks") == [a]  # the title is searched too
    assert ids('") OR (') == []  # punctuation is never FTS syntax


def test_filters_and_counts(library: Library) -> None:
    a = add(library, "Alpha Beta said so.")
    b = add(library, "Gamma Delta said so.")
    library.add_span(a, Span(0, 5, "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER))
    library.add_span(a, Span(6, 10, "ORG"))
    library.add_span(a, Span(11, 15, "GPE", status=SpanStatus.REJECTED))
    library.set_document_tags(b, ["follow-up", "gaza"])
    library.set_document_status(b, ReviewStatus.DONE)

    rows = {r.id: r for r in library.list_documents()}
    assert (rows[a].pending, rows[a].accepted, rows[a].rejected) == (1, 1, 1)
    assert rows[a].status == ReviewStatus.IN_PROGRESS  # editing a new article starts its review
    assert [r.id for r in library.list_documents(DocumentQuery(statuses=[ReviewStatus.DONE]))] == [b]
    assert [r.id for r in library.list_documents(DocumentQuery(tag="gaza"))] == [b]
    assert [r.id for r in library.list_documents(DocumentQuery(label="ORG"))] == [a]
    assert library.list_documents(DocumentQuery(label="GPE")) == []  # only rejected GPE marks
    assert [r.id for r in library.list_documents(DocumentQuery(order_by="id", descending=True))] == [b, a]
    assert library.all_tags() == ["follow-up", "gaza"]


def test_span_edits_are_logged_with_before_and_after(library: Library) -> None:
    doc = add(library)
    span = library.add_span(doc, Span(0, 10, "PERSON", origin=Origin.USER, status=SpanStatus.ACCEPTED, tags=["check"]))
    assert span.id is not None and span.tags == ["check"] and span.origin_detail == "tester"
    before = library.update_span(span.id, label="ORG", end=5)
    assert (before.label, before.end) == ("PERSON", 10)
    now = library.get_span(span.id)
    assert (now.label, now.end, now.tags) == ("ORG", 5, ["check"])
    events = library.events(target=("span", span.id))
    assert [e.action for e in events] == ["span.update", "span.create"]
    assert events[0].before["label"] == "PERSON" and events[0].after["label"] == "ORG"
    assert events[0].actor == "tester"


def test_span_offsets_must_lie_in_the_text(library: Library) -> None:
    doc = add(library, "short")
    with pytest.raises(StoreError, match="inside the text"):
        library.add_span(doc, Span(2, 6, "ORG"))
    span = library.add_span(doc, Span(0, 5, "ORG"))
    with pytest.raises(StoreError, match="inside the text"):
        library.update_span(span.id, end=99)
    assert library.get_span(span.id).end == 5
    with pytest.raises(ValueError):
        Span(3, 3, "ORG")


def test_delete_and_undo_restores_the_same_span_and_relations(library: Library) -> None:
    doc = add(library)
    source = library.add_span(doc, Span(0, 10, "SOURCE", kind=SpanKind.SOURCE))
    claim = library.add_span(doc, Span(49, 84, "REPORTED", kind=SpanKind.CLAIM, claim_type=ClaimType.REPORTED))
    rel = library.add_relation(claim.id, source.id, RelationLabel.SPEAKER)
    span, rels = library.delete_span(source.id)
    assert rels == [rel]
    assert library.relations(doc) == []  # the relation went with it
    with pytest.raises(NotFound):
        library.get_span(source.id)
    restored = library.add_span(doc, span, span_id=span.id)
    library.add_relation(rel.head, rel.tail, rel.label, relation_id=rel.id)
    assert restored.id == source.id
    assert library.relations(doc) == [rel]


def test_relations_refuse_duplicates_and_other_documents(library: Library) -> None:
    a, b = add(library, "One article here."), add(library, "Another article.")
    s1, s2 = library.add_span(a, Span(0, 3, "X")), library.add_span(a, Span(4, 11, "Y"))
    s3 = library.add_span(b, Span(0, 7, "Z"))
    library.add_relation(s1.id, s2.id)
    with pytest.raises(StoreError, match="already linked"):
        library.add_relation(s1.id, s2.id)
    with pytest.raises(StoreError, match="same article"):
        library.add_relation(s1.id, s3.id)


def test_replace_suggestions_never_touches_the_users_work(library: Library) -> None:
    text = "Alpha Beta met Gamma Delta in Epsilon on Monday."
    doc = add(library, text)
    first = Suggestions(
        spans=[Span(0, 10, "PERSON"), Span(15, 26, "PERSON"), Span(30, 37, "GPE"), Span(41, 47, "DATE"), Span(0, 48, "STATISTIC", kind=SpanKind.CLAIM)],
        model="model-a 1.0",
    )
    assert library.replace_suggestions(doc, first) == (5, 0)
    spans = {(s.start, s.end): s for s in library.spans(doc)}
    library.set_span_status(spans[(0, 10)].id, SpanStatus.ACCEPTED)  # accepted
    library.set_span_status(spans[(15, 26)].id, SpanStatus.REJECTED)  # rejected
    library.update_span(spans[(30, 37)].id, label="LOC", status=SpanStatus.ACCEPTED)  # edited
    library.add_span(doc, Span(11, 14, "EVENT", origin=Origin.USER, status=SpanStatus.ACCEPTED))  # created
    # (41, 47) DATE and the claim stay pending.

    second = Suggestions(
        spans=[
            Span(0, 5, "ORG"),  # overlaps the accepted PERSON: not added on top
            Span(15, 26, "PERSON"),  # rejected before: not proposed again
            Span(15, 26, "ORG"),  # same place, other label: a new suggestion
            Span(30, 37, "GPE"),  # overlaps the edited LOC
            Span(41, 47, "DATE"),  # replaces the pending DATE
            Span(0, 48, "PREDICTION", kind=SpanKind.CLAIM),  # claims don't collide with entities
            Span(0, 10, "SOURCE", kind=SpanKind.SOURCE),
        ],
        relations=[Relation(5, 6, RelationLabel.SPEAKER), Relation(5, 0, RelationLabel.ENTITY)],
        model="model-b 2.0",
    )
    added, removed = library.replace_suggestions(doc, second)
    assert removed == 2 and added == 4
    by_key = {(s.start, s.end, s.label): s for s in library.spans(doc)}
    assert by_key[(0, 10, "PERSON")].status == SpanStatus.ACCEPTED
    assert by_key[(15, 26, "PERSON")].status == SpanStatus.REJECTED
    assert by_key[(30, 37, "LOC")].status == SpanStatus.ACCEPTED
    assert by_key[(11, 14, "EVENT")].origin == Origin.USER
    assert (0, 5, "ORG") not in by_key and (30, 37, "GPE") not in by_key and (0, 48, "STATISTIC") not in by_key
    assert by_key[(15, 26, "ORG")].origin_detail == "model-b 2.0"
    assert by_key[(41, 47, "DATE")].origin_detail == "model-b 2.0"
    rels = library.relations(doc)
    assert [(r.head, r.tail, r.label) for r in rels] == [
        (by_key[(0, 48, "PREDICTION")].id, by_key[(0, 10, "SOURCE")].id, RelationLabel.SPEAKER)
    ]  # the relation to the dropped ORG suggestion was dropped with it


def test_document_status_and_tags_are_logged(library: Library) -> None:
    doc = add(library)
    assert library.set_document_status(doc, "in progress") == ReviewStatus.NEW
    assert library.set_document_status(doc, ReviewStatus.DONE) == ReviewStatus.IN_PROGRESS
    assert library.set_document_tags(doc, [" gaza ", "", "follow-up"]) == []
    assert library.get_document(doc).tags == ["follow-up", "gaza"]
    actions = [e.action for e in library.events(doc_id=doc)]
    assert actions == ["document.tags", "document.status", "document.status", "document.import"]
    with pytest.raises(NotFound):
        library.set_document_status(999, ReviewStatus.DONE)


def test_settings_hold_json_values(library: Library) -> None:
    assert library.get_setting("last", {"doc": None}) == {"doc": None}
    library.set_setting("last", {"doc": 3, "span": 7})
    library.set_setting("last", {"doc": 4, "span": None})
    assert library.get_setting("last") == {"doc": 4, "span": None}


def test_changes_are_on_disk_when_a_call_returns(db_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    lib = Library.open(db_path)
    doc = add(lib)
    lib.add_span(doc, Span(0, 10, "PERSON"))
    # Another connection (another process, in real life) sees it at once.
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT count(*) FROM spans").fetchone() == (1,)
    finally:
        other.close()
    lib.close()


def test_one_user_action_touching_several_marks_is_one_transaction(library: Library) -> None:
    doc = add(library, "Hamas and Israel met. Hamas said no. Israel said yes.")
    pending = library.add_span(doc, Span(0, 10, "ORG"))  # a suggestion the new marks overlap
    made = library.add_spans(
        doc,
        [Span(0, 5, "ORG", origin=Origin.USER, status=SpanStatus.ACCEPTED), Span(22, 27, "ORG", origin=Origin.USER, status=SpanStatus.ACCEPTED)],
        reject=[pending.id],
    )
    assert [(s.start, s.end) for s in made] == [(0, 5), (22, 27)]
    assert library.get_span(pending.id).status == SpanStatus.REJECTED
    # A refused part refuses the whole action: nothing of it lands.
    count = len(library.spans(doc))
    with pytest.raises(StoreError, match="inside the text"):
        library.add_spans(doc, [Span(37, 43, "GPE"), Span(50, 99, "GPE")])
    assert len(library.spans(doc)) == count

    befores = library.update_spans([(made[0].id, {"label": "NORP"}), (made[1].id, {"end": 26})])
    assert [(b.label, b.end) for b in befores] == [("ORG", 5), ("ORG", 27)]
    with pytest.raises(NotFound):
        library.update_spans([(made[0].id, {"label": "GPE"}), (12345, {"label": "GPE"})])
    assert library.get_span(made[0].id).label == "NORP"  # the first half was rolled back too


def test_restore_brings_back_marks_with_their_ids_tags_and_relations(library: Library) -> None:
    doc = add(library)
    suggestions = Suggestions(
        spans=[Span(49, 84, "REPORTED", kind=SpanKind.CLAIM), Span(0, 10, "SOURCE", kind=SpanKind.SOURCE), Span(0, 10, "PERSON")],
        relations=[Relation(0, 1, RelationLabel.SPEAKER), Relation(1, 2, RelationLabel.ENTITY)],
        model="m 1",
    )
    library.replace_suggestions(doc, suggestions)
    claim, source, person = sorted(library.spans(doc), key=lambda s: (s.kind.value, s.label))
    library.set_span_tags(source.id, ["verify"])
    source = library.get_span(source.id)
    relations_before = library.relations(doc)
    deleted = library.delete_spans([source.id, person.id])
    assert library.relations(doc) == []
    library.restore_spans(deleted)
    restored = library.get_span(source.id)
    assert (restored.tags, restored.created_at, restored.origin, restored.origin_detail) == (["verify"], source.created_at, Origin.MODEL, "m 1")
    assert library.relations(doc) == relations_before  # same ids, labels and model origin


def test_set_speaker_replaces_the_speaker_in_one_step(library: Library) -> None:
    doc = add(library)
    claim = library.add_span(doc, Span(49, 84, "REPORTED", kind=SpanKind.CLAIM))
    a = library.add_span(doc, Span(0, 10, "SOURCE", kind=SpanKind.SOURCE))
    b = library.add_span(doc, Span(12, 47, "SOURCE", kind=SpanKind.SOURCE))
    removed, added = library.set_speaker(claim.id, a.id)
    assert removed == [] and added.tail == a.id
    removed, added = library.set_speaker(claim.id, b.id)
    assert [r.tail for r in removed] == [a.id] and added.tail == b.id
    assert [(r.head, r.tail) for r in library.relations(doc)] == [(claim.id, b.id)]
    removed, added = library.set_speaker(claim.id, None)
    assert added is None and library.relations(doc) == []


def test_library_rows_by_id_and_sorted_by_counts(library: Library) -> None:
    a, b = add(library, "First article text."), add(library, "Second article text.")
    library.replace_suggestions(b, Suggestions(spans=[Span(0, 6, "ORDINAL"), Span(7, 14, "X")], model="m"))
    library.replace_suggestions(a, Suggestions(spans=[Span(0, 5, "ORDINAL")], model="m"))
    assert library.document_summary(b).pending == 2
    assert [r.id for r in library.list_documents(DocumentQuery(order_by="pending", descending=True))] == [b, a]
    assert [r.id for r in library.list_documents(DocumentQuery(order_by="pending"))] == [a, b]
    with pytest.raises(NotFound):
        library.document_summary(999)


def test_undoing_a_new_mark_and_a_speaker_change_are_single_steps(library: Library) -> None:
    doc = add(library)
    suggestion = library.add_span(doc, Span(0, 10, "ORG"))
    [made] = library.add_spans(doc, [Span(0, 10, "PERSON", origin=Origin.USER, status=SpanStatus.ACCEPTED)], reject=[suggestion.id])
    # Undo: the new mark goes and the suggestion is pending again — together or not at all.
    with pytest.raises(NotFound):
        library.delete_spans([made.id], update=[(99999, {"status": SpanStatus.SUGGESTED})])
    assert library.get_span(made.id).label == "PERSON"
    library.delete_spans([made.id], update=[(suggestion.id, {"status": SpanStatus.SUGGESTED})])
    assert [s.id for s in library.spans(doc)] == [suggestion.id]
    assert library.get_span(suggestion.id).status == SpanStatus.SUGGESTED

    claim = library.add_span(doc, Span(49, 84, "REPORTED", kind=SpanKind.CLAIM))
    source = library.add_span(doc, Span(0, 47, "SOURCE", kind=SpanKind.SOURCE))
    model_link = library.restore_relations([Relation(claim.id, source.id, RelationLabel.SPEAKER, origin=Origin.MODEL, origin_detail="m 1")])
    assert model_link is None
    [old] = library.relations(doc)
    assert (old.origin, old.origin_detail) == (Origin.MODEL, "m 1")
    removed, added = library.set_speaker(claim.id, suggestion.id)
    assert removed == [old] and added.id != old.id  # ids are never reused
    library.restore_relations(removed, delete=[added.id])
    assert library.relations(doc) == [old]  # the model's link, as it was
