"""What the fuzzer found, kept as plain tests (each one raised before it was fixed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmark.formats.brat_gold import parse_ann, read_ann
from newsmark.formats.checkworthy import CheckworthyFormatError, read_checkworthy
from newsmark.model import Problem
from newsmark.services.interchange import import_annotations
from newsmark.store import Library


@pytest.mark.parametrize(("name", "suffix"), [("doccano", ".jsonl"), ("label-studio", ".json")])
def test_json_nested_deeper_than_the_recursion_limit_is_a_located_error(name: str, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text('{"text": "Talks resumed.", "label": []}\n' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with Library.open(tmp_path / "lib.sqlite") as library:
        summary = import_annotations(library, [path], fmt=name)
    errors = [p for p in summary.errors if "nested too deeply" in p.message]
    assert errors and all(isinstance(p, Problem) and p.path == str(path) and p.line for p in errors)


def test_a_brat_file_that_is_not_utf8_is_a_located_problem(tmp_path: Path) -> None:
    ann, txt = tmp_path / "a.ann", tmp_path / "a.txt"
    ann.write_bytes(b"T1\tSource 0 4\tTalk\n\xff\xfeT2\tCue 5 9\tsaid\n")
    txt.write_text("Talk said", encoding="utf-8")
    doc = read_ann(ann, txt)
    assert doc.textbounds == {} and doc.problems == [f"{ann}:2: not UTF-8 text (byte 0xff); no annotations read from it"]


def test_a_brat_event_argument_without_a_colon_is_a_problem() -> None:
    doc = parse_ann("T1\tSource 0 4\tTalk\nE1\tAttribution:T1 Source\n", "Talk said", "x.ann")
    assert doc.problems == ["x.ann:2: malformed event argument (expected Role:Id): 'Attribution:T1 Source'"]
    assert len(doc.attributions) == 1


@pytest.mark.parametrize(
    ("data", "where", "what"),
    [
        ("Sentence_id\tText\tclass_label\n1\tok\tYes\n".encode("utf-16"), ":1:", "not UTF-8"),
        (b"Sentence_id\tText\tclass_label\n1\t" + b"x" * 200_000 + b"\tYes\n", ":2:", "cannot read the row"),
    ],
)
def test_unreadable_checkworthy_files_are_located_errors(data: bytes, where: str, what: str, tmp_path: Path) -> None:
    path = tmp_path / "cw.tsv"
    path.write_bytes(data)
    with pytest.raises(CheckworthyFormatError) as raised:
        read_checkworthy(path)
    assert str(raised.value).startswith(f"{path}{where}") and what in str(raised.value)
