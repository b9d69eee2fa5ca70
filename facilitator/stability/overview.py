"""What the stability overview and a child's placement history show (read only).

Each list of the overview is one query that filters, counts and pages in the database (paging),
then one or two more for that page's own rows: what the page costs does not grow with an
authority's records."""
from datetime import time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.actions.services import overdue_actions
from facilitator.decisions.models import Decision
from facilitator.extensions import db
from facilitator.meetings.models import OPEN, Child, Meeting
from facilitator.paging import counts_of, page_of
from facilitator.scaling.models import REVEALED, ScaleRound
from facilitator.scaling.services import revealed_medians
from facilitator.stability import monitoring
from facilitator.stability.chart import scale_chart
from facilitator.stability.models import (
    MEETING_STEP,
    ON_CONTACT_LIST,
    OPEN_CONCERN,
    Authority,
    MonitoredPlacement,
    MonitoringCall,
    PlacementMove,
    RouteTask,
    StabilityConcern,
)

REVIEW_WINDOW = timedelta(days=14)
MOVES_FOR_LIST = 2  # seed 002's "2+ placement list"
SECTIONS = ("concerns", "calls", "meetings", "reviews", "actions", "moves")
# The overview is a summary a manager scans: ten of each list, each paged on from there.
OVERVIEW_PER_PAGE = 10


# ---- Readings of the scale --------------------------------------------------------------------

def readings_for(child_ids):
    """Every scale reading of these children in time order, by child: {child id: [(moment,
    value, what, scale name)]} from their concerns, telephone calls and meetings' revealed
    scaling; four queries whatever the number of children."""
    if not child_ids:
        return {}
    scales = {a.code: a.scale.name for a in db.session.scalars(select(Authority))}
    found = {}
    for child_id, moment, value, code in db.session.execute(
            select(StabilityConcern.child_id, StabilityConcern.raised_at,
                   StabilityConcern.scale, StabilityConcern.authority_code)
            .where(StabilityConcern.child_id.in_(child_ids))):
        found.setdefault(child_id, []).append((moment, value, "concern", scales[code]))
    for child_id, moment, value, code in db.session.execute(
            select(MonitoredPlacement.child_id, MonitoringCall.called_at, MonitoringCall.scale,
                   StabilityConcern.authority_code)
            .join(MonitoredPlacement, MonitoredPlacement.id == MonitoringCall.placement_id)
            .join(StabilityConcern, StabilityConcern.id == MonitoredPlacement.concern_id)
            .where(MonitoredPlacement.child_id.in_(child_ids))):
        found.setdefault(child_id, []).append((moment, value, "call", scales[code]))
    for child_id, moment, value, scale in meeting_readings(child_ids):
        found.setdefault(child_id, []).append((moment, value, "meeting", scale.name))
    return {child_id: sorted(points, key=lambda p: p[0]) for child_id, points in found.items()}


def meeting_readings(child_ids):
    """(child id, meeting time, median, scale) for each of these children's meetings with a
    revealed scaling round: the median of its last revealed round."""
    scored = (select(Meeting.id, Meeting.child_id, Meeting.scheduled_at)
              .where(Meeting.child_id.in_(child_ids))
              .where(Meeting.id.in_(select(ScaleRound.meeting_id)
                                    .where(ScaleRound.status == REVEALED))))
    rows = db.session.execute(scored).all()
    medians = revealed_medians([meeting_id for meeting_id, _child, _at in rows])
    return [(child_id, at, *medians[meeting_id]) for meeting_id, child_id, at in rows
            if meeting_id in medians]


def on_scale(points, scale):
    return [(moment, value, what) for moment, value, what, name in points if name == scale.name]


def latest_and_direction(concern, points):
    """The child's latest reading and its movement since the one before, in words."""
    scale = concern.authority.scale
    points = on_scale(points, scale) or [(concern.raised_at, concern.scale, "concern")]
    latest = points[-1][1]
    if len(points) < 2:
        return latest, "first reading"
    return latest, scale.describe_change(latest - points[-2][1])


# ---- The overview ---------------------------------------------------------------------------

