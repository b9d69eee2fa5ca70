"""The people a document names: who took part, how, and as what. Read by the draft's sections
and by the distribution list alike, so neither imports the other."""
from facilitator.documents.models import VIEWS_SENT
from facilitator.extensions import db
from facilitator.meetings.models import (
    CHAIR,
    DECLINED,
    IN_ADVANCE,
    LOBBY,
    MINUTE_TAKER,
    REMOVED,
    Participant,
)

PARTS = {CHAIR: "chair", MINUTE_TAKER: "minute taker"}


def seats(meeting_id):
    return db.session.scalars(db.select(Participant).filter_by(meeting_id=meeting_id)
                              .order_by(Participant.id)).all()


def seat_with_part(people, part):
    """Who of the meeting's `people` (its seats) has this part in running it."""
    return next((p for p in people if p.meeting_role == part), None)


def attendance_of(person):
    """Present unless the chair said otherwise; someone who only sent views in advance."""
    if person.attendance:
        return person.attendance
    return VIEWS_SENT if person.status == IN_ADVANCE else "present"


def attendees(people):
    """Of the meeting's `people` (its seats), everyone who took part or sent apologies or
    views: not the declined, removed or waiting."""
    return [p for p in people if p.status not in (DECLINED, REMOVED, LOBBY)]


def role_of(person):
    """What the person attends as, then their part in running the meeting, each said once:
    "Chair" (who attends as the chair), "Child's social worker, minute taker". Nothing when it
    would only repeat the name they are shown by ("Young person")."""
    said = [person.attends_as_label]
    part = PARTS.get(person.meeting_role)
    if part and part.lower() != said[0].lower():
        said.append(part)
    role = ", ".join(said)
    return "" if same_words(role, person.name) else role


def same_words(role, name):
    return role.strip().lower() == name.strip().lower()
