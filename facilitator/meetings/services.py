"""Operations on meetings and their people. Each change goes through live.record_change."""
import secrets

from flask import url_for
from sqlalchemy.orm import contains_eager

from facilitator.agenda.services import create_agenda
from facilitator.clock import due_day, london_today
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.broadcast import notify_seat
from facilitator.live.events import record_change, record_first_event
from facilitator.live.presence import broadcast_row, disconnect_participant
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import (
    ADMITTED,
    ATTENDS_AS,
    CHAIR,
    DECLINED,
    IN_ADVANCE,
    LOBBY,
    MINUTE_TAKER,
    PARTICIPANT,
    REMOVED,
    YOUNG_PERSON,
    Child,
    Meeting,
    MeetingType,
    Participant,
)
from facilitator.text import clean_text

PLACEMENT_STABILITY = "placement_stability"
# Letters and digits that cannot be misread for each other (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
NAME_LIMIT = 80


def participant_payload(p):
    return {"id": p.id, "meeting_id": p.meeting_id, "name": p.name, "attends_as": p.attends_as,
            "attends_as_label": p.attends_as_label, "meeting_role": p.meeting_role,
            "status": p.status, "user_id": p.user_id, "takes_minutes": p.takes_minutes}


def shown_by_name(attends_as):
    """A young person is shown as "Young person" until they choose their name (the score form
    asks); everyone else by name."""
    return attends_as != YOUNG_PERSON


def people_of(meeting_id):
    """Everyone with a place in the meeting, in the order they joined."""
    return db.session.scalars(db.select(Participant).filter_by(meeting_id=meeting_id)
                              .order_by(Participant.id)).all()


def join_url(meeting):
    return url_for("meetings.join", code=meeting.join_code, _external=True)


def create_meeting(user, *, case_reference, child_name, scheduled_at, location,
                   type_code=PLACEMENT_STABILITY, immediate_risk=None, due_from=None, link=None):
    """A member of staff sets up a meeting for a child and becomes its chair.

    Where the type has a due rule (seed 002), `immediate_risk` decides when the meeting is due:
    within 5 working days of today (or of `due_from`) if the placement is at immediate risk,
    else 2 weeks. `link(meeting)`, when given, ties another record to the new meeting in the
    same transaction (a stability concern) and returns what the first event also records.
    """
    meeting_type = db.session.get(MeetingType, type_code)
    if meeting_type is None:
        raise Refused("Choose a type of meeting.", field="type_code")
    reference, name = _child_fields(case_reference, child_name)
    place = clean_text(location, label="where the meeting is", limit=200, field="location")
    due = meeting_type.rules.get("due")
    if due and immediate_risk is None:
        raise Refused("Say whether the placement is at immediate risk of breaking down.",
                      field="immediate_risk")
    child = _child(reference, name)
    meeting = Meeting(type_code=type_code, child=child, scheduled_at=scheduled_at,
                      location=place, join_code=_new_join_code(),
                      projector_token=secrets.token_urlsafe(32), created_by_id=user.id,
                      immediate_risk=bool(immediate_risk) if due else None,
                      due_by=due_date(due, bool(immediate_risk), due_from) if due else None)
    db.session.add(meeting)
    db.session.flush()
    linked = link(meeting) if link else {}
    create_agenda(meeting)
    chair = Participant(meeting_id=meeting.id, user_id=user.id, name=user.name,
                        attends_as="chair", meeting_role=CHAIR, status=ADMITTED,
                        token=secrets.token_urlsafe(32))
    db.session.add(chair)
    db.session.flush()
    record_first_event(meeting, "meeting.created",
                       {"type": type_code, "case_reference": reference, "chair": chair.id,
                        **linked}, actor=chair)
    return meeting


def due_date(rule, immediate_risk, today=None):
    """The date a meeting is due by, from the type's rule and today's date in England: a
    working day, within the timescale (clock.due_day)."""
    step = rule["immediate_risk" if immediate_risk else "otherwise"]
    return due_day(today or london_today(), **step)


def child_for(case_reference, child_name):
    """The child with this case reference (recorded now if new), for records kept about a
    child outside a meeting (a stability concern, a placement move)."""
    return _child(*_child_fields(case_reference, child_name))


def _child_fields(case_reference, child_name):
    return (clean_text(case_reference, label="the child's case reference", limit=40,
                       field="case_reference"),
            clean_text(child_name, label="the child's name", limit=120, field="child_name"))


def _child(reference, name):
    child = db.session.scalar(db.select(Child).filter_by(case_reference=reference))
    if child is None:
        child = Child(case_reference=reference, name=name)
        db.session.add(child)
    elif child.name.casefold() != name.casefold():
        raise Refused("That case reference is already recorded with a different name. "
                      "Check the reference and the child's name.", field="case_reference")
    return child


def seats_of(user):
    """The member of staff's places in meetings, the latest meeting first, each with its
    meeting, child and type (a query to page)."""
    return (db.select(Participant).join(Participant.meeting)
            .filter(Participant.user_id == user.id)
            .options(contains_eager(Participant.meeting).joinedload(Meeting.child),
                     contains_eager(Participant.meeting).joinedload(Meeting.type))
            .order_by(Meeting.scheduled_at.desc(), Meeting.id.desc()))


def _new_join_code():
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(db.select(Meeting.id).filter_by(join_code=code)) is None:
            return code


def normalise_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:JOIN_CODE_LENGTH * 2]


