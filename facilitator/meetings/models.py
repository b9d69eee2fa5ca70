import re
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator.clock import to_london, utcnow
from facilitator.extensions import db

# Who someone is in the meeting, as they say when they join (seeds 002, 004).
ATTENDS_AS = {
    "carer": "Carer",
    "young_person": "Young person",
    "childs_social_worker": "Child's social worker",
    "supervising_social_worker": "Supervising social worker",
    "placement_support": "Placement support",
    "iro": "Independent Reviewing Officer",
    "camhs": "CAMHS",
    "school": "School",
    "other": "Other",
}
CHAIR_ATTENDS_AS = {"chair": "Chair"}
YOUNG_PERSON = "young_person"
# Who the chair may make minute taker: staff and professionals. Never a carer or the young
# person: the minute taker tidies everyone's words and sees the chair's view of the meeting that
# is about them. "Other" may: it is how someone whose agency is not listed joins (business
# support, who usually take the minutes, a health visitor), and the chair knows who they let in.
TAKES_MINUTES = frozenset({"childs_social_worker", "supervising_social_worker",
                           "placement_support", "iro", "camhs", "school", "other"})

# What someone may do in the meeting.
CHAIR, MINUTE_TAKER, PARTICIPANT, OBSERVER = "chair", "minute_taker", "participant", "observer"
RUNS_MEETING = (CHAIR, MINUTE_TAKER)

# Where someone stands: waiting in the lobby, in the meeting, turned away or taken out; or not
# coming, and sending their views in advance through a personal link.
LOBBY, ADMITTED, DECLINED, REMOVED = "lobby", "admitted", "declined", "removed"
IN_ADVANCE = "in_advance"

OPEN, CLOSED = "open", "closed"


class MeetingType(db.Model):
    """A meeting template as data: adding a type is adding a row, never a code branch.

    `agenda` [{key, title, minutes}], `columns` [{key, question, hint}], `scale` (scaling.scales),
    `roles` [{who, expect: attend|views}], `rules` (timing: due dates, review, panel series,
    case criteria and outcomes) and `documents` [names]. `kind` is "meeting" or "panel".
    """

    __tablename__ = "meeting_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # [{"key": "worried", "question": "What are we worried about?", "hint": "..."}, ...]
    columns: Mapped[list] = mapped_column(JSON)
    # The scaling question's scale: range, direction, labels, plain words (see scaling.scales).
    scale: Mapped[dict] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    agenda: Mapped[list] = mapped_column(JSON, default=list)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    documents: Mapped[list] = mapped_column(JSON, default=list)

    @property
    def is_panel(self):
        return self.kind == "panel"

    def column(self, key):
        return next((c for c in self.columns if c["key"] == key), None)


class Child(db.Model):
    """Only what a meeting needs about the child."""

    __tablename__ = "children"
    __table_args__ = (Index("ix_children_team", "team_id"),
                      Index("ix_children_worker", "worker_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_reference: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The child's team and social worker, as the latest record naming them says (a concern, a
    # placement move): kept on the child so the staff lists filter with one join.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    team: Mapped["Team | None"] = relationship("Team")  # noqa: F821 (stability.models)
    worker: Mapped["User | None"] = relationship("User")  # noqa: F821 (accounts.models)

    @property
    def initials(self):
        """What the projector shows: "Jordan Lee-Smith" -> "J.L." """
        parts = [p for p in re.split(r"\s+", self.name.strip()) if p]
        if not parts:
            return ""
        chosen = parts if len(parts) == 1 else [parts[0], parts[-1]]
        return "".join(f"{p[0].upper()}." for p in chosen)


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_child", "child_id", "scheduled_at"),
                      Index("ix_meetings_scheduled", "scheduled_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("meeting_types.code"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    scheduled_at: Mapped[datetime]  # UTC
    location: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    projector_token: Mapped[str] = mapped_column(String(64), unique=True)
    # The last event's sequence number; bumped first in every change (see live.events).
    last_seq: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A stability meeting's timing rule (seed 002): at immediate risk or not, and the date by
    # which it is due; a meeting booked after that is flagged.
    immediate_risk: Mapped[bool | None]
    due_by: Mapped[date | None]
    # The agenda item the meeting is on (agenda.models.AgendaItem), once the chair starts.
    current_item_id: Mapped[int | None]
    # What the chair put on the projector for a while (an agenda kind, "column:<key>" for one
    # column); empty while the projector follows the agenda (agenda.phases).
    on_screen: Mapped[str | None] = mapped_column(String(60))

    type: Mapped[MeetingType] = relationship()
    child: Mapped[Child] = relationship()

    @property
    def is_open(self):
        return self.status == OPEN

    @property
    def booked_late(self):
        return self.due_by is not None and to_london(self.scheduled_at).date() > self.due_by


class Participant(db.Model):
    """A person's place in one meeting: a member of staff or a guest who joined by code."""

    __tablename__ = "participants"
    __table_args__ = (Index("ix_participants_meeting", "meeting_id", "user_id"),
                      Index("ix_participants_user", "user_id", "meeting_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    attends_as: Mapped[str] = mapped_column(String(40))
    meeting_role: Mapped[str] = mapped_column(String(20), default=PARTICIPANT)
    status: Mapped[str] = mapped_column(String(20), default=LOBBY)
    # A guest's proof of this place, kept in their browser session; never shown to anyone.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For the minutes (documents domain): present, remote, apologies or views sent, set by the
    # chair at close; and where an external attendee's copy is emailed.
    attendance: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    # A young person chooses whether the room sees their name or "Young person" on what they add.
    show_name: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[Meeting] = relationship()

    @property
    def attends_as_label(self):
        return {**ATTENDS_AS, **CHAIR_ATTENDS_AS}.get(self.attends_as, "Other")

    @property
    def takes_minutes(self):
        """Whether the chair may make this person minute taker (by who they attend as)."""
        return self.attends_as in TAKES_MINUTES

    @property
    def runs_meeting(self):
        return self.meeting_role in RUNS_MEETING

    @property
    def audience(self):
        return "chair" if self.runs_meeting else "participant"
