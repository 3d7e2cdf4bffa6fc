"""Naming a library, transactions that take the write lock up front, and backups of a live library."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from newsmark.model import NewDocument
from newsmark.store import Library
from newsmark.store.backup import backup_sqlite
from newsmark.store.engine import resolve_url


def test_resolve_url_from_path_url_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(tmp_path / "a.sqlite").database == str((tmp_path / "a.sqlite").resolve())
    assert resolve_url("sqlite:////tmp/x.db").database == "/tmp/x.db"
    assert resolve_url("postgresql+psycopg://u:p@localhost/newsmark").get_backend_name() == "postgresql"
    monkeypatch.setenv("NEWSMARK_DB", str(tmp_path / "env.sqlite"))
    assert resolve_url(None).database == str((tmp_path / "env.sqlite").resolve())
    monkeypatch.delenv("NEWSMARK_DB")
    monkeypatch.setenv("NEWSMARK_DATA_DIR", str(tmp_path / "data"))
    assert resolve_url(None).database == str((tmp_path / "data" / "newsmark.sqlite").resolve())


def test_opening_with_a_sqlalchemy_url_works(tmp_path: Path) -> None:
    path = tmp_path / "by-url.sqlite"
    lib = Library.open(f"sqlite:///{path}")
    lib.add_document(NewDocument(text="Via a URL.", title="u"))
    assert lib.path == path and lib.document_count() == 1
    lib.close()


def test_write_transactions_take_the_write_lock_up_front(library: Library) -> None:
    other = sqlite3.connect(library.path, timeout=0, isolation_level=None)
    try:
        with library._write():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_writer_waits_for_another_instead_of_failing(db_path: Path) -> None:
    a, b = Library.open(db_path), Library.open(db_path)
    released = threading.Event()

    def hold_lock() -> None:
        with a._write():
            released.wait(0.5)

    t = threading.Thread(target=hold_lock)
    t.start()
    result = b.add_document(NewDocument(text="Written while the other held the lock.", title="b"))
    released.set()
    t.join()
    assert result.added and a.document_count() == 1
    a.close()
    b.close()


def test_backup_of_a_live_library_is_consistent(library: Library, tmp_path: Path) -> None:
    library.add_documents([NewDocument(text=f"Story {i} " * 50, title=f"S{i}") for i in range(50)])
    dest = backup_sqlite(library.path, tmp_path / "copy.sqlite")
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (50,)
    con.close()
    with pytest.raises(FileExistsError):
        backup_sqlite(library.path, dest)