def meeting_by_code(code):
    meeting = db.session.scalar(db.select(Meeting).filter_by(join_code=normalise_code(code)))
    if meeting is None or not meeting.is_open:
        raise Refused("There is no open meeting with that code. Check the code on the screen "
                      "in the room, or ask the chair.", 404, field="code")
    return meeting


def join_meeting(meeting, *, name, attends_as, user=None):
    """Someone asks to join: they wait in the lobby until the chair admits them."""
    name = clean_text(name, label="your name", limit=NAME_LIMIT, field="name")
    if not isinstance(attends_as, str) or attends_as not in ATTENDS_AS:
        raise Refused("Choose who you are in this meeting.", field="attends_as")
    seat = {}

    def change():
        meeting_now = db.session.get(Meeting, meeting.id)
        if not meeting_now.is_open:
            raise Refused("This meeting has closed.")
        participant = Participant(meeting_id=meeting.id, name=name, attends_as=attends_as,
                                  user_id=user.id if user else None, status=LOBBY,
                                  meeting_role=PARTICIPANT, token=secrets.token_urlsafe(32),
                                  show_name=shown_by_name(attends_as))
        db.session.add(participant)
        db.session.flush()
        seat["participant"] = participant
        return {"participant": participant_payload(participant)}

    record_change(meeting.id, "participant.waiting", change)
    return seat["participant"]


def invite_in_advance(meeting_id, chair, *, name, attends_as, key=None):
    """The chair asks someone who cannot come to send their score and reason by a personal
    link. They are part of the meeting's record but never see the board."""
    name = clean_text(name, label="their name", limit=NAME_LIMIT, field="name")
    if not isinstance(attends_as, str) or attends_as not in ATTENDS_AS:
        raise Refused("Choose who they are in this meeting.", field="attends_as")

    def change():
        _, seat = acting_seat(meeting_id, chair)
        if seat.meeting_role != CHAIR:
            raise Refused("Only the chair can do that.", 403)
        person = Participant(meeting_id=meeting_id, name=name, attends_as=attends_as,
                             status=IN_ADVANCE, meeting_role=PARTICIPANT,
                             token=secrets.token_urlsafe(32),
                             show_name=shown_by_name(attends_as))
        db.session.add(person)
        db.session.flush()
        return {"participant": participant_payload(person)}

    return record_change(meeting_id, "participant.invited", change, actor=chair, key=key)


def in_advance_seat(meeting_id, token):
    """The person a personal link belongs to; the link ends when the meeting closes."""
    person = db.session.scalar(db.select(Participant).filter_by(
        meeting_id=meeting_id, token=token or "", status=IN_ADVANCE))
    if person is None:
        raise Refused("That link is not valid. Ask the chair for a new one.", 404)
    if not person.meeting.is_open:
        raise Refused("This meeting has closed, so the link no longer works.", 410)
    return person


def _chair_changes(meeting_id, chair, participant_id, allowed_from, change_seat):
    """The chair changes someone's place; shared checks for admit, decline, remove and roles."""
    def change():
        if db.session.get(Participant, chair.id).meeting_role != CHAIR:
            raise Refused("Only the chair can do that.", 403)
        target = db.session.get(Participant, participant_id)
        if target is None or target.meeting_id != meeting_id:
            raise Refused("That person is not in this meeting.", 404)
        if target.status not in allowed_from or target.meeting_role == CHAIR:
            raise Refused(f"{target.name} cannot be changed that way now.", 409)
        change_seat(target)
        return {"participant": participant_payload(target)}
    return change


def admit(meeting_id, chair, participant_id):
    change = _chair_changes(meeting_id, chair, participant_id, (LOBBY,),
                            lambda p: setattr(p, "status", ADMITTED))
    event = record_change(meeting_id, "participant.admitted", change, actor=chair)
    notify_seat(participant_id, ADMITTED)
    broadcast_row(meeting_id, participant_id)
    return event


def decline(meeting_id, chair, participant_id):
    change = _chair_changes(meeting_id, chair, participant_id, (LOBBY,),
                            lambda p: setattr(p, "status", DECLINED))
    event = record_change(meeting_id, "participant.declined", change, actor=chair)
    notify_seat(participant_id, DECLINED, "The chair has not let you into this meeting.")
    return event


def remove(meeting_id, chair, participant_id):
    change = _chair_changes(meeting_id, chair, participant_id, (LOBBY, ADMITTED),
                            lambda p: setattr(p, "status", REMOVED))
    event = record_change(meeting_id, "participant.removed", change, actor=chair)
    notify_seat(participant_id, REMOVED, "The chair has removed you from this meeting.")
    disconnect_participant(participant_id)  # their open pages stop receiving, at once
    broadcast_row(meeting_id, participant_id)
    return event


def set_minute_taker(meeting_id, chair, participant_id, on):
    def take_role(person):
        if on and not person.takes_minutes:
            raise Refused(f"{person.name} attends as {person.attends_as_label.lower()}, so cannot "
                          "take the minutes. Choose a member of staff or a professional.", 409)
        person.meeting_role = MINUTE_TAKER if on else PARTICIPANT

    change = _chair_changes(meeting_id, chair, participant_id, (ADMITTED,), take_role)
    event = record_change(meeting_id, "participant.role_changed", change, actor=chair)
    # Their pages reload into the view for the new role; closing their sockets makes sure no
    # page keeps receiving the chair's view after the role is taken away.
    notify_seat(participant_id, "role_changed")
    disconnect_participant(participant_id)
    return event
