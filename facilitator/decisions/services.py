"""The meeting's decision and what it heard from the child and each agency.

What a type asks for is its data (`MeetingType.rules`, set by migration 0005): `decision`
(outcomes, and who approves a planned move), `review_date`, `review_within_weeks` (the
Multi-Agency meeting warns beyond six weeks), `monitoring` (telephone monitoring choices, in
days) and `notify` (IRO, CAFCASS). Every change is one `record_change`.

Read functions for other domains: `decision_for`, `voices_for`, `monitoring_label`.
"""
from datetime import datetime, timedelta

from facilitator import clock
from facilitator.accounts.models import User
from facilitator.actions import services as actions
from facilitator.decisions.models import VIEW_SOURCES, AgencyOffer, ChildView, Decision
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import CHAIR, Participant
from facilitator.stability import monitoring
from facilitator.stability.models import StabilityConcern
from facilitator.text import clean_text

RATIONALE_LIMIT = 2000
VIEW_LIMIT = 1000
OFFER_LIMIT = 1000
AGENCY_LIMIT = 120


# ---- What the type asks for ----------------------------------------------------------------

def outcomes(meeting_type):
    return meeting_type.rules.get("decision", {}).get("outcomes", {})


def approvers(meeting_type):
    return meeting_type.rules.get("decision", {}).get("approvers", {})


def monitoring_choices(meeting_type):
    return meeting_type.rules.get("monitoring", [])


def monitoring_label(meeting_type, days):
    """"Weekly" for 7 days on a type that offers it; "Every N days" otherwise."""
    if days is None:
        return ""
    return next((c["label"] for c in monitoring_choices(meeting_type) if c["days"] == days),
                f"Every {days} days")


def notify_kinds(meeting_type):
    return meeting_type.rules.get("notify", [])


def has_decision(meeting_type):
    rules = meeting_type.rules
    return not meeting_type.is_panel and any(
        rules.get(key) for key in ("decision", "review_date", "monitoring", "notify"))


def review_warning(meeting, decision):
    """The Multi-Agency meeting agrees a review within six weeks (seed 001): say so when the
    date chosen is later."""
    weeks = meeting.type.rules.get("review_within_weeks")
    if not weeks or decision is None or decision.review_date is None:
        return None
    latest = actions.meeting_day(meeting) + timedelta(weeks=weeks)
    if decision.review_date <= latest:
        return None
    return (f"The review date is more than {weeks} weeks after the meeting (the latest within "
            f"{weeks} weeks is {latest:%-d %B %Y}).")


# ---- Changes -------------------------------------------------------------------------------

def _chair_only(seat, message):
    if seat.meeting_role != CHAIR:
        raise Refused(message, 403)


def _checked(meeting, fields, notifications):
    """The decision's fields from the form, checked against the type's data."""
    kind = meeting.type
    chosen = {}
    if outcomes(kind):
        outcome = actions.choice(fields.get("outcome"))
        if outcome not in outcomes(kind):
            raise Refused("Choose the decision about the placement.", field="outcome")
        chosen["outcome"] = outcome
        chosen["approval_by"] = None
        if outcomes(kind)[outcome].get("needs_approval"):
            approval = actions.choice(fields.get("approval_by"))
            if approval not in approvers(kind):
                raise Refused("A planned move needs approval: choose who approves it.",
                              field="approval_by")
            chosen["approval_by"] = approval
    chosen["rationale"] = clean_text(fields.get("rationale"), label="the reasons",
                                     limit=RATIONALE_LIMIT, required=False,
                                     field="rationale") or None
    if kind.rules.get("review_date"):
        review = actions.parse_date(fields.get("review_date"), "the review date",
                                    "review_date")
        if review is None:
            raise Refused("Enter the review date.", field="review_date")
        if review < actions.meeting_day(meeting):
            raise Refused("The review date cannot be before the meeting.",
                          field="review_date")
        chosen["review_date"] = review
    if monitoring_choices(kind):
        days = actions.choice(fields.get("monitoring_days")) or str(
            fields.get("monitoring_days") or "")
        if not any(str(c["days"]) == days for c in monitoring_choices(kind)):
            raise Refused("Choose how often the placement is monitored by telephone.",
                          field="monitoring_days")
        chosen["monitoring_days"] = int(days)
    ticks = {}
    for entry in notify_kinds(kind):
        needed = actions.choice(fields.get(f"notify_{entry['key']}")) in ("1", "on", "true")
        earlier = notifications.get(entry["key"], {})
        ticks[entry["key"]] = {"needed": needed, "done_at": earlier.get("done_at") if needed
                               else None, "by": earlier.get("by") if needed else None}
    chosen["notifications"] = ticks
    return chosen


