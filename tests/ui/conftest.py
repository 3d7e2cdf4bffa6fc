"""Fixtures for the ui tests: a library with the sample articles, the real main window on it.

Qt runs offscreen (tests/conftest.py sets QT_QPA_PLATFORM before Qt is imported;
set here too in case this folder is run on its own).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from newsmark.model import NewDocument, Span  # noqa: E402
from newsmark.services.importer import load_seeds_if_new  # noqa: E402
from newsmark.store import Library  # noqa: E402


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "library.sqlite")
    load_seeds_if_new(lib)
    yield lib
    lib.close()


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable]:  # type: ignore[no-untyped-def]
    """Build (and later close) main windows on a library, as the app does."""
    from newsmark.ui.app import application, build_main_window

    application()
    windows = []

    def make(library: Library):  # type: ignore[no-untyped-def]
        window = build_main_window(library)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()


def add_doc(library: Library, text: str, title: str = "Test article", **kw) -> int:  # type: ignore[no-untyped-def]
    result = library.add_document(NewDocument(text=text, title=title, **kw))
    assert result.doc_id is not None, result
    return result.doc_id


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return i, i + len(needle)


def span_at(text: str, needle: str, label: str, nth: int = 0, **kw) -> Span:  # type: ignore[no-untyped-def]
    start, end = find(text, needle, nth)
    return Span(start, end, label, **kw)
