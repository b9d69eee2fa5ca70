"""Telephone monitoring (seed 001, 5.3, 5.7, 5.8, 5.10): the contact list, calls with the scale
at each call, due and overdue calls, escalation to the authority's concern band (the named
worker is told and a meeting is offered) and de-escalation back to weekly monitoring.

A call is due `every_days` after the last one (or after monitoring started) and overdue the
day after that; calls stop being due once the next one would fall after the end date, unless
the placement is escalated. All days are days in England; a call or an end date that would
fall on a weekend or bank holiday falls on the working day before (facilitator.clock)."""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.stability.checks import not_in_future, whole_number
from facilitator.stability.models import (
    ENDED,
    ESCALATED,
    MONITORING,
    ON_CONTACT_LIST,
    MonitoredPlacement,
    MonitoringCall,
    StabilityConcern,
    StabilityNotice,
)
from facilitator.text import clean_text

NOTE_LIMIT = 2000
MAX_EVERY_DAYS = 90
ESCALATION, DE_ESCALATION = "escalation", "de-escalation"
DUE, OVERDUE, UPCOMING, COMPLETE = "due", "overdue", "upcoming", "complete"
NOT_MONITORED = "That placement is not being monitored, so a call cannot be logged for it."


def _every_days(value):
    if not isinstance(value, int) or not 1 <= value <= MAX_EVERY_DAYS:
        raise Refused(f"Choose how often to call: every 1 to {MAX_EVERY_DAYS} days.")
    return value


def default_call_who(concern):
    """Whom to call unless the officer says otherwise: the person who raised the concern."""
    return f"{concern.raised_by} ({concern.relationship_to_child})"


def add_to_contact_list(user, concern, *, call_who, every_days, weeks, meeting_id=None):
    """Put the concern's placement on the contact list (the caller commits)."""
    today = clock.london_today()
    placement = MonitoredPlacement(
        child_id=concern.child_id, concern=concern, meeting_id=meeting_id,
        call_who=clean_text(call_who, label="who to call", limit=300),
        every_days=_every_days(every_days), starts_on=today,
        ends_on=clock.due_day(today, weeks=weeks), status=MONITORING, created_by_id=user.id)
    placement.next_due_on = next_due(placement)
    db.session.add(placement)
    return placement


def start_monitoring(user, concern_id, *, call_who=None, every_days=7, weeks=4,
                     meeting_id=None):
    """Monitor a concern's placement by telephone, weekly unless a meeting agreed another
    frequency (`every_days`, from that meeting's decision). A placement already on the list
    takes the new frequency and runs at least `weeks` from today."""
    concern = (db.session.get(StabilityConcern, concern_id)
               if isinstance(concern_id, int) else None)
    if concern is None:
        raise Refused("That concern could not be found.", 404)
    every_days = _every_days(every_days)
    current = active_placement(concern.id)
    if current is not None:
        current.every_days, current.meeting_id = every_days, meeting_id or current.meeting_id
        current.ends_on = max(current.ends_on, clock.due_day(clock.london_today(), weeks=weeks))
        if call_who:
            current.call_who = clean_text(call_who, label="who to call", limit=300)
        current.next_due_on = next_due(current)
        db.session.commit()
        return current
    placement = add_to_contact_list(user, concern, meeting_id=meeting_id, weeks=weeks,
                                    call_who=call_who or default_call_who(concern),
                                    every_days=every_days)
    db.session.commit()
    return placement


def active_placement(concern_id):
    placements = db.session.scalars(db.select(MonitoredPlacement).filter(
        MonitoredPlacement.concern_id == concern_id, MonitoredPlacement.status != ENDED)).all()
    return next((p for p in placements if is_monitored(p)), None)


def placement_by_id(placement_id):
    found = (db.session.get(MonitoredPlacement, placement_id)
             if isinstance(placement_id, int) else None)
    if found is None:
        raise Refused(NOT_MONITORED, 404)
    return found


# ---- Due and overdue ------------------------------------------------------------------------

def last_call(placement):
    """The latest call by when it was made (a call logged late may be an earlier one)."""
    return max(placement.calls, key=lambda c: (c.called_at, c.id or 0), default=None)


def next_due(placement):
    """The day the next call is due: `every_days` after the last call, or after the start; on
    the working day before when that is not one, but never the day of the last call itself."""
    last = last_call(placement)
    since = clock.london_today(last.called_at) if last else placement.starts_on
    return clock.on_or_before_working_day(since + timedelta(days=placement.every_days),
                                          not_before=since + timedelta(days=1))


def due_on(placement):
    """The day the next call is due, as kept on the placement (worked out if not yet kept)."""
    return placement.next_due_on or next_due(placement)


def state(placement, today=None):
    """due, overdue, upcoming, complete (the monitoring period has run out) or ended."""
    today = today or clock.london_today()
    if placement.status == ENDED:
        return ENDED
    due = due_on(placement)
    if placement.status != ESCALATED and due > placement.ends_on:
        return COMPLETE
    if due < today:
        return OVERDUE
    return DUE if due == today else UPCOMING


