"""Between meetings (seeds 000, 001, 002): the stability concern (the contact / consultation
record), the authority's routing rules as data, the tasks a confirmed route creates, telephone
monitoring and its calls, escalation notices, and the placement moves behind the "2+ list".

Every row keeps who made it and when (created_by / created_at); a later change keeps its own
who and when beside it (confirmed_by / done_by / ended_by)."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitator import clock
from facilitator.extensions import db
from facilitator.meetings.models import Child, Meeting
from facilitator.panels.models import Locality
from facilitator.scaling.scales import Scale

# Telephone monitoring: watching, escalated (a call at the authority's concern scale), ended.
MONITORING, ESCALATED, ENDED = "monitoring", "escalated", "ended"
# Still on the contact list. Named, not "not ended": the lists' index on (status, next call)
# answers an equality, and the planner counts these two well where it misjudges "not ended".
WATCHED = (MONITORING, ESCALATED)
# Current involvement with the Adolescent Support Team or CAMHS (seed 001, 5.2).
INVOLVEMENT = {"ast": "Adolescent Support Team", "camhs": "CAMHS", "none": "No current involvement"}


def _now():
    return clock.utcnow()  # looked up at call time, so tests can move the clock


class Team(db.Model):
    """A social work team, in a locality: data, for the overview's filters."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"))

    locality: Mapped[Locality | None] = relationship()


class Authority(db.Model):
    """One authority's procedure as data: adding an authority is adding a row.

    `scale` is a scale spec (scaling.scales); `asks` names the questions its consultation
    record asks ({"involvement": bool, "immediate_risk": bool}); `monitoring` holds the default
    telephone monitoring ({"every_days", "weeks", "escalate": {"min", "max"}, "meeting"}) and
    `rules` the routing rules, tried in order: [{key, route, when: {scale: [lo, hi],
    involvement?, immediate_risk?}, tasks: [{what, who, due?: {hours|working_days|days}}],
    monitoring?: {every_days, weeks}, meeting?: {type, immediate_risk?}}].
    """

    __tablename__ = "stability_authorities"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    scale_spec: Mapped[dict] = mapped_column(JSON)
    asks: Mapped[dict] = mapped_column(JSON)
    monitoring: Mapped[dict] = mapped_column(JSON)
    rules: Mapped[list] = mapped_column(JSON)

    @property
    def scale(self):
        return Scale(self.scale_spec)

    def rule(self, key):
        return next((r for r in self.rules if r["key"] == key), None)

    def is_concern(self, value):
        """Whether a scale value is one the authority escalates (borough 4-5, county 0-4)."""
        band = self.monitoring["escalate"]
        return band["min"] <= value <= band["max"]


