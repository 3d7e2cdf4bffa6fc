"""Errors in words a journalist can act on, the log file, and the report of an unexpected error.

Shared by the app and the command line, free of Qt (the dialog is
:mod:`newsmark.ui.errors`):

- :func:`environment_message` recognises errors caused by the machine rather
  than by Newsmark — a full disk, a read-only disk or file, a missing
  permission, a name too long for the disk, a failing disk, a library another
  program keeps busy — anywhere in an exception's chain, and says what happened
  and what to do in plain words. :func:`user_message` is what to show for any
  error: that message, or the error's own (Newsmark's own errors are written
  for the user).
- :func:`setup_logging` sends Newsmark's log records to a rotating file,
  ``<data folder>/logs/newsmark.log`` (1 MB, the last four kept beside it as
  ``.1`` … ``.4``), where ``NEWSMARK_DATA_DIR`` moves the data folder. A
  folder that cannot be written costs the log, never the app.
- :func:`report_text` is an unexpected error's full report — what happened, the
  traceback, the versions — as the dialog's *Copy details* copies it and the
  log keeps it. It holds file paths and the error's message, never an
  article's text.

Nothing here is imported at module level beyond what start-up loads anyway;
logging, platform and traceback are loaded when first needed.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from newsmark.paths import data_dir

LOGGER_NAME = "newsmark"
LOG_DIRNAME = "logs"
LOG_FILENAME = "newsmark.log"
CRASH_FILENAME = "crash.log"  # where a hard crash (a fault in native code) leaves the Python stacks
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 4

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# ---------------------------------------------------------------------- plain messages

_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", -1))
_NO_PERMISSION = (errno.EACCES, errno.EPERM)
_IN_USE = (errno.EBUSY, getattr(errno, "ETXTBSY", -1))
_WINDOWS_SHARING_VIOLATION = (32, 33)  # winerror: the file is open in another program


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or during, outermost first."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen or len(seen) > 20:
            continue
        seen.add(id(current))
        yield current
        todo.append(current.__cause__)  # type: ignore[arg-type]
        if not current.__suppress_context__:  # "raise … from None": the message already says it all
            todo.append(current.__context__)  # type: ignore[arg-type]
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        if isinstance(orig, BaseException):
            todo.append(orig)


def _named(exc: BaseException, fallback: str | os.PathLike[str] | None) -> Path | None:
    name = getattr(exc, "filename", None)
    if not isinstance(name, (str, os.PathLike)) or not os.fspath(name):
        name = fallback
    return Path(os.fspath(name)) if name else None


def _where(exc: BaseException, fallback: str | os.PathLike[str] | None = None) -> str:
    """The file the error names (else ``fallback``) — or its folder, when it is one of Newsmark's temporary ``….part`` files."""
    path = _named(exc, fallback)
    if path is None:
        return ""
    return str(path.parent) if path.name.endswith((".part", ".new")) else str(path)


def _disk_full(exc: BaseException, fallback: str | os.PathLike[str] | None) -> str:
    path = _named(exc, fallback)
    what = f"there is no room left in {path if path.is_dir() else path.parent}" if path is not None else "Newsmark could not finish writing"
    return f"The disk is full: {what}. Free some space (or choose another disk) and try again."


def _os_message(exc: OSError, fallback: str | os.PathLike[str] | None = None) -> str | None:
    where = _where(exc, fallback)
    code = exc.errno
    if code in _DISK_FULL:
        return _disk_full(exc, fallback)
    if code == errno.EROFS:
        return (
            f"{where or 'That place'} is on a disk that can only be read (a read-only or write-protected disk, "
            "or one mounted read-only). Choose a folder on another disk and try again."
        )
    if code in _NO_PERMISSION or getattr(exc, "winerror", None) in (5,):
        return (
            f"Newsmark is not allowed to use {where or 'that file or folder'}: it is read-only, or it belongs to "
            "another user. Check its permissions, or choose another place, and try again."
        )
    if code == errno.ENAMETOOLONG:
        return "The file name is too long for this disk. Choose a shorter name, or a folder nearer the top of the disk."
    if code == errno.EIO:
        return (
            f"The disk reported an error while Newsmark was using {where or 'it'} (input/output error). "
            "Check the disk — or the USB stick or network drive — and try again."
        )
    if code in _IN_USE or getattr(exc, "winerror", None) in _WINDOWS_SHARING_VIOLATION:
        return f"{where or 'The file'} is in use by another program. Close that program (or wait for it to finish) and try again."
    return None


