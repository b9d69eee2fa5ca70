"""Step Up / Step Down panels (seed 003).

Before the panel: a locality's fortnightly series (dates from dateutil's rrule over the meeting
type's `rules.series`), the meeting set up for one date, and each date's deadlines (papers in,
agenda out, outcomes out). In the panel: case slots with their criteria, each with its own
agenda item, and an outcome with a rationale that creates its follow-up deadlines.

Every change to a panel meeting is one `record_change` (docs/architecture.md, "One write
path"). All times are stored as naive UTC and computed from London wall-clock rules, so they
stay right across the clock changes; working days skip weekends and England and Wales bank
holidays, and a deadline that would fall on one of those falls on the working day before
(facilitator.clock).
"""
import calendar
from datetime import date, datetime, time, timedelta

from dateutil import rrule
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from facilitator import clock
from facilitator.agenda.models import AgendaItem
from facilitator.agenda.services import insert_item
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.meetings import services as meetings
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import CHAIR, Child, Meeting, MeetingType, Participant
from facilitator.panels.models import (
    DIRECTIONS,
    CaseSlot,
    Disagreement,
    FollowUp,
    Locality,
    PanelMeeting,
    PanelSeries,
)
from facilitator.text import clean_text

PANEL_TYPE = "step_up_step_down"
NEXT_DATES = 6
NAME_LIMIT = 120
RATIONALE_LIMIT = 2000
DISAGREEMENT_LIMIT = 1000
WEEKDAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR,
            "SA": rrule.SA, "SU": rrule.SU}

NO_CASE = "That case is not part of this panel."
ALREADY_SET_UP = "The panel meeting for that date is already set up."
# The criterion (panel type's data, step down) that booking the case with its lead person meets.
LEAD_PERSON = "lead_person"


# ---- Series and dates ---------------------------------------------------------------------

def _series_rule(rules):
    """(weekday, London time of day, interval in weeks) from a panel type's `rules.series`."""
    series = rules["series"]
    return (WEEKDAYS[series["weekday"]], time.fromisoformat(series["time"]),
            int(series.get("interval_weeks", 1)))


def describe_rule(rules):
    """"every 2 weeks on Wednesday at 14:00", from a panel type's `rules.series`."""
    weekday, at, weeks = _series_rule(rules)
    every = "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"{every} on {calendar.day_name[weekday.weekday]} at {at:%H:%M}"


def recurrence(series):
    """The series as a dateutil rrule over London wall-clock times (naive)."""
    weekday, at, weeks = _series_rule(_type_rules(series.type_code))
    return rrule.rrule(rrule.WEEKLY, interval=weeks, byweekday=weekday,
                       dtstart=datetime.combine(series.first_date, at))


def next_dates(series, count=NEXT_DATES, today=None):
    """The series' next `count` panel dates, from today (London) on."""
    today = today or clock.london_today()
    start = datetime.combine(today, time.min)
    return [moment.date() for moment in recurrence(series).xafter(start, count=count, inc=True)]


def panel_starts_at(rules, day):
    """A panel on `day` starts at the series time, London, as UTC."""
    _, at, _ = _series_rule(rules)
    return clock.from_london(day, at)


def _usual_day(rules, key, starts_at):
    """The day the rule names for the papers or the agenda ("the Wednesday before")."""
    return clock.to_london(starts_at).date() - timedelta(days=rules[key]["days_before"])


def deadlines(rules, starts_at):
    """Papers due, agenda out and outcomes out for a panel starting at `starts_at` (UTC). The
    papers and the agenda keep their time of day; on a day that is not a working day they are
    brought forward to the working day before (the outcomes count working days)."""
    def before(key):
        return clock.from_london(clock.on_or_before_working_day(_usual_day(rules, key, starts_at)),
                                 time.fromisoformat(rules[key]["time"]))

    outcomes_out, _ = clock.deadline(starts_at, rules["outcomes_out"])
    return {"papers_due": before("papers_due"), "agenda_out": before("agenda_out"),
            "outcomes_out": outcomes_out}


def brought_forward(rules, starts_at):
    """{"papers_due" or "agenda_out": the day the rule names} for each of the two that was
    brought forward from a weekend or bank holiday, for the pages to say so."""
    usual = {key: _usual_day(rules, key, starts_at) for key in ("papers_due", "agenda_out")}
    return {key: day for key, day in usual.items() if not clock.is_working_day(day)}