class StabilityConcern(db.Model):
    """The contact / consultation record (seed 001, 5.1-5.3; seed 002 for the county)."""

    __tablename__ = "stability_concerns"
    __table_args__ = (Index("ix_stability_concerns_child", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    authority_code: Mapped[str] = mapped_column(ForeignKey("stability_authorities.code"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    raised_by: Mapped[str] = mapped_column(String(120))
    relationship_to_child: Mapped[str] = mapped_column(String(120))
    raised_at: Mapped[datetime]  # UTC
    concern: Mapped[str] = mapped_column(Text)  # in the words of the person who raised it
    involvement: Mapped[str | None] = mapped_column(String(20))  # INVOLVEMENT keys
    involvement_worker: Mapped[str | None] = mapped_column(String(200))
    first_consultation: Mapped[bool | None]
    earlier_consultations: Mapped[str | None] = mapped_column(String(500))
    notice_given: Mapped[bool | None]  # the carer has given 28 days' notice
    immediate_risk: Mapped[bool | None]
    scale: Mapped[int]
    outcome: Mapped[str] = mapped_column(Text, default="")
    sent_to: Mapped[str] = mapped_column(String(500), default="")
    # Told of escalations on this child's telephone monitoring.
    named_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_route: Mapped[str] = mapped_column(String(40))
    route: Mapped[str | None] = mapped_column(String(40))  # confirmed or overridden
    override_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    child: Mapped[Child] = relationship()
    authority: Mapped[Authority] = relationship()
    team: Mapped[Team | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    tasks: Mapped[list["RouteTask"]] = relationship(
        back_populates="concern", order_by="RouteTask.position")

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def route_rule(self):
        return self.authority.rule(self.route or self.proposed_route)

    @property
    def overridden(self):
        return self.route is not None and self.route != self.proposed_route


class RouteTask(db.Model):
    """A step a confirmed route sets, with its due date (UTC) where the procedure gives one."""

    __tablename__ = "route_tasks"
    __table_args__ = (Index("ix_route_tasks_concern", "concern_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("stability_concerns.id"))
    position: Mapped[int]
    what: Mapped[str] = mapped_column(String(300))
    who: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime | None]
    due_on: Mapped[date | None]  # the day in England it falls on, for the lists
    rule: Mapped[str] = mapped_column(String(80), default="")  # "within 24 hours"
    whole_day: Mapped[bool] = mapped_column(default=True)  # due by the end of that day
    is_meeting: Mapped[bool] = mapped_column(default=False)  # the step that calls the meeting
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    concern: Mapped[StabilityConcern] = relationship(back_populates="tasks")


class MonitoredPlacement(db.Model):
    """A placement on the contact list (seed 001, 5.10): who to call, how often, until when."""

    __tablename__ = "monitored_placements"
    __table_args__ = (Index("ix_monitored_placements_child", "child_id"),
                      Index("ix_monitored_placements_concern", "concern_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    concern_id: Mapped[int] = mapped_column(ForeignKey("stability_concerns.id"))
    call_who: Mapped[str] = mapped_column(String(300))
    every_days: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=MONITORING)
    # When the next call is due (monitoring.next_due), kept with each change so that the lists
    # sort, count and page due and overdue calls in the database.
    next_due_on: Mapped[date | None]
    # The meeting whose agreed frequency this follows, when a meeting set it.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    child: Mapped[Child] = relationship()
    concern: Mapped[StabilityConcern] = relationship()
    calls: Mapped[list["MonitoringCall"]] = relationship(
        back_populates="placement", order_by="[MonitoringCall.called_at, MonitoringCall.id]")


# A placement on the contact list: watched, and either escalated or with its next call due
# before the monitoring period ends (monitoring.state: not "complete").
ON_CONTACT_LIST = and_(MonitoredPlacement.status.in_(WATCHED),
                       or_(MonitoredPlacement.status == ESCALATED,
                           MonitoredPlacement.next_due_on <= MonitoredPlacement.ends_on))


class MonitoringCall(db.Model):
    """One telephone contact: when, the scale at the call, a note, and what it led to."""

    __tablename__ = "monitoring_calls"
    __table_args__ = (Index("ix_monitoring_calls_placement", "placement_id", "called_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("monitored_placements.id"))
    called_at: Mapped[datetime]  # UTC
    scale: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    # "escalation", "de-escalation" or None.
    change: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    placement: Mapped[MonitoredPlacement] = relationship(back_populates="calls")


class StabilityNotice(db.Model):
    """What a named worker is told (an escalation), shown on their overview until read."""

    __tablename__ = "stability_notices"
    __table_args__ = (Index("ix_stability_notices_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    concern_id: Mapped[int] = mapped_column(ForeignKey("stability_concerns.id"))
    text: Mapped[str] = mapped_column(String(500))
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=_now)

    child: Mapped[Child] = relationship()
    concern: Mapped[StabilityConcern] = relationship()


class PlacementMove(db.Model):
    """A child's move from one placement to another, entered by staff (seed 002's 2+ list)."""

    __tablename__ = "placement_moves"
    __table_args__ = (Index("ix_placement_moves_child", "child_id", "moved_on"),
                      Index("ix_placement_moves_day", "moved_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    moved_on: Mapped[date]
    from_placement: Mapped[str] = mapped_column(String(200))
    to_placement: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    child: Mapped[Child] = relationship()
    team: Mapped[Team | None] = relationship()


# The staff lists' partial indexes: each holds only the rows a list shows (the open concerns,
# the meeting steps, the placements on the contact list), in the order it shows them, so a page
# and its count read a few hundred index entries, not the years of closed records beside them.
OPEN_CONCERN = StabilityConcern.closed_at.is_(None)
MEETING_STEP = and_(RouteTask.is_meeting, RouteTask.due_on.is_not(None))
Index("ix_stability_concerns_open", StabilityConcern.child_id, StabilityConcern.raised_at,
      StabilityConcern.id, postgresql_where=OPEN_CONCERN, sqlite_where=OPEN_CONCERN)
Index("ix_route_tasks_meeting_step", RouteTask.concern_id, RouteTask.due_on,
      postgresql_where=MEETING_STEP, sqlite_where=MEETING_STEP)
Index("ix_monitored_placements_listed", MonitoredPlacement.next_due_on, MonitoredPlacement.id,
      postgresql_where=ON_CONTACT_LIST, sqlite_where=ON_CONTACT_LIST)
