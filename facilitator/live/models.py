from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from facilitator.clock import utcnow
from facilitator.extensions import db


class MeetingEvent(db.Model):
    """One committed change to a meeting: the audit trail and what clients replay."""

    __tablename__ = "meeting_events"
    __table_args__ = (
        UniqueConstraint("meeting_id", "seq"),
        UniqueConstraint("meeting_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    payload: Mapped[dict] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Connection(db.Model):
    """A connected socket: who is present, and which sockets to close on removal."""

    __tablename__ = "connections"
    __table_args__ = (Index("ix_connections_meeting", "meeting_id"),)

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    audience: Mapped[str] = mapped_column(String(20))
    instance: Mapped[str] = mapped_column(String(80))
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