def overview(user, scope, pages=None, *, today=None):
    """The overview's lists for the children in `scope`; `pages` {section: page number}. One
    statement counts every list; each list's page is one more, and its readings a few."""
    today = today or clock.london_today()
    pages = pages or {}
    queries = {
        "concerns": open_concerns_query(scope),
        "calls": monitoring.contact_list_query(scope, today=today, due_only=True),
        "meetings": meetings_due_query(scope, today),
        "reviews": reviews_query(scope, today),
        "actions": overdue_actions(today, scope.holds),
        "moves": moves_query(scope, today),
    }
    # The counts a manager looks for first, beside the lists' own.
    queries["calls_overdue"] = monitoring.contact_list_query(scope, today=today,
                                                             overdue_only=True)
    queries["meetings_overdue"] = meetings_due_query(scope, today, overdue_only=True)
    totals = dict(zip(queries, counts_of(queries.values())))
    page = {name: page_of(queries[name], pages.get(name, 1), OVERVIEW_PER_PAGE,
                          total=totals[name], rows=name in WIDENED, widen=WIDENED.get(name))
            for name in SECTIONS}
    return {
        "today": today, "scope": scope, "overdue": {"calls": totals["calls_overdue"],
                                                    "meetings": totals["meetings_overdue"],
                                                    "actions": totals["actions"]},
        "concerns": open_concern_rows(page["concerns"]),
        "calls": monitoring.contact_rows(page["calls"], today),
        "meetings": page["meetings"].with_items([
            _meeting_row(deadline, concern, meeting, today)
            for deadline, concern, meeting in page["meetings"].items]),
        "reviews": page["reviews"].with_items([
            {"child": child, "day": day, "meeting": meeting,
             "what": f"Review of the {meeting.type.name}" if meeting
             else "Telephone monitoring period ends"}
            for day, child, meeting in page["reviews"].items]),
        "actions": page["actions"],
        "moves": page["moves"].with_items([
            {"child": child, "moves": moves, "latest": latest}
            for child, moves, latest in page["moves"].items]),
        "notices": monitoring.notices_for(user),
    }




def open_concerns_query(scope):
    """One row per child: their latest open concern, newest first."""
    ranked = (select(StabilityConcern.id, func.row_number().over(
        partition_by=StabilityConcern.child_id,
        order_by=(StabilityConcern.raised_at.desc(), StabilityConcern.id.desc())).label("n"))
        .where(OPEN_CONCERN, scope.holds(StabilityConcern.child_id))
        .subquery())
    return (select(StabilityConcern)
            .join(ranked, (ranked.c.id == StabilityConcern.id) & (ranked.c.n == 1))
            .options(joinedload(StabilityConcern.child).joinedload(Child.team))
            .order_by(StabilityConcern.raised_at.desc(), StabilityConcern.id.desc()))


def open_concern_rows(page):
    """Each child's latest scale reading and its direction, for a page of open concerns."""
    points = readings_for([concern.child_id for concern in page.items])
    rows = []
    for concern in page.items:
        latest, direction = latest_and_direction(concern, points.get(concern.child_id, []))
        rows.append({"concern": concern, "child": concern.child, "latest": latest,
                     "label": concern.authority.scale.label(int(latest))
                     if latest == int(latest) else "", "direction": direction})
    return page.with_items(rows)


def meetings_due_query(scope, today, *, overdue_only=False):
    """Meetings routes call for (open concerns' meeting steps) and meetings set up with a due
    date, by deadline, each with its concern or meeting; a meeting held already has met it,
    so one whose deadline has passed is overdue (`overdue_only`: those alone)."""
    start = clock.from_london(today, time.min)
    upcoming = select(Meeting.id).where(Meeting.scheduled_at >= start)
    called = (select(RouteTask.due_on.label("deadline"),
                     StabilityConcern.id.label("concern_id"),
                     StabilityConcern.meeting_id.label("meeting_id"))
              .join(StabilityConcern, StabilityConcern.id == RouteTask.concern_id)
              .where(MEETING_STEP, OPEN_CONCERN, scope.holds(StabilityConcern.child_id),
                     or_(StabilityConcern.meeting_id.is_(None),
                         StabilityConcern.meeting_id.in_(upcoming))))
    linked = (select(StabilityConcern.meeting_id)
              .join(RouteTask, RouteTask.concern_id == StabilityConcern.id)
              .where(MEETING_STEP, OPEN_CONCERN, StabilityConcern.meeting_id.is_not(None)))
    booked = (select(Meeting.due_by.label("deadline"), null().label("concern_id"),
                     Meeting.id.label("meeting_id"))
              .where(Meeting.due_by.is_not(None), Meeting.status == OPEN,
                     Meeting.scheduled_at >= start, scope.holds(Meeting.child_id),
                     Meeting.id.not_in(linked)))
    both = union_all(called, booked).subquery()
    query = (select(both.c.deadline, both.c.concern_id, both.c.meeting_id)
             .order_by(both.c.deadline, both.c.meeting_id, both.c.concern_id))
    return query.where(both.c.deadline < today) if overdue_only else query


def _meetings_shown(page):
    """A page of meetings due, each with its concern or meeting (and their child and type)."""
    return (select(page.c.deadline, StabilityConcern, Meeting).select_from(page)
            .outerjoin(StabilityConcern, StabilityConcern.id == page.c.concern_id)
            .outerjoin(Meeting, Meeting.id == page.c.meeting_id)
            .options(joinedload(StabilityConcern.child), joinedload(Meeting.child),
                     joinedload(Meeting.type))
            .order_by(page.c.deadline, page.c.meeting_id, page.c.concern_id))


def _meeting_row(deadline, concern, meeting, today):
    if meeting is None:
        state = "overdue" if deadline < today else "due"
    elif clock.london_today(meeting.scheduled_at) > deadline:
        state = "overdue" if deadline < today else "booked late"
    else:
        state = "arranged"
    child = meeting.child if meeting is not None else concern.child
    return {"child": child, "deadline": deadline, "meeting": meeting, "state": state,
            "concern": concern}


