"""Errors shown, not swallowed — in the window: an exception anywhere (a slot, an event handler, a
background thread or job) reaches the user as a readable dialog with Copy details, and the log; errors of
the machine get their own plain words. Also the export's question before replacing a file, answered
both ways. Driven offscreen, as a user would.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget  # noqa: E402

from newsmark import errors  # noqa: E402
from newsmark.model import AnnotatedDocument, NewDocument, ReviewStatus, Span, SpanStatus  # noqa: E402
from newsmark.store import Library, StoreError  # noqa: E402
from newsmark.store.interchange import add_annotated  # noqa: E402
from newsmark.ui import errors as ui_errors  # noqa: E402
from newsmark.ui.errordialog import ErrorDialog  # noqa: E402
from newsmark.ui.errors import ErrorReporter  # noqa: E402
from newsmark.ui.jobs import BackgroundJob  # noqa: E402

pytestmark = pytest.mark.qt_no_exception_capture  # the app's own hook catches them here


@pytest.fixture
def reporter(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ErrorReporter]:  # type: ignore[no-untyped-def]
    from newsmark.ui.app import application

    application()
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(tmp_path / "data"))
    errors.setup_logging()
    installed = ui_errors.install()
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()
    installed.deleteLater()
    errors.teardown_logging()


def log_text(tmp_path: Path) -> str:
    return (tmp_path / "data" / "logs" / "newsmark.log").read_text(encoding="utf-8")


def wait_for_dialog(qtbot, reporter: ErrorReporter) -> ErrorDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=10000)
    assert reporter.dialog is not None
    return reporter.dialog


def test_an_exception_in_a_slot_becomes_a_dialog_with_copy_details_and_a_log_entry(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    button = QPushButton("Accept every mark")
    qtbot.addWidget(button)

    def buggy_slot() -> None:
        marks: dict[str, int] = {}
        marks["claim-17"] += 1  # KeyError, as a real bug would

    button.clicked.connect(buggy_slot)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = wait_for_dialog(qtbot, reporter)

    assert dialog.windowTitle() == "Something went wrong"
    assert dialog.summary.text() == "Newsmark ran into a problem it did not expect."
    assert "Your work is safe" in dialog.advice.text() and "Copy details" in dialog.advice.text()
    assert not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible() and dialog.details_button.text() == "Hide &details"
    details = dialog.details.toPlainText()
    assert "Traceback (most recent call last):" in details and "KeyError: 'claim-17'" in details
    assert "in buggy_slot" in details  # the frame that raised
    assert "Newsmark: " in details and "Qt: 6." in details and "PySide6: " in details and "Python: 3." in details

    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == details
    assert dialog.copy_button.text() == "Copied"

    log = log_text(tmp_path)
    assert "ERROR newsmark" in log and "KeyError: 'claim-17'" in log and "in buggy_slot" in log
    assert str(tmp_path / "data" / "logs" / "newsmark.log") in dialog.log_label.text()
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_an_error_in_a_paint_handler_is_shown_once_not_at_every_repaint(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    class Broken(QWidget):
        paints = 0

        def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
            Broken.paints += 1
            raise ZeroDivisionError("a mark of zero width")

    widget = Broken()
    qtbot.addWidget(widget)
    widget.show()
    dialog = wait_for_dialog(qtbot, reporter)
    dialog.close()
    for _ in range(5):
        widget.update()  # repainted by the event loop, as the app would
        qtbot.wait(30)
    assert Broken.paints >= 5
    assert len(reporter.reports) == 1 and not dialog.isVisible()  # shown once per session, not again
    assert sum(reporter.seen.values()) >= 5  # but counted
    assert log_text(tmp_path).count("ZeroDivisionError: a mark of zero width") <= 3 * 2  # logged at most 3 times (the traceback repeats the line)


def test_a_disk_full_error_in_a_slot_gets_its_own_plain_words(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    QTimer.singleShot(0, lambda: _raise(OSError(errno.ENOSPC, "No space left on device", "/media/usb/notes.txt")))
    dialog = wait_for_dialog(qtbot, reporter)
    assert dialog.windowTitle() == "Newsmark could not finish"
    assert dialog.summary.text() == "The disk is full: there is no room left in /media/usb. Free some space (or choose another disk) and try again."
    assert not dialog.advice.isVisible()  # no "it is a bug" talk for a full disk
    assert "WARNING newsmark" in log_text(tmp_path) and "The disk is full" in log_text(tmp_path)


def test_a_store_refusal_that_escapes_is_shown_with_its_own_message(qtbot, reporter: ErrorReporter) -> None:  # type: ignore[no-untyped-def]
    busy = "The library is busy: another Newsmark window or program has been writing to it for more than 10 seconds."
    QTimer.singleShot(0, lambda: _raise(StoreError(busy)))
    dialog = wait_for_dialog(qtbot, reporter)
    assert dialog.summary.text() == busy and dialog.windowTitle() == "Newsmark could not finish"


def test_errors_while_the_dialog_is_open_are_added_to_it(qtbot, reporter: ErrorReporter) -> None:  # type: ignore[no-untyped-def]
    QTimer.singleShot(0, lambda: _raise(RuntimeError("first")))
    dialog = wait_for_dialog(qtbot, reporter)
    QTimer.singleShot(0, lambda: _raise(ValueError("second")))
    qtbot.waitUntil(lambda: dialog.more_label.isVisible(), timeout=5000)
    assert dialog.more_label.text().startswith("1 more problem happened since")
    assert "ValueError: second" in dialog.details.toPlainText()
    assert reporter.dialog is dialog


def test_an_exception_in_a_python_thread_reaches_the_dialog(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def work() -> None:
        raise LookupError("no such model file")

    thread = threading.Thread(target=work, name="newsmark-test-thread")
    thread.start()
    thread.join()
    dialog = wait_for_dialog(qtbot, reporter)
    assert dialog.summary.text() == "Newsmark ran into a problem it did not expect while working in the background (newsmark-test-thread)."
    assert dialog.thread() is QApplication.instance().thread()  # built on the GUI thread
    assert "LookupError: no such model file" in log_text(tmp_path)


def test_a_thread_object_holds_no_qt_object_through_the_hooks(qtbot, reporter: ErrorReporter) -> None:  # type: ignore[no-untyped-def]
    """Every Thread keeps the sys.excepthook of its birth; it may be freed on another thread later.

    (Seen in the suite: a finished QThread's dummy Thread entry replaced when a new
    Python thread got the same id, freeing the reporter's dialog off the GUI thread — a
    segfault.) So the hooks are plain functions, and the reporter is not reachable from them.
    """
    from PySide6.QtCore import QObject

    thread = threading.Thread(target=lambda: None)
    captured = [cell.cell_contents for cell in thread._invoke_excepthook.__closure__ or ()]  # type: ignore[attr-defined]
    assert captured, "CPython keeps the hooks in the thread's excepthook closure"
    held = [getattr(value, "__self__", value) for value in captured]
    assert not any(isinstance(value, QObject) for value in held), held
    # and the hooks still reach the reporter, from this thread and from others
    assert ui_errors.reporter() is reporter and reporter in (ui_errors._hooked,)
    thread = threading.Thread(target=lambda: 1 / 0, name="newsmark-divide")
    thread.start()
    thread.join()
    assert "newsmark-divide" in wait_for_dialog(qtbot, reporter).summary.text()


def test_a_background_job_bug_is_shown_and_its_owner_told_in_words(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def work(progress: Callable[[object], None], cancelled: Callable[[], bool]) -> None:
        raise AttributeError("'NoneType' object has no attribute 'spans'")

    job = BackgroundJob(work, what="exporting")
    with qtbot.waitSignal(job.failed, timeout=10000) as failed:
        job.start()
    assert failed.args[0].startswith("Newsmark ran into a problem it did not expect (AttributeError:")
    dialog = wait_for_dialog(qtbot, reporter)
    assert dialog.summary.text() == "Newsmark ran into a problem it did not expect while exporting."
    assert "AttributeError: 'NoneType' object has no attribute 'spans'" in dialog.details.toPlainText()
    assert "in work" in log_text(tmp_path)


def test_a_background_job_that_meets_a_full_disk_says_so_in_place_without_a_dialog(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def work(progress: Callable[[object], None], cancelled: Callable[[], bool]) -> None:
        raise OSError(errno.EROFS, "Read-only file system", "/media/cdrom/out.jsonl")

    job = BackgroundJob(work, what="exporting")
    with qtbot.waitSignal(job.failed, timeout=10000) as failed:
        job.start()
    assert failed.args[0].startswith("/media/cdrom/out.jsonl is on a disk that can only be read")
    qtbot.wait(100)
    assert reporter.dialog is None  # the job's owner shows it where the user is looking
    assert "WARNING newsmark" in log_text(tmp_path) and "exporting: OSError: /media/cdrom/out.jsonl is on a disk" in log_text(tmp_path)


def test_the_model_worker_reports_a_bug_in_annotation(qtbot, reporter: ErrorReporter, seeded_library: Library, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from newsmark.services import annotate as service
    from newsmark.ui.annotating import AnnotateJob

    monkeypatch.setattr(service, "load_model", lambda library: type("Nlp", (), {"meta": {"lang": "en", "name": "fake"}})())

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise IndexError("token index out of range")

    monkeypatch.setattr(service, "annotate_documents", broken)
    job = AnnotateJob(seeded_library, None)
    with qtbot.waitSignal(job.worker.modelFailed, timeout=10000) as failed:
        job.start()
    job.wait()
    assert failed.args[0] == "annotation stopped: Token index out of range."
    dialog = wait_for_dialog(qtbot, reporter)
    assert dialog.summary.text() == "Newsmark ran into a problem it did not expect while suggesting marks."


@pytest.fixture
def seeded_library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "lib.sqlite")
    lib.add_document(NewDocument(text="Ana Díaz said the bridge will reopen in May.", title="Bridge"))
    yield lib
    lib.close()


def test_the_dialog_looks_like_a_message_for_a_journalist(qtbot, reporter: ErrorReporter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A picture for people to look at (tests/_artifacts/error-dialog*.png); the assertions are about what it shows."""
    QTimer.singleShot(0, lambda: _raise(KeyError("claim-17")))
    dialog = wait_for_dialog(qtbot, reporter)
    artifacts = Path(__file__).resolve().parents[1] / "_artifacts"
    artifacts.mkdir(exist_ok=True)
    qtbot.wait(50)
    dialog.grab().save(str(artifacts / "error-dialog.png"))
    assert dialog.width() >= 520 and dialog.height() < 400  # compact until the details are asked for
    dialog.details_button.click()
    qtbot.wait(50)
    dialog.grab().save(str(artifacts / "error-dialog-details.png"))
    assert dialog.height() >= 500
    texts = [dialog.heading.text(), dialog.summary.text(), dialog.advice.text()]
    assert not any("Traceback" in t or "Error:" in t for t in texts)  # the technical part stays behind Show details


