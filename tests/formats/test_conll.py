"""CoNLL / IOB: every tag scheme in, IOB2 out, entities only, lossless round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foreign_strategies import documents, round_trip, split, write_all
from newsmark.formats import conll
from newsmark.formats._foreign import without_rejected
from newsmark.model import AnnotatedDocument, NewDocument, ProblemKind, Span, SpanKind


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(relations=False), min_size=1, max_size=4))
def test_round_trip_is_byte_identical(docs) -> None:  # type: ignore[no-untyped-def]
    first, second, read_docs, problems = round_trip(conll, docs, "out.conll")
    assert problems == []
    assert first == second
    assert len(read_docs) == len(docs)  # every generated text has a token
    for original, read in zip(docs, read_docs):
        kept, _ = conll.entities_to_write(without_rejected(original)[0])
        # the text is rebuilt from tokens: every entity still covers the same non-space characters
        expected = [("".join(original.text[s.start : s.end].split()), conll.conll_label(s.label)) for s in kept]
        got = [("".join(read.text[s.start : s.end].split()), s.label) for s in read.spans]
        assert got == [e for e in expected if e[0]]
        assert "".join(read.text.split()) == "".join(original.text.split())


@pytest.mark.parametrize(
    ("tags", "entities"),
    [
        # IOB2
        (["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"], [(0, 1, "PER"), (3, 3, "LOC"), (4, 5, "LOC")]),
        # IOB1: I- starts an entity; B- only between two of the same type
        (["I-PER", "I-PER", "I-LOC", "B-LOC", "O", "I-ORG"], [(0, 1, "PER"), (2, 2, "LOC"), (3, 3, "LOC"), (5, 5, "ORG")]),
        # BIOES and BILOU
        (["S-PER", "B-ORG", "I-ORG", "E-ORG", "E-LOC", "U-X", "B-Y", "L-Y"], [(0, 0, "PER"), (1, 3, "ORG"), (4, 4, "LOC"), (5, 5, "X"), (6, 7, "Y")]),
        # IO, numeric labels, labels with dashes
        (["PER", "PER", "O", "B-12", "I-12", "B-Org-Arg"], [(0, 1, "PER"), (3, 4, "12"), (5, 5, "Org-Arg")]),
        (["O", "O"], []),
    ],
)
def test_tag_schemes(tags: list[str], entities: list[tuple[int, int, str]]) -> None:
    assert conll.decode(tags) == entities


def test_documents_sentences_columns_and_problems(tmp_path: Path) -> None:
    content = (
        "-DOCSTART- -X- -X- O\r\n\r\n"
        "EU NNP B-NP B-ORG\r\n"
        "rejects VBZ B-VP O\r\n"
        "German JJ B-NP B-MISC\r\n"
        "call NN I-NP O\r\n"
        ". . O O\r\n\r\n"
        "Peter NNP B-NP B-PER\r\n"
        "Blackburn NNP I-NP I-PER\r\n\r\n"
        "-DOCSTART- -X- -X- O\r\n\r\n"
        "Cafe\u0301\tI-LOC\r\n"
        "lonely\r\n"
        "Zu\u0308rich\tI-LOC\r\n"
    )
    path = tmp_path / "train.conll"
    path.write_bytes(content.encode("utf-8"))
    docs, problems = split(conll.read(path))
    first, second = docs
    assert first.text == "EU rejects German call .\nPeter Blackburn"
    assert [(s.label, first.text[s.start : s.end]) for s in first.spans] == [("ORG", "EU"), ("MISC", "German"), ("PER", "Peter Blackburn")]
    assert first.document.meta["conll"] == {
        "document": 1, "line": 3, "columns": ["NNP B-NP", "VBZ B-VP", "JJ B-NP", "NN I-NP", ". O", "NNP B-NP", "NNP I-NP"]
    }
    assert second.text == "Café lonely Zürich"  # NFC: offsets follow
    assert [second.text[s.start : s.end] for s in second.spans] == ["Café", "Zürich"]
    assert second.document.meta["conll"] == {"document": 2, "line": 14}
    [problem] = problems
    assert problem.kind is ProblemKind.WARNING and problem.line == 15 and "'lonely'" in problem.message


def test_a_file_without_docstart_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "plain.iob"
    path.write_text("A B-X\nb I-X\n\nc O\n\n\n", encoding="utf-8")
    [doc] = list(conll.read(path))
    assert doc.text == "A b\nc" and [(s.start, s.end) for s in doc.spans] == [(0, 3)]  # type: ignore[union-attr]
    assert conll.sniff(path)
    article = tmp_path / "article.txt"
    article.write_text("This is an article.\nIt has sentences, not tags.\n", encoding="utf-8")
    assert not conll.sniff(article)


def test_the_writer_keeps_entities_that_fit_and_says_what_it_left_out(tmp_path: Path) -> None:
    text = "Angela Merkel said it's fine.\nNew\nYork agrees 😀."
    merkel, new_york = text.index("Angela"), text.index("New")
    doc = AnnotatedDocument(
        document=NewDocument(text=text, title="Vote"),
        spans=[
            Span(merkel, merkel + 13, "PERSON"),
            Span(merkel + 7, merkel + 13, "family name"),  # inside PERSON: overlaps
            Span(text.index("it"), text.index("it") + 2, "X"),  # cuts "it's"
            Span(text.index("said"), text.index("fine") + 4, "Claim", kind=SpanKind.CLAIM),
            Span(new_york, new_york + 8, "GPE"),  # crosses a line break
        ],
        id=3,
    )
    out = tmp_path / "out.conll"
    w = write_all(conll.writer, out, [doc])
    assert out.read_text(encoding="utf-8") == (
        "-DOCSTART- -X- O O\n\n"
        "Angela B-PERSON\nMerkel I-PERSON\nsaid O\nit B-X\n' O\ns O\nfine O\n. O\n\n"
        "New B-GPE\nYork I-GPE\nagrees O\n😀 O\n. O\n\n"
    )
    messages = [p.message for p in w.problems]  # type: ignore[attr-defined]
    assert len(messages) == 2
    assert messages[0].startswith("document 3 ('Vote'): 1 entity mark(s) overlap") and "'Merkel'" in messages[0]
    assert "1 claim, source and cue mark(s) were not written" in messages[1]
    [read] = split(conll.read(out))[0]
    assert read.text == "Angela Merkel said it ' s fine .\nNew York agrees 😀 ."
    assert [read.text[s.start : s.end] for s in read.spans] == ["Angela Merkel", "it", "New York"]


def test_the_writer_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "out.conll"
    w = conll.writer(out)
    w.write(AnnotatedDocument(document=NewDocument(text="a b")))
    w.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError):
        with conll.writer(out) as w2:
            w2.write(AnnotatedDocument(document=NewDocument(text="a")))
            raise RuntimeError("cancelled")
    assert list(tmp_path.iterdir()) == []


# --- the real files -------------------------------------------------------------------------


def _count(path: Path) -> tuple[int, int]:
    """Documents and entities, counted the plain way: an entity starts at B-/S-/U-, or at a tag
    whose type differs from the tag before it in the same sentence."""
    documents, entities, previous, seen_tokens = 0, 0, "O", False
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split()
        if not cols:
            previous = "O"
            continue
        if cols[0] == "-DOCSTART-":
            previous = "O"
            if seen_tokens:
                documents += 1
            seen_tokens = False
            continue
        seen_tokens = True
        tag = cols[-1]
        kind = tag.split("-", 1)[-1]
        if tag != "O" and (tag[:2] in ("B-", "S-", "U-") or kind != previous.split("-", 1)[-1] or previous == "O"):
            entities += 1
        previous = "O" if tag[:2] in ("E-", "L-", "S-", "U-") else tag
    return documents + (1 if seen_tokens else 0), entities


@pytest.mark.needs_data
def test_the_real_conll_files_import_with_the_right_counts(shared_data: Path) -> None:
    folder = shared_data / "interop" / "conll"
    files = sorted(folder.glob("*.conll"))
    assert len(files) == 3
    counts = {}
    for path in files:
        docs, problems = split(conll.read(path))
        assert problems == [], path.name
        assert (len(docs), sum(len(d.spans) for d in docs)) == _count(path), path.name
        tokens = [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.split() and line.split()[0] != "-DOCSTART-"]
        assert [t for d in docs for t in d.text.split()] == tokens
        assert all(d.document.title and d.text.startswith(d.document.title.rstrip("…")) for d in docs)  # the first sentence
        assert conll.sniff(path)
        counts[path.name[:20]] = (len(docs), sum(len(d.spans) for d in docs))
    assert counts == {"doccano-transformer_": (1, 5), "re3d_US_State_Depart": (1, 34), "wikigold.first300sen": (15, 633)}
