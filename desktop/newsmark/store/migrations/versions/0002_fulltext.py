"""Full-text search over documents (SQLite FTS5), kept in step by triggers.

On other databases this revision does nothing: the store falls back to a
case-insensitive LIKE there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5("
        "title, source, author, text, content='documents', content_rowid='id', "
        "tokenize=\"unicode61 remove_diacritics 2\")"
    )
    op.execute(
        "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN "
        "INSERT INTO documents_fts(rowid, title, source, author, text) "
        "VALUES (new.id, new.title, new.source, new.author, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN "
        "INSERT INTO documents_fts(documents_fts, rowid, title, source, author, text) "
        "VALUES ('delete', old.id, old.title, old.source, old.author, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, source, author, text ON documents BEGIN "
        "INSERT INTO documents_fts(documents_fts, rowid, title, source, author, text) "
        "VALUES ('delete', old.id, old.title, old.source, old.author, old.text); "
        "INSERT INTO documents_fts(rowid, title, source, author, text) "
        "VALUES (new.id, new.title, new.source, new.author, new.text); END"
    )
    # Index what an older database already holds.
    op.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("documents_fts_au", "documents_fts_ad", "documents_fts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS documents_fts")
