"""brat standoff: folders of .txt + .ann in and out, lossless round trips, CRLF texts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foreign_strategies import documents, round_trip, split, write_all
from newsmark.formats import brat
from newsmark.formats._foreign import without_rejected
from newsmark.model import AnnotatedDocument, NewDocument, ProblemKind, Relation, Span


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_is_byte_identical(docs) -> None:  # type: ignore[no-untyped-def]
    first, second, read_docs, problems = round_trip(brat, docs, "export")
    assert problems == []
    assert first == second
    assert "annotation.conf" in first and len(first) == 2 * len(docs) + 1
    # read back in file-name order: match each to its original by the name it was written under
    with tempfile.TemporaryDirectory() as tmp:
        names = write_all(brat.writer, Path(tmp) / "x", docs).names  # type: ignore[attr-defined]
    by_name = {doc.document.meta["brat"]["file"]: doc for doc in read_docs}
    assert sorted(by_name) == sorted(names)
    for original, name in zip((without_rejected(d)[0] for d in docs), names):  # brat has no negative examples
        read = by_name[name]
        assert read.text == original.text
        assert [(s.start, s.end, brat.brat_type(s.label)) for s in read.spans] == [
            (s.start, s.end, brat.brat_type(s.label)) for s in original.spans
        ]
        assert [(r.head, r.tail, brat.brat_type(str(r.label))) for r in read.relations] == [
            (r.head, r.tail, brat.brat_type(str(r.label))) for r in original.relations
        ]
        assert [s.note for s in read.spans] == [" ".join(s.note.split("\n")) for s in original.spans]


def test_crlf_and_bom_texts_map_brat_offsets(tmp_path: Path) -> None:
    raw = "\ufeffMerkel said:\r\n“We will cope.”\r\nCafe\u0301 owners agreed.\r\n"
    (tmp_path / "a.txt").write_bytes(raw.encode("utf-8"))
    def at(word: str) -> str:
        start = raw.index(word)
        return f"{start} {start + len(word)}"
    ann = (
        f"T1\tPERSON {at('Merkel')}\tMerkel\n"
        f"T2\tClaim {at('“We will cope.”')}\t“We will cope.”\n"
        f"T3\tORG {at('Cafe' + chr(0x301) + ' owners')}\tCafe\u0301 owners\n"
        f"T4\tX {raw.index(chr(13))} {raw.index(chr(13)) + 1}\t\n"
        "R1\tspeaker Arg1:T2 Arg2:T1\t\n"
    )
    (tmp_path / "a.ann").write_text(ann, encoding="utf-8")
    docs, problems = split(brat.read(tmp_path / "a.ann"))
    [doc] = docs
    assert doc.text == "Merkel said:\n“We will cope.”\nCafé owners agreed.\n"
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["Merkel", "“We will cope.”", "Café owners"]
    [problem] = problems  # T4 ends between CR and LF
    assert problem.kind is ProblemKind.WARNING and problem.line == 4 and "T4" in problem.message
    [rel] = doc.relations
    assert (rel.head, rel.tail, rel.label) == (1, 0, "speaker")


ANN = (
    "T1\tPerson 0 4\tLund\n"
    "T2\tCue 5 9\tsaid\n"
    "T3\tContent 10 16;23 28\tstocks stock\n"
    "E1\tAttribution:T2 Source:T1 Content:T3 Content2:E9\n"
    "E2\tSay:T2 Agent:T1 Agent2:T1\n"
    "R1\tSays Arg1:T1 Arg2:T3\t\n"
    "R2\tSays Arg1:T1 Arg2:T99\n"
    "A1\tNegated E1\n"
    "M2\tConfidence T3 High\n"
    "N1\tReference T1 Wikidata:Q1\tLund\n"
    "#1\tAnnotatorNotes T1\tthe CEO\n"
    "#2\tAnnotatorNotes E1\tcheck this\n"
    "*\tAlias T1 T2\n"
    "T4\tPerson 0 4\tLand\n"
    "T5\tPlace 900 905\tnowhere\n"
    "R3\tbroken\n"
    "X1\tsomething else\n"
    "T6\tLong 5 16\tsaid\n"
    "stocks\n"
)
TEXT = "Lund said stocks rose, stock rose 2%."


def test_events_attributes_notes_and_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "doc.ann").write_text(ANN, encoding="utf-8")
    docs, problems = split(brat.read(tmp_path / "doc.txt"))
    [doc] = docs
    assert [(s.label, doc.text[s.start : s.end]) for s in doc.spans] == [
        ("Person", "Lund"), ("Cue", "said"), ("Content", "stocks rose, stock"), ("Long", "said stocks")
    ]
    assert doc.spans[0].note == "the CEO"
    got = [(r.head, r.tail, r.label) for r in doc.relations]
    assert got == [(1, 0, "Attribution:Source"), (1, 2, "Attribution:Content"), (1, 0, "Say:Agent"), (1, 0, "Say:Agent"), (0, 2, "Says")]
    meta = doc.document.meta["brat"]
    assert meta["file"] == "doc"
    assert meta["fragments"] == {"T3": [[10, 16], [23, 28]]}
    assert meta["events"][0] == {"id": "E1", "type": "Attribution", "trigger": "T2", "args": [["Source", "T1"], ["Content", "T3"], ["Content2", "E9"]]}
    assert meta["attributes"] == [{"id": "A1", "name": "Negated", "target": "E1"}, {"id": "M2", "name": "Confidence", "target": "T3", "value": "High"}]
    assert meta["normalizations"] == [{"id": "N1", "type": "Reference", "target": "T1", "ref": "Wikidata:Q1", "text": "Lund"}]
    assert meta["notes"] == [{"id": "#2", "type": "AnnotatorNotes", "target": "E1", "text": "check this"}]
    assert meta["equivs"] == [["Alias", "T1", "T2"]]
    located = sorted((p.line, p.message.split(":")[0]) for p in problems if p.line is not None)
    lines = [line for line, _ in located]
    # T3 discontinuous (3), E1's E9 (4), R2's T99 (7), T4's text (14), T5 outside (15), R3 malformed (16), X1 (17)
    assert lines == [3, 4, 7, 14, 15, 16, 17]
    assert all(p.kind is ProblemKind.WARNING for p in problems)
    summary = [p.message for p in problems if p.line is None]
    assert any("2 attribute(s), 1 normalisation(s), 1 note(s), 1 equivalence(s)" in m for m in summary)
    assert any("2 event(s)" in m for m in summary)


def test_missing_halves_and_folders(tmp_path: Path) -> None:
    (tmp_path / "only.ann").write_text("T1\tX 0 1\ta\n", encoding="utf-8")
    (tmp_path / "bare.txt").write_text("No marks here.", encoding="utf-8")
    (tmp_path / "2.txt").write_text("Second", encoding="utf-8")
    (tmp_path / "2.ann").write_text("T1\tX 0 6\tSecond\n", encoding="utf-8")
    (tmp_path / "10.txt").write_text("Tenth", encoding="utf-8")
    (tmp_path / "10.ann").write_text("", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "annotation.conf").write_text("[entities]\nX\n", encoding="utf-8")
    items = list(brat.read(tmp_path))
    docs, problems = split(items)
    assert [d.document.meta["brat"]["file"] for d in docs] == ["2", "10", "bare"]  # natural order
    assert [len(d.spans) for d in docs] == [1, 0, 0]
    assert [(p.kind, Path(p.path).name) for p in problems] == [
        (ProblemKind.WARNING, "bare.txt"), (ProblemKind.ERROR, "empty.txt"), (ProblemKind.ERROR, "only.ann")
    ]
    assert "no only.txt beside it" in problems[2].message
    assert [type(i).__name__ for i in brat.read(tmp_path / "nothing.ann")] == ["Problem"]
    assert brat.sniff(tmp_path) and brat.sniff(tmp_path / "2.txt") and not brat.sniff(tmp_path / "bare.txt")


def test_the_writer_names_files_and_describes_the_types(tmp_path: Path) -> None:
    docs = [
        AnnotatedDocument(document=NewDocument(text="A b", title="Budget vote: 😀"), spans=[Span(0, 1, "source of claim", note="x\ty")]),
        AnnotatedDocument(document=NewDocument(text="C d", title="Budget vote: 😀"), spans=[Span(0, 1, "ORG"), Span(2, 3, "PERSON")],
                          relations=[Relation(0, 1, "resolves_to")]),
        AnnotatedDocument(document=NewDocument(text="E f"), id=7),
        AnnotatedDocument(document=NewDocument(text="G h", meta={"brat": {"file": "../evil"}})),
        # imported from brat as article_A, library id 12 now: the user gets article_A back
        AnnotatedDocument(document=NewDocument(text="I j", meta={"brat": {"file": "article_A"}}), id=12),
    ]
    out = tmp_path / "export"
    w = write_all(brat.writer, out, docs)
    assert sorted(p.name for p in out.iterdir()) == [
        "7.ann", "7.txt", "Budget-vote-2.ann", "Budget-vote-2.txt", "Budget-vote.ann", "Budget-vote.txt",
        "annotation.conf", "article_A.ann", "article_A.txt", "evil.ann", "evil.txt",
    ]
    assert (out / "Budget-vote.ann").read_text(encoding="utf-8") == "T1\tsource_of_claim 0 1\tA\n#1\tAnnotatorNotes T1\tx y\n"
    assert (out / "Budget-vote-2.ann").read_text(encoding="utf-8") == (
        "T1\tORG 0 1\tC\nT2\tPERSON 2 3\td\nR1\tresolves_to Arg1:T1 Arg2:T2\t\n"
    )
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nORG\nPERSON\nsource_of_claim\n" in conf and "resolves_to\tArg1:ORG, Arg2:PERSON" in conf
    [problem] = w.problems  # type: ignore[attr-defined]
    assert "'source of claim'" in problem.message
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary folder left


def test_the_writer_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "export"
    w = brat.writer(out)
    w.write(AnnotatedDocument(document=NewDocument(text="a")))
    w.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError):
        with brat.writer(out) as w2:
            w2.write(AnnotatedDocument(document=NewDocument(text="a")))
            raise RuntimeError("cancelled")
    assert list(tmp_path.iterdir()) == []
    out.mkdir()
    (out / "mine.txt").write_text("the user's file", encoding="utf-8")
    with pytest.raises(FileExistsError):
        brat.writer(out)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


# --- the real files -------------------------------------------------------------------------


@pytest.mark.needs_data
def test_the_real_brat_tutorial_imports_with_the_right_counts(shared_data: Path) -> None:
    folder = shared_data / "interop" / "brat"
    anns = sorted(folder.glob("*.ann"))
    assert len(anns) == 3
    docs, problems = split(brat.read(folder))
    assert [p for p in problems if p.kind is ProblemKind.ERROR] == []
    by_name = {d.document.meta["brat"]["file"]: d for d in docs}
    assert sorted(by_name) == [a.stem for a in anns]
    for ann in anns:
        lines = [line.split("\t") for line in ann.read_text(encoding="utf-8").splitlines() if line.strip()]
        textbounds = sum(1 for parts in lines if parts[0].startswith("T"))
        relations = sum(1 for parts in lines if parts[0].startswith("R"))
        event_args = sum(len(parts[1].split()) - 1 for parts in lines if parts[0].startswith("E"))
        doc = by_name[ann.stem]
        assert len(doc.spans) == textbounds, ann.name
        assert len(doc.relations) == relations + event_args, ann.name
        assert len(doc.document.meta["brat"].get("events", [])) == sum(1 for parts in lines if parts[0].startswith("E"))
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        assert doc.document.title == text.splitlines()[0] != ""  # brat has no titles: the first line ("Event annotation")
        for parts, span in zip((p for p in lines if p[0].startswith("T")), doc.spans):
            assert doc.text[span.start : span.end] == parts[2] == text[span.start : span.end]
    counts = {name[:30]: (len(d.spans), len(d.relations)) for name, d in by_name.items()}
    assert counts == {
        "brat_tutorial_news_040-text_sp": (4, 0),
        "brat_tutorial_news_060-relatio": (10, 1),
        "brat_tutorial_news_080-event-a": (21, 10),
    }