def _type_rules(type_code):
    return db.session.get(MeetingType, type_code).rules


def panel_type_rules(type_code=PANEL_TYPE):
    return _type_rules(type_code)


def describe_series(series):
    return describe_rule(_type_rules(series.type_code))


def localities():
    return db.session.scalars(db.select(Locality).order_by(Locality.name)).all()


def create_series(user, *, locality_id, first_date, type_code=PANEL_TYPE):
    """A member of staff starts a locality's series on its first panel date."""
    locality = db.session.get(Locality, locality_id) if isinstance(locality_id, int) else None
    if locality is None:
        raise Refused("Choose a locality.", field="locality")
    meeting_type = db.session.get(MeetingType, type_code)
    if meeting_type is None or not meeting_type.is_panel:
        raise Refused("Choose a type of panel.")
    if not isinstance(first_date, date):
        raise Refused("Enter the date of the first panel.", field="first_date")
    weekday, _, _ = _series_rule(meeting_type.rules)
    if first_date.weekday() != weekday.weekday:
        day_name = calendar.day_name[weekday.weekday]
        raise Refused(f"Choose a {day_name}: this panel meets on {day_name}s.",
                      field="first_date")
    duplicate = db.session.scalar(db.select(PanelSeries).filter_by(
        locality_id=locality.id, type_code=type_code, first_date=first_date))
    if duplicate is not None:
        raise Refused(f"The {locality.name} series starting on that date already exists.", 409,
                      field="first_date")
    series = PanelSeries(locality_id=locality.id, type_code=type_code, first_date=first_date,
                         created_by_id=user.id)
    db.session.add(series)
    db.session.commit()
    return series


def set_up_panel(user, series_id, panel_date):
    """The panel meeting for one date of a series: the member of staff becomes its chair."""
    series = db.session.get(PanelSeries, series_id) if isinstance(series_id, int) else None
    if series is None:
        raise Refused("That panel series could not be found.", 404)
    if not isinstance(panel_date, date):
        raise Refused("Choose a panel date.")
    rules = _type_rules(series.type_code)
    if datetime.combine(panel_date, _series_rule(rules)[1]) not in recurrence(series):
        raise Refused("That date is not one of this panel's dates.")
    if panel_date < clock.london_today():
        raise Refused("That panel date has passed.")
    if panel_meeting_on(series.id, panel_date) is not None:
        raise Refused(ALREADY_SET_UP, 409)
    locality = series.locality

    def link(meeting):  # the meeting and its place in the series: one transaction
        db.session.add(PanelMeeting(series_id=series.id, panel_date=panel_date,
                                    meeting_id=meeting.id))
        db.session.flush()
        return {"series": series.id, "panel_date": panel_date.isoformat()}

    try:
        # A meeting belongs to a child record; a panel's stands for the panel itself and is
        # never shown as a child (the panel's pages show the locality and date instead).
        return meetings.create_meeting(
            user, case_reference=f"PANEL-{series.id}-{panel_date:%Y%m%d}",
            child_name=f"{locality.name} panel", scheduled_at=panel_starts_at(rules, panel_date),
            location=locality.venue, type_code=series.type_code, link=link)
    except IntegrityError:
        # A double submit: the other request set up this date since the check above.
        db.session.rollback()
        if panel_meeting_on(series.id, panel_date) is None:
            raise
        raise Refused(ALREADY_SET_UP, 409)


def panel_meeting_on(series_id, panel_date):
    return db.session.scalar(db.select(PanelMeeting).filter_by(series_id=series_id,
                                                                panel_date=panel_date))


def overview(user, today=None):
    """For the staff page: each locality's series with their next dates, deadlines, and the
    meeting set up for each date (and the person's seat in it, if they have one). Four
    queries however many series and dates there are."""
    every_series = db.session.scalars(db.select(PanelSeries).order_by(
        PanelSeries.first_date)).all()
    dates = {series.id: next_dates(series, today=today) for series in every_series}
    days = {day for found in dates.values() for day in found}
    linked = {(panel.series_id, panel.panel_date): panel for panel in db.session.scalars(
        db.select(PanelMeeting).filter(PanelMeeting.panel_date.in_(days))
        .options(joinedload(PanelMeeting.meeting)))} if days else {}
    seats = {seat.meeting_id: seat for seat in db.session.scalars(db.select(Participant).filter(
        Participant.user_id == user.id,
        Participant.meeting_id.in_([p.meeting_id for p in linked.values()])))} if linked else {}
    result = []
    for locality in localities():
        entries = []
        for series in [s for s in every_series if s.locality_id == locality.id]:
            rules = _type_rules(series.type_code)
            entries.append({"series": series, "dates": [
                _panel_date(rules, day, linked.get((series.id, day)), seats)
                for day in dates[series.id]]})
        result.append({"locality": locality, "series": entries})
    return result


