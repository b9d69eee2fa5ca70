"""What the stability overview and a child's placement history show (read only)."""
import statistics
from datetime import time, timedelta

from dateutil.relativedelta import relativedelta

from facilitator import clock
from facilitator.actions.services import overdue_actions
from facilitator.decisions.models import Decision
from facilitator.extensions import db
from facilitator.meetings.models import OPEN, Meeting
from facilitator.scaling.models import REVEALED, ScaleRound
from facilitator.scaling.services import counted_scores
from facilitator.stability import monitoring
from facilitator.stability.chart import scale_chart
from facilitator.stability.models import (
    MonitoredPlacement,
    MonitoringCall,
    PlacementMove,
    StabilityConcern,
)

REVIEW_WINDOW = timedelta(days=14)
MOVES_FOR_LIST = 2  # seed 002's "2+ placement list"


# ---- Teams of children ------------------------------------------------------------------------

def child_teams():
    """{child id: team} from the most recent concern or move that names a team."""
    records = [*db.session.scalars(db.select(StabilityConcern).filter(
        StabilityConcern.team_id.is_not(None))),
        *db.session.scalars(db.select(PlacementMove).filter(PlacementMove.team_id.is_not(None)))]
    records.sort(key=lambda r: (r.created_at, r.id))
    return {r.child_id: r.team for r in records}


def _keeper(team_id, locality_id):
    """Whether a child passes the overview's team and locality filters."""
    teams = child_teams()

    def keep(child_id):
        team = teams.get(child_id)
        if team_id and (team is None or team.id != team_id):
            return False
        if locality_id and (team is None or team.locality_id != locality_id):
            return False
        return True
    return keep, teams


# ---- Readings of the scale --------------------------------------------------------------------

def meeting_result(meeting):
    """The median of the meeting's last revealed scaling round, with the round's scale."""
    round_ = db.session.scalar(db.select(ScaleRound).filter_by(
        meeting_id=meeting.id, status=REVEALED).order_by(ScaleRound.number.desc()).limit(1))
    values = [s.value for s in counted_scores(round_)] if round_ else []
    return (statistics.median(values), round_.scale) if values else (None, None)


def readings(child_id, scale):
    """Every scale reading for the child on `scale`, in time order: [(moment, value, what)]."""
    points = [(c.raised_at, c.scale, "concern") for c in db.session.scalars(
        db.select(StabilityConcern).filter_by(child_id=child_id))
        if c.authority.scale.name == scale.name]
    points += [(call.called_at, call.scale, "call") for call in db.session.scalars(
        db.select(MonitoringCall).join(MonitoredPlacement)
        .filter(MonitoredPlacement.child_id == child_id))
        if call.placement.concern.authority.scale.name == scale.name]
    for meeting in db.session.scalars(db.select(Meeting).filter_by(child_id=child_id)):
        value, round_scale = meeting_result(meeting)
        if value is not None and round_scale.name == scale.name:
            points.append((meeting.scheduled_at, value, "meeting"))
    return sorted(points, key=lambda p: p[0])


def latest_and_direction(concern):
    """The child's latest reading and its movement since the one before, in words."""
    scale = concern.authority.scale
    points = readings(concern.child_id, scale)
    latest = points[-1][1]
    if len(points) < 2:
        return latest, "first reading"
    return latest, scale.describe_change(latest - points[-2][1])


# ---- The overview ---------------------------------------------------------------------------

def overview(user, *, team_id=None, locality_id=None, today=None):
    today = today or clock.london_today()
    keep, teams = _keeper(team_id, locality_id)
    concerns = [c for c in db.session.scalars(db.select(StabilityConcern).filter(
        StabilityConcern.closed_at.is_(None)).order_by(StabilityConcern.raised_at.desc()))
        if keep(c.child_id)]
    return {
        "today": today, "teams": teams,
        "concerns": _open_concerns(concerns),
        "calls": [row for row in monitoring.contact_list(today)
                  if row["state"] in (monitoring.DUE, monitoring.OVERDUE)
                  and keep(row["placement"].child_id)],
        "meetings": _meetings_due(concerns, keep, today),
        "reviews": _reviews(keep, today),
        "actions": _stability_actions(keep, today),
        "moves": moves_list(today, keep),
        "notices": monitoring.notices_for(user),
    }


def _open_concerns(concerns):
    """One row per child: their latest open concern, latest scale and its direction."""
    rows, seen = [], set()
    for concern in concerns:
        if concern.child_id in seen:
            continue
        seen.add(concern.child_id)
        latest, direction = latest_and_direction(concern)
        rows.append({"concern": concern, "child": concern.child, "latest": latest,
                     "label": concern.authority.scale.label(int(latest))
                     if latest == int(latest) else "", "direction": direction})
    return rows


