"""Socket.IO connection, joining a meeting's rooms, replay, and the shape of every answer."""
import re
from functools import wraps

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy.orm import joinedload

from facilitator.accounts.services import current_user
from facilitator.clock import epoch_ms, utcnow
from facilitator.errors import Refused
from facilitator.extensions import db, socketio
from facilitator.live import presence, replay
from facilitator.live.events import events_since
from facilitator.live.render import AUDIENCES
from facilitator.live.rooms import audience_room, seat_room
from facilitator.meetings.access import admitted_seat, meeting_for_projector, seat_for
from facilitator.meetings.labels import unchanging
from facilitator.meetings.models import Meeting


def answer(handler):
    """Socket handlers answer {"ok": true, ...} or {"ok": false, "error": "<for the person>",
    "status": <the HTTP status the same refusal gets over HTTP>, "field": <the form field's
    name, when the refusal is about one>}.

    Every handler receives a dict; anything else, or a Refused change, changes nothing.
    """
    @wraps(handler)
    def wrapped(data=None):
        if not isinstance(data, dict):
            return {"ok": False, "error": "That message could not be read.", "status": 400}
        try:
            return {"ok": True, **(handler(data) or {})}
        except Refused as refused:  # "field": which of the form's fields the message is about
            return {"ok": False, "error": refused.message, "status": refused.status,
                    **({"field": refused.field} if refused.field else {})}
        except Exception:  # answer anyway, so the client keeps the change and can retry
            current_app.logger.exception("Socket event %s failed", handler.__name__)
            return {"ok": False, "retry": True, "status": 500,
                    "error": "Something went wrong on our side and this was not saved yet."}
    return wrapped


def meeting_id_from(data):
    value = data.get("meeting")
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise Refused("That meeting could not be found.", 404)
    return int(value)


def int_from(data, name, missing_message):
    """A whole-number id from a socket message, or Refused with the person's message."""
    value = data.get(name)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Refused(missing_message, 404)  # 7.9 is not card 7


def seat_from(data):
    """The meeting a message is for, and the sender's admitted seat in it."""
    meeting_id = meeting_id_from(data)
    return meeting_id, admitted_seat(meeting_id)


@socketio.on("connect")
def on_connect(auth=None):
    """Only someone with a session (staff or a guest's seat) or a projector link may connect.

    Engine.IO has already checked the Origin against our allowed origins.
    """
    if current_user() is not None or session.get("seats"):
        return True
    if isinstance(auth, dict) and auth.get("projector"):
        try:
            meeting = meeting_for_projector(meeting_id_from(auth), str(auth["projector"]))
        except Refused:
            raise ConnectionRefusedError("That projector link is not valid.")
        session["projector_for"] = meeting.id  # this socket's own copy of the session
        return True
    raise ConnectionRefusedError("Sign in or join the meeting first.")


@socketio.on("disconnect")
def on_disconnect(reason=None):
    presence.disconnect(request.sid)


@socketio.on("meeting.join")
@answer
def on_join(data):
    """Enter the meeting's rooms and receive every event after `since`, in order (drawn as
    live.replay sends them), or `reload` when more than REPLAY_LIMIT were missed."""
    meeting_id = meeting_id_from(data)
    if session.get("projector_for") == meeting_id:
        seat, audience = None, "projector"
    else:
        seat = admitted_seat(meeting_id)
        audience = seat.audience
        join_room(seat_room(seat.id))
    for other in AUDIENCES:
        if other != audience:
            leave_room(audience_room(meeting_id, other))
    join_room(audience_room(meeting_id, audience))  # first, so nothing falls between
    since = data.get("since")
    since = since if isinstance(since, int) and not isinstance(since, bool) and since >= 0 else 0
    with unchanging(meeting_id):
        events = events_since(meeting_id, since)
        meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.type)])
        if meeting is None:
            raise Refused("That meeting could not be found.", 404)
        last_seq = meeting.last_seq
        missed = None if events is None or since > last_seq else \
            replay.messages(events, audience)
        here = presence.connect(request.sid, meeting_id, seat.id if seat else None, audience)
    if missed is None:
        return {"reload": True, "seq": last_seq}
    return {"seq": last_seq, "audience": audience, "now": epoch_ms(utcnow()),
            "events": missed, "presence": here}


@socketio.on("lobby.wait")
@answer
def on_lobby_wait(data):
    """A guest in the lobby listens for the chair's answer."""
    seat = seat_for(meeting_id_from(data))
    if seat is None:
        raise Refused("Join the meeting first.", 403)
    join_room(seat_room(seat.id))
    return {"status": seat.status}
