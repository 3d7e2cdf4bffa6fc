"""Reference cycles are collected on the GUI thread by a timer, never by CPython in a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from newsmark.ui.collector import GuiThreadCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cycle collector frees it


def test_cycles_wait_for_the_timer_and_are_freed_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    was_enabled = gc.isenabled()
    collector = GuiThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []
        gone: list[weakref.ref[Node]] = []

        def make_garbage() -> None:  # in a worker thread: many allocations, no collection there
            for _ in range(20_000):
                node = Node()
                gone.append(weakref.ref(node, lambda _ref: freed_in.append(threading.current_thread().name)))
                del node

        worker = threading.Thread(target=make_garbage, name="worker")
        worker.start()
        worker.join()
        assert gc.get_count()[0] > collector.thresholds[0] and freed_in == []  # nothing collected yet
        qtbot.waitUntil(lambda: len(freed_in) == 20_000, timeout=5000)
        assert set(freed_in) == {threading.main_thread().name}
        assert sum(collector.collections) >= 1
    finally:
        collector.stop()
        collector.deleteLater()
    assert gc.isenabled() == was_enabled


def test_check_collects_the_oldest_generation_over_its_threshold(qtbot) -> None:  # type: ignore[no-untyped-def]
    collector = GuiThreadCollector(interval_ms=60_000)  # the timer out of the way: check() by hand
    try:
        gc.collect()
        assert collector.check() == -1  # nothing over a threshold
        for _ in range(collector.thresholds[0] + 50):
            Node()
        assert collector.check() == 0
        assert gc.get_count()[0] < collector.thresholds[0]
    finally:
        collector.stop()
