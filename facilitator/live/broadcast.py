"""Sending committed events to the meeting's rooms, rendered once per audience."""
from contextlib import nullcontext

from flask import current_app, has_request_context

from facilitator.extensions import socketio
from facilitator.live.render import AUDIENCES, message
from facilitator.live.rooms import audience_room, seat_room


def rendering_context():
    """Fragments use url_for; a change made outside a request (a CLI command) still renders."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def messages_for(event):
    """The event as each audience sees it, rendered once per audience."""
    with rendering_context():
        return {audience: message(event, audience) for audience in AUDIENCES}


def send_messages(meeting_id, messages):
    for audience, wire in messages.items():
        socketio.emit("meeting.event", wire, to=audience_room(meeting_id, audience))


def notify_seat(participant_id, status, text=""):
    """Tell one participant's open pages that their place in the meeting changed."""
    socketio.emit("seat.changed", {"status": status, "message": text},
                  to=seat_room(participant_id))
