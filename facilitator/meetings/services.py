"""Operations on meetings and their people. Each change goes through live.record_change."""
import secrets

from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.broadcast import notify_seat
from facilitator.live.events import record_change, record_first_event
from facilitator.live.presence import broadcast_presence, disconnect_participant
from facilitator.meetings.models import (
    ADMITTED,
    ATTENDS_AS,
    CHAIR,
    DECLINED,
    LOBBY,
    MINUTE_TAKER,
    PARTICIPANT,
    REMOVED,
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
            "status": p.status, "user_id": p.user_id}


def create_meeting(user, *, case_reference, child_name, scheduled_at, location,
                   type_code=PLACEMENT_STABILITY):
    """A member of staff sets up a meeting for a child and becomes its chair."""
    meeting_type = db.session.get(MeetingType, type_code)
    if meeting_type is None:
        raise Refused("Choose a type of meeting.")
    reference = clean_text(case_reference, label="the child's case reference", limit=40)
    name = clean_text(child_name, label="the child's name", limit=120)
    place = clean_text(location, label="where the meeting is", limit=200)
    child = _child(reference, name)
    meeting = Meeting(type_code=type_code, child=child, scheduled_at=scheduled_at,
                      location=place, join_code=_new_join_code(),
                      projector_token=secrets.token_urlsafe(32), created_by_id=user.id)
    db.session.add(meeting)
    db.session.flush()
    chair = Participant(meeting_id=meeting.id, user_id=user.id, name=user.name,
                        attends_as="chair", meeting_role=CHAIR, status=ADMITTED,
                        token=secrets.token_urlsafe(32))
    db.session.add(chair)
    db.session.flush()
    record_first_event(meeting, "meeting.created",
                       {"type": type_code, "case_reference": reference, "chair": chair.id},
                       actor=chair)
    return meeting


def _child(reference, name):
    child = db.session.scalar(db.select(Child).filter_by(case_reference=reference))
    if child is None:
        child = Child(case_reference=reference, name=name)
        db.session.add(child)
    elif child.name.casefold() != name.casefold():
        raise Refused("That case reference is already recorded with a different name. "
                      "Check the reference and the child's name.")
    return child


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
                      "in the room, or ask the chair.", 404)
    return meeting


def join_meeting(meeting, *, name, attends_as, user=None):
    """Someone asks to join: they wait in the lobby until the chair admits them."""
    name = clean_text(name, label="your name", limit=NAME_LIMIT)
    if attends_as not in ATTENDS_AS:
        raise Refused("Choose who you are in this meeting.")
    seat = {}

    def change():
        meeting_now = db.session.get(Meeting, meeting.id)
        if not meeting_now.is_open:
            raise Refused("This meeting has closed.")
        participant = Participant(meeting_id=meeting.id, name=name, attends_as=attends_as,
                                  user_id=user.id if user else None, status=LOBBY,
                                  meeting_role=PARTICIPANT, token=secrets.token_urlsafe(32))
        db.session.add(participant)
        db.session.flush()
        seat["participant"] = participant
        return {"participant": participant_payload(participant)}

    record_change(meeting.id, "participant.waiting", change)
    return seat["participant"]


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
    broadcast_presence(meeting_id)
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
    broadcast_presence(meeting_id)
    return event


def set_minute_taker(meeting_id, chair, participant_id, on):
    role = MINUTE_TAKER if on else PARTICIPANT
    change = _chair_changes(meeting_id, chair, participant_id, (ADMITTED,),
                            lambda p: setattr(p, "meeting_role", role))
    event = record_change(meeting_id, "participant.role_changed", change, actor=chair)
    # Their pages reload into the view for the new role; closing their sockets makes sure no
    # page keeps receiving the chair's view after the role is taken away.
    notify_seat(participant_id, "role_changed")
    disconnect_participant(participant_id)
    return event
