"""Stability Actions: proposed by anyone admitted, confirmed or edited by the chair or minute
taker, then open, done or not done. Due dates are computed from the timescale and the meeting's
date in England, never typed (docs/architecture.md, "Dates are law"). Every change is one
`record_change` on a meeting, a status change made from the Child's Plan page included, so an
open meeting's pages update.

Read functions for other domains: `meeting_actions`, `actions_for_child`, `overdue_actions`.
"""
from datetime import date

from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.actions.models import (
    BEFORE_REVIEW,
    CARERS_RECORD,
    DESTINATIONS,
    DONE,
    NOT_DONE,
    ON_DATE,
    OPEN,
    OTHER_AGENCY,
    PROPOSED,
    TIMESCALES,
    WEEKS,
    WORKING_DAYS,
    Action,
)
from facilitator.decisions.models import Decision
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.live.models import MeetingEvent
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import ADMITTED, CHAIR, Meeting, Participant
from facilitator.text import clean_text

WHAT_LIMIT = 500
NAME_LIMIT = 120
NOTE_LIMIT = 1000
MAX_WORKING_DAYS = 130  # about six months
MAX_WEEKS = 52
NO_ACTION = "That action is not part of this meeting."
STATUS_CHOICES = {OPEN: "Open", DONE: "Done", NOT_DONE: "Not done"}


# ---- Due dates -----------------------------------------------------------------------------

def due_date(timescale, *, meeting_day, number=None, on_date=None, review_date=None):
    """The due date a timescale gives, counted from the meeting's day (on a working day:
    clock.due_day); None for "ongoing"."""
    if timescale == ON_DATE:
        return on_date
    if timescale == WORKING_DAYS:
        return clock.due_day(meeting_day, working_days=number)
    if timescale == WEEKS:
        return clock.due_day(meeting_day, weeks=number)
    if timescale == BEFORE_REVIEW:
        return review_date
    return None


def meeting_day(meeting):
    return clock.to_london(meeting.scheduled_at).date()


def review_date_of(meeting_id):
    return db.session.scalar(db.select(Decision.review_date).filter_by(meeting_id=meeting_id))


def choice(value):
    """A choice from a form or a socket message: a string, or "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def _whole(value, label, largest):
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not 1 <= int(text) <= largest:
        raise Refused(f"Enter the number of {label} as a whole number from 1 to {largest}.",
                      field="timescale_number")
    return int(text)


def parse_date(value, label, field=None):
    """A date from a form's date box (2026-12-14) or a date; None when left empty."""
    if isinstance(value, date) or value is None:
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(f"Enter {label} as a real date, for example 14/12/2026.", field=field)


def _timescale(meeting, fields):
    """(kind, number, due date) from the form, checked: the due date is never in the past."""
    kind = choice(fields.get("timescale"))
    if kind not in TIMESCALES:
        raise Refused("Choose a timescale for the action.", field="timescale")
    number = on_date = None
    if kind == WORKING_DAYS:
        number = _whole(fields.get("timescale_number"), "working days", MAX_WORKING_DAYS)
    elif kind == WEEKS:
        number = _whole(fields.get("timescale_number"), "weeks", MAX_WEEKS)
    elif kind == ON_DATE:
        on_date = parse_date(fields.get("due_date"), "the date it is due", "due_date")
        if on_date is None:
            raise Refused("Enter the date the action is due.", field="due_date")
    review = review_date_of(meeting.id)
    if kind == BEFORE_REVIEW and review is None:
        raise Refused("Set the review date first (under Decision and review), or choose "
                      "another timescale.", field="timescale")
    due = due_date(kind, meeting_day=meeting_day(meeting), number=number, on_date=on_date,
                   review_date=review)
    if due is not None and due < clock.london_today():
        # A date the person typed is that box's problem; a worked-out one, the timescale's.
        raise Refused(f"That timescale makes the action due on {due:%-d %B %Y}, which has "
                      "passed. Choose a later date or a longer timescale.",
                      field="due_date" if kind == ON_DATE else "timescale")
    return kind, number, due


# ---- What an action says, checked ---------------------------------------------------------

def _owner(meeting_id, fields):
    """A participant of the meeting (by id), or a named person or agency not in it."""
    owner = choice(fields.get("owner")) or str(fields.get("owner") or "")
    if owner == "other":
        name = clean_text(fields.get("owner_name"), label="who will do it", limit=NAME_LIMIT,
                          required=False, field="owner_name")
        if not name:
            raise Refused("Enter the name of the person or agency who will do it.",
                          field="owner_name")
        return None, name
    if not owner.isdigit():
        raise Refused("Choose who will do it, or name someone not in the meeting.",
                      field="owner")
    person = db.session.get(Participant, int(owner))
    if person is None or person.meeting_id != meeting_id or person.status != ADMITTED:
        raise Refused("That person is not in this meeting. Choose someone who is, or name "
                      "them under someone else.", field="owner")
    return person.id, None


