"""Who the current person is in a meeting: the one place seats are looked up from a session."""
import hmac

from flask import session

from facilitator.accounts.services import signed_in_user
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.models import ADMITTED, Meeting, Participant


def seat_for(meeting_id):
    """The current person's Participant in this meeting (any status), or None."""
    user = signed_in_user()
    if user is not None:
        seat = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting_id,
                                                                   user_id=user.id))
        if seat is not None:
            return seat
    token = session.get("seats", {}).get(str(meeting_id))
    if token:
        return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting_id,
                                                                   token=token))
    return None


def remember_seat(participant):
    seats = dict(session.get("seats", {}))
    seats[str(participant.meeting_id)] = participant.token
    session["seats"] = seats


def admitted_seat(meeting_id):
    """The current person's seat if they are in the meeting now; otherwise Refused."""
    seat = seat_for(meeting_id)
    if seat is None or seat.status != ADMITTED:
        raise Refused("You are not in that meeting.", 403)
    return seat


def acting_seat(meeting_id, actor):
    """Inside a change: re-read the actor and the meeting, so a removal a moment ago counts."""
    meeting = db.session.get(Meeting, meeting_id)
    seat = db.session.get(Participant, actor.id)
    if meeting is None or seat is None or seat.meeting_id != meeting_id \
            or seat.status != ADMITTED:
        raise Refused("You are not in that meeting.", 403)
    if not meeting.is_open:
        raise Refused("This meeting has closed; it can no longer change.", 409)
    return meeting, seat


def meeting_for_projector(meeting_id, token):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not hmac.compare_digest(meeting.projector_token, token or ""):
        raise Refused("That projector link is not valid.", 404)
    return meeting
