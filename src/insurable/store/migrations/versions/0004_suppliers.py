"""Supplier chain (issue 15): suppliers, supplier_settings, supplier_requests, supplier_documents.

Revision ID: 0004
Revises: 0003_offers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_offers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_suppliers_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_suppliers_org_id_key")),
    )
    op.create_table(
        "supplier_settings",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("alert_emails", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("alert_state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_supplier_settings_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_supplier_settings")),
    )
    op.create_table(
        "supplier_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("supplier_org_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signup_token_hash", sa.String(length=64), nullable=True),
        sa.Column("signup_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_supplier_requests_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_requests_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["users.id"], name=op.f("fk_supplier_requests_invited_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_supplier_requests_answered_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"],
            ["organisations.id"],
            name=op.f("fk_supplier_requests_supplier_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_requests")),
        sa.UniqueConstraint("supplier_id", "email", name=op.f("uq_supplier_requests_supplier_id_email")),
        sa.UniqueConstraint("signup_token_hash", name=op.f("uq_supplier_requests_signup_token_hash")),
    )
    with op.batch_alter_table("supplier_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_requests_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_supplier_requests_org_id"), ["org_id"], unique=False)
    op.create_table(
        "supplier_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_supplier_documents_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_documents_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_supplier_documents_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_documents")),
    )
    with op.batch_alter_table("supplier_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_documents_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supplier_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_documents_org_id"))
    op.drop_table("supplier_documents")
    with op.batch_alter_table("supplier_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_requests_org_id"))
        batch_op.drop_index(batch_op.f("ix_supplier_requests_email"))
    op.drop_table("supplier_requests")
    op.drop_table("supplier_settings")
    op.drop_table("suppliers")
