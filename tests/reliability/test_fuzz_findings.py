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


def test_a_newsmark_relation_naming_a_list_as_its_span_id_is_dropped_with_a_warning(tmp_path: Path) -> None:
    from newsmark.formats import newsmark_jsonl

    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"text": "Naim said no.", "meta": {"format": "newsmark/1"}, "spans": [{"id": 0, "start": 0, "end": 4, "label": "PERSON"}],'
        ' "relations": [{"head_id": [0], "child_id": 0, "label": "speaker"}]}\n',
        encoding="utf-8",
    )
    items = list(newsmark_jsonl.read(path))
    assert any(isinstance(i, Problem) and "head_id is [0]" in i.message and i.line == 1 for i in items)
    assert [len(i.relations) for i in items if not isinstance(i, Problem)] == [0]


def test_a_label_studio_relation_whose_labels_are_not_a_list_is_dropped_with_a_warning(tmp_path: Path) -> None:
    from newsmark.formats import label_studio

    path = tmp_path / "a.json"
    result = [
        {"id": "a", "type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 0, "end": 4, "labels": ["PERSON"]}},
        {"id": "b", "type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 10, "end": 12, "labels": ["ORG"]}},
        {"type": "relation", "from_id": "a", "to_id": "b", "labels": 5},
    ]
    import json

    path.write_text(json.dumps([{"data": {"text": "Naim said no."}, "annotations": [{"result": result}]}]), encoding="utf-8")
    items = list(label_studio.read(path))
    assert any(isinstance(i, Problem) and "labels must be a list" in i.message for i in items)
    assert [len(i.relations) for i in items if not isinstance(i, Problem)] == [0]


def test_a_control_character_inside_an_embed_is_no_crash(tmp_path: Path) -> None:
    """Found by the fuzzer: lxml refused to move the text of an <embed> that held a control character."""
    from newsmark.services.importer import import_paths

    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body><p>Before.</p><embed>\x01<p>The harbour in Gdansk reopened on Monday after three years of works, the city said.</p></body></html>")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"\x0b\t\t<embed>\x01 ")
    with Library.open(tmp_path / "lib.sqlite") as lib:
        summary = import_paths(lib, [page, empty])
        assert len(summary.added) == 1
        assert "reopened on Monday" in lib.get_document(summary.added[0].doc_id).text
        assert [p.path for p in summary.problems] == [str(empty)]
