"""Backups of a library, checks of a library file, and putting a backup back.

Copies are taken with SQLite's online backup API in one step (``pages=-1``): an
incremental backup restarts whenever another connection writes and may never
finish on a library in use. A copy is first written as ``NAME.part`` and renamed
into place, so a backup that exists is a whole one; a backup never overwrites a
file. An encrypted library's backups are encrypted with the same passphrase.

Backups live in ``backups/`` beside the library, named
``<library>-<UTC time>-<reason>.sqlite`` so that the name says when and why
(``scheduled``, ``manual``, ``before-upgrade-0003-to-0004``, ``before-restore``,
``before-encrypt`` …). :func:`list_backups` reads them back, newest first.

:func:`restore_backup` refuses while it is unsure: when the backup fails its
integrity check or is not a Newsmark library, or when the library is open in
another program. It first keeps a copy of the current file (a raw copy if the
file is too damaged for the backup API), then copies the backup beside the
library, checks the copy, drops the old write-ahead log and renames the copy
into place.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsmark.store.engine import PassphraseError, connect_raw, database_errors, integrity_problems, is_encrypted_file
from newsmark.store.files import BACKUP_DIRNAME, backup_dir_for

SCHEDULED = "scheduled"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"
DAMAGED = "damaged"
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(RuntimeError):
    """A backup or restore was refused; nothing was changed (the message says why)."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file of a library."""

    path: Path
    taken_at: datetime  # UTC
    reason: str
    size: int
    encrypted: bool


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems (and Windows folders) cannot fsync a directory
        pass
    finally:
        os.close(fd)


def backup_sqlite(db_path: Path, dest: Path, passphrase: str | None = None) -> Path:
    """Copy the database at ``db_path`` to ``dest`` (a new file) and return ``dest``.

    ``passphrase`` opens an encrypted library; its copy is encrypted with the same one.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; a backup never overwrites a file")
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        src = connect_raw(db_path, passphrase, readonly=True)
        try:
            dst = connect_raw(tmp, passphrase)
            try:
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
            finally:
                dst.close()
        finally:
            src.close()
        _fsync(tmp)
        tmp.rename(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(dest.parent)
    return dest


def backup_name(db_path: Path, reason: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now(timezone.utc)).strftime(_STAMP_FORMAT)
    safe_reason = "".join(c if c.isalnum() or c in "-_" else "-" for c in reason) or MANUAL
    return f"{db_path.stem}-{stamp}-{safe_reason}{db_path.suffix or '.sqlite'}"


def timestamped_backup(db_path: Path, reason: str, passphrase: str | None = None, folder: Path | None = None) -> Path:
    """Back up into the library's ``backups/`` folder (or ``folder``) under a name that says when and why."""
    return backup_sqlite(db_path, (folder or backup_dir_for(db_path)) / backup_name(db_path, reason), passphrase)


def _name_pattern(db_path: Path) -> re.Pattern[str]:
    suffix = db_path.suffix or ".sqlite"
    return re.compile(rf"^{re.escape(db_path.stem)}-(\d{{8}}T\d{{12}}Z)-([A-Za-z0-9_-]+){re.escape(suffix)}$")


