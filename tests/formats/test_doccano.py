"""doccano JSONL: every export shape in, the relation shape out, lossless round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmark.formats import doccano
from newsmark.formats._foreign import without_rejected
from newsmark.model import AnnotatedDocument, NewDocument, Origin, ProblemKind, Relation, RelationLabel, Span, SpanStatus
from newsmark.text import guess_title

from foreign_strategies import documents, round_trip, split, write_all


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_is_byte_identical(docs) -> None:  # type: ignore[no-untyped-def]
    first, second, read_docs, problems = round_trip(doccano, docs, "out.jsonl")
    assert problems == []
    assert first == second
    assert len(read_docs) == len(docs)
    for original, read in zip((without_rejected(d)[0] for d in docs), read_docs):  # no negative examples in doccano
        assert read.text == original.text
        assert [(s.start, s.end, s.label) for s in read.spans] == [(s.start, s.end, s.label) for s in original.spans]
        assert [(r.head, r.tail, str(r.label)) for r in read.relations] == [
            (r.head, r.tail, str(r.label)) for r in original.relations
        ]
        assert read.document.title == (original.document.title or guess_title(original.text))  # the first line when untitled
        assert all(s.status is SpanStatus.ACCEPTED and s.origin is Origin.IMPORT for s in read.spans)


def test_pretty_printed_objects_and_a_broken_one_are_located(tmp_path: Path) -> None:
    good = {"text": "Google was founded by Larry Page.", "entities": [
        {"id": 10, "start_offset": 0, "end_offset": 6, "label": "ORG"},
        {"id": 11, "start_offset": 22, "end_offset": 32, "label": "PERSON"}],
        "relations": [{"id": 0, "from_id": 10, "to_id": 11, "type": "foundedBy"}]}
    pretty = json.dumps(good, indent=4)
    broken = '{\n    "text": "half an object",\n    "entities": [\n        {"id": 1,,}\n    ]\n}'
    content = pretty + "\n" + broken + "\n" + pretty + "\n"
    path = tmp_path / "pretty.jsonl"
    path.write_text(content, encoding="utf-8")
    docs, problems = split(doccano.read(path))
    assert len(docs) == 2
    [problem] = problems
    start_of_broken = pretty.count("\n") + 2
    assert problem.kind is ProblemKind.ERROR and problem.line == start_of_broken
    assert "invalid JSON" in problem.message and str(path) in str(problem)
    for doc in docs:
        assert [doc.text[s.start : s.end] for s in doc.spans] == ["Google", "Larry Page"]
        [rel] = doc.relations
        assert (rel.head, rel.tail, rel.label) == (0, 1, "foundedBy")
        assert doc.document.meta == {}


def test_a_json_array_reports_the_item_and_its_line(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(
        '[\n  {"text": "One", "label": [[0, 3, "X"]]},\n  {"text": 5},\n  {"text": "Three", "label": [[0, 99, "X"], [0, 5, "Y"]]}\n]\n',
        encoding="utf-8",
    )
    items = list(doccano.read(path))
    kinds = [(type(i).__name__, getattr(i, "kind", None), getattr(i, "line", None)) for i in items]
    assert kinds == [  # a document knows the line it starts on too (import messages about it point there)
        ("AnnotatedDocument", None, 2),
        ("Problem", ProblemKind.ERROR, 3),
        ("Problem", ProblemKind.WARNING, 4),
        ("AnnotatedDocument", None, 4),
    ]
    assert "item 2" in items[1].message and "item 3" in items[2].message and "outside the text" in items[2].message
    assert [(s.start, s.end, s.label) for s in items[3].spans] == [(0, 5, "Y")]


def test_annotations_of_several_users_and_numeric_labels(tmp_path: Path) -> None:
    rows = [
        {"id": 7, "text": "JAPAN beat CHINA", "annotations": [
            {"label": 12, "start_offset": 0, "end_offset": 5, "user": 1},
            {"label": 13, "start_offset": 11, "end_offset": 16, "user": 1},
            {"label": 12, "start_offset": 0, "end_offset": 5, "user": 2}],
         "meta": {"source": "x"}, "annotation_approver": None},
        {"id": 8, "text": "ROME", "annotations": [{"label": 14, "start_offset": 0, "end_offset": 4, "user": 2}]},
    ]
    path = tmp_path / "users.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    docs, problems = split(doccano.read(path))
    assert [p.kind for p in problems] == [ProblemKind.WARNING]  # numeric label ids: said once per file
    assert "label ids" in problems[0].message and "12, 13" in problems[0].message
    first, second = docs
    assert [(s.label, first.text[s.start : s.end]) for s in first.spans] == [("12", "JAPAN"), ("13", "CHINA")]
    assert first.spans[0].origin_detail == "doccano: users.jsonl (user 1, 2)"
    assert first.spans[1].origin_detail == "doccano: users.jsonl (user 1)"
    assert first.annotators == ["doccano user 1", "doccano user 2"]
    assert first.document.meta == {"doccano": {"id": 7, "meta": {"source": "x"}, "annotation_approver": None}}
    assert second.spans[0].label == "14"
    # written back: the id and the other keys come along
    out = tmp_path / "out.jsonl"
    w = doccano.writer(out)
    w.write(first)
    w.commit()
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["id"] == 7 and written["meta"] == {"source": "x"} and written["annotation_approver"] is None
    assert [e["label"] for e in written["entities"]] == ["12", "13"]


def test_bad_spans_and_relations_are_dropped_with_warnings(tmp_path: Path) -> None:
    row = {"text": "Merkel said it.", "entities": [
        {"id": "a", "start_offset": 0, "end_offset": 6, "label": "PERSON"},
        {"id": "b", "start_offset": 7, "end_offset": 700, "label": "CUE"},
        {"id": "c", "start_offset": "7", "end_offset": 11, "label": "CUE"},
        {"id": "d", "start_offset": 7, "end_offset": 11},
        {"id": "e", "start_offset": 7, "end_offset": 11, "label": "CUE"}],
        "relations": [{"id": 1, "from_id": "a", "to_id": "b", "type": "cue"},
                      {"id": 2, "from_id": "e", "to_id": "a", "type": "speaker"},
                      {"id": 3, "from_id": "e", "to_id": "zz", "type": "cue"}]}
    path = tmp_path / "bad.jsonl"
    path.write_text("\n\n" + json.dumps(row) + "\n", encoding="utf-8")
    docs, problems = split(doccano.read(path))
    assert all(p.kind is ProblemKind.WARNING and p.line == 3 for p in problems)
    assert len(problems) == 5
    [doc] = docs
    assert [(s.label, doc.text[s.start : s.end]) for s in doc.spans] == [("PERSON", "Merkel"), ("CUE", "said")]
    [rel] = doc.relations
    assert (rel.head, rel.tail, rel.label) == (1, 0, RelationLabel.SPEAKER)


def test_offsets_counted_in_the_files_text_survive_crlf_and_nfc(tmp_path: Path) -> None:
    text = "Line one\r\nCafe\u0301 Zu\u0308rich\r\nEnd"
    zurich = text.index("Zu")
    row = {"text": text, "label": [[zurich, zurich + 7, "LOC"], [text.index("End"), len(text), "X"], [8, 10, "NL"], [8, 9, "CR"]]}
    path = tmp_path / "crlf.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    docs, problems = split(doccano.read(path))
    [doc] = docs
    assert doc.text == "Line one\nCafé Zürich\nEnd"
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["Zürich", "End", "\n"]
    [problem] = problems  # [8, 9) ends between CR and LF: no place in the stored text
    assert problem.kind is ProblemKind.WARNING and "normalisation" in problem.message and "'CR'" in problem.message


def test_invalid_documents_are_errors_and_the_rest_imports(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": ""}\n[1, 2]\n{"label": []}\n{"text": "ok", "label": [[0, 2, "X"]]}\n', encoding="utf-8")
    docs, problems = split(doccano.read(path))
    assert [p.line for p in problems] == [1, 2, 3]
    assert all(p.kind is ProblemKind.ERROR for p in problems)
    assert [d.text for d in docs] == ["ok"]
    undecodable = tmp_path / "binary.jsonl"
    undecodable.write_bytes(b"\x00\x01\x02" * 100)
    [problem] = list(doccano.read(undecodable))
    assert problem.kind is ProblemKind.ERROR and "binary" in problem.message


def test_rejected_marks_are_not_written_as_marks(tmp_path: Path) -> None:
    doc = AnnotatedDocument(
        document=NewDocument(text="Lund said so."),
        spans=[Span(0, 4, "PERSON", status=SpanStatus.ACCEPTED), Span(5, 9, "CUE", status=SpanStatus.REJECTED),
               Span(10, 12, "X", status=SpanStatus.SUGGESTED)],
        relations=[Relation(0, 1, "cue"), Relation(2, 0, "speaker")],
    )
    out = tmp_path / "out.jsonl"
    w = write_all(doccano.writer, out, [doc])
    [problem] = w.problems  # type: ignore[attr-defined]
    assert problem.kind is ProblemKind.WARNING and problem.message.startswith("1 rejected mark(s) in 1 document(s) and 1 relation(s)")
    row = json.loads(out.read_text(encoding="utf-8"))
    assert [e["label"] for e in row["entities"]] == ["PERSON", "X"]
    assert row["relations"] == [{"id": 0, "from_id": 1, "to_id": 0, "type": "speaker"}]


def test_the_writer_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    docs, _ = split(doccano.read(_sample(tmp_path)))
    w = doccano.writer(out)
    w.write(docs[0])
    w.abort()
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl", "sample.jsonl"]
    w = doccano.writer(out)
    for doc in docs:
        w.write(doc)
    assert out.read_text(encoding="utf-8") == "previous export\n"  # nothing shows before commit
    w.commit()
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(docs)


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.jsonl"
    path.write_text('{"text": "a b", "label": [[0, 1, "X"]]}\n{"text": "c d", "label": [[2, 3, "Y"]]}\n', encoding="utf-8")
    return path


def test_sniff(tmp_path: Path) -> None:
    assert doccano.sniff(_sample(tmp_path))
    ls = tmp_path / "ls.json"
    ls.write_text('[{"data": {"text": "a"}, "annotations": [{"result": [{"value": {"start": 0, "end": 1}}]}]}]')
    prodigy = tmp_path / "p.jsonl"
    prodigy.write_text('{"text": "a", "spans": [{"start": 0, "end": 1, "label": "X"}]}\n')
    assert not doccano.sniff(ls) and not doccano.sniff(prodigy) and not doccano.sniff(tmp_path)


# --- the real files -------------------------------------------------------------------------


def _raw_objects(path: Path) -> list[dict]:
    """Every top-level object, with the simplest decoding loop (independent of the reader)."""
    text = path.read_text(encoding="utf-8")
    decoder, pos, objects = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return objects
        obj, pos = decoder.raw_decode(text, pos)
        objects.append(obj)


@pytest.mark.needs_data
def test_the_real_doccano_exports_import_with_the_right_counts(shared_data: Path) -> None:
    folder = shared_data / "interop" / "doccano"
    files = sorted(folder.glob("*.jsonl"))
    assert len(files) == 3
    for path in files:
        objects = _raw_objects(path)
        spans = [
            len(o.get("entities", [])) + len(o.get("label", []))
            + len({(a["start_offset"], a["end_offset"], a["label"]) for a in o.get("annotations", [])})
            for o in objects
        ]
        relations = [len(o.get("relations", [])) for o in objects]
        docs, problems = split(doccano.read(path))
        assert [p for p in problems if p.kind is ProblemKind.ERROR] == []
        assert [len(d.spans) for d in docs] == spans, path.name
        assert [len(d.relations) for d in docs] == relations, path.name
        for doc, obj in zip(docs, objects):
            assert doc.text == obj["text"]
            assert doc.document.title == obj["text"].splitlines()[0].strip()  # untitled in doccano: the first line
        assert doccano.sniff(path)
    totals = {p.name: sum(len(d.spans) for d in split(doccano.read(p))[0]) for p in files}
    assert totals == {
        "doccano-transformer_labeling.jsonl": 11,  # 5 marks agreed by two users + 6 of one user
        "doccano_export_example_relation_extraction.jsonl": 4,
        "doccano_export_example_sequence_labeling.jsonl": 4,
    }
