"""The first schema: documents, spans, relations, tags, events, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("source", sa.String(500)),
        sa.Column("url", sa.Text),
        sa.Column("author", sa.String(500)),
        sa.Column("published", sa.String(40)),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.UniqueConstraint("text_hash", name="uq_documents_text_hash"),
        sa.CheckConstraint("status IN ('new', 'in_progress', 'done')", name="ck_documents_status"),
    )
    op.create_index("ix_documents_published", "documents", ["published"])
    op.create_index("ix_documents_status", "documents", ["status"])

    op.create_table(
        "spans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("claim_type", sa.String(40)),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("origin_detail", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("edited_from_id", sa.Integer, sa.ForeignKey("spans.id", ondelete="SET NULL")),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint('start >= 0 AND "end" > start', name="ck_spans_offsets"),
        sa.CheckConstraint("kind IN ('entity', 'claim', 'source', 'cue')", name="ck_spans_kind"),
        sa.CheckConstraint("status IN ('suggested', 'accepted', 'rejected')", name="ck_spans_status"),
        sa.CheckConstraint("origin IN ('model', 'user', 'import')", name="ck_spans_origin"),
    )
    op.create_index("ix_spans_document_start", "spans", ["document_id", "start"])
    op.create_index("ix_spans_document_status", "spans", ["document_id", "status"])
    op.create_index("ix_spans_label", "spans", ["label"])

    op.create_table(
        "relations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("head_id", sa.Integer, sa.ForeignKey("spans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tail_id", sa.Integer, sa.ForeignKey("spans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("origin_detail", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("head_id", "tail_id", "label", name="uq_relations_head_tail_label"),
    )
    op.create_index("ix_relations_document_id", "relations", ["document_id"])
    op.create_index("ix_relations_head_id", "relations", ["head_id"])
    op.create_index("ix_relations_tail_id", "relations", ["tail_id"])

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.UniqueConstraint("name", name="uq_tags_name"),
    )
    op.create_table(
        "document_tags",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_document_tags_tag", "document_tags", ["tag_id"])
    op.create_table(
        "span_tags",
        sa.Column("span_id", sa.Integer, sa.ForeignKey("spans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_span_tags_tag", "span_tags", ["tag_id"])

    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.Integer),
        sa.Column("document_id", sa.Integer),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_document_id", "events", ["document_id"])
    op.create_index("ix_events_target", "events", ["target_type", "target_id"])

    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON),
    )


def downgrade() -> None:
    for table in ("settings", "events", "span_tags", "document_tags", "tags", "relations", "spans", "documents"):
        op.drop_table(table)
