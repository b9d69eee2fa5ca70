"""Documents: the meeting's close, the draft's corrections, issued PDFs (never changed once
issued: a correction is a new version), who downloaded them, and each delivery."""
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.accounts.models import User
from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Meeting, Participant

# How someone took part, for the minutes' attendance list.
PRESENT, REMOTE, APOLOGIES, VIEWS_SENT = "present", "remote", "apologies", "views_sent"
ATTENDANCE = {PRESENT: "Present", REMOTE: "Remote", APOLOGIES: "Apologies",
              VIEWS_SENT: "Views sent"}

# The documents a meeting can issue (seeds 001-004).
MINUTES, ACTIONS_SHEET, PANEL_AGENDA, PANEL_OUTCOMES = (
    "minutes", "actions", "panel_agenda", "panel_outcomes")
KINDS = {MINUTES: "Minutes", ACTIONS_SHEET: "Stability Actions for the Child's Plan",
         PANEL_AGENDA: "Panel agenda", PANEL_OUTCOMES: "Panel outcomes"}

IN_APP, EMAIL = "app", "email"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# Far longer than an attempt can take (FACILITATOR_SMTP_TIMEOUT is per SMTP step, 20 s).
SENDING_LIMIT = timedelta(minutes=10)


class MeetingClosure(db.Model):
    """When and by whom a meeting was closed (its status is on Meeting)."""

    __tablename__ = "meeting_closures"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))

    closed_by: Mapped[Participant] = relationship()


class DocumentDraft(db.Model):
    """The chair's corrections to a draft: {text id: corrected text}. The meeting's own record
    is never edited; the draft builder reads these over it."""

    __tablename__ = "document_drafts"
    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    kind: Mapped[str] = mapped_column(String(30))
    corrections: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))


class Document(db.Model):
    """An issued PDF. Nothing updates a row once written: a correction is version n + 1."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    kind: Mapped[str] = mapped_column(String(30))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)  # why version 2 (or later) was issued
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()
    issued_by: Mapped[User] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(order_by="Delivery.id",
                                                        back_populates="document")

    @property
    def kind_label(self):
        return KINDS[self.kind]


class DocumentDownload(db.Model):
    __tablename__ = "document_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class Delivery(db.Model):
    """One recipient of one document: in the app (a notification with a link, for staff) or by
    email with the PDF attached (external attendees and the type's fixed recipients)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    channel: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Fixed when the delivery is made, so every attempt carries the same Message-ID.
    message_id: Mapped[str | None] = mapped_column(String(200))
    # When the current attempt took the delivery; one "sending" for longer than SENDING_LIMIT
    # was left by a process that stopped mid-send, and may be sent again.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="deliveries")

    @property
    def may_retry(self):
        """Failed, or stuck long after any attempt would have given up: "sending" (the process
        stopped mid-send) or still waiting (it stopped before the background send began)."""
        long_ago = utcnow() - SENDING_LIMIT
        return self.status == FAILED or (self.status == SENDING and (
            self.claimed_at is None or self.claimed_at < long_ago)) or (
            self.status == PENDING and self.created_at < long_ago)
