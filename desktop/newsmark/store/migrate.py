"""Bring a library's schema to the version this Newsmark knows, safely.

- An empty database is created at the newest schema.
- An older one is backed up (see :mod:`newsmark.store.backup`) and upgraded in
  a single transaction: if any step fails, nothing changes.
- One from a *newer* Newsmark is refused with a message; nothing is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from newsmark.store.backup import timestamped_backup
from newsmark.store.engine import is_encrypted_url
from newsmark.store.records import HEAD, SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"



def alembic_config(script_location: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


def head_revision(cfg: Config | None = None) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(cfg or alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The library's schema revision; None for an empty database."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            if tables - {"sqlite_sequence"}:
                raise SchemaError(
                    f"{engine.url.render_as_string(hide_password=True)} is not a Newsmark library "
                    f"(it has tables {', '.join(sorted(tables))} but no Newsmark schema version)"
                )
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def ensure_schema(
    engine: Engine,
    db_path: Path | None,
    *,
    cfg: Config | None = None,
    target: str = "head",
) -> Path | None:
    """Create or upgrade the schema. Returns the backup made before an upgrade, if any."""
    current = current_revision(engine)
    if cfg is None and target == "head" and current == HEAD:
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = cfg or alembic_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    head = script.get_current_head()
    if current is not None and current not in known:
        raise SchemaError(
            f"This library was written by a newer version of Newsmark (schema {current}; this version "
            f"knows schemas up to {head}). Update Newsmark to open it. Nothing in it was changed."
        )
    wanted = head if target == "head" else target
    if current == wanted:
        return None
    backup = None
    if current is not None and db_path is not None:
        passphrase = engine.url.password if is_encrypted_url(engine.url) else None  # an encrypted library's backup is encrypted too
        backup = timestamped_backup(db_path, f"before-upgrade-{current}-to-{wanted}", passphrase)
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Rebuilding a table (SQLite's 12-step ALTER) must not fire ON DELETE CASCADE
            # when the old table is dropped: foreign keys go off for the migration (this
            # pragma only works outside a transaction) and are checked before it commits.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, target)
        finally:
            cfg.attributes.pop("connection", None)
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
    return backup
