from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db


class AgendaItem(db.Model):
    """One timeboxed item. The timer is timestamps, never a sleeping thread
    (docs/architecture.md, "No state in the process"):
    remaining = planned + extended - (now or paused_at or ended_at - started_at - paused)."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    # What the screens put first while it runs (agenda.phases.KINDS); `board_column` for one column.
    kind: Mapped[str] = mapped_column(String(30), default="board")
    board_column: Mapped[str | None] = mapped_column(String(40))
    planned_seconds: Mapped[int]
    extended_seconds: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[float] = mapped_column(default=0.0)

    extensions: Mapped[list["AgendaExtension"]] = relationship(order_by="AgendaExtension.id")

    @property
    def allowed_seconds(self):
        return self.planned_seconds + self.extended_seconds

    def elapsed(self, now):
        """Seconds the item has run, pauses excluded."""
        if self.started_at is None:
            return 0.0
        until = self.ended_at or self.paused_at or now
        return max(0.0, (until - self.started_at).total_seconds() - self.paused_seconds)

    def remaining(self, now):
        return self.allowed_seconds - self.elapsed(now)

    def overrun(self, now):
        """Seconds past its time, extensions included (kept for the minutes)."""
        return max(0.0, -self.remaining(now))

    @property
    def is_running(self):
        return self.started_at is not None and self.ended_at is None and self.paused_at is None

    @property
    def is_paused(self):
        return self.paused_at is not None and self.ended_at is None

    @property
    def is_done(self):
        return self.ended_at is not None


class AgendaExtension(db.Model):
    """More time for an item: how much, why, who and when (recorded for the minutes)."""

    __tablename__ = "agenda_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    seconds: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
