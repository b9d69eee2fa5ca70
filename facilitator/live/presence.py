"""Who is connected to a meeting, kept in the database so any process can answer.

A page gets the whole "Here now" list when it joins; after that, a connection or disconnection
sends only the one row that changed, so a room of 300 joining costs 300 small messages per
join, not 300 copies of a 300-row list.
"""
from flask import current_app, render_template
from sqlalchemy import and_, exists, false, func, select
from sqlalchemy.dialects import postgresql, sqlite

from facilitator.extensions import db, socketio
from facilitator.live.broadcast import rendering_context
from facilitator.live.models import Connection
from facilitator.live.render import AUDIENCES, Update
from facilitator.live.rooms import audience_room
from facilitator.meetings.models import ADMITTED, Meeting, Participant

PROJECTOR_ROW = "presence-projector"


def connect(sid, meeting_id, participant_id, audience):
    """Record the socket, tell the meeting if this person (or a projector) just arrived, and
    return the whole list as this audience sees it, for the page that joined.

    One reading of who is here, made before the socket is recorded (this socket is then added to
    what it found), and the rows drawn from it; the socket's row is the last statement, and the
    rows go out after its commit."""
    here, counted = _here(meeting_id, sid)
    if participant_id is None:
        arriving = not counted and not here["projectors"]
        here["projectors"] += 0 if counted else 1
    else:
        arriving = not counted and participant_id not in here["connected"]
        here["connected"].add(participant_id)
    html = render_template("meetings/_presence.html", presence=here, audience=audience)
    rows = _rows(meeting_id, participant_id, True) if arriving else {}
    _record(sid, meeting_id, participant_id, audience)
    _send_rows(meeting_id, rows)
    return html


def disconnect(sid):
    connection = db.session.get(Connection, sid)
    if connection is None:
        return
    meeting_id, participant_id = connection.meeting_id, connection.participant_id
    db.session.delete(connection)
    db.session.commit()
    if not _present(meeting_id, participant_id):  # their last page (or projector) closed
        broadcast_row(meeting_id, participant_id, connected=False)


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
    return _here(meeting_id)[0]


def _here(meeting_id, sid=None):
    """presence_context in one query; and whether socket `sid` is already counted in it."""
    here = Connection.meeting_id == meeting_id
    connected = exists().where(here, Connection.participant_id == Participant.id)
    projectors = (select(func.count()).select_from(Connection)
                  .where(here, Connection.audience == "projector").scalar_subquery())
    counted = exists().where(here, Connection.sid == sid) if sid is not None else false()
    rows = db.session.execute(
        select(Participant, connected, projectors, counted).select_from(Meeting)
        .outerjoin(Participant, and_(Participant.meeting_id == Meeting.id,
                                     Participant.status == ADMITTED))
        .where(Meeting.id == meeting_id).order_by(Participant.id)).all()
    people = [row[0] for row in rows if row[0] is not None]
    return ({"people": people, "connected": {row[0].id for row in rows if row[1]},
             "projectors": rows[0][2] if rows else 0}, bool(rows and rows[0][3]))


def row_update(meeting_id, participant_id, audience, connected=None):
    """The one row of "Here now" that changed, as this audience sees it (`connected`: whether
    they have a page open, when the caller knows)."""
    if connected is None:
        connected = _present(meeting_id, participant_id)
    if participant_id is None:
        html = render_template("meetings/_presence_projector.html", projectors=connected)
        return Update().upsert("presence-list", html).order("presence-list", [PROJECTOR_ROW])
    person = db.session.get(Participant, participant_id)
    if person is None or person.status != ADMITTED:
        return Update().remove(f"presence-{participant_id}")
    html = render_template("meetings/_presence_row.html", person=person, audience=audience,
                           connected=connected)
    # A new row goes to the end: the projector's line moves back after it.
    return Update().upsert("presence-list", html).order("presence-list", [PROJECTOR_ROW])


def broadcast_row(meeting_id, participant_id, connected=None):
    _send_rows(meeting_id, _rows(meeting_id, participant_id, connected))


def _rows(meeting_id, participant_id, connected):
    with rendering_context():
        return {audience: row_update(meeting_id, participant_id, audience, connected)
                for audience in AUDIENCES}


def _send_rows(meeting_id, updates):
    for audience, update in updates.items():
        socketio.emit("meeting.presence", {"meeting": meeting_id, "ops": update.ops},
                      to=audience_room(meeting_id, audience))


def _record(sid, meeting_id, participant_id, audience):
    """Insert the socket's row, or move it to this meeting: one statement, then commit."""
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    statement = insert(Connection).values(
        sid=sid, meeting_id=meeting_id, participant_id=participant_id, audience=audience,
        instance=current_app.config["FACILITATOR_INSTANCE"])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[Connection.sid],
        set_={name: statement.excluded[name]
              for name in ("meeting_id", "participant_id", "audience", "instance")}))
    db.session.commit()


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
