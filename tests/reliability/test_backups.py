"""Backups and recovery: scheduled and manual backups, restore, and a damaged library never used silently."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsmark.services import backups, settings, startup
from newsmark.store import Library
from newsmark.store import health
from newsmark.store.backup import BackupError, backup_dir_for, backup_name, check_file, list_backups
from reliability.helpers import ARTICLES, cli, corrupt_index, make_library, touch_later


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "lib.sqlite"
    make_library(path)
    return path


def _fake_backup(db: Path, reason: str, hours_ago: float) -> Path:
    """A real backup file, named as if it had been taken ``hours_ago``."""
    when = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
    dest = backup_dir_for(db) / backup_name(db, reason, when)
    dest.parent.mkdir(exist_ok=True)
    src = sqlite3.connect(db)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    dst.close()
    src.close()
    return dest


def test_backup_command_makes_a_checked_copy_and_never_overwrites(db: Path, tmp_path: Path) -> None:
    result = cli(db, "backup")
    assert result.exit_code == 0, result.output
    [made] = list_backups(db)
    assert made.reason == "manual" and str(made.path) in result.output and "check: ok" in result.output
    assert check_file(made.path) == []
    target = tmp_path / "elsewhere.sqlite"
    assert cli(db, "backup", "--to", str(target)).exit_code == 0
    before = target.read_bytes()
    refused = cli(db, "backup", "--to", str(target))
    assert refused.exit_code == 1 and "already exists; use --force" in refused.output
    assert target.read_bytes() == before
    assert cli(db, "backup", "--to", str(target), "--force").exit_code == 0
    folder = tmp_path / "usb"
    folder.mkdir()
    assert cli(db, "backup", "--to", str(folder)).exit_code == 0
    assert len(list(folder.glob("lib-*-manual.sqlite"))) == 1


def test_backups_lists_newest_first_and_checks_each(db: Path) -> None:
    old = _fake_backup(db, "scheduled", 30)
    new = _fake_backup(db, "manual", 1)
    damaged = _fake_backup(db, "scheduled", 50)
    corrupt_index(damaged)
    result = cli(db, "backups", "--check")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip() and not line.startswith("     ")]
    assert [int(line.split()[0]) for line in lines] == [1, 2, 3]
    assert str(new) in result.output.split("\n  2")[0] and str(old) in result.output and str(damaged) in result.output
    assert "ok, schema" in lines[0] and f"{len(ARTICLES)} articles" in lines[0]
    assert "DAMAGED" in lines[2]


def test_a_scheduled_backup_is_made_when_due_and_only_the_newest_are_kept(db: Path) -> None:
    lib = Library.open(db)
    try:
        settings.set_value(lib, "backup.every_hours", "6")
        settings.set_value(lib, "backup.keep", "2")
        assert backups.backup_due(lib) == "there is no backup yet"
        first = backups.scheduled_backup(lib)
        assert first.made is not None and first.problems == []
        assert backups.scheduled_backup(lib).made is None  # not due again yet
        later = datetime.now(timezone.utc) + timedelta(hours=7)
        assert "hours old" in (backups.backup_due(lib, later) or "")
        for hours in (40, 30, 20):
            _fake_backup(db, "scheduled", hours)
        manual = _fake_backup(db, "manual", 100)
        second = backups.scheduled_backup(lib, later)
        assert second.made is not None
        kept = [b for b in list_backups(db) if b.reason == "scheduled"]
        assert [b.path for b in kept] == [second.made, first.made]  # the two newest scheduled ones
        assert len(second.removed) == 3 and manual.exists()  # other backups are never pruned
        settings.set_value(lib, "backup.every_hours", "0")
        assert backups.backup_due(lib, later + timedelta(days=30)) is None  # switched off
    finally:
        lib.close()


def test_an_empty_library_is_not_backed_up(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "empty.sqlite")
    try:
        assert backups.scheduled_backup(lib).made is None
    finally:
        lib.close()


def test_backup_settings_through_newsmark_config(db: Path) -> None:
    assert cli(db, "config", "backup.keep", "3").output.strip() == "backup.keep = 3"
    refused = cli(db, "config", "backup.every_hours", "100000")
    assert refused.exit_code == 1 and "between 0 and" in refused.output
    assert "backup.every_hours = 24" in cli(db, "config").output


def test_the_cli_takes_the_scheduled_backup_when_it_opens_the_library(db: Path) -> None:
    assert list_backups(db) == []
    assert cli(db, "list").exit_code == 0
    [made] = list_backups(db)
    assert made.reason == "scheduled"
    assert cli(db, "list").exit_code == 0
    assert len(list_backups(db)) == 1  # not due again within backup.every_hours


def test_restore_keeps_the_current_library_and_puts_the_backup_back(db: Path) -> None:
    backup = _fake_backup(db, "manual", 2)
    lib = Library.open(db)
    lib.delete_document(1)
    lib.close()
    refused = cli(db, "restore")
    assert refused.exit_code == 1 and "--yes" in refused.output  # not at a terminal: must be confirmed
    result = cli(db, "restore", "--yes")
    assert result.exit_code == 0, result.output
    assert f"restored {backup.name}" in result.output and f"{len(ARTICLES)} articles" in result.output
    kept = [b for b in list_backups(db) if b.reason == "before-restore"]
    assert len(kept) == 1 and str(kept[0].path) in result.output
    with Library.open(db) as lib:
        assert lib.document_count() == len(ARTICLES)
    with Library.open(kept[0].path) as before:
        assert before.document_count() == len(ARTICLES) - 1  # the library as it was is kept
    assert cli(db, "restore", "9", "--yes").exit_code == 1


def test_restore_refuses_while_the_library_is_open_elsewhere(db: Path) -> None:
    _fake_backup(db, "manual", 2)
    lib = Library.open(db)
    try:
        lib.document_count()  # holds a connection, as a running app does
        before = db.read_bytes()
        result = cli(db, "restore", "--yes")
        assert result.exit_code == 1 and "open in another Newsmark window or program" in result.output
        assert db.read_bytes() == before
    finally:
        lib.close()


def test_restore_refuses_a_damaged_backup(db: Path) -> None:
    bad = _fake_backup(db, "manual", 2)
    corrupt_index(bad)
    with pytest.raises(BackupError, match="is damaged"):
        backups.restore_library(db, str(bad))
    assert cli(db, "restore", "--yes").exit_code == 1  # no good backup to pick
    assert [b.path for b in list_backups(db)] == [bad]  # nothing was added: not even a copy of the current one


def test_a_damaged_library_is_refused_at_start_and_the_latest_good_backup_named(db: Path) -> None:
    good = _fake_backup(db, "scheduled", 5)
    older = _fake_backup(db, "scheduled", 50)
    newest_but_bad = _fake_backup(db, "manual", 1)
    corrupt_index(newest_but_bad)
    corrupt_index(db)
    result = cli(db, "list")
    assert result.exit_code == 1
    assert "failed its integrity check" in result.output and "so it was not opened" in result.output
    assert f"The latest good backup is {good}" in result.output and "newsmark restore" in result.output
    assert str(older) not in result.output
    restored = cli(db, "restore", "--yes")
    assert restored.exit_code == 0 and good.name in restored.output
    damaged_copies = [b for b in list_backups(db) if b.reason.startswith("damaged")]
    assert len(damaged_copies) == 1  # the damaged file is kept, as it was
    again = cli(db, "list")
    assert again.exit_code == 0 and f"{len(ARTICLES)} articles" in again.output


def test_a_damaged_library_without_backups_is_left_untouched(db: Path) -> None:
    corrupt_index(db)
    before = db.read_bytes()
    result = cli(db, "info")
    assert result.exit_code == 1 and "no good backup" in result.output
    assert db.read_bytes() == before


def test_the_full_check_runs_only_when_the_file_may_have_changed(db: Path) -> None:
    report = startup.StartCheck()
    lib = startup.open_library(db, report=report)
    assert report.reason == "Newsmark has not checked this file before"
    startup.close_library(lib)

    report = startup.StartCheck()
    startup.close_library(startup.open_library(db, report=report))
    assert report.reason is None  # closed cleanly, unchanged since: no check

    touch_later(db)  # changed behind Newsmark's back (a sync tool, a copy …)
    report = startup.StartCheck()
    startup.close_library(startup.open_library(db, report=report))
    assert report.reason == "the file was changed since Newsmark last closed it"

    lib = startup.open_library(db)
    lib.set_document_status(1, "done")
    other = sqlite3.connect(db)  # keeps the write-ahead log from being folded in: as after a crash
    other.execute("SELECT count(*) FROM documents").fetchone()
    lib.close()  # not close_library: Newsmark did not get to close it cleanly
    report = startup.StartCheck()
    startup.close_library(startup.open_library(db, report=report))
    other.close()
    assert report.reason is not None

    report = startup.StartCheck()
    startup.close_library(startup.open_library(db, report=report))
    stale = datetime.now(timezone.utc) + timedelta(days=8)
    assert health.why_check(db, now=stale) == "the last full check is more than 7 days old"


def test_an_upgrade_of_an_encrypted_library_keeps_an_encrypted_backup(tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3")
    from newsmark.store.engine import make_engine, resolve_url
    from newsmark.store.migrate import ensure_schema
    from reliability.helpers import plaintext_in

    path = tmp_path / "old.sqlite"
    engine = make_engine(resolve_url(path))
    ensure_schema(engine, path, target="0003")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO documents (title, imported_at, updated_at, text, text_hash, status, meta) "
        f"VALUES ('Old', '2024-01-01', '2024-01-01', '{ARTICLES[0]}', 'h', 'new', '{{}}')"
    )
    con.commit()
    con.close()
    backups.encrypt_library(path, "correct horse")
    lib = Library.open(resolve_url(path, passphrase="correct horse"))
    try:
        assert lib.upgrade_backup is not None and lib.document_count() == 1
    finally:
        lib.close()
    assert not plaintext_in(lib.upgrade_backup)
    assert check_file(lib.upgrade_backup, "correct horse") == []


def test_restore_also_works_on_a_copy_moved_elsewhere(db: Path, tmp_path: Path) -> None:
    outside = tmp_path / "from-usb.sqlite"
    shutil.copyfile(_fake_backup(db, "manual", 3), outside)
    result = cli(db, "restore", str(outside), "--yes")
    assert result.exit_code == 0 and outside.name in result.output


def test_half_written_backups_are_cleaned_up_but_not_one_being_written(db: Path) -> None:
    import os

    from newsmark.store.backup import remove_stale_parts

    folder = backup_dir_for(db)
    folder.mkdir(exist_ok=True)
    stale = folder / (backup_name(db, "scheduled") + ".part")
    stale.write_bytes(b"interrupted")
    os.utime(stale, (0, 0))
    writing = folder / (backup_name(db, "manual") + ".part")
    writing.write_bytes(b"another instance is writing this one")
    remove_stale_parts(db)
    assert not stale.exists() and writing.exists()


def test_a_library_made_by_newsmark_needs_no_check_at_its_next_start(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite"
    startup.close_library(startup.open_library(db))
    report = startup.StartCheck()
    startup.close_library(startup.open_library(db, report=report))
    assert report.reason is None
