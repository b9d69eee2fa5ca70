"""Stability Actions (seeds 002, 004): what needs to happen, who does it, by when, and where the
action is recorded: the Child's Plan, the carer's supervision record, placement support or
another agency."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Child, Meeting, Participant

# Proposed by anyone admitted; confirmed (then open) by the chair or minute taker; then done or
# not done, each with a note.
PROPOSED, OPEN, DONE, NOT_DONE = "proposed", "open", "done", "not_done"
STATUSES = {PROPOSED: "Proposed", OPEN: "Open", DONE: "Done", NOT_DONE: "Not done"}

# How the due date is worked out from the meeting's date (London).
ON_DATE, WORKING_DAYS, WEEKS, BEFORE_REVIEW, ONGOING = (
    "date", "working_days", "weeks", "before_review", "ongoing")
TIMESCALES = {ON_DATE: "By a date", WORKING_DAYS: "Within a number of working days",
              WEEKS: "Within a number of weeks", BEFORE_REVIEW: "Before the review",
              ONGOING: "Ongoing"}

CHILDS_PLAN, CARERS_RECORD, PLACEMENT_SUPPORT, OTHER_AGENCY = (
    "childs_plan", "carers_record", "placement_support", "other_agency")
DESTINATIONS = {CHILDS_PLAN: "Child's Plan", CARERS_RECORD: "Carer's supervision record",
                PLACEMENT_SUPPORT: "Placement support", OTHER_AGENCY: "Another agency"}


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_child", "child_id"),
                      Index("ix_actions_meeting", "meeting_id"),
                      Index("ix_actions_due", "status", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    # The meeting's child, kept on the action so the Child's Plan reads one table.
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    what: Mapped[str] = mapped_column(Text)
    # A participant of the meeting, or a named person or agency who was not there.
    owner_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    owner_name: Mapped[str | None] = mapped_column(String(120))
    timescale: Mapped[str] = mapped_column(String(20))
    timescale_number: Mapped[int | None]
    due_on: Mapped[date | None]  # computed from the timescale; none for "ongoing"
    destination: Mapped[str] = mapped_column(String(30))
    agency: Mapped[str | None] = mapped_column(String(120))
    # A significant change to the care plan must first be considered at a statutory review,
    # so the Independent Reviewing Officer is told.
    for_iro: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=PROPOSED)
    status_note: Mapped[str | None] = mapped_column(Text)
    status_set_at: Mapped[datetime | None]
    status_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    confirmed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    child: Mapped[Child] = relationship()
    owner: Mapped[Participant | None] = relationship(foreign_keys=[owner_participant_id])
    proposed_by: Mapped[Participant] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[Participant | None] = relationship(foreign_keys=[confirmed_by_id])
    status_set_by: Mapped[Participant | None] = relationship(foreign_keys=[status_set_by_id])

    @property
    def owner_label(self):
        """Who will do it, by name; a young person who chose to be shown as "Young person" by
        that (a meeting's own pages number roles: see meetings.labels)."""
        if self.owner is None:
            return self.owner_name
        return self.owner.name if self.owner.show_name else self.owner.attends_as_label

    @property
    def is_confirmed(self):
        return self.status != PROPOSED

    @property
    def status_label(self):
        return STATUSES[self.status]

    @property
    def destination_label(self):
        label = DESTINATIONS[self.destination]
        return f"{label}: {self.agency}" if self.destination == OTHER_AGENCY else label

    @property
    def timescale_label(self):
        n = self.timescale_number
        if self.timescale == WORKING_DAYS:
            return f"within {n} working day{'s' if n != 1 else ''}"
        if self.timescale == WEEKS:
            return f"within {n} week{'s' if n != 1 else ''}"
        return {ON_DATE: "by the date agreed", BEFORE_REVIEW: "before the review",
                ONGOING: "ongoing"}[self.timescale]

    def is_overdue(self, today):
        return self.status == OPEN and self.due_on is not None and self.due_on < today
