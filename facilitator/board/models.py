from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Participant


class Card(db.Model):
    """One note on the board. Removal is soft: the card stays for the audit trail."""

    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_meeting_column", "meeting_id", "column"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    column: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))

    author: Mapped[Participant] = relationship(foreign_keys=[author_id])
