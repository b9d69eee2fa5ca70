from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Participant
from facilitator.scaling.scales import Scale

OPEN, REVEALED = "open", "revealed"


class ScaleRound(db.Model):
    """One scaling question put to the meeting. Scores stay private until it is revealed."""

    __tablename__ = "scale_rounds"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    number: Mapped[int]  # 1 for the meeting's first round, 2 for the next…
    question: Mapped[str] = mapped_column(Text)
    # The scale as it stood when the round opened, so a later change to the type's data never
    # rewrites what a past meeting was asked.
    scale_spec: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    revealed_at: Mapped[datetime | None]
    revealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))

    scores: Mapped[list["Score"]] = relationship(back_populates="round", order_by="Score.id")

    @property
    def scale(self):
        return Scale(self.scale_spec)

    @property
    def is_open(self):
        return self.status == OPEN

    @property
    def is_revealed(self):
        return self.status == REVEALED


class Score(db.Model):
    """A member's place on the scale, always with their reason.

    A score sent in advance through a personal link belongs to the meeting before any round is
    open (round_id empty) and joins the meeting's first round when it opens.
    """

    __tablename__ = "scores"
    # No one but its author learns a score before its round is revealed: the audit trail records
    # these as changed, and what the reveal showed when it showed it (audit.trail.disclose).
    __private_until_shown__ = ("value", "reason")
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),
                      Index("ix_scores_meeting_participant", "meeting_id", "participant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("scale_rounds.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    value: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    # The young person's choice when they gave it; what is shown follows their latest choice,
    # for everything they add (Participant.show_name, meetings.labels).
    show_name: Mapped[bool] = mapped_column(default=True)
    in_advance: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[ScaleRound | None] = relationship(back_populates="scores")
    participant: Mapped[Participant] = relationship()
