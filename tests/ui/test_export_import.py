"""File → Export and importing annotation files in the app, driven through the real widgets."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from newsmark.model import AnnotatedDocument, NewDocument, Origin, ReviewStatus, Span, SpanKind, SpanStatus
from newsmark.store import Library
from newsmark.store.interchange import add_annotated

from .conftest import add_doc, span_at

TEXT = "Mayor Ana Díaz 👋 said the bridge will reopen in May. The council voted 7 to 2."


def _library_with_work(library: Library) -> tuple[int, int]:
    done = add_doc(library, TEXT, title="Bridge")
    library.add_spans(
        done,
        [
            span_at(TEXT, "Ana Díaz", "PERSON", status=SpanStatus.ACCEPTED, origin=Origin.USER),
            span_at(TEXT, "May", "DATE", status=SpanStatus.REJECTED),
            span_at(TEXT, "the bridge will reopen in May", "REPORTED", kind=SpanKind.CLAIM, status=SpanStatus.ACCEPTED),
        ],
    )
    library.set_document_status(done, ReviewStatus.DONE)
    other = add_doc(library, "Snow fell in Oslo on Monday, the weather service said.", title="Snow")
    library.add_spans(other, [Span(12, 16, "GPE", status=SpanStatus.ACCEPTED)])
    return done, other


def test_export_dialog_writes_what_it_previews(seeded: Library, make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done, _ = _library_with_work(seeded)
    window = make_window(seeded)
    dialog = window.export_dialog()
    qtbot.waitExposed(dialog)
    assert dialog.format_box.currentData() == "newsmark"
    assert dialog.update_preview() == (1, 2)  # done articles only, accepted marks only
    dialog.with_rejected.setChecked(True)
    assert dialog.update_preview() == (1, 3)
    dialog.scope_all.setChecked(True)
    assert dialog.update_preview()[0] == 5  # the three samples too
    dialog.scope_done.setChecked(True)
    dialog.kind_boxes[SpanKind.CLAIM].setChecked(False)
    assert dialog.update_preview() == (1, 2)  # PERSON + the rejected DATE

    out = tmp_path / "export.jsonl"
    dialog.out_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=20000) as blocker:
        dialog.export_button.click()
    summary = blocker.args[0]
    assert summary.documents == 1 and summary.spans == 2 and not summary.cancelled
    [line] = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["meta"]["id"] == done
    assert [s["label"] for s in record["spans"]] == ["PERSON"]
    assert [s["label"] for s in record.get("rejected_spans", [])] == ["DATE"]
    assert dialog.result_label.isVisible() and "Exported 1 article" in dialog.result_label.text()
    assert seeded.get_setting("ui.export")["folder"] == str(tmp_path)  # the next export starts here
    dialog.grab().save(str(tmp_path / "export-dialog.png"))
    dialog.close()


def test_export_dialog_switches_extension_and_refuses_a_full_folder(seeded: Library, make_window, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _library_with_work(seeded)
    window = make_window(seeded)
    dialog = window.export_dialog()
    dialog.out_edit.setText(str(tmp_path / "mine.jsonl"))
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("brat"))
    assert dialog.out_edit.text() == str(tmp_path / "mine")  # brat writes a folder
    full = tmp_path / "mine"
    full.mkdir()
    (full / "keep.txt").write_text("the user's file", encoding="utf-8")
    warnings: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    assert dialog.start() is None
    assert warnings and "not an empty folder" in warnings[0]
    assert (full / "keep.txt").read_text(encoding="utf-8") == "the user's file"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("conll"))
    assert dialog.out_edit.text().endswith("mine.conll")
    assert not dialog.kind_boxes[SpanKind.CLAIM].isEnabled()  # CoNLL holds entities only
    dialog.close()


def test_stopping_an_export_leaves_no_file(seeded: Library, make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs = [
        AnnotatedDocument(NewDocument(text=f"Article {i}: Ana Díaz went to Łódź.", title=f"A{i}"), [Span(12, 20, "PERSON", status=SpanStatus.ACCEPTED)], status=ReviewStatus.DONE)
        for i in range(400)
    ]
    add_annotated(seeded, docs)
    window = make_window(seeded)
    dialog = window.export_dialog()
    out = tmp_path / "big.jsonl"
    dialog.out_edit.setText(str(out))
    job = dialog.start()
    assert job is not None
    job.cancel()  # as the Stop button does
    with qtbot.waitSignal(dialog.exported, timeout=20000) as blocker:
        pass
    assert blocker.args[0].cancelled
    assert not out.exists() and list(tmp_path.glob(".big.jsonl*")) == []


def test_dropping_an_annotation_file_imports_its_marks(seeded: Library, make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Basem Naim told CNN the talks would go on."
    prodigy = tmp_path / "ner.jsonl"
    prodigy.write_text(
        json.dumps({"text": text, "spans": [{"start": 0, "end": 10, "label": "PERSON"}, {"start": 16, "end": 19, "label": "MEDIA"}], "answer": "accept", "_input_hash": 1, "_task_hash": 2})
        + "\n",
        encoding="utf-8",
    )
    window = make_window(seeded)
    with qtbot.waitSignal(window.importFinished, timeout=20000) as blocker:
        window.start_import([prodigy])
    summary = blocker.args[0]
    assert len(summary.added) == 1 and summary.spans == 2
    doc_id = summary.added[0].doc_id
    spans = seeded.spans(doc_id)
    assert [(s.label, s.origin, s.origin_detail) for s in spans] == [("PERSON", Origin.IMPORT, "prodigy: ner.jsonl"), ("MEDIA", Origin.IMPORT, "prodigy: ner.jsonl")]
    # the new label joined the legend, and the article opens with its marks
    assert any(lab.name == "MEDIA" for lab in window.editor.palette.labels)
    window.open_document(doc_id)
    assert window.reader.shown_text() == text
    assert window.marks_panel.model.rowCount() == 2 if hasattr(window.marks_panel, "model") else True


def test_merging_a_colleagues_export_adds_only_the_marks_i_lack(seeded: Library, make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done, _ = _library_with_work(seeded)
    colleague = tmp_path / "colleague.jsonl"
    record = {
        "text": TEXT,
        "spans": [{"start": 6, "end": 14, "label": "PERSON"}, {"start": 56, "end": 63, "label": "ORG"}],
        "answer": "accept",
        "_input_hash": 7,
    }
    colleague.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    window = make_window(seeded)
    with qtbot.waitSignal(window.importFinished, timeout=20000) as blocker:
        window.start_import([colleague], merge=True)
    summary = blocker.args[0]
    assert summary.added == [] and summary.merged == 1 and summary.spans == 1  # PERSON was already there
    labels = sorted(s.label for s in seeded.spans(done))
    assert labels == ["DATE", "ORG", "PERSON", "REPORTED"]
    assert seeded.get_document(done).status == ReviewStatus.DONE  # a merge never changes the article's status


def test_the_export_dialog_shows_its_progress(seeded: Library, make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs = [
        AnnotatedDocument(NewDocument(text=f"Report {i}: Ana Díaz went to Łódź.", title=f"R{i}"), [Span(12, 20, "PERSON", status=SpanStatus.ACCEPTED)], status=ReviewStatus.DONE)
        for i in range(300)
    ]
    add_annotated(seeded, docs)
    window = make_window(seeded)
    dialog = window.export_dialog()
    qtbot.waitExposed(dialog)
    out = tmp_path / "progress.jsonl"
    dialog.out_edit.setText(str(out))
    seen: list[tuple[int, int, bool, str]] = []
    show = dialog._progress

    def watched(progress):  # type: ignore[no-untyped-def]  # what the bar shows once it has taken each report in
        show(progress)
        seen.append((dialog.progress.value(), dialog.progress.maximum(), dialog.progress.isVisible(), dialog.progress.text()))

    dialog._progress = watched  # before start(), which connects the job's reports to it
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        job = dialog.start()
        assert job is not None and dialog.progress.isVisible() and not dialog.export_button.isEnabled()
    assert seen, "the export reported no progress"
    assert seen[-1][:3] == (300, 300, True) and seen[-1][3] == "300 / 300 articles · 300 marks"
    assert [value for value, *_ in seen] == sorted(value for value, *_ in seen)  # it only moves forward
    assert not dialog.progress.isVisible() and dialog.export_button.isEnabled()  # done: the result replaces the bar
    assert len(out.read_text(encoding="utf-8").splitlines()) == 300
    dialog.close()


def test_rejected_marks_are_offered_only_to_formats_that_can_hold_them(seeded: Library, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _library_with_work(seeded)
    window = make_window(seeded)
    dialog = window.export_dialog()
    dialog.with_rejected.setChecked(True)
    expected = {"newsmark": (1, 3), "spacy": (1, 3), "doccano": (1, 2), "label-studio": (1, 2), "brat": (1, 2), "conll": (1, 1)}
    for fmt, counts in expected.items():
        dialog.format_box.setCurrentIndex(dialog.format_box.findData(fmt))
        negatives = fmt in ("newsmark", "spacy")
        assert dialog.with_rejected.isEnabled() is negatives, fmt
        assert (SpanStatus.REJECTED in dialog.query().span_statuses) is negatives, fmt
        assert dialog.update_preview() == counts, fmt  # the preview counts what will be written
        assert ("no place for negative examples" in dialog.with_rejected.toolTip()) is not negatives
    dialog.close()
