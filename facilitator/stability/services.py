"""Stability concerns (the consultation record), their confirmed routes and tasks, calling the
meeting a route names, and placement moves.

Nothing here changes a meeting, so it does not go through live.record_change; every row keeps
who made it and when, and every later change its own who and when."""
from datetime import date

from flask import current_app

from facilitator import clock
from facilitator.accounts.models import User
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Child, MeetingType
from facilitator.stability import monitoring, routing
from facilitator.stability.checks import not_in_future, whole_number
from facilitator.stability.models import (
    INVOLVEMENT,
    Authority,
    PlacementMove,
    RouteTask,
    StabilityConcern,
    Team,
)
from facilitator.text import clean_text

NAME_LIMIT = 120
TEXT_LIMIT = 4000
LIST_LIMIT = 500
NO_CONCERN = "That concern could not be found."


# ---- Data: authorities and teams --------------------------------------------------------------

def authority(code=None):
    """The authority a new concern follows: FACILITATOR_AUTHORITY unless `code` says."""
    found = db.session.get(Authority, code or current_app.config["FACILITATOR_AUTHORITY"])
    if found is None:
        raise Refused("This service has no stability procedure set up for that authority.")
    return found


def teams():
    return db.session.scalars(db.select(Team).order_by(Team.name)).all()


def staff(team_id=None):
    """Active staff by name; of one team when `team_id` says."""
    query = db.select(User).filter_by(active=True).order_by(User.name)
    if team_id:
        query = query.filter_by(team_id=team_id)
    return db.session.scalars(query).all()


def _team(team_id):
    if team_id in (None, ""):
        return None
    team = db.session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None:
        raise Refused("Choose the child's team.", field="team")
    return team


# ---- The consultation record ------------------------------------------------------------------

def record_concern(user, *, case_reference, child_name, raised_by, relationship, raised_at,
                   concern, scale, team_id=None, involvement=None, involvement_worker=None,
                   first_consultation=None, earlier_consultations=None, notice_given=None,
                   immediate_risk=None, outcome="", sent_to="", named_worker_id=None,
                   authority_code=None):
    """The officer records a concern; the authority's rules propose its route at once."""
    chosen = authority(authority_code)
    asks = chosen.asks
    fields = {
        "raised_by": clean_text(raised_by, label="who raised the concern", limit=NAME_LIMIT,
                                field="raised_by"),
        "relationship_to_child": clean_text(relationship, limit=NAME_LIMIT,
                                            label="their relationship to the child",
                                            field="relationship"),
        "raised_at": not_in_future(raised_at, "the concern was raised", "raised_on"),
        "concern": clean_text(concern, label="the issue or concern", limit=TEXT_LIMIT,
                              field="concern"),
        "scale": whole_number(scale, chosen.scale),
        "outcome": clean_text(outcome, label="the outcome", limit=TEXT_LIMIT, required=False,
                              field="outcome"),
        "sent_to": clean_text(sent_to, label="who the record was sent to", limit=LIST_LIMIT,
                              required=False, field="sent_to"),
        "team": _team(team_id), "named_worker_id": _named_worker(named_worker_id),
    }
    if asks.get("involvement"):
        fields.update(_involvement(involvement, involvement_worker, first_consultation,
                                   earlier_consultations, notice_given))
    if asks.get("immediate_risk"):
        if immediate_risk not in (True, False):
            raise Refused("Say whether the placement is at immediate risk of breaking down.",
                          field="immediate_risk")
        fields["immediate_risk"] = immediate_risk
    child = meetings.child_for(case_reference, child_name)
    rule = routing.propose(chosen, scale=fields["scale"],
                           involvement=fields.get("involvement") not in (None, "none"),
                           immediate_risk=fields.get("immediate_risk"))
    record = StabilityConcern(child=child, authority_code=chosen.code, created_by_id=user.id,
                              proposed_route=rule["key"] if rule else "", **fields)
    _keep_on_child(child, team=fields["team"], worker_id=fields["named_worker_id"])
    db.session.add(record)
    db.session.commit()
    return record