def _database_message(exc: BaseException, fallback: str | os.PathLike[str] | None = None) -> str | None:
    """For the database drivers' own errors (``sqlite3``, ``sqlcipher3``), recognised by their text."""
    module = type(exc).__module__ or ""
    if not module.startswith(("sqlite3", "_sqlite3", "sqlcipher3")):
        return None
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
        return (
            "The library is busy: another Newsmark window or program has been using it for too long. "
            "Wait until it has finished (or close it) and try again."
        )
    if "database or disk is full" in text:
        return _disk_full(exc, fallback)
    if "readonly database" in text or "read-only" in text:
        what = _where(exc, fallback) or "The library"
        return f"{what}, or the folder it is in, can only be read: Newsmark cannot write to it. Check its permissions (or the disk) and try again."
    if "disk i/o error" in text:
        return "The disk reported an error while Newsmark was using the library. Check the disk, then try again."
    if "unable to open database file" in text:
        return "Newsmark could not open or create the file: its folder is missing, read-only, or not yours. Check the folder and try again."
    return None


def environment_message(exc: BaseException, *, path: str | os.PathLike[str] | None = None) -> str | None:
    """A plain message for an error caused by the machine (disk full, read-only, no permission, busy …), or None.

    ``path``: the file being written, named in the message when the error itself names none
    (a failed ``write()`` and the database drivers' errors do not).
    """
    for link in _chain(exc):
        if isinstance(link, OSError):
            message = _os_message(link, path)
        else:
            message = _database_message(link, path)
        if message:
            return message
    return None


def is_environment_error(exc: BaseException) -> bool:
    return environment_message(exc) is not None


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def user_message(exc: BaseException) -> str:
    """What to tell the user about ``exc``: the plain environment message, else the error's own message."""
    plain = environment_message(exc)
    if plain:
        return plain
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:  # "[Errno 2] No such file …: 'x'" → "No such file or directory: x."
        text = f"{exc.strerror}: {_where(exc)}" if _where(exc) else exc.strerror
    return _sentence(text or type(exc).__name__)


# ---------------------------------------------------------------------- the log

_handler: Any = None  # the file handler installed by setup_logging (one at a time)
_crash_file: Any = None


def log_dir() -> Path:
    return data_dir() / LOG_DIRNAME


def log_file() -> Path:
    return log_dir() / LOG_FILENAME


def logger() -> Any:
    import logging  # noqa: PLC0415 - loaded on first use, not at start-up

    return logging.getLogger(LOGGER_NAME)


def current_log_file() -> Path | None:
    """The file the log is being written to (None: no log set up, or it could not be)."""
    return Path(_handler.baseFilename) if _handler is not None else None


