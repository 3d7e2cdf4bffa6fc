"""Importing other tools' annotation files through the product: told apart by content, into a library.

The real files in ``../shared/data/interop/`` (written by users of Prodigy,
doccano, Label Studio, brat and CoNLL tools) go through :func:`import_any` — the
path of ``newsmark import`` and of dropping files on the window — and the
library must then hold the documents, marks and relations that the raw files
hold, counted here by a few lines per format that share nothing with the readers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsmark.model import AnnotatedDocument, NewDocument, Origin, ProblemKind, ReviewStatus, Span, SpanStatus
from newsmark.services import settings
from newsmark.services.interchange import export, import_any, split_paths
from newsmark.store import Library
from newsmark.store.interchange import ExportQuery, add_annotated

# folder in interop/ → the format name Newsmark must recognise there
TOOLS = {"prodigy": "prodigy", "doccano": "doccano", "label_studio": "label-studio", "brat": "brat", "conll": "conll"}


# ---------------------------------------------------------------------- counting the raw files


def _json_objects(text: str) -> list[dict]:
    """Every top-level JSON value of a file: one per line, pretty-printed ones in a row, or one array."""
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        value, pos = decoder.raw_decode(text, pos)
        out.extend(value if isinstance(value, list) else [value])


def _count_prodigy(path: Path) -> tuple[int, int, int]:
    spans: dict[str, set] = {}
    relations: dict[str, set] = {}
    for eg in _json_objects(path.read_text(encoding="utf-8")):
        if eg.get("answer") == "ignore":
            continue
        marks = spans.setdefault(eg["text"], set())
        marks |= {(s["start"], s["end"], s["label"]) for s in eg.get("spans", [])}
        for rel in eg.get("relations", []):
            ends = tuple((rel[k]["start"], rel[k]["end"], rel[k]["label"]) for k in ("head_span", "child_span"))
            marks |= set(ends)
            relations.setdefault(eg["text"], set()).add((*ends, rel["label"]))
    return len(spans), sum(map(len, spans.values())), sum(map(len, relations.values()))


def _count_doccano(path: Path) -> tuple[int, int, int]:
    objects = _json_objects(path.read_text(encoding="utf-8"))
    marks = 0
    for o in objects:
        marks += len(o.get("label", [])) + len(o.get("entities", []))
        marks += len({(a["start_offset"], a["end_offset"], a["label"]) for a in o.get("annotations", [])})  # per user
    return len(objects), marks, sum(len(o.get("relations", [])) for o in objects)


def _count_label_studio(path: Path) -> tuple[int, int, int]:
    tasks = _json_objects(path.read_text(encoding="utf-8"))
    marks = relations = 0
    for task in tasks:
        text = task["data"]["text"]
        for part in task.get("annotations", []) + task.get("predictions", []):
            for item in part["result"]:
                value = item.get("value", {})
                # a mark whose offsets do not hold its text is not imported (it is reported)
                marks += item["type"] == "labels" and text[value["start"] : value["end"]] == value["text"]
                relations += item["type"] == "relation"
    return len(tasks), marks, relations


def _count_brat(folder: Path) -> tuple[int, int, int]:
    anns = sorted(folder.glob("*.ann"))
    lines = [line.split("\t") for ann in anns for line in ann.read_text(encoding="utf-8").splitlines() if line.strip()]
    textbound = sum(parts[0].startswith("T") for parts in lines)
    relations = sum(parts[0].startswith("R") for parts in lines)
    event_arguments = sum(len(parts[1].split()) - 1 for parts in lines if parts[0].startswith("E"))  # the trigger is the first
    return len(anns), textbound, relations + event_arguments


def _count_conll(path: Path) -> tuple[int, int, int]:
    documents, entities, previous, tokens_seen = 0, 0, "O", False
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            previous = "O"
            continue
        if parts[0] == "-DOCSTART-":
            documents += tokens_seen or documents > 0  # text before the first -DOCSTART- is a document too
            tokens_seen, previous = False, "O"
            continue
        tokens_seen = True
        tag = parts[-1]
        if tag != "O":
            prefix, label = tag.split("-", 1)
            # IOB1 and IOB2: a B- always starts an entity, an I- does when the label changes
            entities += prefix == "B" or previous == "O" or previous.split("-", 1)[1] != label
        previous = tag
    return documents + tokens_seen, entities, 0


COUNTERS = {"prodigy": _count_prodigy, "doccano": _count_doccano, "label-studio": _count_label_studio, "brat": _count_brat, "conll": _count_conll}


def _inputs(interop: Path) -> list[tuple[str, Path]]:
    """(format, path) of every real input: each file, and the brat folder as a whole."""
    out = []
    for folder, fmt in TOOLS.items():
        if fmt == "brat":
            out.append((fmt, interop / folder))
        else:
            out.extend((fmt, path) for path in sorted((interop / folder).iterdir()) if path.is_file())
    return out


# ---------------------------------------------------------------------- the tests


@pytest.mark.needs_data
def test_the_real_files_land_in_the_library_with_the_counts_of_the_raw_files(shared_data: Path, tmp_path: Path) -> None:
    interop = shared_data / "interop"
    inputs = _inputs(interop)
    assert len(inputs) == 12  # 3 Prodigy, 3 doccano, 2 Label Studio files, the brat folder, 3 CoNLL files
    template = tmp_path / "template.sqlite"
    Library.open(template).close()  # one new library, copied for each input (a new one each time is slow)
    for n, (fmt, path) in enumerate(inputs):
        # told apart by content, as `newsmark import` and a drop on the window do it
        articles, annotations = split_paths([path])
        assert (articles, annotations) == ([], [(path, fmt)]), path.name

        expected_docs, expected_spans, expected_relations = COUNTERS[fmt](path)
        shutil.copyfile(template, tmp_path / f"{n}.sqlite")
        with Library.open(tmp_path / f"{n}.sqlite") as library:
            summary = import_any(library, [path])
            assert summary.errors == [], summary.details()
            ids = library.document_ids()
            spans = [span for doc_id in ids for span in library.spans(doc_id)]
            relations = [rel for doc_id in ids for rel in library.relations(doc_id)]
            assert (len(summary.added), len(ids), len(spans), len(relations)) == (expected_docs, expected_docs, expected_spans, expected_relations), path.name
            assert (summary.spans, summary.relations) == (expected_spans, expected_relations), path.name

            # provenance: the tool and the file, on every mark
            files = [ann.name for ann in path.glob("*.ann")] if fmt == "brat" else [path.name]
            for span in spans:
                assert any(f"{fmt}: {name}" in span.origin_detail for name in files), (path.name, span.origin_detail)
            assert {s.status for s in spans} <= {SpanStatus.ACCEPTED, SpanStatus.SUGGESTED}
            for doc_id in ids:  # and the article's history says which file its marks came from
                [event] = [e for e in library.events(doc_id=doc_id) if e.action == "document.import_marks"]
                origin = Path(event.after["origin"])
                assert (origin.parent == path and origin.suffix == ".txt") if fmt == "brat" else origin == path
                assert event.after["spans"] == len(library.spans(doc_id))
            # every article has a title to show in the list
            assert all(doc.title for doc in library.list_documents()), path.name
            # every label of the file is in the label scheme now, and each new one was reported where it was met
            scheme = {label.name for label in settings.label_scheme(library)}
            assert {s.label for s in spans} <= scheme
            reported = [p for p in summary.problems if "is not in your label scheme" in p.message]
            assert sorted(p.message.split("'")[1] for p in reported) == sorted(summary.new_labels)
            assert all(p.kind is ProblemKind.WARNING for p in reported)

            if fmt == "brat":  # and out again: a brat user gets their own file names back
                out = tmp_path / "brat-again"
                export(library, "brat", out, ExportQuery(statuses=()))
                assert sorted(p.name for p in out.iterdir()) == sorted([p.name for p in path.iterdir()] + ["annotation.conf"])
                for txt in path.glob("*.txt"):
                    assert (out / txt.name).read_text(encoding="utf-8") == txt.read_text(encoding="utf-8")


def test_a_label_new_to_the_scheme_is_reported_where_it_is_first_met(tmp_path: Path) -> None:
    path = tmp_path / "theirs.jsonl"
    lines = [
        {"text": "Ana Díaz met the mayor.", "label": [[0, 8, "PERSON"]]},  # a label of the scheme: nothing to say
        {"text": "The Harbour Trust said no.", "label": [[4, 17, "TRUST"], [0, 3, "DET"]]},
        {"text": "The Port Trust agreed.", "label": [[4, 14, "TRUST"]]},  # TRUST again: said once
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with Library.open(tmp_path / "lib.sqlite") as library:
        before = {label.name for label in settings.label_scheme(library)}
        assert "PERSON" in before and not {"TRUST", "DET"} & before
        summary = import_any(library, [path])
        reported = [(p.path, p.line, p.kind) for p in summary.problems]
        assert reported == [(str(path), 2, ProblemKind.WARNING)] * 2
        assert ["'TRUST'" in summary.problems[0].message, "'DET'" in summary.problems[1].message] == [True, True]
        assert "added to it as an entity label" in summary.problems[0].message
        assert summary.new_labels == ["DET", "TRUST"] and "new labels: DET, TRUST" in summary.headline()
        assert {"TRUST", "DET"} <= {label.name for label in settings.label_scheme(library)}
        assert len(summary.added) == 3 and summary.spans == 4 and "2 warnings" in summary.headline()
        one = tmp_path / "one.jsonl"
        one.write_text(json.dumps({"text": "The Ferry Board met.", "label": [[4, 15, "BOARD"]]}) + "\n", encoding="utf-8")
        assert import_any(library, [one]).headline().startswith("1 added, 1 warning (from 1 file)")  # not "1 warnings"


@pytest.mark.needs_data
def test_the_whole_interop_folder_at_once(shared_data: Path, tmp_path: Path) -> None:
    """One drop of the folder: each file told apart, each brat pair read once, the one text two files share added once."""
    interop = shared_data / "interop"
    expected = [COUNTERS[fmt](path) for fmt, path in _inputs(interop)]
    with Library.open(tmp_path / "all.sqlite") as library:
        summary = import_any(library, [interop])
        assert summary.errors == [], summary.details()
        # doccano-transformer's JSONL and its CoNLL conversion hold the same text: the second is reported, not added
        [duplicate] = summary.duplicates
        assert Path(duplicate.origin).name == "doccano-transformer_labeling.jsonl"
        assert len(library.document_ids()) == len(summary.added) == sum(docs for docs, _, _ in expected) - 1
        first = _json_objects(Path(duplicate.origin).read_text(encoding="utf-8"))[0]  # the document not added again
        its_marks = len({(a["start_offset"], a["end_offset"], a["label"]) for a in first["annotations"]})
        assert summary.spans == sum(spans for _, spans, _ in expected) - its_marks
        assert summary.relations == sum(relations for _, _, relations in expected)
        assert summary.annotation_files == 14  # 3 Prodigy, 3 doccano, 2 Label Studio, 3 brat pairs, 3 CoNLL


def test_a_brat_pair_is_read_once_however_it_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "story.txt").write_text("Ana Díaz met the mayor of Łódź.\n", encoding="utf-8")
    (folder / "story.ann").write_text("T1\tPERSON 0 8\tAna Díaz\nT2\tGPE 26 30\tŁódź\n", encoding="utf-8")
    (folder / "plain.txt").write_text("An article without marks.\n", encoding="utf-8")
    assert split_paths([folder]) == ([], [(folder, "brat")])  # a folder with .ann files is a brat folder
    assert split_paths([tmp_path]) == ([folder / "plain.txt"], [(folder / "story.ann", "brat")])  # inside a mixed one
    assert split_paths([folder / "story.txt", folder / "story.ann"]) == ([], [(folder / "story.txt", "brat")])
    assert split_paths([folder / "story.ann", folder / "story.txt"], fmt="brat") == ([], [(folder / "story.ann", "brat")])
    with Library.open(tmp_path / "lib.sqlite") as library:
        summary = import_any(library, [tmp_path / "mixed"])
        assert (len(summary.added), summary.duplicates, summary.spans) == (2, [], 2)
    with Library.open(tmp_path / "lib2.sqlite") as library:
        summary = import_any(library, [folder / "story.txt", folder / "story.ann"])
        assert (len(summary.added), summary.duplicates, summary.spans) == (1, [], 2)


def test_a_newsmark_export_keeps_who_made_each_mark_and_the_history_names_the_file(tmp_path: Path) -> None:
    text = "Basem Naim told CNN the talks go on."
    doc = AnnotatedDocument(
        NewDocument(text=text, title="Talks"),
        [
            Span(0, 10, "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER, origin_detail="anna"),
            Span(16, 19, "ORG", status=SpanStatus.ACCEPTED, origin=Origin.MODEL, origin_detail="en_core_web_sm 3.8.0"),
        ],
        status=ReviewStatus.DONE,
    )
    out = tmp_path / "colleague.jsonl"
    with Library.open(tmp_path / "a.sqlite") as a:
        add_annotated(a, [doc])
        export(a, "newsmark", out)
    with Library.open(tmp_path / "b.sqlite") as b:
        summary = import_any(b, [out])
        [doc_id] = [r.doc_id for r in summary.added]
        # a colleague's Newsmark marks stay theirs (or the model's): the file is in the article's history
        assert [(s.origin, s.origin_detail) for s in b.spans(doc_id)] == [(Origin.USER, "anna"), (Origin.MODEL, "en_core_web_sm 3.8.0")]
        [event] = [e for e in b.events(doc_id=doc_id) if e.action == "document.import_marks"]
        assert event.after["origin"] == str(out)
