"""The app's start-up: the passphrase dialog, the check (with its dialog when slow), the recovery dialog,
and the scheduled backup reported in the window — driven as a user would, offscreen."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

from newsmark.services import backups, startup  # noqa: E402
from newsmark.store.backup import list_backups  # noqa: E402
from newsmark.ui import startup as ui_startup  # noqa: E402
from newsmark.ui.startup import CheckingDialog, PassphraseDialog, RecoveryDialog, open_library_interactively  # noqa: E402
from reliability.helpers import ARTICLES, corrupt_index, make_library  # noqa: E402

PASS = "correct horse"


@pytest.fixture(autouse=True)
def _app(qapp, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from newsmark.ui.app import application

    application()
    monkeypatch.delenv("NEWSMARK_PASSPHRASE", raising=False)


def answer_dialogs(*steps: tuple[type, Callable[[QDialog], None]]) -> list[QDialog]:
    """Act on the modal dialogs as they open, in order; a dialog not expected is rejected (and recorded)."""
    seen: list[QDialog] = []
    queue = list(steps)
    deadline = time.monotonic() + 20  # never outlives its test for long

    def poll() -> None:
        if time.monotonic() > deadline:
            return
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and dialog not in seen:
            seen.append(dialog)
            if queue and isinstance(dialog, queue[0][0]):
                _, act = queue.pop(0)
                act(dialog)
            else:
                dialog.reject()
        if queue or (not steps and not seen and time.monotonic() < deadline - 17):
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def type_and_open(text: str) -> Callable[[QDialog], None]:
    def act(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        dialog.field.setText(text)
        dialog.open_button.click()

    return act


def test_the_passphrase_is_asked_again_after_a_wrong_one(tmp_path: Path) -> None:
    db = tmp_path / "enc.sqlite"
    make_library(db)
    backups.encrypt_library(db, PASS)
    errors: list[str] = []

    def second(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        assert dialog.error.isVisibleTo(dialog)
        errors.append(dialog.error.text())
        type_and_open(PASS)(dialog)

    seen = answer_dialogs((PassphraseDialog, type_and_open("wrong")), (PassphraseDialog, second))
    library = open_library_interactively(str(db))
    assert library is not None
    try:
        assert library.document_count() == len(ARTICLES)
    finally:
        startup.close_library(library)
    assert len(seen) == 2 and "does not open this library" in errors[0]


def test_quitting_at_the_passphrase_opens_nothing(tmp_path: Path) -> None:
    db = tmp_path / "enc.sqlite"
    make_library(db)
    backups.encrypt_library(db, PASS)
    answer_dialogs((PassphraseDialog, lambda d: d.quit_button.click()))  # type: ignore[attr-defined]
    assert open_library_interactively(str(db)) is None


def test_the_passphrase_from_the_environment_needs_no_dialog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "enc.sqlite"
    make_library(db)
    backups.encrypt_library(db, PASS)
    monkeypatch.setenv("NEWSMARK_PASSPHRASE", PASS)
    seen = answer_dialogs()
    library = open_library_interactively(str(db))
    assert library is not None and seen == []
    startup.close_library(library)


def test_a_damaged_library_is_offered_its_latest_good_backup(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    make_library(db)
    good = backups.backup_library(db).path
    corrupt_index(db)
    shown: list[str] = []

    def restore(dialog: QDialog) -> None:
        assert isinstance(dialog, RecoveryDialog) and dialog.restore_button is not None
        shown.append(dialog.details.toPlainText())
        dialog.restore_button.click()

    answer_dialogs((RecoveryDialog, restore))
    library = open_library_interactively(str(db))
    assert library is not None
    try:
        assert library.document_count() == len(ARTICLES) and library.integrity_check() == []
    finally:
        startup.close_library(library)
    assert shown and shown[0].strip()  # the problems found are listed
    reasons = {b.reason for b in list_backups(db)}
    assert any(r.startswith("damaged") for r in reasons) and good.exists()


def test_a_damaged_library_without_a_backup_is_left_as_it_is(tmp_path: Path) -> None:
    db = tmp_path / "lib.sqlite"
    make_library(db)
    corrupt_index(db)
    before = db.read_bytes()

    def quit_(dialog: QDialog) -> None:
        assert isinstance(dialog, RecoveryDialog) and dialog.restore_button is None
        dialog.quit_button.click()

    answer_dialogs((RecoveryDialog, quit_))
    assert open_library_interactively(str(db)) is None
    assert db.read_bytes() == before


def test_a_slow_check_shows_the_checking_dialog_and_the_window_stays_alive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "lib.sqlite"
    make_library(db)
    real = startup.full_check

    def slow(path: Path, passphrase: str | None = None) -> None:
        time.sleep(1.0)
        real(path, passphrase)

    monkeypatch.setattr(startup, "full_check", slow)
    monkeypatch.setattr(ui_startup, "CHECK_DIALOG_DELAY_MS", 100)
    seen: list[bool] = []

    def watch() -> None:
        seen.append(any(isinstance(w, CheckingDialog) and w.isVisible() for w in QApplication.topLevelWidgets()))
        if len(seen) < 40:
            QTimer.singleShot(25, watch)

    QTimer.singleShot(0, watch)
    library = open_library_interactively(str(db))
    assert library is not None
    startup.close_library(library)
    assert any(seen), "the checking dialog was shown while the check ran"
    assert not any(isinstance(w, CheckingDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_the_scheduled_backup_runs_in_the_background_and_is_reported(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from newsmark.ui.app import BackgroundBackup, build_main_window

    db = tmp_path / "lib.sqlite"
    make_library(db)
    library = startup.open_library(db)
    window = build_main_window(library)
    qtbot.addWidget(window)
    window.show()
    job = BackgroundBackup(library, window)
    job.start()
    qtbot.waitUntil(lambda: "Backed up the library" in window.statusBar().currentMessage(), timeout=10_000)
    assert [b.reason for b in list_backups(db)] == ["scheduled"]
    window.close()
    startup.close_library(library)


def test_the_window_says_the_library_is_busy_and_saves_nothing_half(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Another instance holds the write lock past the timeout: the edit is refused in words, nothing changes, the app carries on."""
    import sqlite3

    from PySide6.QtCore import Qt

    from newsmark.model import Span, SpanStatus, Suggestions
    from newsmark.ui.app import build_main_window

    monkeypatch.setenv("NEWSMARK_BUSY_TIMEOUT_MS", "200")
    db = tmp_path / "lib.sqlite"
    make_library(db)
    library = startup.open_library(db)
    library.set_setting("seeds_loaded", True)
    library.replace_suggestions(1, Suggestions(spans=[Span(4, 14, "NORP")], model="test 1"))
    window = build_main_window(library)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.open_document(1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_J)  # select the mark
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other instance is writing
    steps = window.editor.undo_stack.count()
    try:
        with qtbot.waitSignal(window.editor.refused, timeout=5000) as refusal:
            qtbot.keyClick(window.reader, Qt.Key.Key_A)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "library is busy" in refusal.args[0] and "not saved" in refusal.args[0]
    assert window.editor.undo_stack.count() == steps
    assert [s.status for s in library.spans(1)] == [SpanStatus.SUGGESTED]
    qtbot.keyClick(window.reader, Qt.Key.Key_A)  # the other side is done: trying again works
    qtbot.waitUntil(lambda: [s.status for s in library.spans(1)] == [SpanStatus.ACCEPTED], timeout=3000)
    window.close()
    startup.close_library(library)