def _panel_date(rules, day, linked, seats):
    starts = panel_starts_at(rules, day)
    return {"day": day, "starts_at": starts, **deadlines(rules, starts),
            "brought_forward": brought_forward(rules, starts),
            "meeting": linked.meeting if linked else None,
            "seat": seats.get(linked.meeting_id) if linked else None}


# ---- Case slots ---------------------------------------------------------------------------

def add_case(meeting_id, actor, *, case_reference, child_name, direction, presenting_worker,
             lead_person=None, papers_received_at=None, key=None):
    """The chair or minute taker books a case into the panel: the slot and its agenda item
    ("Case 2: J.T., step up", before the closing item) in one change."""
    reference = clean_text(case_reference, label="the child's case reference", limit=40,
                           field="case_reference")
    name = clean_text(child_name, label="the child's name", limit=NAME_LIMIT, field="child_name")
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise Refused("Choose step up or step down.", field="direction")
    worker = clean_text(presenting_worker, label="the presenting worker", limit=NAME_LIMIT,
                        field="presenting_worker")
    lead = clean_text(lead_person, label="the lead person", limit=NAME_LIMIT,
                      required=False, field="lead_person") or None
    received = papers_time(papers_received_at)

    def change():
        meeting, seat = _panel_seat(meeting_id, actor)
        if not seat.runs_meeting:
            raise Refused("Only the chair or the minute taker can add a case.", 403)
        child = _child(reference, name)
        number = (db.session.scalar(db.select(db.func.max(CaseSlot.number))
                                    .filter_by(meeting_id=meeting_id)) or 0) + 1
        rules = meeting.type.rules
        item = insert_item(meeting_id, f"Case {number}: {child.initials}, "
                           f"{DIRECTIONS[direction]}", rules["slot_minutes"], "case",
                           before_last=True)
        slot = CaseSlot(meeting_id=meeting_id, number=number, agenda_item_id=item.id,
                        child=child, direction=direction, presenting_worker=worker,
                        lead_person=lead, papers_received_at=received,
                        criteria=_met_on_booking(rules, direction, lead),
                        added_by_id=seat.id, created_at=clock.utcnow())
        db.session.add(slot)
        db.session.flush()
        return {"slot": slot.id, "number": number, "direction": direction,
                "case_reference": reference, "agenda_item": item.id}
    return record_change(meeting_id, "panel.case_added", change, actor=actor, key=key)


def _met_on_booking(rules, direction, lead):
    """The criteria a booking meets by itself: a lead person named for a direction whose
    criteria (the type's data) ask for one."""
    keys = {c["key"] for c in rules["criteria"].get(direction, [])}
    return {LEAD_PERSON: True} if lead and LEAD_PERSON in keys else {}


def papers_time(value):
    """When the papers came in: a UTC datetime, or a London date and time as a form sends it
    ("2026-11-18T15:30"); blank when they have not come in yet."""
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        local = None
    if local is None or local.tzinfo is not None:
        raise Refused("Enter when the papers came in as a date and time, for example "
                      "18/11/2026 15:30.", field="papers_received_at")
    return clock.from_london(local.date(), local.time())


def _child(reference, name):
    child = db.session.scalar(db.select(Child).filter_by(case_reference=reference))
    if child is None:
        child = Child(case_reference=reference, name=name)
        db.session.add(child)
    elif child.name.casefold() != name.casefold():
        raise Refused("That case reference is already recorded with a different name. "
                      "Check the reference and the child's name.", field="case_reference")
    return child


