"""What a stability meeting decides (seeds 001, 002): the placement decision, a planned move's
approval, the review date, telephone monitoring, who is notified; and what the meeting heard:
the child's views, wishes and feelings, and the support each agency can provide (seed 004)."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Participant

# Where a view of the child's came from (seed 004: direct consultation, advocacy, observation).
VIEW_SOURCES = {"child": "As told by the child or young person",
                "advocate": "Through an advocate or representative",
                "observed": "Observed (for a younger child)"}


class Decision(db.Model):
    """One per meeting; the chair records it and may change it while the meeting is open.

    `outcome` is a key of the type's `rules.decision.outcomes`; `monitoring_days` is the agreed
    frequency of telephone monitoring in days (7 = weekly), labelled by the type's
    `rules.monitoring`; `notifications` is {key: {"needed": bool, "done_at": ISO UTC or None,
    "by": name or None}} for each of the type's `rules.notify`.
    """

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_review", "review_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    outcome: Mapped[str | None] = mapped_column(String(40))
    approval_by: Mapped[str | None] = mapped_column(String(40))
    rationale: Mapped[str | None] = mapped_column(Text)
    review_date: Mapped[date | None]
    monitoring_days: Mapped[int | None]
    notifications: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[Participant] = relationship()


class ChildView(db.Model):
    """The child's views, wishes and feelings, as told by them, an advocate, or observed."""

    __tablename__ = "child_views"
    __table_args__ = (Index("ix_child_views_meeting", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    source: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    added_by: Mapped[Participant] = relationship()

    @property
    def source_label(self):
        return VIEW_SOURCES[self.source]


class AgencyOffer(db.Model):
    """"What support can your agency provide?": one entry per agency per meeting; saving again
    for the same agency replaces its entry."""

    __tablename__ = "agency_offers"
    __table_args__ = (UniqueConstraint("meeting_id", "agency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    agency: Mapped[str] = mapped_column(String(120))
    agency_key: Mapped[str] = mapped_column(String(120))  # casefolded, for "one per agency"
    offer: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    added_by: Mapped[Participant] = relationship()
