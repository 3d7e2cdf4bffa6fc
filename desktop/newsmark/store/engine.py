"""Engine and connection setup.

A library is named by a file path or a full SQLAlchemy URL. For SQLite every
connection gets: WAL journal, foreign keys on, a busy timeout, and
``synchronous=FULL`` (commits survive power loss; at interactive edit rates the
cost is not noticeable). pysqlite's own implicit transaction handling is turned
off and Newsmark emits ``BEGIN`` itself (SQLAlchemy's documented recipe), so
that DDL is transactional and write transactions can start with
``BEGIN IMMEDIATE`` — taking the write lock up front instead of failing with
"database is locked" halfway through when another process writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from newsmark.paths import default_db_path

BUSY_TIMEOUT_MS = 10_000
IMMEDIATE = "newsmark_immediate"  # execution option: start the transaction with BEGIN IMMEDIATE


def resolve_url(db: str | os.PathLike[str] | None = None) -> URL:
    """Turn ``--db``/``NEWSMARK_DB``/the default into a SQLAlchemy URL.

    Anything containing ``://`` is taken as a URL (``postgresql+psycopg://…``,
    ``sqlite:///…``); anything else is a file path.
    """
    if db is None:
        db = os.environ.get("NEWSMARK_DB") or None
    if db is None:
        path = default_db_path()
    else:
        text = os.fspath(db)
        if "://" in text:
            return make_url(text)
        path = Path(text).expanduser()
    return URL.create("sqlite+pysqlite", database=str(path.resolve()))


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None (in-memory or not SQLite)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

    return engine
