"""Schema creation, upgrade, refusal of newer schemas, and all-or-nothing migrations."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from newsmark.model import NewDocument
from newsmark.store import DocumentQuery, Library, SchemaError
from newsmark.store.engine import make_engine, resolve_url
from newsmark.store.migrate import MIGRATIONS_DIR, alembic_config, current_revision, ensure_schema, head_revision
from newsmark.store.schema import Base


def test_a_new_library_is_created_at_the_newest_schema(db_path: Path) -> None:
    lib = Library.open(db_path)
    assert current_revision(lib.engine) == head_revision()
    assert lib.upgrade_backup is None  # nothing to back up
    lib.close()


def test_the_migrations_build_exactly_the_orm_schema(db_path: Path) -> None:
    lib = Library.open(db_path)
    with lib.engine.connect() as conn:
        # The full-text index (FTS5 virtual table and its shadow tables) is SQLite-only, made by raw DDL.
        fts = lambda name, type_, parents: not (type_ == "table" and (name or "").startswith("documents_fts"))  # noqa: E731
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": fts})
        diff = compare_metadata(context, Base.metadata)
    lib.close()
    assert diff == []


def test_connections_are_durable_and_strict(db_path: Path) -> None:
    lib = Library.open(db_path)
    with lib.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") >= 5000
    lib.close()


def _make_old_library(path: Path) -> None:
    """A library as the first schema (0001) left it, with an article in it."""
    engine = make_engine(resolve_url(path))
    ensure_schema(engine, path, target="0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO documents (title, imported_at, updated_at, text, text_hash, status, meta) "
        "VALUES ('Old one', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'Negotiators met in Cairo.', 'h1', 'done', '{}')"
    )
    con.execute(
        "INSERT INTO spans (document_id, start, \"end\", label, kind, origin, origin_detail, status, note, created_at, updated_at) "
        "VALUES (1, 18, 23, 'GPE', 'entity', 'model', 'en_core_web_sm 3.7.1', 'suggested', '', '2024-01-01', '2024-01-01')"
    )
    con.commit()
    con.close()


def test_an_older_library_is_backed_up_then_upgraded(db_path: Path) -> None:
    _make_old_library(db_path)
    lib = Library.open(db_path)
    assert current_revision(lib.engine) == head_revision()
    backup = lib.upgrade_backup
    assert backup is not None and backup.exists() and backup.parent == db_path.parent / "backups"
    # The old article survived and is found by the full-text index the upgrade added.
    assert [d.title for d in lib.list_documents(DocumentQuery(search="cairo"))] == ["Old one"]
    # The index stays in step with what is added after the upgrade.
    lib.add_document(NewDocument(text="Talks moved to Doha.", title="New one"))
    assert [d.title for d in lib.list_documents(DocumentQuery(search="doha"))] == ["New one"]
    # The data migration of 0003 recorded which model had annotated the old article.
    old = lib.get_document(1)
    assert old.annotated_by == "en_core_web_sm 3.7.1" and old.annotated_at is not None
    assert lib.spans(1)[0].label == "GPE"
    assert [d.title for d in lib.list_documents(DocumentQuery(unannotated=True))] == ["New one"]
    lib.close()
    # The backup is a sound copy of the old schema.
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert con.execute("SELECT title FROM documents").fetchall() == [("Old one",)]
    con.close()


def test_a_library_from_a_newer_newsmark_is_refused_untouched(db_path: Path) -> None:
    Library.open(db_path).close()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaError, match=r"newer version of Newsmark \(schema 9999_future"):
        Library.open(db_path)
    assert db_path.read_bytes() == before
    assert not (db_path.parent / "backups").exists()


def test_a_database_that_is_not_a_library_is_refused(db_path: Path) -> None:
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    with pytest.raises(SchemaError, match="not a Newsmark library"):
        Library.open(db_path)


BROKEN_MIGRATION = '''
"""A migration that fails halfway (test only).

