"""Never reuse the id of a deleted document, mark or relation (SQLite AUTOINCREMENT).

Without it SQLite hands a deleted row's id to the next new row, so the edit log
("history of this mark") would mix two different marks, and an undo that puts a
deleted mark back could collide with a newer one. The three tables are rebuilt
with AUTOINCREMENT (SQLite's documented 12-step procedure; foreign keys are
switched off around it by ``newsmark.store.migrate`` and checked before commit).
The full-text triggers on ``documents`` go with the old table and are made again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FTS_TRIGGERS = (
    "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, title, source, author, text) "
    "VALUES (new.id, new.title, new.source, new.author, new.text); END",
    "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, source, author, text) "
    "VALUES ('delete', old.id, old.title, old.source, old.author, old.text); END",
    "CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, source, author, text ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, source, author, text) "
    "VALUES ('delete', old.id, old.title, old.source, old.author, old.text); "
    "INSERT INTO documents_fts(rowid, title, source, author, text) "
    "VALUES (new.id, new.title, new.source, new.author, new.text); END",
)


def _rebuild(autoincrement: bool) -> None:
    for table in ("documents", "spans", "relations"):
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass
    for trigger in ("documents_fts_ai", "documents_fts_ad", "documents_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in FTS_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # other databases' sequences never hand out an id twice
    _rebuild(True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(False)
