"""Who is connected to a meeting, kept in the database so any process can answer.

A page gets the whole "Here now" list when it joins; after that, a connection or disconnection
sends only the one row that changed, so a room of 300 joining costs 300 small messages per
join, not 300 copies of a 300-row list.
"""
from flask import current_app, render_template

from facilitator.extensions import db, socketio
from facilitator.live.broadcast import rendering_context
from facilitator.live.models import Connection
from facilitator.live.render import AUDIENCES, Update
from facilitator.live.rooms import audience_room
from facilitator.meetings.models import ADMITTED, Participant

PROJECTOR_ROW = "presence-projector"


def connect(sid, meeting_id, participant_id, audience):
    """Record the socket, tell the meeting if this person (or a projector) just arrived, and
    return the whole list as this audience sees it, for the page that joined."""
    arriving = not _present(meeting_id, participant_id)
    db.session.merge(Connection(sid=sid, meeting_id=meeting_id, participant_id=participant_id,
                                audience=audience,
                                instance=current_app.config["FACILITATOR_INSTANCE"]))
    db.session.commit()
    if arriving:
        broadcast_row(meeting_id, participant_id)
    return presence_html(meeting_id, audience)


def disconnect(sid):
    connection = db.session.get(Connection, sid)
    if connection is None:
        return
    meeting_id, participant_id = connection.meeting_id, connection.participant_id
    db.session.delete(connection)
    db.session.commit()
    if not _present(meeting_id, participant_id):  # their last page (or projector) closed
        broadcast_row(meeting_id, participant_id)


def forget_instance(instance):
    """A process starting afresh has no sockets: clear what it left behind when it stopped."""
    db.session.execute(db.delete(Connection).filter_by(instance=instance))
    db.session.commit()


def _present(meeting_id, participant_id):
    """Whether this person has a page open (participant_id None: whether a projector does)."""
    query = db.select(Connection.sid).filter_by(meeting_id=meeting_id)
    query = (query.filter_by(audience="projector") if participant_id is None
             else query.filter_by(participant_id=participant_id))
    return db.session.scalar(query.limit(1)) is not None


def presence_context(meeting_id):
    """Everyone admitted, who of them is connected, and how many projectors are."""
    connections = db.session.scalars(db.select(Connection).filter_by(meeting_id=meeting_id)).all()
    connected = {c.participant_id for c in connections}
    people = db.session.scalars(db.select(Participant)
                                .filter_by(meeting_id=meeting_id, status=ADMITTED)
                                .order_by(Participant.id)).all()
    projectors = sum(1 for c in connections if c.audience == "projector")
    return {"people": people, "connected": connected, "projectors": projectors}


def presence_html(meeting_id, audience):
    return render_template("meetings/_presence.html", presence=presence_context(meeting_id),
                           audience=audience)


def row_update(meeting_id, participant_id, audience):
    """The one row of "Here now" that changed, as this audience sees it."""
    if participant_id is None:
        html = render_template("meetings/_presence_projector.html",
                               projectors=_present(meeting_id, None))
        return Update().upsert("presence-list", html).order("presence-list", [PROJECTOR_ROW])
    person = db.session.get(Participant, participant_id)
    if person is None or person.status != ADMITTED:
        return Update().remove(f"presence-{participant_id}")
    html = render_template("meetings/_presence_row.html", person=person, audience=audience,
                           connected=_present(meeting_id, participant_id))
    # A new row goes to the end: the projector's line moves back after it.
    return Update().upsert("presence-list", html).order("presence-list", [PROJECTOR_ROW])


def broadcast_row(meeting_id, participant_id):
    with rendering_context():
        updates = {audience: row_update(meeting_id, participant_id, audience)
                   for audience in AUDIENCES}
    for audience, update in updates.items():
        socketio.emit("meeting.presence", {"meeting": meeting_id, "ops": update.ops},
                      to=audience_room(meeting_id, audience))


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
