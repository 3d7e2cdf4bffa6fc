"""spaCy DocBin (.spacy) export and import: lossless round trips, spaCy's view of the file, foreign files, training."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from newsmark.nlp import docbin
from newsmark.text import normalize_text

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc, DocBin  # noqa: E402
from spacy.tokens import Span as SpacySpan  # noqa: E402

# ---------------------------------------------------------------------------- generated documents

PIECES = [
    "Basem", "Naim", "said", "Hamas", "ceasefire", "“we will”", "U.S.", "don't", "3.5%", "—", ",", ".",
    "😀", "👩🏽‍⚕️", "𝔘𝔫𝔦", "𠜎", "東京都", "習近平", "שלום", "مرحبا", "Мишá", "e\u0301",
    " ", " ", " ", "  ", "\n", "\n\n", "\t", " \n ",
]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map(lambda parts: normalize_text("".join(parts)))
words = st.text(alphabet=st.sampled_from("aZ ü😀東ש\u0301\n\x00"), min_size=1, max_size=6)
json_scalars = st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats(allow_nan=False, allow_infinity=False) | words
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3), max_leaves=8)
when = st.none() | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.none() | st.just(timezone.utc))
labels = st.sampled_from(["PERSON", "ORG", "GPE", "DATE", "CLAIM", "SOURCE", "CUE", "Zitat ü", "人名"])


@st.composite
def documents(draw: st.DrawFn) -> AnnotatedDocument:
    text = draw(texts)
    n = len(text)
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        kind = draw(st.sampled_from(list(SpanKind)))
        spans.append(
            Span(
                start=start,
                end=end,
                label=draw(labels),
                kind=kind,
                status=draw(st.sampled_from(list(SpanStatus))),
                origin=draw(st.sampled_from(list(Origin))),
                origin_detail=draw(st.sampled_from(["", "en_core_web_sm 3.8.0", "anna", "prodigy: x.jsonl"])),
                claim_type=draw(st.sampled_from(list(ClaimType))) if kind == SpanKind.CLAIM else None,
                score=draw(st.none() | st.floats(0, 1)),
                note=draw(st.sampled_from(["", "check this", "ünïcödé 😀"])),
                id=draw(st.none() | st.integers(1, 10**9)),
                doc_id=draw(st.none() | st.integers(1, 10**6)),
                created_at=draw(when),
                updated_at=draw(when),
                tags=draw(st.lists(words, max_size=2)),
            )
        )
    for span in spans:
        span.edited_from = draw(st.none() | st.integers(0, len(spans) - 1)) if spans else None
    relations = []
    if spans:
        for _ in range(draw(st.integers(0, 6))):
            relations.append(
                Relation(
                    head=draw(st.integers(0, len(spans) - 1)),
                    tail=draw(st.integers(0, len(spans) - 1)),
                    label=draw(st.sampled_from([*RelationLabel, "coref", "Teil von"])),
                    origin=draw(st.sampled_from(list(Origin))),
                    origin_detail=draw(st.sampled_from(["", "brat: a.ann"])),
                    id=draw(st.none() | st.integers(1, 10**9)),
                )
            )
    return AnnotatedDocument(
        document=NewDocument(
            text=text,
            title=draw(st.sampled_from(["", "Ceasefire talks", "東京"])),
            source=draw(st.none() | st.just("") | st.just("CNN")),
            url=draw(st.none() | st.just("https://example.org/a")),
            author=draw(st.none() | st.just("Jo Doe")),
            published=draw(st.none() | st.just("2024-05-06")),
            meta=draw(st.dictionaries(words, json_values, max_size=3)),
            origin=draw(st.sampled_from(["", "seed", "/tmp/a.txt"])),
        ),
        spans=spans,
        relations=relations,
        status=draw(st.sampled_from(list(ReviewStatus))),
        tags=draw(st.lists(words, max_size=3)),
        id=draw(st.none() | st.integers(1, 10**6)),
        annotators=draw(st.lists(st.sampled_from(["anna", "bo", "ćiro"]), max_size=2, unique=True)),
        annotated_by=draw(st.none() | st.just("en_core_web_sm 3.8.0")),
    )


def read_all(path: Path) -> tuple[list[AnnotatedDocument], list[Problem]]:
    docs, problems = [], []
    for item in docbin.read(path):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems


@functools.cache
def blank(lang: str):  # type: ignore[no-untyped-def]
    return spacy.blank(lang)


def spacy_docs(path: Path, lang: str = "en") -> list[Doc]:
    """What a spaCy user gets from the file: the few lines of docs/formats.md."""
    nlp = blank(lang)
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def accepted(start: int, end: int, label: str, kind: SpanKind = SpanKind.ENTITY, **fields: object) -> Span:
    return Span(start, end, label, kind=kind, status=SpanStatus.ACCEPTED, origin=Origin.USER, origin_detail="anna", **fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- tokens


@settings(max_examples=150, deadline=None)
@given(texts, st.data())
def test_words_and_spaces_rebuild_the_text_and_align_every_edge(text: str, data: st.DataObject) -> None:
    starts = set(data.draw(st.lists(st.integers(0, len(text) - 1), max_size=6)))
    ends = set(data.draw(st.lists(st.integers(1, len(text)), max_size=6)))
    words_, spaces = docbin.words_and_spaces(text, starts, ends)
    assert "".join(w + (" " if s else "") for w, s in zip(words_, spaces)) == text
    assert all(words_)
    token_starts, token_ends, position = set(), set(), 0
    for word, space in zip(words_, spaces):
        token_starts.add(position)
        token_ends.add(position + len(word))
        position += len(word) + space
    assert starts <= token_starts
    assert ends <= token_ends


def test_whitespace_follows_spacys_convention() -> None:
    words_, spaces = docbin.words_and_spaces("He said  yes.\n\nNo", set(), set())
    assert words_ == ["He", "said", " ", "yes", ".", "\n\n", "No"]
    assert spaces == [True, True, False, False, False, False, False]


# ---------------------------------------------------------------------------- round trips


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=3))
def test_round_trip_is_lossless_and_byte_identical(tmp_path: Path, docs: list[AnnotatedDocument]) -> None:
    first, second = tmp_path / "a.spacy", tmp_path / "b.spacy"
    docbin.write(first, docs)
    back, problems = read_all(first)
    assert problems == []
    assert back == docs
    docbin.write(second, back)
    assert second.read_bytes() == first.read_bytes()
    # what spaCy sees: the text exactly, and every span in its group at its offsets
    for doc, sdoc in zip(docs, spacy_docs(first, "xx")):
        assert sdoc.text == doc.text
        for span in doc.spans:
            group = sdoc.spans[docbin.group_of(span)]
            assert (span.start, span.end, span.label) in [(s.start_char, s.end_char, s.label_) for s in group]


def test_spacy_sees_entities_claims_and_the_rest_in_their_places(tmp_path: Path) -> None:
    text = "Basem Naim of Hamas told CNN: “We will not accept it.”  Talks in Cairo failed."
    at = text.index
    spans = [
        accepted(0, 10, "PERSON"),  # 0 Basem Naim
        accepted(0, 19, "PERSON_LONG"),  # 1 overlaps 0 and 2 and is longer: it wins doc.ents
        accepted(at("Hamas"), at("Hamas") + 5, "ORG"),  # 2
        accepted(at("“"), at("”") + 1, "CLAIM", SpanKind.CLAIM, claim_type=ClaimType.DIRECT_QUOTE, score=0.9),  # 3
        accepted(0, 19, "SOURCE", SpanKind.SOURCE),  # 4
        accepted(at("told"), at("told") + 8, "CUE", SpanKind.CUE),  # 5
        Span(at("Cairo"), at("Cairo") + 5, "GPE", status=SpanStatus.SUGGESTED),  # 6 not reviewed: never in doc.ents
        Span(at("CNN"), at("CNN") + 3, "PERSON", status=SpanStatus.REJECTED, origin_detail="en_core_web_sm 3.8.0"),  # 7
        accepted(at(":"), at(":") + 3, "WS_END"),  # 8 ": “" is fine; next one ends on whitespace
        accepted(at(".”") + 2, at("Talks") + 5, "WS_START"),  # 9 starts with the double space: kept out of doc.ents
    ]
    doc = AnnotatedDocument(
        NewDocument(text=text, title="Talks"),
        spans=spans,
        relations=[Relation(3, 4, RelationLabel.SPEAKER), Relation(3, 5, RelationLabel.CUE), Relation(4, 1, RelationLabel.ENTITY)],
        status=ReviewStatus.DONE,
        id=42,
    )
    path = tmp_path / "export.spacy"
    docbin.write(path, [doc])
    (sdoc,) = spacy_docs(path)
    assert sdoc.text == text
    assert [(e.text, e.label_) for e in sdoc.ents] == [("Basem Naim of Hamas", "PERSON_LONG"), (": “", "WS_END")]
    assert [s.label_ for s in sdoc.spans["entities"]] == ["PERSON", "PERSON_LONG", "ORG", "WS_END", "WS_START"]
    assert [(s.text, s.label_) for s in sdoc.spans["claims"]] == [("“We will not accept it.”", "CLAIM")]
    assert [s.text for s in sdoc.spans["sources"]] == ["Basem Naim of Hamas"]
    assert [s.text for s in sdoc.spans["cues"]] == ["told CNN"]
    assert [(s.text, s.label_) for s in sdoc.spans["suggested"]] == [("Cairo", "GPE")]
    assert [(s.text, s.label_) for s in sdoc.spans["rejected"]] == [("CNN", "PERSON")]
    record = sdoc.user_data["newsmark"]
    assert record["id"] == 42 and record["status"] == "done"
    assert record["spans"][3]["claim_type"] == "direct_quote" and record["spans"][3]["score"] == 0.9
    assert [(r["head"], r["tail"], r["label"]) for r in record["relations"]] == [(3, 4, "speaker"), (3, 5, "cue"), (4, 1, "entity")]
    back, problems = read_all(path)
    assert problems == [] and back == [doc]


def test_misaligned_or_bad_span_fails_the_export_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.spacy"
    path.write_bytes(b"old export")
    bad = AnnotatedDocument(NewDocument(text="short"), spans=[Span(0, 3, "X")])
    bad.spans[0].end = 99  # past the text (the dataclass checks only start < end)
    out = docbin.writer(path)
    with pytest.raises(ValueError, match="outside the text"):
        out.write(bad)
    out.abort()
    assert path.read_bytes() == b"old export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.spacy"]


def test_nothing_appears_before_commit(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.spacy"
    out = docbin.writer(path)
    out.write(AnnotatedDocument(NewDocument(text="Hello world"), spans=[accepted(0, 5, "X")]))
    assert not path.exists()
    out.commit()
    assert docbin.sniff(path)
    assert len(read_all(path)[0]) == 1
    assert [p.name for p in path.parent.iterdir()] == ["out.spacy"]


# ---------------------------------------------------------------------------- files made by others


def test_a_docbin_made_with_plain_spacy_reads(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    one = nlp("Angela Merkel visited Paris in May.\r\nShe met Macron.")
    one.ents = [one.char_span(0, 13, "PERSON"), one.char_span(22, 27, "GPE")]
    one.spans["sc"] = [one.char_span(0, 13, "PERSON"), one.char_span(0, 6, "FIRST_NAME"), SpacySpan(one, 0, 5, label="EVENT"), one[6:7]]
    one.spans["claims"] = [one.char_span(0, 35, "CLAIM")]
    one.cats = {"POLITICS": 1.0, "SPORT": 0.0}
    two = nlp("No entities here.")
    path = tmp_path / "theirs.spacy"
    DocBin(docs=[one, two]).to_disk(path)

    assert docbin.sniff(path)
    docs, problems = read_all(path)
    assert [(p.kind, p.message) for p in problems] == [(ProblemKind.WARNING, "document 0: span [34, 35) in sc has no label; dropped")]
    assert len(docs) == 2
    first = docs[0]
    assert first.text == "Angela Merkel visited Paris in May.\nShe met Macron."  # CRLF normalised
    assert first.document.title == "Angela Merkel visited Paris in May."  # a Doc has no title: the first line
    got = [(first.text[s.start : s.end], s.label, s.kind, s.status, s.origin, s.origin_detail) for s in first.spans]
    assert got == [
        ("Angela", "FIRST_NAME", SpanKind.ENTITY, SpanStatus.ACCEPTED, Origin.IMPORT, "spacy: theirs.spacy"),
        ("Angela Merkel", "PERSON", SpanKind.ENTITY, SpanStatus.ACCEPTED, Origin.IMPORT, "spacy: theirs.spacy"),  # once: in ents and sc
        ("Angela Merkel visited Paris in", "EVENT", SpanKind.ENTITY, SpanStatus.ACCEPTED, Origin.IMPORT, "spacy: theirs.spacy"),
        ("Angela Merkel visited Paris in May.", "CLAIM", SpanKind.CLAIM, SpanStatus.ACCEPTED, Origin.IMPORT, "spacy: theirs.spacy"),
        ("Paris", "GPE", SpanKind.ENTITY, SpanStatus.ACCEPTED, Origin.IMPORT, "spacy: theirs.spacy"),
    ]
    assert first.document.meta["spacy"] == {"index": 0, "cats": {"POLITICS": 1.0, "SPORT": 0.0}, "span_groups": {"sc": 4, "claims": 1}}
    assert docs[1].spans == [] and docs[1].text == "No entities here."


def test_span_across_crlf_edge_is_remapped_or_dropped(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    sdoc = Doc(nlp.vocab, words=["A", "\r", "\n", "B"], spaces=[False, False, False, False])
    sdoc.spans["sc"] = [SpacySpan(sdoc, 3, 4, label="B"), SpacySpan(sdoc, 1, 2, label="CR"), SpacySpan(sdoc, 0, 1, label="A")]
    path = tmp_path / "crlf.spacy"
    DocBin(docs=[sdoc]).to_disk(path)
    docs, problems = read_all(path)
    assert [(d.text, [(s.start, s.end, s.label) for s in d.spans]) for d in docs] == [("A\nB", [(0, 1, "A"), (2, 3, "B")])]
    assert len(problems) == 1 and problems[0].kind == ProblemKind.WARNING
    assert "crlf.spacy" in str(problems[0]) and "'CR'" in problems[0].message


def test_spans_edited_in_spacy_after_the_export_are_read_as_spacy_has_them(tmp_path: Path) -> None:
    doc = AnnotatedDocument(
        NewDocument(text="Jo Doe met Al Roe.", title="Meeting", meta={"k": [1, 2]}),
        spans=[accepted(0, 6, "PERSON"), accepted(11, 17, "PERSON")],
        relations=[Relation(0, 1, "met")],
        status=ReviewStatus.DONE,
        tags=["politics"],
        id=5,
    )
    path = tmp_path / "ours.spacy"
    docbin.write(path, [doc])
    nlp = spacy.blank("en")
    (sdoc,) = DocBin().from_disk(path).get_docs(nlp.vocab)
    sdoc.spans["entities"] = [SpacySpan(sdoc, 0, 2, label="PER")]
    edited = tmp_path / "edited.spacy"
    DocBin(docs=[sdoc], store_user_data=True).to_disk(edited)
    docs, problems = read_all(edited)
    assert [p.kind for p in problems] == [ProblemKind.WARNING] and "changed after the Newsmark export" in problems[0].message
    (back,) = docs
    assert [(s.start, s.end, s.label, s.origin) for s in back.spans] == [(0, 6, "PER", Origin.IMPORT), (0, 6, "PERSON", Origin.IMPORT), (11, 17, "PERSON", Origin.IMPORT)]
    assert back.relations == []
    assert (back.document.title, back.status, back.tags, back.id) == ("Meeting", ReviewStatus.DONE, ["politics"], 5)
    assert back.document.meta["k"] == [1, 2] and back.document.meta["spacy"]["span_groups"] == {"entities": 1}


@pytest.mark.parametrize(
    "content, message",
    [(b"", "not a spaCy DocBin"), (b'{"text": "hi"}\n', "not a spaCy DocBin"), (b"x\x9c\x00\x01garbage", "not a spaCy DocBin")],
)
def test_bad_files_give_a_located_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(content)
    assert not docbin.sniff(path)
    docs, problems = read_all(path)
    assert docs == []
    assert [p.kind for p in problems] == [ProblemKind.ERROR]
    assert problems[0].path == str(path) and message in problems[0].message


def test_a_broken_newsmark_record_falls_back_to_spacys_spans(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    sdoc = nlp("Jo Doe met Al Roe.")
    sdoc.spans["entities"] = [SpacySpan(sdoc, 0, 2, label="PERSON")]
    sdoc.user_data["newsmark"] = {"version": 1, "spans": [{"start": 0, "end": 6, "label": "PERSON", "kind": "planet"}]}
    path = tmp_path / "odd.spacy"
    DocBin(docs=[sdoc], store_user_data=True).to_disk(path)
    docs, problems = read_all(path)
    assert len(problems) == 1 and "cannot be read" in problems[0].message and "planet" in problems[0].message
    assert [(s.start, s.end, s.label, s.origin) for s in docs[0].spans] == [(0, 6, "PERSON", Origin.IMPORT)]


def test_importing_the_module_does_not_import_spacy() -> None:
    code = "import sys, newsmark.nlp.docbin as m; assert 'spacy' not in sys.modules, 'spacy imported'; print(m.NAME, m.EXTENSIONS, m.DIRECTORY)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["spacy", "('.spacy',)", "False"]


# ---------------------------------------------------------------------------- it is training data


def test_a_tiny_ner_trains_from_the_exported_file(tmp_path: Path) -> None:
    from spacy.training import Example
    from spacy.util import fix_random_seed

    sentences = [
        ("Basem Naim spoke in Cairo on Monday.", [("Basem Naim", "PERSON"), ("Cairo", "GPE")]),
        ("Hamas said talks in Doha stalled.", [("Hamas", "ORG"), ("Doha", "GPE")]),
        ("Anna Weiss met officials in Berlin.", [("Anna Weiss", "PERSON"), ("Berlin", "GPE")]),
    ]
    docs = []
    for text, ents in sentences:
        spans = [accepted(text.index(t), text.index(t) + len(t), label) for t, label in ents]
        spans.append(Span(0, len(text) - 1, "CLAIM", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED, claim_type=ClaimType.ASSERTION))
        spans.append(Span(text.index(" ") + 1, len(text) - 1, "ORG", status=SpanStatus.REJECTED))  # a negative: not training data for ents
        docs.append(AnnotatedDocument(NewDocument(text=text), spans=sorted(spans, key=lambda s: (s.start, s.end))))
    path = tmp_path / "train.spacy"
    docbin.write(path, docs)

    fix_random_seed(0)
    nlp = spacy.blank("en")
    references = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in references]
    nlp.add_pipe("ner")
    optimizer = nlp.initialize(lambda: examples)
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE", "ORG"}
    losses_seen = []
    for _ in range(12):
        losses: dict[str, float] = {}
        nlp.update(examples, sgd=optimizer, losses=losses)
        losses_seen.append(losses["ner"])
    assert all(math.isfinite(loss) and loss >= 0 for loss in losses_seen)
    assert losses_seen[-1] < losses_seen[0]
    predicted = nlp("Basem Naim spoke in Cairo on Monday.")
    assert {e.label_ for e in predicted.ents} <= {"PERSON", "GPE", "ORG"}
    assert predicted.ents, "after a dozen steps on three sentences the model marks something in one of them"


def test_timestamps_survive(tmp_path: Path) -> None:
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    doc = AnnotatedDocument(NewDocument(text="Hi there"), spans=[accepted(0, 2, "X", created_at=moment, updated_at=moment.replace(tzinfo=None))])
    path = tmp_path / "t.spacy"
    docbin.write(path, [doc])
    assert read_all(path)[0] == [doc]


def test_the_snippet_in_the_docs_runs_on_an_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- spacy-docbin-snippet -->\s*```python\n(.*?)```", page, re.S)
    assert snippet, "docs/formats.md lost its DocBin snippet"
    text = "Basem Naim told CNN: “We agree.”"
    doc = AnnotatedDocument(
        NewDocument(text=text),
        spans=[accepted(0, 10, "PERSON"), accepted(0, 10, "SOURCE", SpanKind.SOURCE), accepted(21, 32, "QUOTE", SpanKind.CLAIM)],
        relations=[Relation(2, 1, RelationLabel.SPEAKER)],
    )
    monkeypatch.chdir(tmp_path)
    docbin.write(tmp_path / "export.spacy", [doc])
    scope: dict[str, object] = {}
    exec(compile(snippet.group(1), "docs/formats.md", "exec"), scope)  # noqa: S102 - our own documentation
    assert scope["entities"] == [("Basem Naim", "PERSON")]
    assert scope["claims"] == [("“We agree.”", "QUOTE")]
    assert scope["speakers"] == [(2, 1)]