def setup_logging(*, max_bytes: int = LOG_MAX_BYTES, backup_count: int = LOG_BACKUPS, path: Path | None = None) -> Path | None:
    """Log Newsmark's records (INFO and up) to a rotating file in the data folder; return the file.

    Called again (another data folder, other sizes) it replaces its handler.
    Returns None, and logs nowhere, when the folder cannot be created.
    """
    global _handler
    import logging  # noqa: PLC0415
    import logging.handlers  # noqa: PLC0415
    import platform  # noqa: PLC0415

    target = path or log_file()
    log = logging.getLogger(LOGGER_NAME)
    if _handler is not None:
        if Path(_handler.baseFilename) == target.absolute() and _handler.maxBytes == max_bytes and _handler.backupCount == backup_count:
            return target
        log.removeHandler(_handler)
        _handler.close()
        _handler = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """A log that cannot be written (disk full …) is given up silently: never an error about the error."""

        failed = False

        def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
            self.failed = True

    handler = QuietRotatingFileHandler(target, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    _handler = handler
    log.info("%s (Python %s, %s)", _started_line(), platform.python_version(), _system(platform))
    return target


def teardown_logging() -> None:
    """Remove the file handler (tests; the app keeps it until it exits)."""
    global _handler
    if _handler is not None:
        logger().removeHandler(_handler)
        _handler.close()
        _handler = None


def enable_crash_log(path: Path | None = None) -> Path | None:
    """Have a hard crash (a fault in Qt or another native library) write every thread's Python stack to ``crash.log``."""
    global _crash_file
    import faulthandler  # noqa: PLC0415 - built in

    target = path or log_dir() / CRASH_FILENAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target, "a", encoding="utf-8")  # noqa: SIM115 - open for the life of the process
    except OSError:
        return None
    handle.write(f"--- {_started_line()}, pid {os.getpid()}\n")
    handle.flush()
    faulthandler.enable(file=handle, all_threads=True)
    if _crash_file is not None:
        _crash_file.close()
    _crash_file = handle
    return target


def _started_line() -> str:
    from newsmark import APP_NAME, __version__  # noqa: PLC0415

    return f"{APP_NAME} {__version__} started {datetime.now(timezone.utc).isoformat(timespec='seconds')}"


# ---------------------------------------------------------------------- reports


def _system(platform: Any) -> str:
    """"Linux 6.1.0 x86_64" — without platform.platform(), which runs ``uname -p`` in a new process."""
    return " ".join(part for part in (platform.system(), platform.release(), platform.machine()) if part)


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Newsmark's version and those of what it runs on (only libraries already loaded are asked)."""
    import platform  # noqa: PLC0415

    from newsmark import __version__  # noqa: PLC0415

    found = {
        "Newsmark": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "System": _system(platform),
    }
    sqlite = sys.modules.get("sqlite3")
    if sqlite is not None:
        found["SQLite"] = getattr(sqlite, "sqlite_version", "?")
    for name, module in (("SQLAlchemy", "sqlalchemy"), ("spaCy", "spacy")):
        loaded = sys.modules.get(module)
        if loaded is not None:
            found[name] = getattr(loaded, "__version__", "?")
    found.update(extra or {})
    return found


def report_text(exc_info: ExcInfo, *, where: str | None = None, extra_versions: dict[str, str] | None = None, summary: str | None = None) -> str:
    """The full report of an error: when, what, the traceback and the versions (what *Copy details* copies)."""
    import traceback  # noqa: PLC0415

    exc_type, exc, tb = exc_info
    lines = [
        f"Newsmark error report — {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
        f"What happened: {summary or user_message(exc)}",
    ]
    if where:
        lines.append(f"While: {where}")
    lines.append(f"Error: {exc_type.__name__}: {exc}")
    lines.append("")
    lines += "".join(traceback.format_exception(exc_type, exc, tb)).rstrip("\n").split("\n")
    lines.append("")
    lines += [f"{name}: {value}" for name, value in versions(extra_versions).items()]
    log = current_log_file()
    if log is not None:
        lines.append(f"Log: {log}")
    return "\n".join(lines) + "\n"


def log_exception(exc_info: ExcInfo, *, where: str | None = None, expected: bool = False, report: str | None = None) -> None:
    """Write an error to the log: an expected one (environment, refusals) as one line, any other with its full report."""
    log = logger()
    exc = exc_info[1]
    if expected:
        log.warning("%s%s: %s", f"{where}: " if where else "", type(exc).__name__, user_message(exc))
    else:
        log.error("Unexpected error%s\n%s", f" while {where}" if where else "", report or report_text(exc_info, where=where))
