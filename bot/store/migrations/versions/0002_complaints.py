"""Complaint queue: complaint, complaint_message (thread), staff_action (audit), outbox, ticket_counter.

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
    op.create_table(
        "ticket_counter",
        sa.Column("prefix", sa.String(4), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket", sa.String(20), nullable=False, unique=True),
        sa.Column("city", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("user_id", sa.BigInteger()),
        sa.Column("chat_id", sa.BigInteger()),
        sa.Column("user_name", sa.String(128)),
        sa.Column("description", sa.Text()),
        sa.Column("contact", sa.Text()),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("idem_key", sa.String(64)),
        sa.Column("anonymized", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.BigInteger()),
        sa.Column("claimed_by_name", sa.String(128)),
        sa.Column("claimed_at", sa.DateTime()),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("announced_at", sa.DateTime()),
        sa.UniqueConstraint("user_id", "idem_key", name="uq_complaint_user_idem"),
    )
    op.create_index("ix_complaint_user_id", "complaint", ["user_id"])
    op.create_index("ix_complaint_status_created", "complaint", ["status", "created_at"])
    op.create_table(
        "complaint_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("author_id", sa.BigInteger()),
        sa.Column("author_name", sa.String(128)),
        sa.Column("text", sa.Text()),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("delivery_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_complaint_message_complaint_id", "complaint_message", ["complaint_id"])
    op.create_table(
        "staff_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False),
        sa.Column("actor_id", sa.BigInteger()),
        sa.Column("actor_name", sa.String(128)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_action_complaint_id", "staff_action", ["complaint_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="SET NULL")),
        sa.Column("thread_message_id", sa.Integer(), sa.ForeignKey("complaint_message.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("lease_token", sa.String(36)),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("message_id", sa.BigInteger()),
        sa.Column("digest_id", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "due_at"])
    op.create_index("ix_outbox_chat_sent", "outbox", ["chat_id", "sent_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("staff_action")
    op.drop_table("complaint_message")
    op.drop_table("complaint")
    op.drop_table("ticket_counter")
