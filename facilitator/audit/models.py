from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from facilitator.clock import utcnow
from facilitator.extensions import db


class AuditEvent(db.Model):
    """One change to one row: who, when, what, and each changed value before and after.

    No foreign keys on purpose: an entry outlives what it describes (a deleted meeting, a
    removed participant), so it stands on its own words.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_meeting", "meeting_id", "id"),
                      Index("ix_audit_events_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # The member of staff signed in, and/or the seat in the meeting that acted (a guest has
    # only a seat); the label is what the trail shows, fixed at the time.
    actor_user_id: Mapped[int | None]
    actor_participant_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(200), default="")
    meeting_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))   # created, changed, removed, …
    subject: Mapped[str] = mapped_column(String(60))  # the table, e.g. "cards"
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    # {column: [before, after]}; secrets are recorded as changed, never by value.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
