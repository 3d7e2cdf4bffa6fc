"""The database schema as SQLAlchemy 2 typed ORM classes.

This module describes the *current* schema. The database itself is only ever
created and changed by the Alembic migrations in ``store/migrations/versions``;
a test checks that migrating an empty database to head yields exactly these
tables and columns (so the two cannot drift apart).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


document_tags = Table(
    "document_tags",
    Base.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_document_tags_tag", "tag_id"),
)

span_tags = Table(
    "span_tags",
    Base.metadata,
    Column("span_id", ForeignKey("spans.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_span_tags_tag", "tag_id"),
)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published: Mapped[str | None] = mapped_column(String(40), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotated_by: Mapped[str | None] = mapped_column(String(300))  # "model version" of the last annotation run
    annotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    spans: Mapped[list[SpanRow]] = relationship(back_populates="document", cascade="all, delete-orphan", passive_deletes=True)
    tags: Mapped[list[TagRow]] = relationship(secondary=document_tags, order_by="TagRow.name")

    __table_args__ = (
        UniqueConstraint("text_hash", name="uq_documents_text_hash"),
        CheckConstraint("status IN ('new', 'in_progress', 'done')", name="ck_documents_status"),
        {"sqlite_autoincrement": True},  # ids are never reused (see migration 0004)
    )


class SpanRow(Base):
    __tablename__ = "spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="entity")
    claim_type: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(20), default="model")
    origin_detail: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    edited_from_id: Mapped[int | None] = mapped_column(ForeignKey("spans.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    document: Mapped[DocumentRow] = relationship(back_populates="spans")
    tags: Mapped[list[TagRow]] = relationship(secondary=span_tags, order_by="TagRow.name")

    __table_args__ = (
        CheckConstraint("start >= 0 AND \"end\" > start", name="ck_spans_offsets"),
        CheckConstraint("kind IN ('entity', 'claim', 'source', 'cue')", name="ck_spans_kind"),
        CheckConstraint("status IN ('suggested', 'accepted', 'rejected')", name="ck_spans_status"),
        CheckConstraint("origin IN ('model', 'user', 'import')", name="ck_spans_origin"),
        Index("ix_spans_document_start", "document_id", "start"),
        Index("ix_spans_document_status", "document_id", "status", "kind"),  # covering for the counts by status (0005)
        Index("ix_spans_edited_from", "edited_from_id"),  # the ON DELETE SET NULL above needs it (0005)
        Index("ix_spans_label", "label"),
        {"sqlite_autoincrement": True},
    )


class RelationRow(Base):
    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    tail_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="speaker")
    origin: Mapped[str] = mapped_column(String(20), default="model")
    origin_detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("head_id", "tail_id", "label", name="uq_relations_head_tail_label"), {"sqlite_autoincrement": True})


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("name", name="uq_tags_name"),)


class EventRow(Base):
    """The edit log: who changed what, when, with the state before and after."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: the log outlives what it describes
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_events_target", "target_type", "target_id"),)


class SettingRow(Base):
    """Small key/value settings that belong to the library (not to the machine)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
