"""Consistent copies of a live SQLite library, with SQLite's online backup API.

The copy is taken in one step (``pages=-1``): an incremental backup restarts
whenever another connection writes and may never finish on a library in use.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

BACKUP_DIRNAME = "backups"


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIRNAME


def backup_sqlite(db_path: Path, dest: Path) -> Path:
    """Copy the database at ``db_path`` to ``dest`` (a new file) and return ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; a backup never overwrites a file")
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    tmp.rename(dest)
    return dest


def timestamped_backup(db_path: Path, reason: str) -> Path:
    """Back up into the library's ``backups/`` folder under a name that says when and why."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    safe_reason = "".join(c if c.isalnum() or c in "-_" else "-" for c in reason)
    return backup_sqlite(db_path, backup_dir_for(db_path) / f"{db_path.stem}-{stamp}-{safe_reason}{db_path.suffix or '.sqlite'}")
