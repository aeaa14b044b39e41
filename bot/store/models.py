"""SQLAlchemy 2 models for every table the bot keeps.

Revision 1 (conversation): chat_state, processed_update, feedback.
Revision 2 (complaint queue): complaint, complaint_message (the thread), staff_action (audit),
outbox (durable messages to other chats), ticket_counter (per prefix and year).
The Alembic revisions under bot/store/migrations create exactly these; a test compares them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite keeps no zone: store naive UTC, hand back aware)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


# ---- revision 1: the conversation ---------------------------------------------------------------


class ChatStateRow(Base):
    __tablename__ = "chat_state"
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[dict] = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ProcessedUpdate(Base):
    __tablename__ = "processed_update"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    doc: Mapped[str | None] = mapped_column(String(64))
    article: Mapped[str | None] = mapped_column(String(32))
    question: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


# ---- revision 2: the complaint queue ------------------------------------------------------------


class TicketCounter(Base):
    __tablename__ = "ticket_counter"
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("user_id", "idem_key", name="uq_complaint_user_idem"),
        Index("ix_complaint_status_created", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    city: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="new")
    lang: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    # personal data: cleared by /forget, the row stays as anonymous statistics
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    user_name: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    idem_key: Mapped[str | None] = mapped_column(String(64))
    anonymized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by_name: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    announced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # last (re)announcement enqueued

    messages: Mapped[list["ComplaintMessage"]] = relationship(
        back_populates="complaint", order_by="ComplaintMessage.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list["StaffAction"]] = relationship(
        back_populates="complaint", order_by="StaffAction.id", cascade="all, delete-orphan"
    )


class ComplaintMessage(Base):
    """One message of a ticket's thread: the complainant's answers and staff replies."""

    __tablename__ = "complaint_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True)
    author: Mapped[str] = mapped_column(String(16), nullable=False)  # user | staff
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    author_name: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    delivery: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending|sent|failed
    delivery_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="messages")


class StaffAction(Base):
    """Audit trail: who did what to which ticket, and when (supervisors read it)."""

    __tablename__ = "staff_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), nullable=False)  # filed|claim|reply|answer|resolve|withdraw|reannounce|forget
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="actions")


class OutboxMessage(Base):
    """A message for another chat, committed with the change that caused it; the worker delivers it.

    status: pending → sent (message_id set; or carried by digest_id) | failed (undeliverable) | cancelled.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"), Index("ix_outbox_chat_sent", "chat_id", "sent_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # announce | notice | to_user
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)  # {"text": html, "buttons": [[[label, data]]], "line": html}
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="SET NULL"))
    thread_message_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_message.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    digest_id: Mapped[int | None] = mapped_column(Integer)  # the row whose message carried this one in a digest
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
