"""Remember which model last annotated each document, and when.

`newsmark annotate --pending` and the app's background annotation pick the
documents no model has seen yet.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("annotated_by", sa.String(300)))
        batch.add_column(sa.Column("annotated_at", sa.DateTime(timezone=True)))
    op.create_index("ix_documents_annotated_at", "documents", ["annotated_at"])
    # Documents that already carry model suggestions were annotated by that model.
    op.execute(
        "UPDATE documents SET annotated_by = (SELECT s.origin_detail FROM spans s WHERE s.document_id = documents.id "
        "AND s.origin = 'model' ORDER BY s.id DESC LIMIT 1), annotated_at = updated_at "
        "WHERE EXISTS (SELECT 1 FROM spans s WHERE s.document_id = documents.id AND s.origin = 'model')"
    )


def downgrade() -> None:
    op.drop_index("ix_documents_annotated_at", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("annotated_at")
        batch.drop_column("annotated_by")
