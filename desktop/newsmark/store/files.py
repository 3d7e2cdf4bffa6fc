"""A library's file and the files beside it, without SQLAlchemy.

Which file a ``--db`` value names, whether that file is a plain SQLite database
or an encrypted one, and where its backups (and the health stamp of
:mod:`newsmark.store.health`) live. Start-up asks these questions before it
knows whether the window can open the library straight away.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsmark.paths import default_db_path

BACKUP_DIRNAME = "backups"
SQLITE_HEADER = b"SQLite format 3\x00"


def library_path(db: str | os.PathLike[str] | None = None) -> Path | None:
    """The file that ``--db``/``NEWSMARK_DB``/the default names, absolute; None for a URL (``…://…``)."""
    if db is None:
        db = os.environ.get("NEWSMARK_DB") or None
    if db is None:
        return default_db_path().resolve()
    text = os.fspath(db)
    if "://" in text:
        return None
    return Path(text).expanduser().resolve()


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIRNAME


def is_encrypted_file(path: Path) -> bool:
    """Whether the file exists, is not empty, and does not start like a plain SQLite database.

    A SQLCipher file starts with random bytes (its salt), so it cannot be told
    from any other non-SQLite file by its bytes: opening it with the right
    passphrase is the only proof. An empty or missing file is a new library.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return bool(head) and head != SQLITE_HEADER
