"""The model at work in the background: status bar, progress, the open article refreshed.

The service is replaced by a stand-in so that these tests need no spaCy model."""

from __future__ import annotations

from pathlib import Path

from newsmark.model import Span, Suggestions
from newsmark.services import annotate as service
from newsmark.store import Library

from .conftest import add_doc


class FakeNLP:
    meta = {"lang": "en", "name": "fake", "version": "1.0"}


def test_background_annotation_updates_the_open_article(tmp_path: Path, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "a.sqlite")
    lib.set_setting("seeds_loaded", True)
    text = "Hamas said talks in Doha would resume."
    doc = add_doc(lib, text, title="Doha")

    def fake_annotate(library, nlp, ids, *, on_progress=None, should_cancel=None, **kw):  # type: ignore[no-untyped-def]
        summary = service.AnnotateSummary(model="en_fake 1.0")
        for i, doc_id in enumerate(ids):
            added, _ = library.replace_suggestions(doc_id, Suggestions(spans=[Span(0, 5, "ORG"), Span(25, 29, "GPE")], model="en_fake 1.0"))
            summary.documents += 1
            summary.added += added
            if on_progress:
                on_progress(service.AnnotateProgress(i + 1, len(ids), 7, doc_id, 0.1))
        return summary

    monkeypatch.setattr(service, "load_model", lambda library, name=None: FakeNLP())
    monkeypatch.setattr(service, "annotate_documents", fake_annotate)
    window = make_window(lib)
    assert window.editor.doc.id == doc and window.editor.spans == {}
    with qtbot.waitSignal(window.annotateFinished, timeout=10000) as done:
        window.start_annotation(None)
    assert done.args[0].added == 2
    assert "en_fake 1.0" in window.model_label.text()
    assert sorted(s.label for s in window.editor.spans.values()) == ["GPE", "ORG"]  # the open article shows them
    assert len(window.reader._marks) == 2
    assert window.library_model.summary(0).pending == 2
    lib.close()


def test_a_missing_model_is_said_not_raised(tmp_path: Path, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "b.sqlite")
    lib.set_setting("seeds_loaded", True)
    add_doc(lib, "Some text.", title="T")

    def missing(library, name=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("no spaCy model is installed: pip install en-core-web-sm")

    monkeypatch.setattr(service, "load_model", missing)
    window = make_window(lib)
    with qtbot.waitSignal(window.annotateFinished, timeout=10000):
        window.start_annotation(None)
    assert window.model_label.text() == "Model: not available"
    assert "pip install" in window.model_label.toolTip()
    lib.close()
