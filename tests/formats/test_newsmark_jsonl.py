"""Newsmark JSONL (newsmark/1): lossless round trips, the JSON Schema, located errors, atomic output."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmark.formats import brat, newsmark_jsonl
from newsmark.model import (
    AnnotatedDocument,
    ClaimType,
    NewDocument,
    Origin,
    Problem,
    ProblemKind,
    Relation,
    RelationLabel,
    ReviewStatus,
    Span,
    SpanKind,
    SpanStatus,
)
from newsmark.text import normalize_text

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "resources" / "schemas" / "newsmark-export.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# --- generated documents -------------------------------------------------------------------------

# Latin, CJK, Arabic and Hebrew (RTL, with a right-to-left mark), emoji and other non-BMP characters,
# a composed accent, quotes, backslashes, tabs, and characters some tools take for line breaks.
PIECES = [
    "Hamas", "said", "“we", "agree”", "2024", "3.5%", "café", "Łódź", "—", "x", "a", "\\", '"', "'",
    "東京", "岸田文雄", "مرحبا", "بايدن", "שלום", "\u200fנתניהו", "Москва",
    "😀", "👩‍👩‍👧", "🇵🇸", "𝔘𝔫𝔦", "\U00020000", "e\u0301",
]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\t", "  ", ", ", "\u2028", "\u0085", "\u00a0", ""]
LABELS = ["PERSON", "ORG", "GPE", "QUOTE", "SOURCE", "CUE", "Pos-Reg", "mój znak", "人名"]
FOREIGN_RELATIONS = ["Pos-Reg", "Binds", "works for", "関係"]
free_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | free_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(free_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=1, max_size=25))
    text = normalize_text("".join(word + sep for word, sep in parts))
    return text if text.strip() else "x"


@st.composite
def documents(draw: st.DrawFn) -> AnnotatedDocument:
    text = draw(texts())
    n = draw(st.integers(0, 8))
    spans = []
    for _ in range(n):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        kind = draw(st.sampled_from(list(SpanKind)))
        spans.append(
            Span(
                start=start,
                end=end,
                label=draw(st.sampled_from(LABELS)),
                kind=kind,
                status=draw(st.sampled_from(list(SpanStatus))),
                origin=draw(st.sampled_from(list(Origin))),
                origin_detail=draw(st.sampled_from(["", "en_core_web_sm 3.8.0", "anna", "prodigy: x.jsonl"])),
                claim_type=draw(st.none() | st.sampled_from(list(ClaimType))) if kind == SpanKind.CLAIM else None,
                score=draw(st.none() | st.floats(0, 1)),
                note=draw(st.sampled_from(["", "check this", "לבדוק 😀"])),
                tags=draw(st.lists(st.sampled_from(["a", "später", "🔥"]), max_size=2)),
            )
        )
    for span in spans:
        if draw(st.booleans()) and n > 1:
            span.edited_from = draw(st.integers(0, n - 1))
    relations = []
    if n:
        for _ in range(draw(st.integers(0, 6))):
            relations.append(
                Relation(
                    head=draw(st.integers(0, n - 1)),
                    tail=draw(st.integers(0, n - 1)),
                    label=draw(st.sampled_from(list(RelationLabel)) | st.sampled_from(FOREIGN_RELATIONS)),
                    origin=draw(st.sampled_from(list(Origin))),
                    origin_detail=draw(st.sampled_from(["", "newsmark-claims 1.0"])),
                )
            )
    optional = st.none() | st.sampled_from(["", "Reuters", "https://example.org/ü?q=1", "2024-05-01", "Анна"])
    return AnnotatedDocument(
        document=NewDocument(
            text=text,
            title=draw(st.sampled_from(["", "Ceasefire talks", "停戦交渉 😀"])),
            source=draw(optional),
            url=draw(optional),
            author=draw(optional),
            published=draw(optional),
            meta=draw(st.dictionaries(free_text, json_values, max_size=3)),
        ),
        spans=spans,
        relations=relations,
        status=draw(st.sampled_from(list(ReviewStatus))),
        tags=draw(st.lists(st.sampled_from(["gaza", "to check", "مهم"]), max_size=2, unique=True)),
        id=draw(st.none() | st.integers(1, 10**6)),
        annotators=draw(st.lists(st.sampled_from(["anna", "bob"]), max_size=2, unique=True)),
        annotated_by=draw(st.none() | st.just("en_core_web_sm 3.8.0")),
    )


# --- helpers -------------------------------------------------------------------------------------


def write(path: Path, docs: list[AnnotatedDocument]) -> bytes:
    out = newsmark_jsonl.writer(path)
    for doc in docs:
        out.write(doc)
    out.commit()
    return path.read_bytes()


def read(path: Path) -> tuple[list[AnnotatedDocument], list[Problem]]:
    docs: list[AnnotatedDocument] = []
    problems: list[Problem] = []
    for item in newsmark_jsonl.read(path):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems


def write_lines(path: Path, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    data = newline.join(lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


def line_of(doc: AnnotatedDocument) -> dict[str, Any]:
    return json.loads(newsmark_jsonl.dumps(doc))


def simple_doc() -> AnnotatedDocument:
    text = "Basem Naim told CNN: “We agree.” 😀 Gaza"
    spans = [
        Span(0, 10, "SOURCE", kind=SpanKind.SOURCE, status=SpanStatus.ACCEPTED, origin=Origin.USER, origin_detail="anna"),
        Span(11, 19, "CUE", kind=SpanKind.CUE, status=SpanStatus.ACCEPTED),
        Span(21, 32, "QUOTE", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED, claim_type=ClaimType.DIRECT_QUOTE, score=0.875),
        Span(0, 5, "PERSON", status=SpanStatus.REJECTED),
        Span(35, 39, "GPE", status=SpanStatus.SUGGESTED),
    ]
    relations = [Relation(2, 0, RelationLabel.SPEAKER), Relation(2, 1, RelationLabel.CUE), Relation(0, 3, "works for")]
    return AnnotatedDocument(NewDocument(text=text, title="Talks", meta={"section": "world"}), spans, relations, status=ReviewStatus.DONE, id=7)


def messages(problems: list[Problem]) -> list[tuple[int | None, ProblemKind, str]]:
    return [(p.line, p.kind, p.message) for p in problems]


# --- round trips ---------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents(), min_size=1, max_size=3))
def test_write_read_write_is_byte_identical_and_reads_back_every_field(tmp_path: Path, docs: list[AnnotatedDocument]) -> None:
    first = write(tmp_path / "one.jsonl", docs)
    back, problems = read(tmp_path / "one.jsonl")
    assert problems == []
    assert len(back) == len(docs)
    for got, want in zip(back, docs):
        assert got.document.origin == str(tmp_path / "one.jsonl")
        got.document.origin = want.document.origin
        assert got == want
    assert write(tmp_path / "two.jsonl", back) == first

    # One physical line per document, whatever line breaks the text holds; every line valid against the schema.
    lines = first.decode("utf-8").splitlines()
    assert len(lines) == len(docs)
    for line, doc in zip(lines, docs):
        record = json.loads(line)
        VALIDATOR.validate(record)
        check_tokens_and_relations(record, doc)


@settings(max_examples=150, deadline=None)
@given(doc=documents())
def test_the_fast_line_is_the_generic_encoding_of_the_record(doc: AnnotatedDocument) -> None:
    """``dumps`` writes tokens straight from tuples; it must equal ``json.dumps`` of ``to_record`` byte for byte."""
    from newsmark.formats._jsonlines import dumps_line

    assert newsmark_jsonl.dumps(doc) == dumps_line(newsmark_jsonl.to_record(doc))


def check_tokens_and_relations(record: dict[str, Any], doc: AnnotatedDocument) -> None:
    text, tokens = record["text"], record["tokens"]
    for token in tokens:
        assert token["text"] == text[token["start"] : token["end"]] and token["text"].strip()
    by_id = {}
    for key in ("spans", "rejected_spans", "suggested_spans"):
        for span in record.get(key, []):
            by_id[span["id"]] = span
            assert span["text"] == text[span["start"] : span["end"]]
            if "token_start" in span:  # the tokens a span covers; exactly its ends unless it begins or ends in whitespace
                first, last = tokens[span["token_start"]], tokens[span["token_end"]]
                assert span["start"] <= first["start"] and last["end"] <= span["end"]
                if not text[span["start"]].isspace():
                    assert first["start"] == span["start"]
                if not text[span["end"] - 1].isspace():
                    assert last["end"] == span["end"]
            else:
                assert not text[span["start"] : span["end"]].strip()
    assert sorted(by_id) == list(range(len(doc.spans)))
    for rel, want in zip(record["relations"], doc.relations):
        head, child = by_id[rel["head_id"]], by_id[rel["child_id"]]
        assert (rel["head_id"], rel["child_id"], rel["label"]) == (want.head, want.tail, str(want.label))
        assert rel["head_span"]["start"] == head["start"] and rel["child_span"]["end"] == child["end"]
        if "head" in rel:
            assert (rel["head"], rel["child"]) == (head["token_end"], child["token_end"])


def test_statuses_go_to_their_own_lists_and_conveniences_follow_the_relations() -> None:
    record = line_of(simple_doc())
    assert record["meta"]["format"] == "newsmark/1"
    assert [s["label"] for s in record["spans"]] == ["SOURCE", "CUE", "QUOTE"]
    assert [s["label"] for s in record["rejected_spans"]] == ["PERSON"]
    assert [s["label"] for s in record["suggested_spans"]] == ["GPE"]
    quote = record["spans"][2]
    assert (quote["speaker"], quote["cue"], quote["claim_type"], quote["score"]) == (0, 1, "direct_quote", 0.875)
    assert record["spans"][0]["token_start"] == 0 and record["spans"][0]["token_end"] == 1  # "Basem Naim"
    assert record["relations"][2]["label"] == "works for"
    assert record["answer"] == "accept"
    # Nothing pending or rejected: the lists are left out.
    doc = simple_doc()
    doc.spans = doc.spans[:3]
    doc.relations = doc.relations[:2]
    assert "rejected_spans" not in line_of(doc) and "suggested_spans" not in line_of(doc)


# --- reading what people and other tools do to a file -----------------------------------------------


def test_bom_crlf_blank_lines_and_unknown_keys_are_fine(tmp_path: Path) -> None:
    record = line_of(simple_doc())
    record["_input_hash"] = 123  # what Prodigy adds when the file went through it
    record["meta"]["reviewer_note"] = "from a person"
    record["spans"][0]["color"] = "#fff"
    path = write_lines(tmp_path / "a.jsonl", ["", json.dumps(record), "   ", json.dumps(line_of(simple_doc()))], newline="\r\n", bom=True)
    docs, problems = read(path)
    assert problems == []
    assert len(docs) == 2
    assert docs[0].document.meta == {"section": "world", "reviewer_note": "from a person", "jsonl": {"_input_hash": 123}}
    assert docs[0].spans == docs[1].spans == simple_doc().spans


def test_broken_lines_are_located_and_the_rest_imports(tmp_path: Path) -> None:
    good = line_of(simple_doc())
    out_of_range = line_of(simple_doc())
    out_of_range["suggested_spans"][0]["end"] = 400
    mismatch = line_of(simple_doc())
    mismatch["spans"][1]["text"] = "told BBC"
    wrong_kind = line_of(simple_doc())
    wrong_kind["spans"][2]["kind"] = "opinion"
    path = write_lines(tmp_path / "broken.jsonl", [
        json.dumps(good),  # 1
        '{"text": "unfinished',  # 2
        "[1, 2]",  # 3
        json.dumps({"text": 5, "meta": {}}),  # 4
        json.dumps({"text": "fine", "spans": {"start": 0}}),  # 5
        json.dumps(out_of_range),  # 6
        json.dumps(mismatch),  # 7
        json.dumps(wrong_kind),  # 8
        json.dumps({"text": "newer", "meta": {"format": "newsmark/2"}}),  # 9
        json.dumps({"text": "   "}),  # 10
        json.dumps(good),  # 11
    ])
    docs, problems = read(path)
    assert all(p.path == str(path) for p in problems)
    errors = [(p.line, p.message) for p in problems if p.kind == ProblemKind.ERROR]
    assert [line for line, _ in errors] == [2, 3, 4, 5, 9, 10]
    assert "not valid JSON" in errors[0][1] and "got a list" in errors[1][1]
    assert '"text" must be a string' in errors[2][1] and '"suggested_spans"' not in errors[3][1] and '"spans" must be a list' in errors[3][1]
    assert "newsmark/2" in errors[4][1] and "empty" in errors[5][1]
    warnings = [(p.line, p.message) for p in problems if p.kind == ProblemKind.WARNING]
    assert [line for line, _ in warnings] == [6, 7, 7, 7, 8]
    assert "outside the text" in warnings[0][1]
    assert "'told BBC'" in warnings[1][1] and "child_id is 1, an id whose span was dropped" in warnings[2][1]
    assert "cue field says 1" in warnings[3][1] and "relations were kept" in warnings[3][1]
    assert "'opinion'" in warnings[4][1]
    assert str(problems[0]).startswith(f"{path}:2: error:")
    assert len(docs) == 5  # lines 1, 6, 7, 8, 11
    assert [len(d.spans) for d in docs] == [5, 4, 4, 5, 5]
    assert docs[2].relations == [Relation(1, 0, RelationLabel.SPEAKER), Relation(0, 2, "works for")]  # the cue's relation went with it
    assert docs[3].spans[2].kind == SpanKind.ENTITY


def test_the_relations_win_when_a_speaker_field_disagrees(tmp_path: Path) -> None:
    record = line_of(simple_doc())
    record["spans"][2]["speaker"] = 1
    del record["spans"][0]["origin"]
    del record["spans"][0]["origin_detail"]
    record["relations"][0]["head_id"] = 99
    docs, problems = read(write_lines(tmp_path / "s.jsonl", [json.dumps(record)]))
    assert [(p.line, p.kind) for p in problems] == [(1, ProblemKind.WARNING)] * 2
    assert "head_id is 99" in problems[0].message
    assert "speaker field says 1 but the relations give it no speaker" in problems[1].message
    assert docs[0].relations == simple_doc().relations[1:]
    assert (docs[0].spans[0].origin, docs[0].spans[0].origin_detail) == (Origin.IMPORT, "newsmark: s.jsonl")


def test_ids_may_be_any_order_and_relations_may_name_spans_by_offsets(tmp_path: Path) -> None:
    record = {
        "text": "Anna met Bob.",
        "spans": [{"id": 10, "start": 9, "end": 12, "label": "PERSON"}, {"id": 3, "start": 0, "end": 4, "label": "PERSON", "edited_from": 10}],
        "relations": [{"head_span": {"start": 0, "end": 4, "label": "PERSON"}, "child_span": {"start": 9, "end": 12}, "label": "met"}],
    }
    docs, problems = read(write_lines(tmp_path / "hand.jsonl", [json.dumps(record)]))
    assert problems == []
    (doc,) = docs
    assert [(s.start, s.edited_from) for s in doc.spans] == [(0, 1), (9, None)]
    assert doc.relations == [Relation(0, 1, "met", origin=Origin.IMPORT, origin_detail="newsmark: hand.jsonl")]
    assert doc.status == ReviewStatus.NEW and doc.document.title == ""


def test_text_that_is_not_normalised_gets_its_offsets_remapped(tmp_path: Path) -> None:
    raw = "Cafe\u0301 one\r\nTwo 😀 three"
    record = {
        "text": raw,
        "spans": [
            {"id": 0, "start": 0, "end": 5, "text": "Cafe\u0301", "label": "ORG"},
            {"id": 1, "start": 11, "end": 14, "label": "X"},  # "Two", after the CRLF
            {"id": 2, "start": 17, "end": 22, "label": "X"},  # "three", after an emoji
            {"id": 3, "start": 4, "end": 8, "label": "CUT"},  # starts between "e" and the accent NFC composes with it
            {"id": 4, "start": 8, "end": 10, "label": "CUT"},  # ends between \r and \n
        ],
    }
    docs, problems = read(write_lines(tmp_path / "n.jsonl", [json.dumps(record)]))
    text = docs[0].text
    assert text == "Café one\nTwo 😀 three"
    assert [text[s.start : s.end] for s in docs[0].spans] == ["Café", "Two", "three"]
    assert [p.line for p in problems] == [1, 1, 1]
    assert "normalised" in problems[0].message and all("normalising" in p.message for p in problems[1:])


# --- output --------------------------------------------------------------------------------------


def test_abort_leaves_no_file_and_a_failed_export_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "export.jsonl"
    out = newsmark_jsonl.writer(target)
    out.write(simple_doc())
    out.abort()
    assert list(tmp_path.iterdir()) == []

    target.write_text("old export\n", encoding="utf-8")
    broken = simple_doc()
    broken.relations.append(Relation(0, 42, RelationLabel.SPEAKER))  # an index no span has
    with pytest.raises(ValueError, match="relation tail 42"):
        with newsmark_jsonl.writer(target) as out:
            out.write(simple_doc())
            out.write(broken)
    assert target.read_text(encoding="utf-8") == "old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]


def test_sniff_knows_its_own_files(tmp_path: Path) -> None:
    ours = tmp_path / "ours.jsonl"
    write(ours, [simple_doc()])
    prodigy_like = write_lines(tmp_path / "p.jsonl", [json.dumps({"text": "a", "spans": [], "answer": "accept"})])
    assert newsmark_jsonl.sniff(ours) and not newsmark_jsonl.sniff(prodigy_like)
    assert not newsmark_jsonl.sniff(tmp_path / "missing.jsonl")


# --- the documentation ---------------------------------------------------------------------------


def test_the_spacy_lines_in_the_docs_load_an_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snippet in docs/formats.md, run as printed, on a real export."""
    pytest.importorskip("spacy")
    docs_page = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- spacy-snippet -->\s*```python\n(.*?)```", docs_page, re.S)
    assert snippet, "docs/formats.md lost its spaCy snippet"
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "export.jsonl", [simple_doc()])
    scope: dict[str, Any] = {}
    exec(compile(snippet.group(1), "docs/formats.md", "exec"), scope)  # noqa: S102 - our own documentation
    (doc,) = scope["docs"]
    assert [(e.text, e.label_) for e in doc.ents] == [("Basem Naim", "SOURCE"), ("told CNN", "CUE")]
    assert [(s.text, s.label_) for s in doc.spans["claims"]] == [("“We agree.”", "QUOTE")]
    assert [(s.text, s.label_) for s in doc.spans["newsmark"]] == [("Basem Naim", "SOURCE"), ("told CNN", "CUE"), ("“We agree.”", "QUOTE")]


def test_the_example_line_in_the_docs_is_what_the_writer_writes(tmp_path: Path) -> None:
    docs_page = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"One line, pretty-printed here:\s*```json\n(.*?)```", docs_page, re.S).group(1))  # type: ignore[union-attr]
    VALIDATOR.validate(example)
    docs, problems = read(write_lines(tmp_path / "example.jsonl", [json.dumps(example)]))
    assert problems == []
    assert line_of(docs[0]) == example


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_finished_export_gets_the_users_usual_permissions(tmp_path: Path) -> None:
    # The temporary file is private while it is written (mkstemp: 0600); the export the user shares is not.
    old = os.umask(0o027)
    try:
        with newsmark_jsonl.writer(tmp_path / "out.jsonl") as out:
            out.write(AnnotatedDocument(NewDocument(text="Shared with colleagues.")))
        with brat.writer(tmp_path / "folder") as folder:
            folder.write(AnnotatedDocument(NewDocument(text="Shared too.")))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.jsonl").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "folder").stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "folder").iterdir()} == {0o640}