def _apply_fields(action, meeting, fields):
    action.what = clean_text(fields.get("what"), label="what needs to happen",
                             limit=WHAT_LIMIT, field="what")
    action.owner_participant_id, action.owner_name = _owner(meeting.id, fields)
    action.timescale, action.timescale_number, action.due_on = _timescale(meeting, fields)
    destination = choice(fields.get("destination"))
    if destination not in DESTINATIONS:
        raise Refused("Choose where the action is recorded.", field="destination")
    action.destination = destination
    action.agency = None
    if destination == OTHER_AGENCY:
        action.agency = clean_text(fields.get("agency"), label="the other agency's name",
                                   limit=NAME_LIMIT, field="agency")
    action.for_iro = choice(fields.get("for_iro")) in ("1", "on", "true")


def payload(action):
    return {"action": action.id, "status": action.status,
            "due_on": action.due_on.isoformat() if action.due_on else None}


# ---- Changes -------------------------------------------------------------------------------

def propose(meeting_id, actor, fields, key=None):
    """Anyone admitted proposes an action; it counts once the chair or minute taker confirms
    it (their own are confirmed as they add them)."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        action = Action(meeting_id=meeting_id, child_id=meeting.child_id, status=PROPOSED,
                        proposed_by_id=seat.id, proposed_at=clock.utcnow())
        _apply_fields(action, meeting, fields)
        if seat.runs_meeting:  # the chair or minute taker adding one has agreed it already
            _confirm(action, seat)
        db.session.add(action)
        db.session.flush()
        return payload(action)
    return record_change(meeting_id, "actions.proposed", change, actor=actor, key=key)


def _runs_meeting(seat):
    if not seat.runs_meeting:
        raise Refused("Only the chair or the minute taker can confirm or change an action.",
                      403)


def _action(meeting_id, action_id):
    action = db.session.get(Action, action_id) if isinstance(action_id, int) else None
    if action is None or action.meeting_id != meeting_id:
        raise Refused(NO_ACTION, 404)
    return action


def _confirm(action, seat):
    if action.status == PROPOSED:
        action.status, action.confirmed_by_id, action.confirmed_at = OPEN, seat.id, clock.utcnow()


def confirm(meeting_id, actor, action_id, key=None):
    def change():
        _, seat = acting_seat(meeting_id, actor)
        _runs_meeting(seat)
        action = _action(meeting_id, action_id)
        if action.status != PROPOSED:
            raise Refused("That action is already confirmed.", 409)
        _confirm(action, seat)
        return payload(action)
    return record_change(meeting_id, "actions.confirmed", change, actor=actor, key=key)


def edit(meeting_id, actor, action_id, fields, *, and_confirm=False, key=None):
    """The chair or minute taker changes an action (and may confirm it in the same step)."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        _runs_meeting(seat)
        action = _action(meeting_id, action_id)
        _apply_fields(action, meeting, fields)
        if and_confirm:
            _confirm(action, seat)
        return payload(action)
    return record_change(meeting_id, "actions.edited", change, actor=actor, key=key)


def _set_status(action, seat, status, note):
    if not action.is_confirmed:
        raise Refused("Confirm the action before marking it done or not done.", 409)
    if choice(status) not in STATUS_CHOICES:
        raise Refused("Choose done, not done or open.", field="status")
    required = status in (DONE, NOT_DONE)
    text = clean_text(note, label="a note on what happened", limit=NOTE_LIMIT,
                      required=required, field="note") or None
    action.status, action.status_note = status, text
    action.status_set_at, action.status_set_by_id = clock.utcnow(), seat.id


def may_set_status(seat, action):
    """The action's owner, or the chair of its meeting."""
    return seat.meeting_role == CHAIR or (
        action.owner_participant_id is not None and action.owner_participant_id == seat.id)


