"""newsmark.parallel: results in chunk order, input read lazily, workers ended however the caller stops."""

from __future__ import annotations

import multiprocessing
import operator
import types

import pytest

from newsmark import parallel
from newsmark.parallel import ordered_map, start_method

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="fork is not available on this system")


def _slow_first(chunk: list[int]) -> list[int]:
    import time

    if chunk[0] == 0:
        time.sleep(0.3)  # the first chunk finishes last; its result must still come first
    return [x * 10 for x in chunk]


@needs_fork
def test_results_come_in_chunk_order_and_the_input_is_read_lazily() -> None:
    pulled: list[int] = []

    def chunks():  # type: ignore[no-untyped-def]
        for i in range(0, 40, 4):
            pulled.append(i)
            yield [i, i + 1, i + 2, i + 3]

    results = ordered_map(_slow_first, chunks(), workers=2, ahead=2, method="fork")
    first = next(results)
    assert first == [0, 10, 20, 30]
    assert len(pulled) == 5  # 2 workers × 2 ahead handed out, then one more for the result taken
    rest = list(results)
    assert [x for chunk in [first, *rest] for x in chunk] == [x * 10 for x in range(40)]
    assert multiprocessing.active_children() == []


@needs_fork
def test_stopping_early_or_a_failing_chunk_ends_the_workers() -> None:
    results = ordered_map(_slow_first, ([i] for i in range(1000)), workers=2, method="fork")
    assert next(results) == [0]
    results.close()
    assert multiprocessing.active_children() == []
    with pytest.raises(TypeError):
        list(ordered_map(operator.neg, [1, "x", 3], workers=2, method="fork"))  # -"x" fails in a worker, raised here
    assert multiprocessing.active_children() == []


def test_spawned_workers_work_too() -> None:
    assert list(ordered_map(sum, [[1, 2], [3], []], workers=2, method="spawn")) == [3, 3, 0]
    assert list(ordered_map(sum, [], workers=2, method="spawn")) == []


def test_fork_only_from_a_process_with_one_thread_and_no_qt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["fork", "spawn"])
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    monkeypatch.delitem(parallel.sys.modules, "PySide6.QtCore", raising=False)
    assert start_method() == "fork"
    assert start_method(fork_allowed=False) == "spawn"
    monkeypatch.setitem(parallel.sys.modules, "PySide6.QtCore", object())  # the app: Qt runs threads of its own
    assert start_method() == "spawn"
    monkeypatch.delitem(parallel.sys.modules, "PySide6.QtCore")
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)  # another Python thread
    assert start_method() == "spawn"
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # Windows
    assert start_method() == "spawn"


def test_a_spawned_worker_needs_a_main_program_it_can_import(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    main = types.ModuleType("__main__")
    monkeypatch.setitem(parallel.sys.modules, "__main__", main)
    assert parallel.can_start_workers()  # an interactive session: nothing to re-import
    main.__file__ = str(tmp_path / "gone.py")  # `python - < script.py`
    assert not parallel.can_start_workers()
    (tmp_path / "gone.py").write_text("")
    assert parallel.can_start_workers()
