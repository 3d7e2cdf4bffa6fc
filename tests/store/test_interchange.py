"""Annotated documents in and out of the store: streaming export, all-or-nothing import, lossless round trips."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmark.model import AnnotatedDocument, NewDocument, Origin, Relation, RelationLabel, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import Library
from newsmark.store.interchange import ExportQuery, add_annotated, count_export, iter_annotated
from tests.interchange_strategies import annotated_documents

EVERYTHING = ExportQuery(statuses=(), span_statuses=tuple(SpanStatus))


def _doc(text: str = "Basem Naim told CNN: “We agree.” 👋 Then he left.", **kw) -> AnnotatedDocument:  # type: ignore[no-untyped-def]
    spans = [
        Span(0, 10, "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER, origin_detail="ana", tags=["check"]),
        Span(11, 19, "CUE", kind=SpanKind.CUE, status=SpanStatus.ACCEPTED),
        Span(21, 32, "QUOTE", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED, score=0.9),
        Span(16, 19, "ORG", status=SpanStatus.REJECTED),
        Span(40, 42, "PERSON", status=SpanStatus.SUGGESTED),
    ]
    relations = [Relation(2, 0, RelationLabel.SPEAKER), Relation(2, 1, RelationLabel.CUE), Relation(0, 3, "knows")]
    return AnnotatedDocument(NewDocument(text=text, title="Talks", origin="in.jsonl"), spans, relations, **kw)


def _strip(doc: AnnotatedDocument) -> AnnotatedDocument:
    return replace(doc, id=None, annotators=[])


def test_export_filters_statuses_labels_kinds_and_dates(library: Library) -> None:
    done = _doc(status=ReviewStatus.DONE, tags=["gaza"])
    done.document.published = "2024-05-02T10:00:00Z"
    other = _doc("Another text: Ana Díaz said so, in Łódź, plainly and at length.", status=ReviewStatus.IN_PROGRESS)
    results = add_annotated(library, [done, other])
    assert [r.spans for r in results] == [5, 5] and [r.relations for r in results] == [3, 3]

    [exported] = list(iter_annotated(library))  # default: done articles, accepted marks
    assert exported.id == results[0].result.doc_id and exported.status == ReviewStatus.DONE
    assert [s.label for s in exported.spans] == ["PERSON", "CUE", "QUOTE"]
    # the relation to the rejected ORG is not exported: one end is missing
    assert [(r.head, r.tail, r.label) for r in exported.relations] == [(2, 0, RelationLabel.SPEAKER), (2, 1, RelationLabel.CUE)]
    assert exported.annotators == ["ana"] and exported.tags == ["gaza"]
    assert exported.spans[0].tags == ["check"] and exported.spans[2].score == 0.9

    negatives = list(iter_annotated(library, ExportQuery(span_statuses=(SpanStatus.ACCEPTED, SpanStatus.REJECTED))))
    assert [s.status for s in negatives[0].spans].count(SpanStatus.REJECTED) == 1
    assert len(list(iter_annotated(library, ExportQuery(statuses=())))) == 2
    only_people = list(iter_annotated(library, ExportQuery(statuses=(), labels=("PERSON",))))
    assert all(s.label == "PERSON" for d in only_people for s in d.spans) and only_people[0].relations == []
    claims = list(iter_annotated(library, ExportQuery(kinds=(SpanKind.CLAIM,))))
    assert [s.kind for s in claims[0].spans] == [SpanKind.CLAIM]
    assert len(list(iter_annotated(library, ExportQuery(published_from="2024-05-01", published_to="2024-05-02")))) == 1
    assert list(iter_annotated(library, ExportQuery(published_from="2024-05-03"))) == []
    assert list(iter_annotated(library, ExportQuery(published_to="2024-05-01"))) == []
    assert len(list(iter_annotated(library, ExportQuery(statuses=(), tags=("check",))))) == 2  # tag on a mark counts
    assert len(list(iter_annotated(library, ExportQuery(statuses=(), tags=("gaza",))))) == 1
    assert count_export(library, ExportQuery()) == (1, 3)
    assert count_export(library, EVERYTHING) == (2, 10)


def test_import_is_all_or_nothing_per_document(library: Library) -> None:
    good = _doc()
    bad = _doc("Short text.")  # marks beyond its end
    results = add_annotated(library, [bad, good])
    assert results[0].result.error is not None and "outside the text" in results[0].result.error
    assert results[1].added
    assert library.document_count() == 1  # the bad document left nothing behind, not even its text
    broken_relation = _doc("A third text with enough characters in it to hold every mark, yes.")
    broken_relation.relations.append(Relation(0, 99, RelationLabel.SPEAKER))
    [r] = add_annotated(library, [broken_relation])
    assert r.result.error is not None and "relation" in r.result.error and library.document_count() == 1


def test_duplicates_are_reported_or_merged(library: Library) -> None:
    first = add_annotated(library, [_doc()])[0]
    again = add_annotated(library, [_doc()])[0]
    assert again.result.duplicate_of == first.result.doc_id and again.spans == 0
    extra = _doc()
    extra.spans.append(Span(35, 39, "PERSON", status=SpanStatus.ACCEPTED))
    merged = add_annotated(library, [extra], merge=True)[0]
    assert merged.merged and merged.spans == 1 and merged.skipped_spans == 5 and merged.relations == 0
    assert len(library.spans(first.result.doc_id)) == 6
    assert library.document_count() == 1


def test_import_is_logged_and_keeps_provenance(library: Library) -> None:
    [r] = add_annotated(library, [_doc(status=ReviewStatus.DONE)])
    doc_id = r.result.doc_id
    spans = library.spans(doc_id)
    assert {s.origin for s in spans} == {Origin.USER, Origin.MODEL}
    assert library.get_document(doc_id).status == ReviewStatus.DONE
    actions = [e.action for e in library.events(doc_id=doc_id)]
    assert "document.import_marks" in actions and "document.import" in actions
    assert {r.label for r in library.relations(doc_id)} == {RelationLabel.SPEAKER, RelationLabel.CUE, "knows"}


_TEMPLATE: dict[str, Path] = {}


def _fresh_library(folder: Path, name: str) -> Library:
    """A new empty library, copied from one made once (creating the schema is the slow part)."""
    if "path" not in _TEMPLATE:
        template = folder.parent / "template.sqlite"
        Library.open(template).close()
        _TEMPLATE["path"] = template
    target = folder / name
    shutil.copyfile(_TEMPLATE["path"], target)
    return Library.open(target)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=st.lists(annotated_documents(), min_size=1, max_size=4, unique_by=lambda d: d.document.text))
def test_round_trip_through_two_libraries_is_lossless(tmp_path_factory, docs: list[AnnotatedDocument]) -> None:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("rt")
    with _fresh_library(folder, "a.sqlite") as a:
        add_annotated(a, docs)
        first = list(iter_annotated(a, EVERYTHING))
    with _fresh_library(folder, "b.sqlite") as b:
        results = add_annotated(b, first)
        assert all(r.added for r in results)
        second = list(iter_annotated(b, EVERYTHING))
    assert second == first
    # and what came out is what went in (spans in position order, relations deduplicated)
    for original, out in zip(docs, first):
        assert out.document.text == original.document.text and out.status == original.status and out.tags == original.tags
        assert [(s.start, s.end, s.label, s.kind, s.status, s.origin, s.claim_type, s.score, s.note, s.tags, s.edited_from) for s in out.spans] == [
            (s.start, s.end, s.label, s.kind, s.status, s.origin, s.claim_type, s.score, s.note, s.tags, s.edited_from) for s in original.spans
        ]
        assert [(r.head, r.tail, r.label, r.origin) for r in out.relations] == [(r.head, r.tail, r.label, r.origin) for r in original.relations]
