"""Recording every change as it is flushed, in the same transaction as the change itself.

One listener on the session sees every row created, changed or removed through the ORM, so a
new domain is audited without a line of its own. Who acted comes from the request (the signed-in
member of staff) and from `acting()`, which the one write path (live.events.record_change) sets
around each meeting change (the seat that acted, the meeting it is in).

What a person may not yet learn stays out of the trail too: a model lists such columns in
`__private_until_shown__` (a score's value and reason, until its round is revealed). The trail
then says only that they were given or changed, by whom and when, and `disclose` records what a
reveal showed, at the moment it showed it. See docs/architecture.md, "Scores stay private".
"""
import contextvars
from contextlib import contextmanager
from datetime import date, datetime

from flask import g, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from facilitator import clock
from facilitator.audit.models import AuditEvent

# Rows that are not changes a person made, or that hold secrets (a sign-in's id): the event
# log is this trail's other half, presence comes and goes, the trail does not audit itself.
NOT_AUDITED = {"audit_events", "meeting_events", "connections", "staff_sessions"}
# Columns whose values never enter the trail, only that they changed: secrets, and an issued
# document's bytes (its SHA-256 is recorded, which identifies it).
NOT_RECORDED = {"password_hash", "token", "projector_token", "idempotency_key", "pdf"}
HIDDEN = "(not recorded)"
PRIVATE = "(private until shown to the meeting)"

_acting = contextvars.ContextVar("audit_acting", default=None)


def describe(seat):
    """(id, label) of the seat that acts, or None: read before any flush needs it."""
    return (seat.id, f"{seat.name} ({seat.attends_as_label})") if seat is not None else None


@contextmanager
def acting(who, meeting_id):
    """Changes flushed inside are made by `who` (from describe) in `meeting_id`."""
    token = _acting.set((who, meeting_id))
    try:
        yield
    finally:
        _acting.reset(token)


def listen():
    for name, listener in (("before_flush", _note_actor), ("after_flush", _record_flush)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _actor():
    seat, meeting_id = _acting.get() or (None, None)
    user = g.get("user") if has_app_context() else None
    return {
        "actor_user_id": user.id if user is not None else None,
        "actor_participant_id": seat[0] if seat is not None else None,
        "actor": seat[1] if seat is not None else
        f"{user.name} (staff)" if user is not None else "the system",
        "meeting_id": meeting_id,
    }


def _note_actor(session, _flush_context, _instances):
    """Who is acting, read before the flush starts (nothing may be loaded during it)."""
    session.info["audit_actor"] = _actor()


def disclose(session, rows, action="revealed"):
    """Record, in the current transaction, the private columns of `rows` as they are now shown
    to the meeting (a round's scores at its reveal): the trail's only copy of those values."""
    actor = _actor()
    entries = [{**_header(row, action, actor),
                "changes": {key: [None, _plain(getattr(row, key))]
                            for key in row.__private_until_shown__}}
               for row in rows]
    if entries:
        session.connection().execute(AuditEvent.__table__.insert(), entries)


def _record_flush(session, _flush_context):
    # after_flush: new rows have their ids, and every attribute's history is still there.
    rows = [entry for action, objects in (("created", session.new),
                                          ("changed", session.dirty),
                                          ("removed", session.deleted))
            for obj in objects if (entry := _entry(session, obj, action)) is not None]
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def _entry(session, obj, action):
    table = getattr(obj, "__tablename__", None)
    if table is None or table in NOT_AUDITED:
        return None
    if action == "changed" and not session.is_modified(obj, include_collections=False):
        return None
    changes = _changes(obj, action)
    if action == "changed" and not changes:
        return None
    return {**_header(obj, action, session.info.get("audit_actor") or {}), "changes": changes}


def _header(obj, action, actor):
    """Who, when and which row: everything of an entry but its changes."""
    state = inspect(obj)
    table = obj.__tablename__
    return {
        "at": clock.utcnow(),
        "actor_user_id": actor.get("actor_user_id"),
        "actor_participant_id": actor.get("actor_participant_id"),
        "actor": actor.get("actor", "the system"),
        "meeting_id": _meeting_of(obj, table) or actor.get("meeting_id"),
        "action": action, "subject": table,
        "subject_id": ",".join(str(state.dict.get(state.mapper.get_property_by_column(c).key))
                               for c in state.mapper.primary_key),
    }


def _changes(obj, action):
    state = inspect(obj)
    private = getattr(obj, "__private_until_shown__", ())
    changes = {}
    for column in state.mapper.column_attrs:
        key = column.key
        history = state.attrs[key].history
        # state.dict: only what is loaded, never a query in the middle of a flush.
        if action == "created":
            before, after = None, state.dict.get(key)
            if after is None:
                continue
        elif action == "removed":
            before, after = state.dict.get(key), None
        else:
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        if key in NOT_RECORDED or isinstance(before, bytes) or isinstance(after, bytes):
            before, after = (HIDDEN if before is not None else None,
                             HIDDEN if after is not None else None)
        elif key in private:
            before, after = (PRIVATE if before is not None else None,
                             PRIVATE if after is not None else None)
        changes[key] = [_plain(before), _plain(after)]
    return changes


def _meeting_of(obj, table):
    values = inspect(obj).dict
    return values.get("id") if table == "meetings" else values.get("meeting_id")


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)