def is_monitored(placement, today=None):
    return state(placement, today) not in (ENDED, COMPLETE)


# ---- Calls ----------------------------------------------------------------------------------

def log_call(user, placement_id, *, called_at, scale, note):
    """Log a call. At the authority's concern band (borough 4-5) it is an escalation: the
    placement is escalated and the named worker told. Back out of the band it is a
    de-escalation: weekly monitoring again, for at least the authority's minimum weeks."""
    placement = placement_by_id(placement_id)
    if not is_monitored(placement):
        raise Refused(NOT_MONITORED)
    authority = placement.concern.authority
    call = MonitoringCall(placement=placement, created_by_id=user.id,
                          called_at=not_in_future(called_at, "of the call", "called_on"),
                          scale=whole_number(scale, authority.scale),
                          note=clean_text(note, label="a note of the call", limit=NOTE_LIMIT,
                                          field="note"))
    db.session.add(call)
    if authority.is_concern(call.scale) and placement.status != ESCALATED:
        call.change, placement.status = ESCALATION, ESCALATED
        _tell_named_worker(placement, call)
    elif not authority.is_concern(call.scale) and placement.status == ESCALATED:
        call.change, placement.status = DE_ESCALATION, MONITORING
        weekly = authority.monitoring
        placement.every_days = weekly["every_days"]
        placement.ends_on = max(placement.ends_on, clock.due_day(
            clock.london_today(call.called_at), weeks=weekly["weeks"]))
    placement.next_due_on = next_due(placement)
    db.session.commit()
    return call


def escalation_of(concern, call_id):
    """The escalating call `call_id` of this concern's monitoring, or None (for the page that
    follows an escalation: it offers the meeting)."""
    found = db.session.get(MonitoringCall, call_id) if isinstance(call_id, int) else None
    if found is None or found.change != ESCALATION or found.placement.concern_id != concern.id:
        return None
    return found


def _tell_named_worker(placement, call):
    concern = placement.concern
    scale = concern.authority.scale
    label = scale.label(call.scale)
    text = (f"Telephone monitoring for {concern.child.name} ({concern.child.case_reference}) "
            f"escalated to {call.scale}{f' ({label})' if label else ''}.")
    db.session.add(StabilityNotice(user_id=concern.named_worker_id or concern.created_by_id,
                                   child_id=concern.child_id, concern=concern, text=text))


def end_monitoring(user, placement_id, reason):
    placement = placement_by_id(placement_id)
    if placement.status == ENDED:
        raise Refused("Monitoring of this placement has already ended.", 409)
    placement.end_reason = clean_text(reason, label="why monitoring is ending",
                                      limit=NOTE_LIMIT, field="reason")
    placement.status, placement.ended_at, placement.ended_by_id = ENDED, clock.utcnow(), user.id
    db.session.commit()
    return placement


def contact_list_query(scope, *, today=None, due_only=False, overdue_only=False):
    """The contact list for the children in `scope`, soonest call first (with `due_only`, the
    calls due today and overdue; with `overdue_only`, the overdue). Placements whose monitoring
    period has run out are left off."""
    query = (select(MonitoredPlacement)
             .where(ON_CONTACT_LIST,
                    scope.holds(MonitoredPlacement.child_id))
             .options(joinedload(MonitoredPlacement.child),
                      joinedload(MonitoredPlacement.concern))
             .order_by(MonitoredPlacement.next_due_on, MonitoredPlacement.id))
    today = today or clock.london_today()
    if due_only:
        query = query.where(MonitoredPlacement.next_due_on <= today)
    if overdue_only:
        query = query.where(MonitoredPlacement.next_due_on < today)
    return query


def contact_rows(page, today=None):
    """A page of the contact list made ready to show: each placement's state and last call."""
    today = today or clock.london_today()
    last = last_calls([placement.id for placement in page.items])
    return page.with_items([
        {"placement": p, "state": state(p, today), "next_due": due_on(p),
         "last_call": last.get(p.id), "scale": last[p.id].scale if p.id in last
         else p.concern.scale} for p in page.items])


def last_calls(placement_ids):
    """{placement id: its latest call}, in one query."""
    if not placement_ids:
        return {}
    ranked = (select(MonitoringCall.id, func.row_number().over(
        partition_by=MonitoringCall.placement_id,
        order_by=(MonitoringCall.called_at.desc(), MonitoringCall.id.desc())).label("n"))
        .where(MonitoringCall.placement_id.in_(placement_ids)).subquery())
    calls = db.session.scalars(select(MonitoringCall).join(
        ranked, (ranked.c.id == MonitoringCall.id) & (ranked.c.n == 1)))
    return {call.placement_id: call for call in calls}


def notices_for(user):
    return db.session.scalars(db.select(StabilityNotice).filter_by(
        user_id=user.id, read_at=None).order_by(StabilityNotice.created_at.desc())).all()


def read_notice(user, notice_id):
    notice = db.session.get(StabilityNotice, notice_id) if isinstance(notice_id, int) else None
    if notice is None or notice.user_id != user.id:
        raise Refused("That message could not be found.", 404)
    notice.read_at = clock.utcnow()
    db.session.commit()
    return notice
