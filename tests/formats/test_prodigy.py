"""Prodigy JSONL: manual, relation and binary examples in; merged per text; real exports counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_newsmark_jsonl import documents

from newsmark.formats import newsmark_jsonl, prodigy
from newsmark.model import AnnotatedDocument, NewDocument, Origin, Problem, ProblemKind, Relation, ReviewStatus, SpanKind, SpanStatus


def read(path: Path) -> tuple[list[AnnotatedDocument], list[Problem]]:
    docs: list[AnnotatedDocument] = []
    problems: list[Problem] = []
    for item in prodigy.read(path):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems


def write_lines(path: Path, records: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


TEXT = "Anna Smith works for Acme Corp in Oslo."
TOKENS = [
    {"text": w, "start": s, "end": s + len(w), "id": i}
    for i, (w, s) in enumerate([("Anna", 0), ("Smith", 5), ("works", 11), ("for", 17), ("Acme", 21), ("Corp", 26), ("in", 31), ("Oslo", 34), (".", 38)])
]


def test_ner_manual_spans_with_or_without_token_fields(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "ner.jsonl", [{
        "text": TEXT,
        "tokens": TOKENS,
        "spans": [
            {"start": 0, "end": 10, "label": "PERSON", "token_start": 0, "token_end": 1, "text": "Anna Smith"},
            {"start": 21, "end": 30, "label": "ORG"},
            {"token_start": 7, "token_end": 7, "label": "GPE"},  # only tokens
        ],
        "meta": {"title": "Staff", "url": "https://example.org/a", "section": "biz"},
        "_input_hash": 1, "_task_hash": 2, "_view_id": "ner_manual", "_session_id": "news-anna", "_annotator_id": "news-anna",
        "answer": "accept",
    }])
    (doc,), problems = read(path)
    assert problems == []
    assert [(s.start, s.end, s.label, s.status, s.origin, s.origin_detail, s.kind) for s in doc.spans] == [
        (0, 10, "PERSON", SpanStatus.ACCEPTED, Origin.IMPORT, "prodigy: ner.jsonl", SpanKind.ENTITY),
        (21, 30, "ORG", SpanStatus.ACCEPTED, Origin.IMPORT, "prodigy: ner.jsonl", SpanKind.ENTITY),
        (34, 38, "GPE", SpanStatus.ACCEPTED, Origin.IMPORT, "prodigy: ner.jsonl", SpanKind.ENTITY),
    ]
    assert (doc.document.title, doc.document.url, doc.status, doc.annotators) == ("Staff", "https://example.org/a", ReviewStatus.DONE, ["news-anna"])
    assert doc.document.meta["prodigy"] == {
        "_input_hash": 1, "_task_hash": 2, "_view_id": "ner_manual", "_session_id": "news-anna", "_annotator_id": "news-anna",
        "answer": "accept", "meta": {"title": "Staff", "url": "https://example.org/a", "section": "biz"}, "line": 1,
    }


def test_rel_manual_relations_by_span_or_by_token_and_spans_only_in_relations(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "rel.jsonl", [{
        "text": TEXT,
        "tokens": TOKENS,
        "spans": [{"start": 0, "end": 10, "label": "PERSON", "token_start": 0, "token_end": 1}],
        "relations": [
            {"head": 1, "child": 5, "label": "WORKS_FOR", "color": "#fff",
             "head_span": {"start": 0, "end": 10, "token_start": 0, "token_end": 1, "label": "PERSON"},
             "child_span": {"start": 21, "end": 30, "token_start": 4, "token_end": 5, "label": "ORG"}},  # ORG is not in "spans"
            {"head": 5, "child": 1, "label": "EMPLOYS"},  # token indexes only: the last tokens of ORG and PERSON
            {"head": 7, "child": 1, "label": "NOWHERE"},  # no span ends at token 7
        ],
        "_view_id": "relations", "answer": "accept",
    }])
    (doc,), problems = read(path)
    assert [s.label for s in doc.spans] == ["PERSON", "ORG"]
    assert doc.relations == [
        Relation(0, 1, "WORKS_FOR", origin=Origin.IMPORT, origin_detail="prodigy: rel.jsonl"),
        Relation(1, 0, "EMPLOYS", origin=Origin.IMPORT, origin_detail="prodigy: rel.jsonl"),
    ]
    assert [(p.line, p.kind) for p in problems] == [(1, ProblemKind.WARNING)]
    assert "relations[2]" in problems[0].message and "token 7, where no span ends" in problems[0].message


def test_binary_answers_merge_into_one_document_per_text(tmp_path: Path) -> None:
    def teach(span: dict[str, Any], answer: str, task: int) -> dict[str, Any]:
        return {"text": TEXT, "spans": [span], "_input_hash": 99, "_task_hash": task, "_view_id": "ner", "answer": answer, "meta": {"score": task / 10}}

    person = {"start": 0, "end": 10, "label": "PERSON"}
    path = write_lines(tmp_path / "teach.jsonl", [
        teach(person, "accept", 1),  # 1
        teach({"start": 34, "end": 38, "label": "ORG"}, "reject", 2),  # 2
        {"text": "Another text.", "spans": [{"start": 0, "end": 7, "label": "X"}], "answer": "accept"},  # 3
        teach({"start": 21, "end": 30, "label": "ORG"}, "ignore", 3),  # 4
        teach(person, "accept", 4),  # 5: the same span again
        teach({"start": 34, "end": 38, "label": "ORG"}, "accept", 5),  # 6: changes its mind
    ])
    docs, problems = read(path)
    assert [d.text for d in docs] == ["Another text.", TEXT]  # each handed on after its last line
    merged = docs[1]
    assert [(s.label, s.start, s.status) for s in merged.spans] == [("PERSON", 0, SpanStatus.ACCEPTED), ("ORG", 34, SpanStatus.ACCEPTED)]
    assert [(p.line, p.kind) for p in problems] == [(4, ProblemKind.WARNING), (6, ProblemKind.WARNING)]
    assert '"ignore"' in problems[0].message
    assert 'answered "reject" on line 2 and "accept" here' in problems[1].message
    meta = merged.document.meta["prodigy"]
    assert meta["_input_hash"] == 99 and meta["_task_hash"] == [1, 2, 4, 5] and meta["lines"] == [1, 2, 5, 6]
    assert meta["meta"] == [{"score": 0.1}, {"score": 0.2}, {"score": 0.4}, {"score": 0.5}]


def test_a_rejected_example_gives_negative_examples(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [{"text": TEXT, "spans": [{"start": 34, "end": 38, "label": "PERSON"}], "answer": "reject"}])
    (doc,), problems = read(path)
    assert problems == [] and doc.spans[0].status == SpanStatus.REJECTED


def test_bad_lines_and_bad_spans_are_located_and_the_rest_imports(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [
        {"text": TEXT, "spans": [{"start": 0, "end": 4, "label": "PERSON"}]},  # 1: no answer: accepted
        "{oops",  # 2
        {"text": TEXT, "answer": "maybe"},  # 3
        {"text": "Short.", "spans": [{"start": 0, "end": 60, "label": "X"}, {"start": 0, "end": 5, "label": "X", "text": "Shirt"},
                                     {"start": 0, "end": 5}, "junk", {"start": 0, "end": 5, "label": "OK", "source": "model"}], "answer": "accept"},  # 4
        {"spans": []},  # 5
        {"text": "Fine.\r\nSecond", "spans": [{"start": 7, "end": 13, "label": "X"}], "answer": "accept"},  # 6: CRLF
    ])
    docs, problems = read(path)
    assert [d.text for d in docs] == [TEXT, "Short.", "Fine.\nSecond"]
    assert [len(d.spans) for d in docs] == [1, 1, 1]
    assert docs[2].text[docs[2].spans[0].start : docs[2].spans[0].end] == "Second"
    located = [(p.line, p.kind.value) for p in problems]
    assert located == [(2, "error"), (3, "error"), (4, "warning"), (4, "warning"), (4, "warning"), (4, "warning"), (5, "error"), (6, "warning"), (4, "warning")]
    assert "not valid JSON" in problems[0].message and "'maybe'" in problems[1].message
    assert "outside the text" in problems[2].message and "'Shirt'" in problems[3].message and "label" in problems[4].message
    assert 'no "text"' in problems[6].message and "normalised" in problems[7].message
    assert '"source" (1 span)' in problems[8].message


def test_sniff_tells_prodigy_from_newsmark(tmp_path: Path) -> None:
    ours = tmp_path / "ours.jsonl"
    with newsmark_jsonl.writer(ours) as out:
        out.write(AnnotatedDocument(NewDocument(text=TEXT)))
    theirs = write_lines(tmp_path / "theirs.jsonl", [{"text": TEXT, "_input_hash": 1, "answer": "accept"}])
    assert prodigy.sniff(theirs) and not prodigy.sniff(ours)
    assert prodigy.writer is newsmark_jsonl.writer


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_prodigy_reads_what_newsmark_writes(tmp_path: Path, doc: AnnotatedDocument) -> None:
    """Newsmark JSONL is Prodigy JSONL: the accepted spans and the relations between them come through."""
    keep = [i for i, s in enumerate(doc.spans) if s.status == SpanStatus.ACCEPTED]
    doc.spans = [doc.spans[i] for i in keep]
    for span in doc.spans:
        span.edited_from = None
    doc.relations = [
        Relation(keep.index(r.head), keep.index(r.tail), r.label, origin=r.origin) for r in doc.relations if r.head in keep and r.tail in keep
    ]
    path = tmp_path / "export.jsonl"
    with newsmark_jsonl.writer(path) as out:
        out.write(doc)
    # Read as Prodigy's own examples, without the mark that would send the file to Newsmark's reader.
    record = json.loads(path.read_text(encoding="utf-8"))
    del record["meta"]["format"]
    write_lines(path, [record])
    assert not newsmark_jsonl.sniff(path)
    (back,), problems = read(path)
    assert [p for p in problems if p.kind == ProblemKind.ERROR] == []
    unique = list(dict.fromkeys((s.start, s.end, s.label) for s in doc.spans))  # Prodigy merges duplicates
    assert [(s.start, s.end, s.label) for s in back.spans] == unique
    assert [s.kind for s in back.spans] == [next(s.kind for s in doc.spans if (s.start, s.end, s.label) == u) for u in unique]
    expected = []
    for r in doc.relations:
        key = (unique.index(_key(doc, r.head)), unique.index(_key(doc, r.tail)), str(r.label))
        if key not in expected:
            expected.append(key)
    assert [(r.head, r.tail, str(r.label)) for r in back.relations] == expected


def _key(doc: AnnotatedDocument, index: int) -> tuple[int, int, str]:
    span = doc.spans[index]
    return span.start, span.end, span.label


# --- the real exports ------------------------------------------------------------------------------

REAL = {
    # file: (documents, spans, relations), as the reader gives them
    "explosion_fashion_brands_eval.first60.jsonl": (60, 39, 0),
    "explosion_ner_tweets_test_annotated.first100.jsonl": (96, 54, 0),
    "explosion_rel_component_annotations.first40.jsonl": (40, 126, 72),
}


def count_raw(path: Path) -> tuple[int, int, int]:
    """Documents, spans and relations counted straight from the JSON (the reader's rules, none of its code):
    ignored examples out, one document per text, a span counted once per text (relation ends included)."""
    spans: dict[str, set[tuple[int, int, str]]] = {}
    relations: dict[str, set[tuple[Any, ...]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        eg = json.loads(line)
        if eg.get("answer", "accept") == "ignore":
            continue
        text = eg["text"]
        spans.setdefault(text, set()).update((s["start"], s["end"], s["label"]) for s in eg.get("spans", []))
        for rel in eg.get("relations", []):
            ends = tuple((rel[k]["start"], rel[k]["end"], rel[k]["label"]) for k in ("head_span", "child_span"))
            spans[text].update(ends)
            relations.setdefault(text, set()).add(ends + (rel["label"],))
    return len(spans), sum(map(len, spans.values())), sum(map(len, relations.values()))


@pytest.mark.needs_data
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_prodigy_exports_import_with_the_right_counts(shared_data: Path, tmp_path: Path, name: str) -> None:
    path = shared_data / "interop" / "prodigy" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    docs, problems = read(path)
    got = (len(docs), sum(len(d.spans) for d in docs), sum(len(d.relations) for d in docs))
    assert got == REAL[name]
    assert count_raw(path) == REAL[name]
    assert [p for p in problems if p.kind == ProblemKind.ERROR] == []
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ignored = [i + 1 for i, eg in enumerate(raw) if eg.get("answer") == "ignore"]
    assert [p.line for p in problems if '"ignore"' in p.message] == ignored
    by_text = {eg["text"]: eg for eg in raw}
    for doc in docs:
        eg = by_text[doc.text]  # texts come through unchanged (they are already NFC with \n)
        assert doc.document.meta["prodigy"]["_input_hash"] == eg["_input_hash"]
        for span in doc.spans:
            assert (span.origin, span.origin_detail, span.status) == (Origin.IMPORT, f"prodigy: {name}", SpanStatus.ACCEPTED)
        for s in eg.get("spans", []):
            if "text" in s:
                assert doc.text[s["start"] : s["end"]] == s["text"]

    # The import exports as Newsmark JSONL, which reads back to the same documents.
    export = tmp_path / "export.jsonl"
    with newsmark_jsonl.writer(export) as out:
        for doc in docs:
            out.write(doc)
    back = [item for item in newsmark_jsonl.read(export)]
    assert all(isinstance(item, AnnotatedDocument) for item in back)
    for got, want in zip(back, docs, strict=True):
        got.document.origin = want.document.origin
        assert got == want