def record_decision(meeting_id, actor, fields, key=None):
    """The chair records (or changes) the decision, the review date, monitoring and who must
    be told. "Before the review" actions follow a new review date."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can record the decision.")
        if not has_decision(meeting.type):
            raise Refused("This kind of meeting does not record a decision here.", 409)
        decision = decision_for(meeting_id)
        chosen = _checked(meeting, fields, decision.notifications if decision else {})
        if decision is None:
            decision = Decision(meeting_id=meeting_id, recorded_by_id=seat.id,
                                recorded_at=clock.utcnow())
            db.session.add(decision)
        for name, value in chosen.items():
            setattr(decision, name, value)
        decision.updated_at = clock.utcnow()
        db.session.flush()
        redated = actions.review_date_changed(meeting_id, decision.review_date)
        return {"decision": decision.id, "redated": redated,
                "review_date": decision.review_date.isoformat()
                if decision.review_date else None}
    event = record_change(meeting_id, "decisions.recorded", change, actor=actor, key=key)
    _monitor_as_agreed(meeting_id)
    return event


def _monitor_as_agreed(meeting_id):
    """A meeting called from a stability concern that agrees a frequency of telephone
    monitoring puts (or keeps) the placement on the contact list at that frequency."""
    decision = decision_for(meeting_id)
    concern = db.session.scalar(db.select(StabilityConcern).filter_by(meeting_id=meeting_id))
    if decision is None or not decision.monitoring_days or concern is None:
        return
    chair = db.session.get(Participant, decision.recorded_by_id)
    by = db.session.get(User, chair.user_id or concern.created_by_id)
    monitoring.start_monitoring(by, concern.id, every_days=decision.monitoring_days,
                                meeting_id=meeting_id)


def mark_notified(meeting_id, actor, kind, key=None):
    """A tick when the IRO (or CAFCASS) has been told, with who and when."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        if not seat.runs_meeting:
            raise Refused("Only the chair or the minute taker can tick this.", 403)
        decision = decision_for(meeting_id)
        labels = {entry["key"]: entry["label"] for entry in notify_kinds(meeting.type)}
        if decision is None or actions.choice(kind) not in labels:
            raise Refused("Record the decision and who must be told first.", 409)
        entry = decision.notifications.get(kind, {})
        if not entry.get("needed"):
            raise Refused(f"{labels[kind]} is not marked as needing to be told.", 409)
        if entry.get("done_at"):
            raise Refused(f"{labels[kind]} is already ticked as told.", 409)
        decision.notifications = {**decision.notifications, kind: {
            "needed": True, "done_at": clock.utcnow().isoformat(timespec="seconds"),
            "by": seat.name}}
        return {"decision": decision.id, "kind": kind}
    return record_change(meeting_id, "decisions.notified", change, actor=actor, key=key)


def add_view(meeting_id, actor, source, text, key=None):
    """The child's views, wishes and feelings: anyone admitted records them."""
    if actions.choice(source) not in VIEW_SOURCES:
        raise Refused("Choose how the child's views were given.", field="source")
    words = clean_text(text, label="the child's views", limit=VIEW_LIMIT, field="words")

    def change():
        _, seat = acting_seat(meeting_id, actor)
        view = ChildView(meeting_id=meeting_id, source=source, text=words,
                         added_by_id=seat.id, added_at=clock.utcnow())
        db.session.add(view)
        db.session.flush()
        return {"view": view.id}
    return record_change(meeting_id, "decisions.view_added", change, actor=actor, key=key)


def save_offer(meeting_id, actor, agency, offer, key=None):
    """"What support can your agency provide?": one entry per agency; saving again for the
    same agency replaces it."""
    name = clean_text(agency, label="the agency's name", limit=AGENCY_LIMIT, field="agency")
    words = clean_text(offer, label="the support the agency can provide", limit=OFFER_LIMIT,
                       field="offer")

    def change():
        _, seat = acting_seat(meeting_id, actor)
        entry = db.session.scalar(db.select(AgencyOffer).filter_by(
            meeting_id=meeting_id, agency_key=name.casefold()))
        if entry is None:
            entry = AgencyOffer(meeting_id=meeting_id, agency_key=name.casefold())
            db.session.add(entry)
        entry.agency, entry.offer, entry.added_by_id = name, words, seat.id
        entry.updated_at = clock.utcnow()
        db.session.flush()
        return {"offer": entry.id}
    return record_change(meeting_id, "decisions.offer_saved", change, actor=actor, key=key)


# ---- Reading -------------------------------------------------------------------------------

def decision_for(meeting_id):
    return db.session.scalar(db.select(Decision).filter_by(meeting_id=meeting_id))


def voices_for(meeting_id):
    """The child's views (oldest first) and each agency's offer (by agency)."""
    return {
        "views": db.session.scalars(db.select(ChildView).filter_by(meeting_id=meeting_id)
                                    .order_by(ChildView.id)).all(),
        "offers": db.session.scalars(db.select(AgencyOffer).filter_by(meeting_id=meeting_id)
                                     .order_by(AgencyOffer.agency_key)).all(),
    }


def decision_view(meeting, decision=None):
    """The decision as every view shows it, with its labels from the type's data."""
    decision = decision if decision is not None else decision_for(meeting.id)
    kind = meeting.type
    view = {"decision": decision, "outcomes": outcomes(kind), "approvers": approvers(kind),
            "monitoring": monitoring_choices(kind), "notify": notify_kinds(kind),
            "asks_review": bool(kind.rules.get("review_date")),
            "review_within_weeks": kind.rules.get("review_within_weeks"),
            "warning": review_warning(meeting, decision)}
    if decision is not None:
        outcome = outcomes(kind).get(decision.outcome or "", {})
        view.update(
            outcome_label=outcome.get("label", ""),
            approval_label=approvers(kind).get(decision.approval_by or "", ""),
            monitoring_label=monitoring_label(kind, decision.monitoring_days),
            ticks=[{**entry, **decision.notifications.get(entry["key"], {}),
                    "done_at": _moment(decision.notifications.get(entry["key"], {}))}
                   for entry in notify_kinds(kind)])
    return view


def _moment(entry):
    return datetime.fromisoformat(entry["done_at"]) if entry.get("done_at") else None