def _meetings_due(concerns, keep, today):
    """Meetings routes call for and meetings with a due date, against their deadlines."""
    rows, linked = [], set()
    for concern in concerns:
        task = next((t for t in concern.tasks if t.is_meeting), None)
        if task is None or task.due_at is None:
            continue
        meeting = concern.meeting
        if meeting is not None:
            linked.add(meeting.id)
        rows.append(_meeting_row(concern.child, clock.london_today(task.due_at), meeting,
                                 today, concern=concern))
    upcoming = db.session.scalars(db.select(Meeting).filter(
        Meeting.due_by.is_not(None), Meeting.status == OPEN,
        Meeting.scheduled_at >= clock.from_london(today, time.min)))
    rows += [_meeting_row(m.child, m.due_by, m, today) for m in upcoming
             if m.id not in linked and keep(m.child_id)]
    rows = [row for row in rows if row is not None]
    return sorted(rows, key=lambda row: row["deadline"])


def _meeting_row(child, deadline, meeting, today, concern=None):
    if meeting is not None and meeting.scheduled_at < clock.from_london(today, time.min):
        return None  # held already
    if meeting is None:
        state = "overdue" if deadline < today else "due"
    elif clock.london_today(meeting.scheduled_at) > deadline:
        state = "overdue" if deadline < today else "booked late"
    else:
        state = "arranged"
    return {"child": child, "deadline": deadline, "meeting": meeting, "state": state,
            "concern": concern}


def _reviews(keep, today):
    """Review dates in the next two weeks: the review dates meetings decided, and the end of
    each placement's telephone monitoring."""
    horizon = today + REVIEW_WINDOW
    rows = [{"child": row["placement"].child, "day": row["placement"].ends_on,
             "what": "Telephone monitoring period ends", "meeting": None}
            for row in monitoring.contact_list(today)
            if today <= row["placement"].ends_on <= horizon
            and keep(row["placement"].child_id)]
    decided = db.session.execute(db.select(Decision.review_date, Meeting).join(
        Meeting, Meeting.id == Decision.meeting_id).filter(
        Decision.review_date >= today, Decision.review_date <= horizon)).all()
    rows += [{"child": meeting.child, "day": day, "meeting": meeting,
              "what": f"Review of the {meeting.type.name}"}
             for day, meeting in decided if keep(meeting.child_id)]
    return sorted(rows, key=lambda row: row["day"])


def _stability_actions(keep, today):
    """Open Stability Actions past their due date."""
    return [action for action in overdue_actions(today) if keep(action.child_id)]


def moves_list(today, keep=lambda _child_id: True):
    """Children with two or more placement moves in the last twelve months."""
    since = today - relativedelta(months=12)
    moves = db.session.scalars(db.select(PlacementMove).filter(
        PlacementMove.moved_on > since).order_by(PlacementMove.moved_on)).all()
    by_child = {}
    for move in moves:
        by_child.setdefault(move.child_id, []).append(move)
    return [{"child": found[0].child, "moves": found} for child_id, found in by_child.items()
            if len(found) >= MOVES_FOR_LIST and keep(child_id)]


# ---- A child's placement history ------------------------------------------------------------

def history(child):
    """Every concern, call, meeting and move for the child in time order, and the chart."""
    concerns = db.session.scalars(db.select(StabilityConcern).filter_by(
        child_id=child.id).order_by(StabilityConcern.raised_at)).all()
    entries = [{"at": c.raised_at, "kind": "concern", "scale": c.scale, "record": c}
               for c in concerns]
    placements = db.session.scalars(db.select(MonitoredPlacement).filter_by(
        child_id=child.id).order_by(MonitoredPlacement.id)).all()
    for placement in placements:
        entries += [{"at": call.called_at, "kind": "call", "scale": call.scale, "record": call}
                    for call in placement.calls]
    for meeting in db.session.scalars(db.select(Meeting).filter_by(child_id=child.id)):
        value, _ = meeting_result(meeting)
        entries.append({"at": meeting.scheduled_at, "kind": "meeting", "scale": value,
                        "record": meeting})
    for move in db.session.scalars(db.select(PlacementMove).filter_by(child_id=child.id)):
        entries.append({"at": clock.from_london(move.moved_on, time(12)), "kind": "move",
                        "scale": None, "record": move})
    entries.sort(key=lambda e: (e["at"], e["kind"]))
    scale = concerns[-1].authority.scale if concerns else None
    chart = scale_chart(scale, readings(child.id, scale)) if scale else None
    return {"child": child, "entries": entries, "scale": scale, "chart": chart,
            "concerns": concerns, "placements": placements,
            "active": [p for p in placements if monitoring.is_monitored(p)]}
