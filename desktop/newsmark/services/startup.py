"""Opening a library at start, the same way for the app and the command line.

1. An encrypted library needs its passphrase (``NEWSMARK_PASSPHRASE``, the
   terminal, or the app's dialog): without it :class:`NeedsPassphrase`, with a
   wrong one :class:`~newsmark.store.engine.PassphraseError`.
2. When the file needs a full check (see :mod:`newsmark.store.health`: first
   sight, changed behind Newsmark's back, not closed cleanly, or a week since the
   last check) ``integrity_check`` (and ``cipher_integrity_check``) runs before
   anything else touches it. A damaged library is never used silently:
   :class:`DamagedLibrary` names the problems and the latest good backup.
3. Only then :meth:`Library.open` (which backs up before a schema upgrade).

:func:`close_library` closes it and remembers the file as Newsmark left it, so
the next start need not check it again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsmark.store import Library
from newsmark.store import health
from newsmark.store.backup import BackupInfo, check_file, check_passphrase, latest_good_backup
from newsmark.store.engine import PassphraseError, is_encrypted_file, resolve_url, sqlite_path

PASSPHRASE_ENV = "NEWSMARK_PASSPHRASE"

__all__ = [
    "PASSPHRASE_ENV",
    "DamagedLibrary",
    "LibraryNotWritable",
    "NeedsPassphrase",
    "PassphraseError",
    "StartCheck",
    "check_passphrase",
    "check_reason",
    "close_library",
    "env_passphrase",
    "full_check",
    "library_file",
    "needs_passphrase",
    "open_library",
]


class NeedsPassphrase(Exception):
    """The library is encrypted and no passphrase was given."""

    def __init__(self, path: Path):
        super().__init__(f"{path} is encrypted: its passphrase is needed (set {PASSPHRASE_ENV}, or type it when asked)")
        self.path = path


class LibraryNotWritable(Exception):
    """The library's file or folder cannot be written (a read-only disk, or no permission): it was not opened.

    Newsmark saves every change into the library the moment it is made, and
    SQLite keeps its write-ahead log beside the file; a library it cannot write
    is refused at once, in these words — not reported as damaged by a check
    that could not even open it.
    """

    def __init__(self, path: Path, read_only_disk: bool):
        self.path = path
        self.read_only_disk = read_only_disk
        why = (
            "it is on a disk that can only be read (a CD, a write-protected stick, or a disk mounted read-only)"
            if read_only_disk
            else "Newsmark is not allowed to write to it or to its folder"
        )
        super().__init__(
            f"The library {path} cannot be opened: {why}. Newsmark saves every change into the library as you make it, "
            "so it needs a place it can write to: copy the file to a folder of yours and open it there (newsmark --db PATH)."
        )


def writable_problem(path: Path) -> LibraryNotWritable | None:
    """Why the library at ``path`` (or the folder where it would be made) cannot be written, or None."""
    target = path if path.exists() else path.parent
    while not target.exists() and target != target.parent:  # a library in a folder not made yet
        target = target.parent
    folder = target if target.is_dir() else target.parent
    if os.access(target, os.W_OK) and os.access(folder, os.W_OK):
        return None
    try:
        read_only = bool(os.statvfs(target).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # Windows has no statvfs
        read_only = False
    return LibraryNotWritable(path, read_only)


class DamagedLibrary(Exception):
    """The library failed its integrity check at start; it was not used."""

    def __init__(self, path: Path, problems: list[str], good_backup: BackupInfo | None):
        self.path = path
        self.problems = problems
        self.good_backup = good_backup
        super().__init__(self.describe())

    def describe(self) -> str:
        shown = "; ".join(self.problems[:3]) + (f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else "")
        text = f"the library {self.path} failed its integrity check ({shown}), so it was not opened."
        if self.good_backup is None:
            return text + " There is no good backup of it in backups/; the file was left as it is."
        when = self.good_backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return text + f" The latest good backup is {self.good_backup.path} (taken {when})."


@dataclass(slots=True)
class StartCheck:
    """What the start-up check did (for messages and the docs' figures)."""

    reason: str | None = None  # why the full check ran (None: it did not need to)
    seconds: float = 0.0


def env_passphrase() -> str | None:
    return os.environ.get(PASSPHRASE_ENV) or None


def library_file(db: str | os.PathLike[str] | None) -> Path | None:
    return sqlite_path(resolve_url(db))


def needs_passphrase(db: str | os.PathLike[str] | None) -> bool:
    path = library_file(db)
    return path is not None and is_encrypted_file(path)


def open_library(
    db: str | os.PathLike[str] | None,
    passphrase: str | None = None,
    *,
    check: bool = True,
    on_check: Callable[[str], None] | None = None,
    report: StartCheck | None = None,
    passphrase_checked: bool = False,
) -> Library:
    """Open the library named by ``db`` after the checks above. ``on_check(reason)`` is called before a full check.

    ``passphrase_checked``: the caller has just verified the passphrase (each
    verification stretches it again: a third of a second or more).
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    key = None
    problem = writable_problem(path) if path is not None else None
    if problem is not None:
        raise problem
    if path is not None and is_encrypted_file(path):
        if passphrase is None:
            raise NeedsPassphrase(path)
        if not passphrase_checked:
            check_passphrase(path, passphrase)
        key = passphrase
        url = resolve_url(db, passphrase=passphrase)
    new = path is not None and (not path.exists() or path.stat().st_size == 0)
    if check and path is not None:
        reason = check_reason(path)
        if reason is not None:
            if on_check is not None:
                on_check(reason)
            started = time.perf_counter()
            full_check(path, key)
            if report is not None:
                report.reason, report.seconds = reason, time.perf_counter() - started
    library = Library.open(url)
    if new and path is not None:
        health.record(path, checked=True)  # made just now: sound by construction, no need to check it next time
    return library


def check_reason(path: Path) -> str | None:
    """Why the library file needs a full check before it is used (None: it does not)."""
    return health.why_check(path)


def full_check(path: Path, passphrase: str | None = None) -> None:
    """Check the whole file; raise :class:`DamagedLibrary` (naming the latest good backup) if it fails, else remember it passed."""
    key = passphrase if is_encrypted_file(path) else None
    problems = check_file(path, key)
    if problems:
        raise DamagedLibrary(path, problems, latest_good_backup(path, key))
    health.record(path, checked=True)


def close_library(library: Library) -> None:
    """Close the library and remember the file as it was left (the next start need not check it)."""
    library.close()
    path = library.path
    if path is not None:
        health.record(path, checked=False)