def set_criterion(meeting_id, actor, slot_id, criterion, met, key=None):
    """The chair ticks (or unticks) one of the case's criteria for its direction."""
    met = _yes_no(met)

    def change():
        meeting, seat = _panel_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can tick the criteria.")
        slot = _slot(meeting_id, slot_id)
        keys = [c["key"] for c in meeting.type.rules["criteria"][slot.direction]]
        if not isinstance(criterion, str) or criterion not in keys:
            raise Refused(f"That is not one of the criteria to {slot.direction_label}.")
        ticked = {k: True for k, v in (slot.criteria or {}).items() if v and k != criterion}
        if met:
            ticked[criterion] = True
        slot.criteria = ticked  # a new dict, so the JSON column is written
        return {"slot": slot.id, "criterion": criterion, "met": met}
    return record_change(meeting_id, "panel.criterion_set", change, actor=actor, key=key)


def _yes_no(value):
    if value in (True, 1, "1", "true", "yes"):
        return True
    if value in (False, 0, "0", "false", "no"):
        return False
    raise Refused("Say whether the criterion is met.")


def record_outcome(meeting_id, actor, slot_id, outcome, rationale, key=None):
    """The chair records the panel's decision on a case, with its rationale; the decision's
    follow-up deadlines are created from the type's rules. Recording again replaces them."""
    why = clean_text(rationale, label="the rationale for the decision", limit=RATIONALE_LIMIT,
                     field="rationale")

    def change():
        meeting, seat = _panel_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can record the panel's decision.")
        slot = _slot(meeting_id, slot_id)
        choices = outcome_choices(meeting.type.rules, slot.direction)
        if not isinstance(outcome, str) or outcome not in choices:
            raise Refused("Choose the panel's decision from the list: "
                          f"{', '.join(choices.values())}.", field="outcome")
        decided_at = clock.utcnow()
        slot.outcome, slot.rationale = outcome, why
        slot.decided_at, slot.decided_by_id = decided_at, seat.id
        slot.follow_ups.clear()
        for rule in meeting.type.rules["outcomes"][outcome].get("follow_ups", []):
            due_at, words, whole_day = follow_up_due(rule, decided_at)
            slot.follow_ups.append(FollowUp(what=rule["what"], due_at=due_at, rule=words,
                                            whole_day=whole_day))
        db.session.flush()
        return {"slot": slot.id, "outcome": outcome,
                "follow_ups": [{"what": f.what, "due_at": f.due_at.isoformat()}
                               for f in slot.follow_ups]}
    return record_change(meeting_id, "panel.outcome_recorded", change, actor=actor, key=key)


def outcome_choices(rules, direction):
    """{key: label} of the outcomes open to a case in this direction (an outcome may name the
    `directions` it applies to; one that names none applies to both)."""
    return {key: spec["label"] for key, spec in rules["outcomes"].items()
            if direction in spec.get("directions", list(DIRECTIONS))}


def follow_up_due(rule, decided_at):
    """(due_at UTC, the rule in words, whether it is due by the end of a day) for one follow-up,
    counted from the decision by the calendar's one rule (clock.deadline).

    `working_days` n: by the end of the nth working day after the decision's day in England
    (0: that day, or the next working day). `days` n: by the end of the nth calendar day after.
    `hours` n: exactly n hours after the decision. A calendar count that ends on a weekend or
    bank holiday is due by the end of the working day before.
    """
    if "working_days" in rule:
        count = int(rule["working_days"])
        words = ("the same working day" if count == 0 else
                 f"within {count} working day{'s' if count != 1 else ''}")
    elif "days" in rule:
        count = int(rule["days"])
        words = f"within {count} day{'s' if count != 1 else ''}"
    elif "hours" in rule:
        count = int(rule["hours"])
        words = f"within {count} hour{'s' if count != 1 else ''}"
    else:
        raise ValueError(f"A follow-up rule needs working_days, days or hours: {rule!r}")
    due_at, whole_day = clock.deadline(decided_at, rule)
    return due_at, words, whole_day


