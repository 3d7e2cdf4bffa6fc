"""Shared test set-up.

- Qt runs offscreen (set before anything imports Qt).
- The user's real data folder is never touched: NEWSMARK_DATA_DIR points at a temp dir.
- ``shared_data`` gives ../shared/data, or skips the test with the reason when it is absent.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NEWSMARK_ANNOTATOR", "tester")

import pytest  # noqa: E402

# urllib3 (pulled in by trafilatura) probes for IPv6 at import time by binding a
# socket to ::1; it sends nothing. Import it now, before pytest-socket starts
# refusing sockets, so that probe is not mistaken for a test using the network.
import urllib3  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("NEWSMARK_DB", raising=False)


@pytest.fixture(autouse=True)
def _cycles_freed_on_the_gui_thread(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """In a test with Qt, reference cycles are freed on this (the GUI) thread, as the app does (ui/collector.py).

    Left to CPython, a cycle holding a widget's wrapper may be collected in a
    background thread of a later test, and PySide then deletes the widget from a
    pending call in the middle of Qt's event handling: now and then a segfault.
    """
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()  # after qtbot has closed the test's widgets (autouse fixtures are torn down last)
        if enabled:
            gc.enable()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: the real-data tests need the shared data folder beside the repository")
    return SHARED_DATA


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite"


@pytest.fixture
def library(db_path: Path):  # type: ignore[no-untyped-def]
    from newsmark.store import Library

    lib = Library.open(db_path)
    yield lib
    lib.close()
