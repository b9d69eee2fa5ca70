from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import utcnow
from facilitator.extensions import db


class User(db.Model):
    """A member of staff with a local account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # An administrator adjusts the meeting types (agenda items and timeboxes) for the authority.
    is_admin: Mapped[bool] = mapped_column(default=False)
    # The team they work in: the staff lists start from it.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped["Team | None"] = relationship("Team")  # noqa: F821 (stability.models)


class StaffSession(db.Model):
    """One sign-in on one device. The cookie carries only this row's random id, so signing out,
    an expiry or an administrator's deactivation ends it on the server, wherever the cookie was
    copied to."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # How the person proved who they are: "password" or "sso" (the authority's sign-in).
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_valid(self, now):
        return self.revoked_at is None and now < self.expires_at and self.user.active
