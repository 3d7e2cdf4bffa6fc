"""Alembic environment for Newsmark.

Newsmark runs migrations itself (see ``newsmark.store.migrate``); it always
hands a live connection in ``config.attributes["connection"]``. DDL runs inside
one transaction (``transactional_ddl=True``) on a connection whose pysqlite
driver has had its own transaction handling switched off (see
``newsmark.store.engine``), so a migration that fails halfway rolls back whole.
"""

from __future__ import annotations

from alembic import context

from newsmark.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running the alembic CLI by hand
    raise RuntimeError("Run Newsmark's migrations through newsmark.store.migrate, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    transactional_ddl=True,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:  # raising here rolls the whole upgrade back
            raise RuntimeError(f"the migration left {len(broken)} rows pointing at nothing, e.g. {broken[:3]}")
