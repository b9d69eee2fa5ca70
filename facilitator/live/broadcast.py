"""Sending committed events to the meeting's rooms, rendered once per audience."""
from contextlib import nullcontext

from flask import current_app, has_request_context

from facilitator.extensions import socketio
from facilitator.live.render import AUDIENCES, message
from facilitator.live.rooms import audience_room, seat_room


def rendering_context():
    """Fragments use url_for; a change made outside a request (a CLI command) still renders."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def broadcast_event(event):
    with rendering_context():
        for audience in AUDIENCES:
            socketio.emit("meeting.event", message(event, audience),
                          to=audience_room(event.meeting_id, audience))


def notify_seat(participant_id, status, text=""):
    """Tell one participant's open pages that their place in the meeting changed."""
    socketio.emit("seat.changed", {"status": status, "message": text},
                  to=seat_room(participant_id))