def _involvement(involvement, worker, first, earlier, notice):
    """Seed 001, 5.2-5.3: current AST or CAMHS involvement (and the named worker), whether
    this is the first consultation (or when the earlier ones were), and 28 days' notice."""
    if involvement not in INVOLVEMENT:
        raise Refused("Say whether the child is currently involved with the Adolescent Support "
                      "Team or CAMHS.", field="involvement")
    involved = involvement != "none"
    fields = {"involvement": involvement,
              "involvement_worker": clean_text(worker, limit=200, required=involved,
                                               label="the name of the AST or CAMHS worker",
                                               field="involvement_worker")
              if involved else None}
    if first not in (True, False):
        raise Refused("Say whether this is the first consultation about this placement.",
                      field="first_consultation")
    fields["first_consultation"] = first
    fields["earlier_consultations"] = None if first else clean_text(
        earlier, label="the dates of the earlier consultations", limit=LIST_LIMIT,
        field="earlier_consultations")
    fields["notice_given"] = notice if notice in (True, False) else None
    return fields


def _named_worker(user_id):
    if user_id in (None, ""):
        return None
    worker = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if worker is None or not worker.active:
        raise Refused("Choose the named worker from the list of staff.", field="named_worker")
    return worker.id


def concern_by_id(concern_id):
    found = db.session.get(StabilityConcern, concern_id) if isinstance(concern_id, int) else None
    if found is None:
        raise Refused(NO_CONCERN, 404)
    return found


def involvement_label(record):
    return INVOLVEMENT.get(record.involvement or "", "")


# ---- The route ----------------------------------------------------------------------------

def confirm_route(user, concern_id, route_key, *, reason=None, call_who=None):
    """The officer accepts the proposed route, or chooses another with a reason. The route's
    tasks are created with their due dates, counted from when the concern was raised; a route
    with telephone monitoring puts the placement on the contact list."""
    record = concern_by_id(concern_id)
    if record.route is not None:
        raise Refused("The route for this concern has already been confirmed.", 409)
    rule = record.authority.rule(route_key or "")
    if rule is None:
        raise Refused("Choose a route.", field="route")
    why = None
    if rule["key"] != record.proposed_route:
        why = clean_text(reason, label="the reason for choosing a different route",
                         limit=TEXT_LIMIT, field="reason")
    now = clock.utcnow()
    for position, step in enumerate(rule["tasks"], start=1):
        moment, whole_day = routing.due_at(step.get("due"), record.raised_at)
        db.session.add(RouteTask(concern=record, position=position, what=step["what"],
                                 who=step["who"], due_at=moment, whole_day=whole_day,
                                 due_on=clock.london_today(moment) if moment else None,
                                 rule=routing.describe_due(step.get("due")),
                                 is_meeting=bool(step.get("calls_meeting")),
                                 created_by_id=user.id, created_at=now))
    record.route, record.override_reason = rule["key"], why
    record.confirmed_at, record.confirmed_by_id = now, user.id
    if rule.get("monitoring"):
        who = call_who if (call_who or "").strip() else monitoring.default_call_who(record)
        monitoring.add_to_contact_list(user, record, call_who=who,
                                       every_days=rule["monitoring"]["every_days"],
                                       weeks=rule["monitoring"]["weeks"])
    db.session.commit()
    return record


def complete_task(user, task_id):
    task = db.session.get(RouteTask, task_id) if isinstance(task_id, int) else None
    if task is None:
        raise Refused("That task could not be found.", 404)
    if task.done_at is not None:
        raise Refused("That task is already done.", 409)
    task.done_at, task.done_by_id = clock.utcnow(), user.id
    db.session.commit()
    return task


def close_concern(user, concern_id):
    record = concern_by_id(concern_id)
    if not record.is_open:
        raise Refused("This concern is already closed.", 409)
    record.closed_at, record.closed_by_id = clock.utcnow(), user.id
    db.session.commit()
    return record


def task_is_late(task, now=None):
    return task.done_at is None and task.due_at is not None and task.due_at < (now or
                                                                              clock.utcnow())


# ---- Calling the meeting --------------------------------------------------------------------