def reviews_query(scope, today):
    """Review dates in the next two weeks: the review dates meetings decided, and the end of
    each placement's telephone monitoring; each with its child and meeting."""
    horizon = today + REVIEW_WINDOW
    ending = (select(MonitoredPlacement.ends_on.label("day"),
                     MonitoredPlacement.child_id.label("child_id"),
                     null().label("meeting_id"))
              .where(ON_CONTACT_LIST,
                     MonitoredPlacement.ends_on >= today, MonitoredPlacement.ends_on <= horizon,
                     scope.holds(MonitoredPlacement.child_id)))
    decided = (select(Decision.review_date.label("day"), Meeting.child_id.label("child_id"),
                      Meeting.id.label("meeting_id"))
               .join(Meeting, Meeting.id == Decision.meeting_id)
               .where(Decision.review_date >= today, Decision.review_date <= horizon,
                      scope.holds(Meeting.child_id)))
    both = union_all(ending, decided).subquery()
    return (select(both.c.day, both.c.child_id, both.c.meeting_id)
            .order_by(both.c.day, both.c.child_id, both.c.meeting_id))


def _reviews_shown(page):
    return (select(page.c.day, Child, Meeting).select_from(page)
            .join(Child, Child.id == page.c.child_id)
            .outerjoin(Meeting, Meeting.id == page.c.meeting_id)
            .options(joinedload(Meeting.type))
            .order_by(page.c.day, page.c.child_id, page.c.meeting_id))


def moves_query(scope, today):
    """The 2+ list: children with two or more placement moves in the last twelve months, the
    most recently moved first, with how many moves and the latest."""
    since = today - relativedelta(months=12)
    counted = (select(PlacementMove.child_id, func.count().label("moves"),
                      func.max(PlacementMove.moved_on).label("latest"))
               .where(PlacementMove.moved_on > since, scope.holds(PlacementMove.child_id))
               .group_by(PlacementMove.child_id)
               .having(func.count() >= MOVES_FOR_LIST).subquery())
    return (select(counted.c.child_id, counted.c.moves, counted.c.latest)
            .order_by(counted.c.latest.desc(), counted.c.child_id))


def _moves_shown(page):
    return (select(Child, page.c.moves, page.c.latest)
            .join(page, page.c.child_id == Child.id)
            .order_by(page.c.latest.desc(), Child.id))


# The lists found by a narrow query (dates and ids) and then joined, a page at a time, to the
# records they show: the database reads a page's rows, not every row the list could show.
WIDENED = {"meetings": _meetings_shown, "reviews": _reviews_shown, "moves": _moves_shown}


# ---- A child's placement history ------------------------------------------------------------

def history(child):
    """Every concern, call, meeting and move for the child in time order, and the chart."""
    concerns = db.session.scalars(select(StabilityConcern).filter_by(
        child_id=child.id).options(joinedload(StabilityConcern.authority))
        .order_by(StabilityConcern.raised_at)).all()
    entries = [{"at": c.raised_at, "kind": "concern", "scale": c.scale, "record": c}
               for c in concerns]
    placements = db.session.scalars(select(MonitoredPlacement).filter_by(
        child_id=child.id).order_by(MonitoredPlacement.id)).all()
    calls = db.session.scalars(select(MonitoringCall).join(MonitoredPlacement).where(
        MonitoredPlacement.child_id == child.id)).all()
    entries += [{"at": call.called_at, "kind": "call", "scale": call.scale, "record": call}
                for call in calls]
    meetings = db.session.scalars(select(Meeting).filter_by(child_id=child.id)
                                  .options(joinedload(Meeting.type))).all()
    medians = revealed_medians([meeting.id for meeting in meetings])
    entries += [{"at": meeting.scheduled_at, "kind": "meeting", "record": meeting,
                 "scale": medians.get(meeting.id, (None, None))[0]} for meeting in meetings]
    entries += [{"at": clock.from_london(move.moved_on, time(12)), "kind": "move",
                 "scale": None, "record": move}
                for move in db.session.scalars(select(PlacementMove).filter_by(
                    child_id=child.id))]
    entries.sort(key=lambda e: (e["at"], e["kind"]))
    scale = concerns[-1].authority.scale if concerns else None
    points = [(e["at"], e["scale"], e["kind"]) for e in entries if e["kind"] != "move"
              and e["scale"] is not None and _scale_of(e, medians).name == scale.name] \
        if scale else []
    return {"child": child, "entries": entries, "scale": scale,
            "chart": scale_chart(scale, points) if scale else None,
            "concerns": concerns, "placements": placements,
            "active": [p for p in placements if monitoring.is_monitored(p)]}


def _scale_of(entry, medians):
    record = entry["record"]
    if entry["kind"] == "meeting":
        return medians[record.id][1]
    if entry["kind"] == "call":
        return record.placement.concern.authority.scale
    return record.authority.scale