def set_status(meeting_id, actor, action_id, status, note, key=None):
    """In a meeting: the owner or the chair marks one of its actions; in a review, the chair
    also updates the open actions carried forward from the child's earlier meetings."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        action = db.session.get(Action, action_id) if isinstance(action_id, int) else None
        if action is None:
            raise Refused(NO_ACTION, 404)
        if action.child_id != meeting.child_id:
            raise Refused("That action is on another child's plan.", 403)
        if action.meeting_id == meeting_id:
            if not may_set_status(seat, action):
                raise Refused("Only the action's owner or the chair can mark it done or not "
                              "done.", 403)
        elif not (carries_forward(meeting) and seat.meeting_role == CHAIR
                  and action in earlier_actions(meeting)):
            raise Refused(NO_ACTION, 404)
        _set_status(action, seat, status, note)
        return {**payload(action), "from_meeting": action.meeting_id}
    return record_change(meeting_id, "actions.status_set", change, actor=actor, key=key)


def set_status_from_plan(user, child_id, action_id, status, note):
    """From the Child's Plan page (staff): recorded on the action's own meeting, as its owner
    or its chair, so any page of that meeting still open updates live."""
    action = db.session.get(Action, action_id) if isinstance(action_id, int) else None
    if action is None or action.child_id != child_id:
        raise Refused("That action is not on this child's plan.", 404)
    seat = plan_seat(user, action)
    if seat is None:
        raise Refused("Only the action's owner or the chair of its meeting can mark it done "
                      "or not done.", 403)
    meeting_id = action.meeting_id

    def change():
        current = db.session.get(Action, action_id)
        _set_status(current, db.session.get(Participant, seat.id), status, note)
        return {**payload(current), "from_meeting": meeting_id}
    return record_change(meeting_id, "actions.status_set", change, actor=seat)


def plan_seat(user, action):
    """The member of staff's seat in the action's meeting, if it lets them set its status."""
    return plan_seats(user, [action]).get(action.id)


def plan_seats(user, actions):
    """{action id: the member of staff's seat in its meeting}, for the actions their seat lets
    them set the status of; one query for a whole Child's Plan."""
    meeting_ids = {action.meeting_id for action in actions}
    if user is None or not meeting_ids:
        return {}
    seats = {seat.meeting_id: seat for seat in db.session.scalars(db.select(Participant).filter(
        Participant.user_id == user.id, Participant.meeting_id.in_(meeting_ids)))}
    return {action.id: seats[action.meeting_id] for action in actions
            if action.meeting_id in seats and may_set_status(seats[action.meeting_id], action)}


def review_date_changed(meeting_id, review_date):
    """Inside the decision's change: "before the review" actions follow the new date."""
    changed = []
    for action in db.session.scalars(db.select(Action).filter_by(
            meeting_id=meeting_id, timescale=BEFORE_REVIEW)).all():
        if action.due_on != review_date:
            action.due_on = review_date
            changed.append(action.id)
    return changed


# ---- Reading -------------------------------------------------------------------------------

def meeting_actions(meeting_id):
    """Every action of one meeting, proposals included, in the order they were raised."""
    return db.session.scalars(db.select(Action).filter_by(meeting_id=meeting_id)
                              .order_by(Action.id)).all()


def _by_due_date(query):
    # Undated ("ongoing") actions last, then in the order they were raised.
    return query.order_by(Action.due_on.is_(None), Action.due_on, Action.id)


def actions_for_child(child_id, destination=None):
    """The Child's Plan: every confirmed action from all of the child's meetings."""
    query = (db.select(Action).filter(Action.child_id == child_id, Action.status != PROPOSED)
             .options(joinedload(Action.meeting).joinedload(Meeting.type),
                      joinedload(Action.owner)))
    if destination is not None:
        query = query.filter(Action.destination == destination)
    return db.session.scalars(_by_due_date(query)).all()


def carers_record(child_id):
    return actions_for_child(child_id, CARERS_RECORD)


def overdue_actions(today=None, holds=None):
    """Open confirmed actions past their due date, across every child (or those whose child
    `holds(Action.child_id)` allows), as a query to page: each comes with its child and owner."""
    today = today or clock.london_today()
    query = db.select(Action).filter(Action.status == OPEN, Action.due_on.is_not(None),
                                     Action.due_on < today)
    if holds is not None:
        query = query.filter(holds(Action.child_id))
    # Every one has a due date: ordered by it alone, the index hands over the first page.
    return query.order_by(Action.due_on, Action.id).options(
        joinedload(Action.child), joinedload(Action.owner))


# ---- The review's carry-forward ------------------------------------------------------------

def carries_forward(meeting):
    return bool(meeting.type.rules.get("carry_forward"))


def earlier_meetings(meeting):
    """The child's meetings before this one, oldest first."""
    return db.session.scalars(db.select(Meeting).filter(
        Meeting.child_id == meeting.child_id, Meeting.id != meeting.id,
        Meeting.scheduled_at <= meeting.scheduled_at)
        .order_by(Meeting.scheduled_at, Meeting.id)).all()


def earlier_actions(meeting):
    """What a review updates one by one: the open actions of the child's earlier meetings,
    and those this review has already updated (so they stay in the list with their status)."""
    earlier = [m.id for m in earlier_meetings(meeting)]
    if not earlier:
        return []
    updated = {event.payload.get("action") for event in db.session.scalars(
        db.select(MeetingEvent).filter_by(meeting_id=meeting.id, type="actions.status_set"))}
    updated.discard(None)
    query = db.select(Action).filter(Action.meeting_id.in_(earlier)).filter(
        (Action.status == OPEN) | Action.id.in_(sorted(updated)))
    return db.session.scalars(_by_due_date(query)).all()