Revision ID: 0099
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("documents", sa.Column("extra", sa.Text))
    op.execute("INSERT INTO documents_missing_table VALUES (1)")  # fails


def downgrade():
    pass
'''


def test_a_failing_migration_rolls_back_whole(db_path: Path, tmp_path: Path) -> None:
    lib = Library.open(db_path)
    lib.add_document(NewDocument(text="Kept safe.", title="Safe"))
    lib.close()
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0099_broken.py").write_text(BROKEN_MIGRATION.format(head=head_revision()))

    engine = make_engine(resolve_url(db_path))
    with pytest.raises(Exception, match="documents_missing_table"):
        ensure_schema(engine, db_path, cfg=alembic_config(scripts))
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(documents)")}
    engine.dispose()
    assert "half_done" not in tables
    assert "extra" not in columns
    lib = Library.open(db_path)  # and it still opens normally
    assert [d.title for d in lib.list_documents()] == ["Safe"]
    assert lib.integrity_check() == []
    lib.close()


def test_the_fast_path_knows_the_newest_migration() -> None:
    from newsmark.store.migrate import HEAD

    assert HEAD == head_revision(), "update HEAD in store/migrate.py when adding a migration"


def test_opening_an_up_to_date_library_does_not_load_alembic(db_path: Path) -> None:
    import subprocess
    import sys

    Library.open(db_path).close()
    code = f"import sys; from newsmark.store import Library; Library.open({str(db_path)!r}).close(); print('alembic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_ids_of_deleted_rows_are_never_handed_out_again(library: Library) -> None:
    from newsmark.model import Span

    first = library.add_document(NewDocument(text="One two three.", title="a")).doc_id
    span = library.add_span(first, Span(0, 3, "X"))
    library.delete_span(span.id)
    again = library.add_span(first, Span(4, 7, "X"))
    assert again.id > span.id  # so "history of this mark" never mixes two marks
    library.delete_document(first)
    second = library.add_document(NewDocument(text="Four five.", title="b")).doc_id
    assert second > first


def test_rebuilding_tables_keeps_every_row_and_link(db_path: Path) -> None:
    """Upgrading through 0004 (which rebuilds documents, spans, relations) must not cascade-delete anything."""
    from newsmark.model import Relation, RelationLabel, Span, SpanKind, Suggestions

    engine = make_engine(resolve_url(db_path))
    ensure_schema(engine, db_path, target="0003")
    engine.dispose()
    old = Library.__new__(Library)  # a Library over the 0003 schema, without upgrading it
    Library.__init__(old, make_engine(resolve_url(db_path)), resolve_url(db_path))
    doc = old.add_document(NewDocument(text="Basem Naim told CNN there is nothing official.", title="t")).doc_id
    old.replace_suggestions(
        doc,
        Suggestions(spans=[Span(20, 46, "REPORTED", kind=SpanKind.CLAIM), Span(0, 10, "SOURCE", kind=SpanKind.SOURCE)], relations=[Relation(0, 1, RelationLabel.SPEAKER)], model="m"),
    )
    old.set_span_tags(old.spans(doc)[0].id, ["check"])
    old.set_document_tags(doc, ["gaza"])
    spans = old.spans(doc)
    assert spans[0].tags == ["check"]
    relations = old.relations(doc)
    old.close()

    lib = Library.open(db_path)
    assert current_revision(lib.engine) == head_revision()
    assert lib.spans(doc) == spans and lib.relations(doc) == relations
    assert lib.get_document(doc).tags == ["gaza"]
    assert [d.id for d in lib.list_documents(DocumentQuery(search="official"))] == [doc]  # triggers remade
    lib.add_document(NewDocument(text="Fresh text about Doha.", title="n"))
    assert len(lib.list_documents(DocumentQuery(search="doha"))) == 1
    with lib.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert lib.integrity_check() == []
    lib.close()
