"""Decisions: each run gets draft/adopted/archived with who, when and a note, plus a history.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Runs recorded before decisions existed become drafts (server default)."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("decision", sa.String(16), nullable=False,
                                   server_default="draft"))
        batch.add_column(sa.Column("decided_by", sa.String(200)))
        batch.add_column(sa.Column("decided_at", sa.DateTime()))
        batch.add_column(sa.Column("decision_note", sa.Text()))
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_decisions_run_id", "decisions", ["run_id"])


def downgrade() -> None:
    """Back to version 1 (decisions are lost)."""
    op.drop_index("ix_decisions_run_id", "decisions")
    op.drop_table("decisions")
    with op.batch_alter_table("runs") as batch:
        for column in ("decision_note", "decided_at", "decided_by", "decision"):
            batch.drop_column(column)
