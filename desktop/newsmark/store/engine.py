"""Engine and connection setup.

A library is named by a file path or a full SQLAlchemy URL. For SQLite every
connection gets: WAL journal, foreign keys on, a busy timeout, and
``synchronous=FULL`` (commits survive power loss; at interactive edit rates the
cost is not noticeable). pysqlite's own implicit transaction handling is turned
off and Newsmark emits ``BEGIN`` itself (SQLAlchemy's documented recipe), so
that DDL is transactional and write transactions can start with
``BEGIN IMMEDIATE`` — taking the write lock up front instead of failing with
"database is locked" halfway through when another process writes.

If another process holds the write lock for longer than the busy timeout, or
the disk is full, or the file is read-only, the database error is turned into a
:class:`~newsmark.store.StoreError` whose message says so in plain words (see
:func:`plain_message`): the app shows it and carries on; nothing was changed.

An encrypted library (SQLCipher, through the optional ``sqlcipher3`` package)
is opened with a ``sqlite+pysqlcipher`` URL carrying the passphrase; see
:func:`resolve_url` and :func:`is_encrypted_file`. Everything else is the same.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, pool
from sqlalchemy.engine import URL, make_url

from newsmark.store.files import is_encrypted_file, library_path
from newsmark.store.records import StoreError

BUSY_TIMEOUT_MS = 10_000
BUSY_TIMEOUT_ENV = "NEWSMARK_BUSY_TIMEOUT_MS"  # tests and unusual set-ups may shorten or lengthen the wait
IMMEDIATE = "newsmark_immediate"  # execution option: start the transaction with BEGIN IMMEDIATE

ENCRYPTED_DRIVER = "pysqlcipher"


class PassphraseError(RuntimeError):
    """An encrypted library could not be opened: no passphrase, a wrong one, or no SQLCipher (the message says which)."""


def busy_timeout_ms() -> int:
    raw = os.environ.get(BUSY_TIMEOUT_ENV)
    try:
        return max(0, int(raw)) if raw else BUSY_TIMEOUT_MS
    except ValueError:
        return BUSY_TIMEOUT_MS


def resolve_url(db: str | os.PathLike[str] | None = None, *, passphrase: str | None = None) -> URL:
    """Turn ``--db``/``NEWSMARK_DB``/the default into a SQLAlchemy URL.

    Anything containing ``://`` is taken as a URL (``postgresql+psycopg://…``,
    ``sqlite:///…``); anything else is a file path. With a ``passphrase`` a
    SQLite library is opened encrypted (SQLCipher).
    """
    path = library_path(db)
    if path is None:
        url = make_url(os.fspath(db or os.environ["NEWSMARK_DB"]))
        return with_passphrase(url, passphrase) if passphrase is not None else url
    url = URL.create("sqlite+pysqlite", database=str(path))
    return with_passphrase(url, passphrase) if passphrase is not None else url


def with_passphrase(url: URL, passphrase: str | None) -> URL:
    """The URL of the same SQLite file opened with SQLCipher and this passphrase (None: unencrypted)."""
    if url.get_backend_name() != "sqlite":
        raise PassphraseError("only a SQLite library can be encrypted")
    if passphrase is None:
        return url.set(drivername="sqlite+pysqlite", password=None)
    if passphrase == "":
        raise PassphraseError("the passphrase cannot be empty")
    return url.set(drivername=f"sqlite+{ENCRYPTED_DRIVER}", password=passphrase)


def is_encrypted_url(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.get_driver_name() == ENCRYPTED_DRIVER


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None (in-memory or not SQLite)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def sqlcipher_module() -> Any:
    """The ``sqlcipher3`` DB-API module, or a :class:`PassphraseError` saying how to install it."""
    try:
        import sqlcipher3  # noqa: PLC0415 - optional: only encrypted libraries need it
    except ImportError as exc:
        raise PassphraseError(
            "encrypted libraries need SQLCipher: pip install 'newsmark[encryption]' (or: pip install sqlcipher3)"
        ) from exc
    return sqlcipher3


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def _silence_sqlcipher(module: Any) -> None:
    """SQLCipher logs every failed page decryption to stderr; a wrong passphrase is reported by us instead."""
    con = module.connect(":memory:")
    try:
        con.execute("PRAGMA cipher_log_level = NONE")
    finally:
        con.close()


def connect_raw(path: Path, passphrase: str | None = None, *, readonly: bool = False, timeout_ms: int | None = None) -> Any:
    """A plain DB-API connection to the library file (``sqlite3``, or ``sqlcipher3`` keyed with ``passphrase``).

    For backups, checks and conversions, which work below SQLAlchemy. Autocommit
    mode (``isolation_level=None``): the caller emits any ``BEGIN`` itself.
    """
    timeout = (busy_timeout_ms() if timeout_ms is None else timeout_ms) / 1000
    target = f"file:{Path(path).as_posix()}?mode=ro" if readonly else str(path)
    if passphrase is None:
        return sqlite3.connect(target, uri=readonly, timeout=timeout, isolation_level=None, check_same_thread=False)
    module = sqlcipher_module()
    _silence_sqlcipher(module)
    con = module.connect(target, uri=readonly, timeout=timeout, isolation_level=None, check_same_thread=False)
    con.execute(f"PRAGMA key = {_quote(passphrase)}")
    con.execute("PRAGMA temp_store = MEMORY")
    return con


def database_errors() -> tuple[type[BaseException], ...]:
    """The DB-API error classes of both drivers (sqlcipher3's do not derive from sqlite3's)."""
    errors: list[type[BaseException]] = [sqlite3.Error]
    try:
        import sqlcipher3  # noqa: PLC0415

        errors.append(sqlcipher3.Error)
    except ImportError:
        pass
    return tuple(errors)


def plain_message(exc: BaseException, *, timeout_ms: int | None = None, encrypted: bool = False) -> str | None:
    """A message a user can act on for a database error caused by the environment, or None for any other error."""
    text = str(exc).lower()
    wait = (busy_timeout_ms() if timeout_ms is None else timeout_ms) / 1000
    if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
        return (
            "The library is busy: another Newsmark window or program has been writing to it for more than "
            f"{wait:g} seconds. This change was not saved; try again in a moment."
        )
    if "database or disk is full" in text or "no space left" in text:
        return "The disk is full: this change was not saved. Free some space and try again; nothing else was lost."
    if "readonly database" in text or "read-only" in text:
        return (
            "The library cannot be written: its file (or its folder) is read-only. "
            "Check the file's permissions; this change was not saved."
        )
    if "disk i/o error" in text:
        return "The disk reported an error while saving: this change was not saved. Check the disk, then try again."
    if "malformed" in text:
        return (
            "The library file is damaged (SQLite: database disk image is malformed). This change was not saved. "
            "Quit Newsmark and restore the latest good backup (newsmark restore)."
        )
    if "file is not a database" in text or "file is encrypted" in text:
        if encrypted:
            return "The passphrase is wrong (or the file is not a Newsmark library)."
        return "The file is not a SQLite database, or it is encrypted (give its passphrase, e.g. in NEWSMARK_PASSPHRASE)."
    return None


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    timeout_ms = busy_timeout_ms()
    encrypted = is_encrypted_url(url)
    options: dict[str, Any] = {"connect_args": {"timeout": timeout_ms / 1000, "check_same_thread": False}}
    if encrypted:
        _silence_sqlcipher(sqlcipher_module())
        if path is not None:
            options["poolclass"] = pool.QueuePool  # as for an unencrypted file (the dialect's default is one per thread)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            if encrypted:
                cursor.execute("PRAGMA temp_store = MEMORY")  # sorts and temporary tables never spill to disk unencrypted
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:  # type: ignore[no-untyped-def]
        original = context.original_exception
        if not isinstance(original, database_errors()):
            return
        message = plain_message(original, timeout_ms=timeout_ms, encrypted=encrypted)
        if message is None:
            return
        if "passphrase" in message or "not a SQLite database" in message:
            raise PassphraseError(message) from original
        raise StoreError(message) from original

    return engine


def integrity_problems(connection: Any, *, encrypted: bool) -> list[str]:
    """SQLite's ``integrity_check`` (and SQLCipher's ``cipher_integrity_check`` for an encrypted file) on a DB-API connection.

    An empty list means the file is sound.
    """
    problems = []
    if encrypted:  # first: it checks every page's authentication code without following the b-trees
        problems += [f"page authentication failed: {r[0]}" for r in connection.execute("PRAGMA cipher_integrity_check").fetchall()]
    try:
        rows = [str(r[0]) for r in connection.execute("PRAGMA integrity_check").fetchall()]
    except database_errors() as exc:
        if not problems:
            raise
        return problems + [f"cannot be read: {exc}"]
    return problems + ([] if rows == ["ok"] else rows)


def engine_integrity_problems(engine: Engine) -> list[str]:
    """:func:`integrity_problems` through an engine's own connection (what ``Library.integrity_check`` runs)."""
    if engine.url.get_backend_name() != "sqlite":
        return []
    with engine.connect() as conn:
        return integrity_problems(conn.connection.dbapi_connection, encrypted=is_encrypted_url(engine.url))
