"""Python's cycle collector, run on the GUI thread only.

CPython collects reference cycles in whichever thread happens to allocate when a
threshold is crossed — in the app often an import, annotation or backup thread.
If such a cycle holds the wrapper of a Qt widget (a closed dialog and its slots,
say), PySide defers deleting the widget to the GUI thread and runs it at the
next Python "pending call", which may fall in the middle of Qt's own event
handling: that crashed the test suite now and then (``QWidget::~QWidget`` inside
``runDeletionInMainThread``, called from a timer slot).

So the app switches the automatic collector off and a timer on the GUI thread
does its work instead, generation by generation with the same thresholds,
checked a few times a second. Plain reference counting (which frees almost
everything) is untouched; only cycles wait for the timer.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Collects cycles on the GUI thread; the automatic collector stays off while it lives."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.collections = [0, 0, 0]
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.timer.start()

    def check(self) -> int:
        """Collect the oldest generation whose count is over its threshold, as CPython would; returns it (or -1)."""
        counts = gc.get_count()
        generation = -1
        for g in (2, 1, 0):
            if self.thresholds[g] and counts[g] > self.thresholds[g]:
                generation = g
                break
        if generation >= 0:
            gc.collect(generation)
            self.collections[generation] += 1
        return generation

    def stop(self) -> None:
        """The automatic collector back as it was."""
        self.timer.stop()
        if self.was_enabled:
            gc.enable()


_collector: GuiThreadCollector | None = None


def install(parent: QObject) -> GuiThreadCollector:
    """Start collecting on the GUI thread (once per process)."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(parent)
    return _collector