def list_backups(db_path: Path, folder: Path | None = None) -> list[BackupInfo]:
    """The backups of this library in its ``backups/`` folder (or ``folder``), newest first."""
    folder = folder or backup_dir_for(db_path)
    pattern = _name_pattern(db_path)
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        taken = datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=timezone.utc)
        path = Path(entry.path)
        found.append(BackupInfo(path, taken, match.group(2), entry.stat().st_size, is_encrypted_file(path)))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def prune_backups(db_path: Path, keep: int, reason: str = SCHEDULED, folder: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups made for ``reason``; returns the files removed."""
    if keep < 1:
        raise ValueError("at least one backup is kept")
    mine = [b for b in list_backups(db_path, folder) if b.reason == reason]
    removed = []
    for old in mine[keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def remove_stale_parts(db_path: Path, folder: Path | None = None, older_than_s: float = 3600) -> None:
    """Remove half-written copies (``*.part``) left by a backup that was interrupted (not one another
    instance is writing right now: only those untouched for ``older_than_s``)."""
    folder = folder or backup_dir_for(db_path)
    if folder.is_dir():
        now = time.time()
        for part in folder.glob(f"{glob_escape(db_path.stem)}-*.part"):
            try:
                if now - part.stat().st_mtime > older_than_s:
                    part.unlink(missing_ok=True)
            except OSError:
                pass


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


# ---------------------------------------------------------------------------------------- checks


def check_file(path: Path, passphrase: str | None = None) -> list[str]:
    """The problems SQLite (and SQLCipher) find in a library file; empty when it is sound.

    A file that cannot be opened at all is one problem saying why. Raises
    :class:`PassphraseError` when the file is encrypted and the passphrase is
    missing or wrong, since that says nothing about the file's health.
    """
    encrypted = is_encrypted_file(path)
    if encrypted and passphrase is None:
        raise PassphraseError(f"{path} is encrypted (or is not a SQLite database): a passphrase is needed")
    key = passphrase if encrypted else None
    try:
        con = connect_raw(path, key, readonly=True)
    except database_errors() as exc:
        return [f"cannot be opened: {exc}"]
    try:
        if encrypted:
            verify_key(con, path)
        return integrity_problems(con, encrypted=encrypted)
    except database_errors() as exc:
        return [f"cannot be read: {exc}"]
    finally:
        con.close()


def verify_key(con: Any, path: Path) -> None:
    """Read the first page of an encrypted file; a wrong passphrase raises :class:`PassphraseError`."""
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except database_errors() as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise PassphraseError(f"the passphrase is wrong for {path} (or it is not a Newsmark library)") from exc
        raise


def check_passphrase(path: Path, passphrase: str) -> None:
    """Raise :class:`PassphraseError` unless ``passphrase`` opens the encrypted file at ``path``."""
    con = connect_raw(path, passphrase, readonly=True)
    try:
        verify_key(con, path)
    finally:
        con.close()


def schema_of(path: Path, passphrase: str | None = None) -> tuple[str | None, int | None]:
    """(schema revision, number of articles) of a library file; (None, None) if it is not a Newsmark library."""
    key = passphrase if is_encrypted_file(path) else None
    con = connect_raw(path, key, readonly=True)
    try:
        if key is not None:
            verify_key(con, path)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables or "documents" not in tables:
            return None, None
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        count = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        return (revision[0] if revision else None), int(count)
    finally:
        con.close()


def latest_good_backup(db_path: Path, passphrase: str | None = None, folder: Path | None = None) -> BackupInfo | None:
    """The newest backup that passes its integrity check and is a Newsmark library (None if there is none)."""
    for info in list_backups(db_path, folder):
        try:
            if check_file(info.path, passphrase if info.encrypted else None):
                continue
            revision, _ = schema_of(info.path, passphrase if info.encrypted else None)
        except (PassphraseError, *database_errors()):
            continue
        if revision is not None:
            return info
    return None


def in_use(db_path: Path, passphrase: str | None = None) -> bool:
    """Whether another connection (this process or another) has the library open.

    Asks SQLite for an exclusive lock without waiting; in WAL mode any open
    connection, even an idle one, holds a shared lock that refuses it.
    """
    if not db_path.exists():
        return False
    key = passphrase if is_encrypted_file(db_path) else None
    try:
        con = connect_raw(db_path, key, timeout_ms=0)
    except database_errors():
        return True
    try:
        con.execute("PRAGMA locking_mode = EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.execute("COMMIT")
        return False
    except database_errors() as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return True
        raise
    finally:
        con.close()


def drop_side_files(db_path: Path) -> None:
    """Remove a closed library's ``-wal``/``-shm``/``-journal`` files (they belong to the file being replaced)."""
    for suffix in _SIDE_FILES:
        Path(str(db_path) + suffix).unlink(missing_ok=True)


def raw_copy(db_path: Path, reason: str, folder: Path | None = None) -> Path:
    """Copy the file as it is (and its write-ahead log beside it), for a file too damaged for the backup API."""
    dest = (folder or backup_dir_for(db_path)) / backup_name(db_path, reason)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db_path, dest)
    wal = Path(str(db_path) + "-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, Path(str(dest) + "-wal"))
    return dest


@dataclass(frozen=True, slots=True)
class Restored:
    previous: Path | None  # where the library that was replaced was kept (None: there was none)
    backup: Path  # the backup that was put back
    revision: str | None
    documents: int | None
    encrypted: bool


def restore_backup(db_path: Path, backup: Path, passphrase: str | None = None) -> Restored:
    """Put ``backup`` in place of the library at ``db_path``, keeping a copy of the current file first.

    ``passphrase`` opens encrypted files (the library and the backup). Raises
    :class:`BackupError` (nothing changed) when the backup is damaged or not a
    Newsmark library, or the library is open elsewhere.
    """
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"there is no backup {backup}")
    backup_key = passphrase if is_encrypted_file(backup) else None
    problems = check_file(backup, backup_key)
    if problems:
        raise BackupError(f"the backup {backup} is damaged ({problems[0]}); nothing was changed")
    revision, documents = schema_of(backup, backup_key)
    if revision is None:
        raise BackupError(f"{backup} is not a Newsmark library; nothing was changed")
    current_key = passphrase if is_encrypted_file(db_path) else None
    if db_path.exists() and in_use(db_path, current_key):
        raise BackupError(
            f"the library {db_path} is open in another Newsmark window or program; close it, then restore. Nothing was changed."
        )
    previous = None
    if db_path.exists() and db_path.stat().st_size > 0:
        try:
            if check_file(db_path, current_key):
                raise BackupError("damaged")
            previous = timestamped_backup(db_path, BEFORE_RESTORE, current_key)
        except (BackupError, PassphraseError, *database_errors()):
            previous = raw_copy(db_path, f"{DAMAGED}-{BEFORE_RESTORE}")
    tmp = db_path.with_name(db_path.name + ".restoring")
    tmp.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup, tmp)
        _fsync(tmp)
        again = check_file(tmp, backup_key)
        if again:
            raise BackupError(f"the copy of {backup} failed its check ({again[0]}); nothing was changed")
        drop_side_files(db_path)
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(db_path.parent)
    return Restored(previous, backup, revision, documents, backup_key is not None)
