"""Who is connected to a meeting, kept in the database so any process can answer."""
from flask import current_app, render_template

from facilitator.extensions import db, socketio
from facilitator.live.broadcast import rendering_context
from facilitator.live.models import Connection
from facilitator.live.render import AUDIENCES
from facilitator.live.rooms import audience_room
from facilitator.meetings.models import ADMITTED, Participant


def connect(sid, meeting_id, participant_id, audience):
    """Record the socket and tell the meeting; returns the presence HTML it sent."""
    db.session.merge(Connection(sid=sid, meeting_id=meeting_id, participant_id=participant_id,
                                audience=audience,
                                instance=current_app.config["FACILITATOR_INSTANCE"]))
    db.session.commit()
    return broadcast_presence(meeting_id)


def disconnect(sid):
    connection = db.session.get(Connection, sid)
    if connection is None:
        return
    meeting_id = connection.meeting_id
    db.session.delete(connection)
    db.session.commit()
    broadcast_presence(meeting_id)


def forget_instance(instance):
    """A process starting afresh has no sockets: clear what it left behind when it stopped."""
    db.session.execute(db.delete(Connection).filter_by(instance=instance))
    db.session.commit()


def presence_context(meeting_id):
    """Everyone admitted, who of them is connected, and how many projectors are."""

    connections = db.session.scalars(db.select(Connection).filter_by(meeting_id=meeting_id)).all()
    connected = {c.participant_id for c in connections}
    people = db.session.scalars(db.select(Participant)
                                .filter_by(meeting_id=meeting_id, status=ADMITTED)
                                .order_by(Participant.id)).all()
    projectors = sum(1 for c in connections if c.audience == "projector")
    return {"people": people, "connected": connected, "projectors": projectors}


def presence_html(meeting_id):
    return render_template("meetings/_presence.html", presence=presence_context(meeting_id))


def broadcast_presence(meeting_id):
    with rendering_context():
        html = presence_html(meeting_id)  # one render for everyone
    for audience in AUDIENCES:
        socketio.emit("meeting.presence", {"meeting": meeting_id, "html": html},
                      to=audience_room(meeting_id, audience))
    return html


def _close(connections):
    for connection in connections:
        # With a message queue this reaches the process that holds the socket.
        socketio.server.disconnect(connection.sid, namespace="/")
        db.session.delete(connection)
    db.session.commit()


def disconnect_participant(participant_id):
    _close(db.session.scalars(db.select(Connection).filter_by(participant_id=participant_id)).all())


def disconnect_user(user_id):
    seats = db.select(Participant.id).filter_by(user_id=user_id)
    _close(db.session.scalars(db.select(Connection).where(Connection.participant_id.in_(seats))).all())
