"""Stored portfolio runs (issue 17): the web app's runs survive a restart, per user.

Revision ID: 0006_portfolio_runs
Revises: 0005_scans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_portfolio_runs"
down_revision = "0005_scans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolio_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_ids", sa.JSON(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done_years", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portfolio_runs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_runs")),
    )
    with op.batch_alter_table("portfolio_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_runs_user_id_id"), ["user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portfolio_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_runs_user_id_id"))
    op.drop_table("portfolio_runs")
