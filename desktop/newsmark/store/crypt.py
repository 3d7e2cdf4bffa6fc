"""Encrypting a library file at rest (SQLCipher), decrypting it, changing its passphrase.

A conversion never touches the library in place: the whole database is
exported with ``sqlcipher_export`` into ``NAME.converting`` beside it, that copy
is checked (``integrity_check``, ``cipher_integrity_check``, the same number of
rows in every table), and only then renamed over the library. A copy of the
file as it was is kept in ``backups/`` first (``before-encrypt``,
``before-decrypt``, ``before-rekey``); note that the copy kept before
encrypting is *not* encrypted — the caller says so to the user.

Refused (nothing changed) while the library is open in another program, when it
fails its integrity check, or when it is already in the wanted state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from newsmark.store.backup import BackupError, _fsync, check_file, drop_side_files, in_use, timestamped_backup, verify_key
from newsmark.store.engine import PassphraseError, _quote, database_errors, is_encrypted_file, sqlcipher_module


@dataclass(frozen=True, slots=True)
class Converted:
    path: Path
    backup: Path  # the file as it was before
    encrypted: bool  # the state now
    rows: int  # rows copied (all tables)


def _table_counts(con) -> dict[str, int]:  # type: ignore[no-untyped-def]
    names = [
        r[0]
        for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if not r[0].startswith("documents_fts_")  # FTS5 shadow tables: rebuilt from their own data
    ]
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def convert_file(db_path: Path, old: str | None, new: str | None) -> Converted:
    """Re-write the library with passphrase ``new`` (None: unencrypted); ``old`` opens it now (None: unencrypted)."""
    db_path = Path(db_path)
    if not db_path.is_file() or db_path.stat().st_size == 0:
        raise BackupError(f"there is no library at {db_path}")
    encrypted = is_encrypted_file(db_path)
    if old is None and encrypted:
        raise PassphraseError(f"{db_path} is already encrypted (or is not a SQLite database)")
    if old is not None and not encrypted:
        raise BackupError(f"{db_path} is not encrypted")
    if new is not None and new == "":
        raise PassphraseError("the passphrase cannot be empty")
    if old is None and new is None:
        raise BackupError(f"{db_path} is already unencrypted")
    module = sqlcipher_module()
    if in_use(db_path, old):
        raise BackupError(f"the library {db_path} is open in another Newsmark window or program; close it first. Nothing was changed.")
    problems = check_file(db_path, old)
    if problems:
        raise BackupError(f"the library {db_path} fails its integrity check ({problems[0]}); restore a good backup first. Nothing was changed.")
    reason = "before-rekey" if (old and new) else ("before-encrypt" if new else "before-decrypt")
    backup = timestamped_backup(db_path, reason, old)

    tmp = db_path.with_name(db_path.name + ".converting")
    for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        src = module.connect(str(db_path), isolation_level=None)
        try:
            if old is not None:
                src.execute(f"PRAGMA key = {_quote(old)}")
                verify_key(src, db_path)
            before = _table_counts(src)
            src.execute(f"ATTACH DATABASE {_quote(str(tmp))} AS converted KEY {_quote(new or '')}")
            src.execute("SELECT sqlcipher_export('converted')")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            src.execute(f"PRAGMA converted.user_version = {int(version)}")
            src.execute("DETACH DATABASE converted")
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            src.close()
        _fsync(tmp)
        problems = check_file(tmp, new)
        if problems:
            raise BackupError(f"the converted copy failed its check ({problems[0]}); nothing was changed")
        check = module.connect(str(tmp), isolation_level=None)
        try:
            if new is not None:
                check.execute(f"PRAGMA key = {_quote(new)}")
            after = _table_counts(check)
            check.execute("PRAGMA journal_mode = WAL")
        finally:
            check.close()
        if after != before:
            raise BackupError(f"the converted copy does not hold the same rows ({before} before, {after} after); nothing was changed")
        drop_side_files(db_path)
        os.replace(tmp, db_path)
    except database_errors() as exc:
        raise BackupError(f"the library could not be converted ({exc}); nothing was changed") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    _fsync(db_path.parent)
    return Converted(db_path, backup, new is not None, sum(before.values()))