def record_disagreement(meeting_id, actor, slot_id, who, what, key=None):
    """Someone disagrees with the decision on a case: recorded for escalation. The chair or
    minute taker may record it for anyone; anyone else records their own."""
    reason = clean_text(what, label="what the disagreement is", limit=DISAGREEMENT_LIMIT,
                        field="what")
    named = clean_text(who, label="who disagrees", limit=NAME_LIMIT, required=False,
                       field="who")

    def change():
        _, seat = _panel_seat(meeting_id, actor)
        slot = _slot(meeting_id, slot_id)
        if slot.outcome is None:
            raise Refused("The panel has not decided this case yet, so there is no decision "
                          "to disagree with.", 409)
        if seat.runs_meeting:
            if not named:
                raise Refused("Enter who disagrees.", field="who")
            person = named
        else:
            person = f"{seat.name} ({seat.attends_as_label})"
        entry = Disagreement(slot_id=slot.id, who=person, what=reason, outcome=slot.outcome,
                             recorded_by_id=seat.id, recorded_at=clock.utcnow())
        db.session.add(entry)
        db.session.flush()
        return {"slot": slot.id, "disagreement": entry.id}
    return record_change(meeting_id, "panel.disagreement_recorded", change, actor=actor,
                         key=key)


def _panel_seat(meeting_id, actor):
    meeting, seat = acting_seat(meeting_id, actor)
    if not meeting.type.is_panel:
        raise Refused("Cases belong to a Step Up / Step Down panel; this meeting is not one.",
                      409)
    return meeting, seat


def _chair_only(seat, message):
    if seat.meeting_role != CHAIR:
        raise Refused(message, 403)


def _slot(meeting_id, slot_id):
    slot = db.session.get(CaseSlot, slot_id) if _is_id(slot_id) else None
    if slot is None or slot.meeting_id != meeting_id:
        raise Refused(NO_CASE, 404)
    return slot


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


# ---- What each view shows -----------------------------------------------------------------

def slots_of(meeting_id):
    """The panel's cases in agenda order, each with its child, agenda item, follow-ups and
    disagreements: three queries however many cases the panel hears."""
    return db.session.scalars(
        db.select(CaseSlot).join(CaseSlot.agenda_item)
        .filter(CaseSlot.meeting_id == meeting_id)
        .options(contains_eager(CaseSlot.agenda_item), joinedload(CaseSlot.child),
                 selectinload(CaseSlot.follow_ups), selectinload(CaseSlot.disagreements))
        .order_by(AgendaItem.position, CaseSlot.number)).all()


def slot_view(slot, meeting, rules, papers_due):
    """One case as the templates draw it. Audiences differ only in the template: the
    projector is given the child's initials and nothing a person typed about the case."""
    criteria = [{"key": c["key"], "label": c["label"], "met": bool((slot.criteria or {})
                                                                   .get(c["key"]))}
                for c in rules["criteria"].get(slot.direction, [])]
    item = slot.agenda_item
    outcomes = rules["outcomes"]
    return {
        "slot": slot, "id": slot.id, "number": slot.number, "initials": slot.child.initials,
        "name": slot.child.name, "case_reference": slot.child.case_reference,
        "direction": slot.direction, "direction_label": slot.direction_label,
        "criteria": criteria, "missing": [c for c in criteria if not c["met"]],
        "late": slot.papers_received_at is not None and slot.papers_received_at > papers_due,
        "no_papers": slot.papers_received_at is None,
        "current": meeting.current_item_id == slot.agenda_item_id,
        "done": item is not None and item.is_done and meeting.current_item_id != item.id,
        "outcome_label": outcomes[slot.outcome]["label"] if slot.outcome in outcomes
        else slot.outcome,
        "outcome_choices": outcome_choices(rules, slot.direction),
    }


def panel_view(meeting):
    """Everything the panel block needs for one meeting."""
    rules = meeting.type.rules
    linked = db.session.scalar(db.select(PanelMeeting).filter_by(meeting_id=meeting.id).options(
        joinedload(PanelMeeting.series).joinedload(PanelSeries.locality)))
    due = deadlines(rules, meeting.scheduled_at)
    title = f"{linked.series.locality.name} panel" if linked else meeting.type.name
    return {"title": title, "linked": linked, "starts_at": meeting.scheduled_at, **due,
            "brought_forward": brought_forward(rules, meeting.scheduled_at),
            "slot_minutes": rules["slot_minutes"],
            "slots": [slot_view(s, meeting, rules, due["papers_due"])
                      for s in slots_of(meeting.id)],
            "directions": DIRECTIONS}


def one_slot_view(slot_id):
    slot = db.session.get(CaseSlot, slot_id)
    meeting = db.session.get(Meeting, slot.meeting_id)
    rules = meeting.type.rules
    return slot_view(slot, meeting, rules, deadlines(rules, meeting.scheduled_at)["papers_due"])
