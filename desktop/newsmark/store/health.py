"""When a library needs a full integrity check at start, and remembering that it passed.

A full ``PRAGMA integrity_check`` reads every page: about 5 s for a library of
10,000 articles and a million marks (200 MB). Running it at every start would
make the app slow to open, so Newsmark remembers, in a small stamp file in the
library's ``backups/`` folder, the size and modification time the file had
when Newsmark last closed it cleanly or last checked it. At start the check
runs when:

- there is no stamp (a library Newsmark has not seen at this path, or copied in);
- the file's size or modification time differs from the stamp (changed by
  something else: a copy, a sync tool, a disk problem, another program);
- a non-empty write-ahead log is left beside it (Newsmark or the machine
  stopped without closing it, or another instance has it open);
- the last full check is older than ``max_age`` (default a week).

Damage that changes neither size nor time (a failing disk) is therefore found
by the weekly check, by the check of every scheduled backup, or by
``newsmark check``; see ``docs/reliability.md``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsmark.store.files import backup_dir_for

MAX_AGE = timedelta(days=7)


def stamp_path(db_path: Path) -> Path:
    return backup_dir_for(db_path) / f".health-{db_path.name}.json"


def _file_state(db_path: Path) -> dict[str, int]:
    st = db_path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _read(db_path: Path) -> dict | None:
    try:
        data = json.loads(stamp_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _wal_in_use(db_path: Path) -> bool:
    wal = Path(str(db_path) + "-wal")
    try:
        return wal.stat().st_size > 0
    except FileNotFoundError:
        return False


def why_check(db_path: Path, max_age: timedelta = MAX_AGE, now: datetime | None = None) -> str | None:
    """Why the library should be checked in full before it is used (None: it need not be)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None  # a new library
    stamp = _read(db_path)
    if stamp is None:
        return "Newsmark has not checked this file before"
    if _wal_in_use(db_path):
        return "it was not closed cleanly last time (or is open in another program)"
    if {k: stamp.get(k) for k in ("size", "mtime_ns")} != _file_state(db_path):
        return "the file was changed since Newsmark last closed it"
    checked = stamp.get("checked_at")
    try:
        checked_at = datetime.fromisoformat(checked) if isinstance(checked, str) else None
    except ValueError:
        checked_at = None
    if checked_at is None:
        return "it has not been checked in full yet"
    if (now or datetime.now(timezone.utc)) - checked_at > max_age:
        return f"the last full check is more than {max_age.days} days old"
    return None


def record(db_path: Path, *, checked: bool, now: datetime | None = None) -> None:
    """Remember the file as it is now (after a clean close, or after a passed check: ``checked``)."""
    if not db_path.exists():
        return
    previous = _read(db_path) or {}
    state = _file_state(db_path)
    state["checked_at"] = (now or datetime.now(timezone.utc)).isoformat() if checked else previous.get("checked_at")
    target = stamp_path(db_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only folder: the next start simply checks again


def forget(db_path: Path) -> None:
    """Make the next start check the library in full (e.g. after a backup of it failed its check)."""
    try:
        stamp_path(db_path).unlink(missing_ok=True)
    except OSError:
        pass