def _raise(exc: BaseException) -> None:
    raise exc


# ---------------------------------------------------------------------- the export: asks before replacing


def _window_with_done_work(library: Library, make_window):  # type: ignore[no-untyped-def]
    add_annotated(
        library,
        [
            AnnotatedDocument(NewDocument(text=f"Article {i}: Ana Díaz spoke in Łódź.", title=f"A{i}"), [Span(13, 21, "PERSON", status=SpanStatus.ACCEPTED)], status=ReviewStatus.DONE)
            for i in range(3)
        ],
    )
    return make_window(library)


def answer_replace(button_text: str, asked: list[str]) -> None:
    """Answer the export's "Replace file?" question with the button ``button_text`` when it appears."""
    deadline = time.monotonic() + 10

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "replaceQuestion":
            asked.append(box.text() + " " + box.informativeText())
            next(b for b in box.buttons() if b.text().replace("&", "") == button_text).click()
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


@pytest.fixture
def make_window(qtbot):  # type: ignore[no-untyped-def]
    from newsmark.ui.app import application, build_main_window

    application()
    windows = []

    def make(library: Library):  # type: ignore[no-untyped-def]
        window = build_main_window(library)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_the_export_asks_before_replacing_a_file_and_cancel_keeps_it(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open(tmp_path / "lib.sqlite")
    try:
        window = _window_with_done_work(lib, make_window)
        out = tmp_path / "train.jsonl"
        out.write_text("last week's export\n", encoding="utf-8")
        dialog = window.export_dialog()
        dialog.out_edit.setText(str(out))
        asked: list[str] = []
        answer_replace("Cancel", asked)
        assert dialog.start() is None  # no export started
        assert asked == [f"“train.jsonl” already exists in {tmp_path}. Replace it with this export? What the file holds now will be lost."]
        assert out.read_text(encoding="utf-8") == "last week's export\n"
        assert dialog.job is None and dialog.export_button.isEnabled()

        answer_replace("Replace", asked)
        with qtbot.waitSignal(dialog.exported, timeout=20000) as done:
            assert dialog.start() is not None
        assert len(asked) == 2 and done.args[0].documents == 3
        assert out.read_text(encoding="utf-8").count("\n") == 3 and "last week" not in out.read_text(encoding="utf-8")
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        dialog.close()
    finally:
        lib.close()


def test_the_export_is_not_replaced_if_the_file_appears_after_the_question(qtbot, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """No question was asked (there was no file yet), then another program made one: the export refuses, in words."""
    from newsmark.ui import exporting

    lib = Library.open(tmp_path / "lib.sqlite")
    try:
        window = _window_with_done_work(lib, make_window)
        real_export = exporting.export

        def another_program_writes_first(library, fmt, out, query, **kwargs):  # type: ignore[no-untyped-def]
            Path(out).write_text("someone else's", encoding="utf-8")
            return real_export(library, fmt, out, query, **kwargs)

        monkeypatch.setattr(exporting, "export", another_program_writes_first)
        dialog = window.export_dialog()
        out = tmp_path / "late.jsonl"
        dialog.out_edit.setText(str(out))
        job = dialog.start()
        assert job is not None
        with qtbot.waitSignal(job.failed, timeout=20000):
            pass
        assert out.read_text(encoding="utf-8") == "someone else's"
        assert f"{out} already exists; Newsmark replaces a file only when told to" in dialog.result_label.text()
        dialog.close()
    finally:
        lib.close()


def test_the_export_dialog_says_the_disk_is_full_in_plain_words(qtbot, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reporter: ErrorReporter) -> None:  # type: ignore[no-untyped-def]
    from newsmark.formats import interchange

    lib = Library.open(tmp_path / "lib.sqlite")
    try:
        window = _window_with_done_work(lib, make_window)

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")  # what a full disk gives when the export is flushed

        monkeypatch.setattr(interchange.os, "fsync", full)
        dialog = window.export_dialog()
        out = tmp_path / "usb" / "train.jsonl"
        out.parent.mkdir()
        dialog.out_edit.setText(str(out))
        job = dialog.start()
        assert job is not None
        with qtbot.waitSignal(job.failed, timeout=20000):
            pass
        monkeypatch.undo()
        text = dialog.result_label.text()
        assert text.startswith("<b>The export failed.</b> The disk is full: there is no room left in " + str(out.parent))
        assert "Nothing was written" in text
        assert list(out.parent.iterdir()) == []  # no half file, no temporary file
        qtbot.wait(100)
        assert reporter.dialog is None  # a full disk is not a bug: no error window on top
        dialog.close()
    finally:
        lib.close()
