"""Step Up / Step Down panels (seed 003): localities, fortnightly series, the panel meeting for
one date, its case slots, their outcomes, follow-up deadlines and recorded disagreements."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.agenda.models import AgendaItem
from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Child, Meeting

UP, DOWN = "up", "down"
DIRECTIONS = {UP: "step up", DOWN: "step down"}


class Locality(db.Model):
    """Where a panel sits: data, not code (the migration seeds North and South)."""

    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    venue: Mapped[str] = mapped_column(String(200))


class PanelSeries(db.Model):
    """A locality's recurring panel. The dates come from the meeting type's `rules.series`
    (weekday, time, interval in weeks) through dateutil's rrule, starting on `first_date`."""

    __tablename__ = "panel_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("localities.id"))
    type_code: Mapped[str] = mapped_column(ForeignKey("meeting_types.code"))
    first_date: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    locality: Mapped[Locality] = relationship()


class PanelMeeting(db.Model):
    """The meeting set up for one date of a series (one meeting per series and date)."""

    __tablename__ = "panel_meetings"
    __table_args__ = (UniqueConstraint("series_id", "panel_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("panel_series.id"))
    panel_date: Mapped[date]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)

    series: Mapped[PanelSeries] = relationship()
    meeting: Mapped[Meeting] = relationship()


class CaseSlot(db.Model):
    """One case brought to a panel: a 10-minute slot with its own agenda item.

    `criteria` holds {criterion key: true} for each criterion of the direction that is met;
    the list of criteria itself is the meeting type's data (`rules.criteria[direction]`).
    """

    __tablename__ = "case_slots"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    number: Mapped[int]  # "Case 2" in this panel
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    direction: Mapped[str] = mapped_column(String(10))
    presenting_worker: Mapped[str] = mapped_column(String(120))
    lead_person: Mapped[str | None] = mapped_column(String(120))
    papers_received_at: Mapped[datetime | None]  # UTC
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(40))
    rationale: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]  # UTC
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped[Child] = relationship()
    agenda_item: Mapped[AgendaItem] = relationship()
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="slot", order_by="[FollowUp.due_at, FollowUp.id]",
        cascade="all, delete-orphan")
    disagreements: Mapped[list["Disagreement"]] = relationship(order_by="Disagreement.id")

    @property
    def direction_label(self):
        return DIRECTIONS.get(self.direction, self.direction)


class FollowUp(db.Model):
    """A deadline an outcome creates (seed 003): what must happen, and by when (UTC)."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_slot", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("case_slots.id"))
    what: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    # The rule it came from, in words ("within 1 working day"), for the outcomes document.
    rule: Mapped[str] = mapped_column(String(80))
    # True when due by the end of a day (working or calendar days), not at an exact time.
    whole_day: Mapped[bool] = mapped_column(default=True)

    slot: Mapped[CaseSlot] = relationship(back_populates="follow_ups")


class Disagreement(db.Model):
    """Someone disagrees with a panel decision: who and what, kept for escalation."""

    __tablename__ = "disagreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("case_slots.id"))
    who: Mapped[str] = mapped_column(String(120))
    what: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(40))  # the decision disagreed with
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
