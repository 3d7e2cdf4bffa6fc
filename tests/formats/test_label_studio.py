"""Label Studio JSON: tasks with annotations and predictions in, the same out, lossless round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foreign_strategies import documents, round_trip, split, write_all
from newsmark.formats import label_studio
from newsmark.model import AnnotatedDocument, NewDocument, Origin, ProblemKind, Relation, Span, SpanStatus
from newsmark.text import guess_title


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_is_byte_identical(docs) -> None:  # type: ignore[no-untyped-def]
    first, second, read_docs, problems = round_trip(label_studio, docs, "tasks.json")
    assert problems == []
    assert first == second
    assert len(read_docs) == len(docs)
    for original, read in zip(docs, read_docs):
        # no title: the first line of the text, as for any imported text (and a title equal to that is not written)
        assert read.text == original.text and read.document.title == (original.document.title or guess_title(original.text))
        kept = [s for s in original.spans if s.status is not SpanStatus.REJECTED]
        # accepted first (the annotation), then suggestions grouped by model, each in the original order
        order = [s for s in kept if s.status is SpanStatus.ACCEPTED]
        for model in dict.fromkeys(s.origin_detail for s in kept if s.status is SpanStatus.SUGGESTED):
            order += [s for s in kept if s.status is SpanStatus.SUGGESTED and s.origin_detail == model]
        assert [(s.start, s.end, s.label, s.status) for s in read.spans] == [(s.start, s.end, s.label, s.status) for s in order]
        for got, want in zip(read.spans, order):
            if want.status is SpanStatus.SUGGESTED:  # the model, and the tool and file it came through
                expected = f"{want.origin_detail} (label-studio: tasks.json)" if want.origin_detail else "label-studio: tasks.json"
                assert got.origin is Origin.MODEL and got.origin_detail == expected and got.score == want.score
            else:
                assert got.origin is Origin.IMPORT
        position = {id(s): i for i, s in enumerate(order)}
        expected = sorted(
            (position[id(original.spans[r.head])], position[id(original.spans[r.tail])], str(r.label))
            for r in original.relations
            if id(original.spans[r.head]) in position and id(original.spans[r.tail]) in position
        )
        assert sorted((r.head, r.tail, str(r.label)) for r in read.relations) == expected


def _task(**extra: object) -> dict:
    task = {
        "id": 41,
        "data": {"text": "Lund said 🎉 Ørsted will grow.", "title": "Wind"},
        "annotations": [
            {"id": 1, "completed_by": 3, "result": [
                {"id": "a", "type": "labels", "from_name": "label", "to_name": "text",
                 "value": {"start": 0, "end": 4, "text": "Lund", "labels": ["PERSON"]}},
                {"id": "b", "type": "labels", "value": {"start": 12, "end": 18, "text": "Ørsted", "labels": ["ORG", "CLAIM"]}},
                {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": ["speaker"]}]},
            {"id": 2, "completed_by": {"id": 9, "email": "ann@example.org"}, "result": [
                {"id": "x", "type": "labels", "value": {"start": 0, "end": 4, "text": "Lund", "labels": ["PERSON"]}},
                {"id": "y", "type": "labels", "value": {"start": 12, "end": 18, "text": "Ørsted", "labels": ["ORG"]}},
                {"from_id": "x", "to_id": "y", "type": "relation", "direction": "right", "labels": ["speaker"]},
                {"id": "c", "type": "choices", "value": {"choices": ["Politics"]}}]},
            {"id": 3, "was_cancelled": True, "result": [
                {"id": "z", "type": "labels", "value": {"start": 5, "end": 9, "text": "said", "labels": ["CUE"]}}]},
        ],
        "predictions": [{"model_version": "ner-v2", "score": 0.5, "result": [
            {"id": "p1", "type": "labels", "score": 0.9, "value": {"start": 0, "end": 4, "text": "Lund", "labels": ["PERSON"]}},
            {"id": "p2", "type": "labels", "value": {"start": 5, "end": 9, "text": "said", "labels": ["CUE"]}},
            {"from_id": "p2", "to_id": "p1", "type": "relation", "direction": "left"}]}],
        "created_at": "2024-01-02T10:00:00Z",
    }
    task.update(extra)
    return task


def test_annotators_are_merged_predictions_suggested_cancelled_skipped(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([_task()], indent=2), encoding="utf-8")
    docs, problems = split(label_studio.read(path))
    assert [(p.kind, p.line) for p in problems] == [(ProblemKind.WARNING, 2)]
    assert "annotation 3 was cancelled" in problems[0].message
    [doc] = docs
    got = [(s.label, doc.text[s.start : s.end], s.status, s.origin, s.origin_detail, s.score) for s in doc.spans]
    assert got == [
        ("PERSON", "Lund", SpanStatus.ACCEPTED, Origin.IMPORT, "label-studio: tasks.json (annotators 3, ann@example.org)", None),
        ("ORG", "Ørsted", SpanStatus.ACCEPTED, Origin.IMPORT, "label-studio: tasks.json (annotators 3, ann@example.org)", None),
        ("CLAIM", "Ørsted", SpanStatus.ACCEPTED, Origin.IMPORT, "label-studio: tasks.json (annotators 3)", None),
        ("PERSON", "Lund", SpanStatus.SUGGESTED, Origin.MODEL, "ner-v2 (label-studio: tasks.json)", 0.9),
        ("CUE", "said", SpanStatus.SUGGESTED, Origin.MODEL, "ner-v2 (label-studio: tasks.json)", 0.5),
    ]
    assert doc.annotators == ["3", "ann@example.org"]
    # the same relation drawn by both annotators is one; "left" turns the arrow round; no label → "relation"
    assert [(r.head, r.tail, str(r.label), r.origin) for r in doc.relations] == [
        (0, 1, "speaker", Origin.IMPORT),
        (3, 4, "relation", Origin.MODEL),
    ]
    assert doc.document.title == "Wind"
    meta = doc.document.meta["label-studio"]
    assert meta["task"] == {"id": 41, "created_at": "2024-01-02T10:00:00Z"}
    assert meta["results"] == [{"id": "c", "type": "choices", "value": {"choices": ["Politics"]}}]


def test_the_text_field_may_have_another_name(tmp_path: Path) -> None:
    ok = {"data": {"article": "Hello world", "views": 3}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 6, "end": 11, "text": "world", "labels": ["X"]}}]}]}
    ambiguous = {"data": {"body": "one", "lead": "two"}, "annotations": []}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([ok, ambiguous], indent=1), encoding="utf-8")
    docs, problems = split(label_studio.read(path))
    [doc] = docs
    assert doc.text == "Hello world" and doc.document.meta["label-studio"]["text_key"] == "article"
    [problem] = problems
    assert problem.kind is ProblemKind.ERROR and "task 2" in problem.message and "'body', 'lead'" in problem.message
    assert problem.line == 1 + json.dumps([ok, ambiguous], indent=1).split("\n").index(' {', 2)
    # written back under the same key, the other data fields kept
    out = tmp_path / "out.json"
    write_all(label_studio.writer, out, docs)
    [task] = json.loads(out.read_text(encoding="utf-8"))
    assert task["data"] == {"article": "Hello world", "views": 3}


def test_utf16_offsets_of_older_versions_are_converted(tmp_path: Path) -> None:
    text = "💩This is an annotation."
    task = {"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 13, "end": 23, "text": "annotation", "labels": ["A"]}},
        {"id": "b", "type": "labels", "value": {"start": 1, "end": 5, "text": "Thus", "labels": ["B"]}}]}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    docs, problems = split(label_studio.read(path))
    [doc] = docs
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["annotation"]
    assert [("UTF-16" in p.message, "'This'" in p.message) for p in problems] == [(True, False), (False, True)]


def test_bad_tasks_are_located_errors_and_the_rest_imports(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    good = json.dumps({"data": {"text": "Fine"}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["X"]}},
        {"from_id": "a", "to_id": "nope", "type": "relation"}]}]})
    path.write_text("[\n" + good + ",\n{\"data\": \"oops\"},\n{\"data\": {\"text\": \"x\"}, bad},\n" + good + "\n]\n", encoding="utf-8")
    docs, problems = split(label_studio.read(path))
    assert len(docs) == 2 and all(len(d.spans) == 1 and d.relations == [] for d in docs)
    assert [(p.kind, p.line) for p in problems] == [
        (ProblemKind.WARNING, 2), (ProblemKind.ERROR, 3), (ProblemKind.ERROR, 4), (ProblemKind.WARNING, 5)
    ]
    assert "task 2" in problems[1].message and "task 3" in problems[2].message and "invalid JSON" in problems[2].message


def test_rejected_marks_are_left_out_and_counted(tmp_path: Path) -> None:
    doc = AnnotatedDocument(
        document=NewDocument(text="Lund said so."),
        spans=[Span(0, 4, "PERSON", status=SpanStatus.ACCEPTED), Span(5, 9, "CUE", status=SpanStatus.REJECTED),
               Span(10, 12, "X", status=SpanStatus.SUGGESTED, origin_detail="m1", score=0.25)],
        relations=[Relation(0, 1, "cue"), Relation(2, 0, "speaker")],
    )
    out = tmp_path / "out.json"
    w = write_all(label_studio.writer, out, [doc, doc])
    [problem] = w.problems  # type: ignore[attr-defined]
    assert problem.kind is ProblemKind.WARNING and problem.message.startswith("2 rejected mark(s) in 2 document(s) and 2 relation(s)")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 2
    [annotation] = tasks[0]["annotations"]
    assert [i["value"]["labels"] for i in annotation["result"]] == [["PERSON"]]
    [prediction] = tasks[0]["predictions"]
    assert prediction["model_version"] == "m1"
    assert prediction["result"][0]["id"] == "s2" and prediction["result"][0]["score"] == 0.25
    assert prediction["result"][1] == {"from_id": "s2", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["speaker"]}


def test_the_writer_is_atomic_and_streams_an_array(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    w = label_studio.writer(out)
    w.write(AnnotatedDocument(document=NewDocument(text="a")))
    w.abort()
    assert list(tmp_path.iterdir()) == []
    write_all(label_studio.writer, out, [])
    assert json.loads(out.read_text(encoding="utf-8")) == []
    with pytest.raises(RuntimeError):
        with label_studio.writer(out) as w2:
            w2.write(AnnotatedDocument(document=NewDocument(text="b")))
            raise RuntimeError("cancelled")
    assert json.loads(out.read_text(encoding="utf-8")) == [] and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_sniff(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps([_task()]), encoding="utf-8")
    doccano = tmp_path / "d.json"
    doccano.write_text('{"text": "a", "label": [[0, 1, "X"]]}')
    plain = tmp_path / "p.json"
    plain.write_text('[{"data": {"text": "no annotations"}}]')
    assert label_studio.sniff(path) and not label_studio.sniff(doccano) and not label_studio.sniff(plain)


# --- the real files -------------------------------------------------------------------------


@pytest.mark.needs_data
def test_the_real_label_studio_exports_import_with_the_right_counts(shared_data: Path) -> None:
    folder = shared_data / "interop" / "label_studio"
    files = sorted(folder.glob("*.json"))
    assert len(files) == 2
    for path in files:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tasks = raw if isinstance(raw, list) else [raw]
        spans, relations, bad = [], [], []
        for task in tasks:
            items = [i for group in task.get("annotations", []) + task.get("predictions", []) for i in group["result"]]
            text = task["data"]["text"]
            good = [i for i in items if i["type"] == "labels" and text[i["value"]["start"] : i["value"]["end"]] == i["value"]["text"]]
            spans.append(len(good))
            bad.append(sum(1 for i in items if i["type"] == "labels") - len(good))
            relations.append(sum(1 for i in items if i["type"] == "relation"))
        docs, problems = split(label_studio.read(path))
        assert [len(d.spans) for d in docs] == spans, path.name
        assert [len(d.relations) for d in docs] == relations, path.name
        assert all(f"label-studio: {path.name}" in s.origin_detail for d in docs for s in d.spans)  # predictions too
        assert [p.kind for p in problems] == [ProblemKind.WARNING] * sum(bad), path.name
        assert label_studio.sniff(path)
    counts = {p.name: [(len(d.spans), len(d.relations)) for d in split(label_studio.read(p))[0]] for p in files}
    # the kiji-proxy sample's e-mail mark ends past the end of its text: dropped with a warning
    assert counts == {"kiji-proxy_sample_predictions.json": [(4, 2)], "lsf_named_entity_annotations_1.json": [(1, 0)]}


def test_a_suggestion_keeps_its_model_and_the_file_it_came_through(tmp_path: Path) -> None:
    assert label_studio.model_version("ner-v2 (label-studio: tasks (1).json)") == "ner-v2"
    assert label_studio.model_version("label-studio: tasks.json") == ""  # a prediction that named no model
    assert label_studio.model_version("en_core_web_sm 3.8.0") == "en_core_web_sm 3.8.0"
    doc = AnnotatedDocument(
        NewDocument(text="Lund said Ørsted will grow."),
        spans=[
            Span(0, 4, "PERSON", status=SpanStatus.SUGGESTED, origin=Origin.MODEL, origin_detail="ner-v2 (label-studio: old.json)", score=0.5),
            Span(10, 16, "ORG", status=SpanStatus.SUGGESTED, origin=Origin.MODEL, origin_detail="ner-v2"),
            Span(17, 21, "X", status=SpanStatus.SUGGESTED, origin=Origin.MODEL, origin_detail="label-studio: old.json"),
        ],
    )
    write_all(label_studio.writer, tmp_path / "new.json", [doc])
    [task] = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    # one prediction per model, whichever file the suggestions came through; the file is not a model version
    assert [(p["model_version"], len(p["result"])) for p in task["predictions"]] == [("ner-v2", 2), ("", 1)]
    [back], _ = split(label_studio.read(tmp_path / "new.json"))
    assert [s.origin_detail for s in back.spans] == ["ner-v2 (label-studio: new.json)"] * 2 + ["label-studio: new.json"]
