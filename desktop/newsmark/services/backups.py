"""Backups, restore and encryption of a library: the use cases behind ``newsmark backup``,
``backups``, ``restore``, ``encrypt``, ``decrypt`` and the app's start-up.

The file work (copies, checks, conversions) is done by :mod:`newsmark.store.backup`
and :mod:`newsmark.store.crypt`; this module adds the policy: when a scheduled
backup is due, how many are kept, which backup is "the latest good one",
and that every replaced library is kept in ``backups/`` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsmark.errors import environment_message
from newsmark.services import settings
from newsmark.store import Library
from newsmark.store import health
from newsmark.store.backup import (
    MANUAL,
    SCHEDULED,
    BackupError,
    BackupInfo,
    Restored,
    backup_dir_for,
    backup_name,
    backup_sqlite,
    check_file,
    latest_good_backup,
    list_backups,
    prune_backups,
    remove_stale_parts,
    restore_backup,
    schema_of,
)
from newsmark.store.crypt import Converted, convert_file
from newsmark.store.engine import PassphraseError, is_encrypted_file, is_encrypted_url, resolve_url, sqlite_path

__all__ = [
    "BackupError",
    "BackupInfo",
    "PassphraseError",
    "Restored",
    "ScheduledBackup",
    "backup_library",
    "decrypt_library",
    "encrypt_library",
    "library_path",
    "list_backups",
    "restore_library",
    "scheduled_backup",
]


def library_path(db: str | None) -> Path:
    """The file of the library named by ``--db``/``NEWSMARK_DB``/the default; a non-SQLite URL is refused."""
    path = sqlite_path(resolve_url(db))
    if path is None:
        raise BackupError("backups, restore and encryption work on a SQLite library file, not on a database server")
    return path


def passphrase_of(library: Library) -> str | None:
    return library.url.password if is_encrypted_url(library.url) else None


@dataclass(slots=True)
class Backup:
    path: Path
    problems: list[str] = field(default_factory=list)  # found by the check of the copy (empty: sound)
    encrypted: bool = False


def backup_library(db_path: Path, passphrase: str | None = None, *, to: Path | None = None, force: bool = False, reason: str = MANUAL) -> Backup:
    """Copy the library now: into ``backups/`` (default), into the folder ``to``, or to the file ``to``.

    An existing file is never overwritten unless ``force`` (then the copy is
    written beside it and renamed over it only once complete and checked).
    """
    if not db_path.is_file():
        raise BackupError(f"there is no library at {db_path}")
    key = passphrase if is_encrypted_file(db_path) else None
    if is_encrypted_file(db_path) and key is None:
        raise PassphraseError(f"{db_path} is encrypted: a passphrase is needed to back it up")
    if to is None:
        dest = backup_dir_for(db_path) / backup_name(db_path, reason)
    elif to.is_dir():
        dest = to / backup_name(db_path, reason)
    else:
        dest = to
    if dest.resolve() == db_path.resolve():
        raise BackupError("a backup cannot be written over the library itself")
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists; use --force to replace it")
    target = dest.with_name(dest.name + ".new") if dest.exists() else dest
    target.unlink(missing_ok=True)
    try:
        backup_sqlite(db_path, target, key)
    except Exception as exc:  # a full or read-only disk, a busy library …: said in words, naming the backup
        plain = environment_message(exc, path=target)
        if plain is None:
            raise
        raise BackupError(f"{plain} No backup was written.") from None  # (the message is the whole story)
    problems = check_file(target, key)
    if target != dest:
        if problems:
            target.unlink(missing_ok=True)
        else:
            target.replace(dest)
    if problems:
        health.forget(db_path)  # the copy is damaged, so the library is: check it in full at the next start
    return Backup(dest, problems, key is not None)


@dataclass(slots=True)
class ScheduledBackup:
    made: Path | None = None  # the new backup (None: none was due)
    removed: list[Path] = field(default_factory=list)  # old scheduled backups deleted (keep the last N)
    problems: list[str] = field(default_factory=list)  # the new copy failed its check: the library is damaged
    reason: str = ""


def backup_due(library: Library, now: datetime | None = None) -> str | None:
    """Why a scheduled backup should be made now (None: not due, switched off, or nothing to back up)."""
    path = library.path
    if path is None:
        return None
    every = int(settings.get(library, "backup.every_hours"))
    if every <= 0 or library.document_count() == 0:
        return None
    backups = list_backups(path)
    if not backups:
        return "there is no backup yet"
    age = (now or datetime.now(timezone.utc)) - backups[0].taken_at
    if age >= timedelta(hours=every):
        return f"the latest backup is {age.total_seconds() / 3600:.0f} hours old (backup.every_hours = {every})"
    return None


def scheduled_backup(library: Library, now: datetime | None = None) -> ScheduledBackup:
    """Back up the library if a backup is due, check the copy, and keep only the newest ``backup.keep`` scheduled ones.

    Safe to run in a background thread while the library is used: the copy is
    taken with its own read-only connection.
    """
    result = ScheduledBackup()
    path = library.path
    if path is None:
        return result
    remove_stale_parts(path)
    why = backup_due(library, now)
    if why is None:
        return result
    result.reason = why
    made = backup_library(path, passphrase_of(library), reason=SCHEDULED)
    if made.problems:
        result.problems = made.problems
        made.path.unlink(missing_ok=True)
        return result
    result.made = made.path
    result.removed = prune_backups(path, int(settings.get(library, "backup.keep")), SCHEDULED)
    return result


@dataclass(slots=True)
class BackupStatus:
    info: BackupInfo
    problems: list[str] | None = None  # None: not checked
    revision: str | None = None
    documents: int | None = None


def describe_backups(db_path: Path, passphrase: str | None = None, *, check: bool = False) -> list[BackupStatus]:
    """The library's backups, newest first; with ``check``, each one's integrity, schema and article count."""
    out = []
    for info in list_backups(db_path):
        status = BackupStatus(info)
        if check:
            try:
                status.problems = check_file(info.path, passphrase if info.encrypted else None)
                if not status.problems:
                    status.revision, status.documents = schema_of(info.path, passphrase if info.encrypted else None)
                    if status.revision is None:
                        status.problems = ["not a Newsmark library"]
            except PassphraseError as exc:
                status.problems = [str(exc)]
        out.append(status)
    return out


def find_backup(db_path: Path, which: str | None, passphrase: str | None = None) -> BackupInfo:
    """The backup named by ``which``: a file path, a number from ``newsmark backups`` (1 = newest), or None for the latest good one."""
    if which is None:
        good = latest_good_backup(db_path, passphrase)
        if good is None:
            raise BackupError(f"there is no good backup of {db_path} in {backup_dir_for(db_path)}")
        return good
    listed = list_backups(db_path)
    if which.isdigit() and not Path(which).exists():
        number = int(which)
        if not 1 <= number <= len(listed):
            raise BackupError(f"there is no backup number {number} (newsmark backups lists {len(listed)})")
        return listed[number - 1]
    path = Path(which).expanduser()
    if not path.is_file():
        raise BackupError(f"there is no backup {path}")
    for info in listed:
        if info.path.resolve() == path.resolve():
            return info
    st = path.stat()
    return BackupInfo(path, datetime.fromtimestamp(st.st_mtime, timezone.utc), "file", st.st_size, is_encrypted_file(path))


def restore_library(db_path: Path, which: str | None = None, passphrase: str | None = None) -> Restored:
    """Put a backup back in place of the library (the current file is kept in ``backups/`` first)."""
    chosen = find_backup(db_path, which, passphrase)
    restored = restore_backup(db_path, chosen.path, passphrase)
    health.record(db_path, checked=True)  # restore_backup checked the file it put in place
    return restored


@dataclass(slots=True)
class Encrypted:
    converted: Converted | None  # None: a new, empty encrypted library was created
    plain_backups: list[Path] = field(default_factory=list)  # unencrypted copies still in backups/
    removed: list[Path] = field(default_factory=list)


def encrypt_library(db_path: Path, passphrase: str, *, remove_plain_backups: bool = False) -> Encrypted:
    """Encrypt the library with ``passphrase`` (or create a new, empty encrypted one if there is none yet)."""
    if not passphrase:
        raise PassphraseError("the passphrase cannot be empty")
    if not db_path.exists() or db_path.stat().st_size == 0:
        Library.open(resolve_url(db_path, passphrase=passphrase)).close()
        health.record(db_path, checked=True)
        return Encrypted(None)
    converted = convert_file(db_path, None, passphrase)
    health.record(db_path, checked=True)
    plain = [b.path for b in list_backups(db_path) if not b.encrypted]
    result = Encrypted(converted, plain)
    if remove_plain_backups:
        for path in plain:
            path.unlink(missing_ok=True)
            Path(f"{path}-wal").unlink(missing_ok=True)
        result.removed, result.plain_backups = plain, []
    return result


def decrypt_library(db_path: Path, passphrase: str) -> Converted:
    converted = convert_file(db_path, passphrase, None)
    health.record(db_path, checked=True)
    return converted


def change_passphrase(db_path: Path, old: str, new: str) -> Converted:
    converted = convert_file(db_path, old, new)
    health.record(db_path, checked=True)
    return converted
