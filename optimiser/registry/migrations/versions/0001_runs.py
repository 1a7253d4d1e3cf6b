"""Version 1 of the registry: one table of runs (no decisions yet).

Revision ID: 0001
Revises: none
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `runs`: what was solved, from what, by whom, and the plan."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("scenario_yaml", sa.Text()),
        sa.Column("dataset", sa.Text()),
        sa.Column("dataset_sha256", sa.String(64)),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("objective", sa.Float()),
        sa.Column("optimiser_version", sa.String(40), nullable=False),
        sa.Column("solver", sa.String(200)),
        sa.Column("plan_json", sa.Text()),
        sa.Column("plan_tables", sa.JSON()),
    )
    op.create_index("ix_runs_created_at", "runs", ["created_at"])
    op.create_index("ix_runs_dataset_sha256", "runs", ["dataset_sha256"])


def downgrade() -> None:
    """Drop `runs`."""
    op.drop_table("runs")