def meeting_task(record):
    return next((t for t in record.tasks if t.is_meeting), None)


def meeting_type_for(record):
    """The meeting type the route names, or the authority's escalation meeting."""
    rule = record.route_rule or {}
    code = (rule.get("meeting") or {}).get("type") or record.authority.monitoring["meeting"]
    return db.session.get(MeetingType, code)


def suggested_attendees(record):
    """Who the meeting should invite: the people named on the concern, then the roles the
    meeting type expects in the room."""
    people = [monitoring.default_call_who(record)]
    if record.involvement_worker:
        people.append(f"{record.involvement_worker} ({involvement_label(record)})")
    if record.named_worker_id:
        people.append(f"{db.session.get(User, record.named_worker_id).name} (named worker)")
    meeting_type = meeting_type_for(record)
    if meeting_type is not None:
        people += [role["who"] for role in meeting_type.roles if role.get("expect") == "attend"]
    return people


def can_call_meeting(record):
    """No meeting yet, or the last one called from this concern has been held (an escalation
    after it may need another)."""
    return record.meeting is None or record.meeting.scheduled_at < clock.utcnow()


def meeting_prefill(record):
    """What the meeting form starts with when the meeting is called from a concern."""
    if not can_call_meeting(record):
        raise Refused("A meeting has already been set up for this concern.", 409)
    rule = record.route_rule or {}
    risk = (rule.get("meeting") or {}).get("immediate_risk", record.immediate_risk)
    meeting_type = meeting_type_for(record)
    return {"concern": record, "type_code": meeting_type.code if meeting_type else None,
            "case_reference": record.child.case_reference, "child_name": record.child.name,
            "immediate_risk": {True: "yes", False: "no"}.get(risk),
            "suggested": suggested_attendees(record)}


def link_meeting(user, concern_id):
    """For meetings.create_meeting(link=…): ties the new meeting to the concern in the same
    transaction, marks the route's meeting step done, and returns what the meeting's first
    event records (the concern and the suggested attendees)."""
    record = concern_by_id(concern_id)
    meeting_prefill(record)  # refuses a second meeting for the same concern

    def link(meeting):
        if meeting.child_id != record.child_id:
            raise Refused("A meeting called from a concern must be about the same child.")
        record.meeting_id = meeting.id
        task = meeting_task(record)
        if task is not None and task.done_at is None:
            task.done_at, task.done_by_id = clock.utcnow(), user.id
        return {"concern": record.id, "suggested": suggested_attendees(record)}
    return link


def due_from(concern_id):
    """The day a meeting called from a concern counts its due date from: when it was raised."""
    return clock.london_today(concern_by_id(concern_id).raised_at)


# ---- Placement moves ------------------------------------------------------------------------

def record_move(user, *, case_reference, child_name, moved_on, from_placement, to_placement,
                reason, team_id=None):
    if not isinstance(moved_on, date):
        raise Refused("Enter the date of the move.", field="moved_on")
    if moved_on > clock.london_today():
        raise Refused("The date of the move cannot be in the future.", field="moved_on")
    move = PlacementMove(
        from_placement=clean_text(from_placement, label="the placement they moved from",
                                  limit=200, field="from_placement"),
        to_placement=clean_text(to_placement, label="the placement they moved to", limit=200,
                                field="to_placement"),
        reason=clean_text(reason, label="the reason for the move", limit=TEXT_LIMIT,
                          field="reason"),
        team=_team(team_id), moved_on=moved_on, created_by_id=user.id)
    move.child = meetings.child_for(case_reference, child_name)
    _keep_on_child(move.child, team=move.team)
    db.session.add(move)
    db.session.commit()
    return move


def _keep_on_child(child, *, team=None, worker_id=None):
    """The latest record naming a team or worker is the child's team or worker."""
    if team is not None:
        child.team = team
    if worker_id is not None:
        child.worker_id = worker_id


def child_by_id(child_id):
    child = db.session.get(Child, child_id) if isinstance(child_id, int) else None
    if child is None:
        raise Refused("That child could not be found.", 404)
    return child
