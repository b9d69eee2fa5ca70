"""The one write path, and broadcast after commit (docs/architecture.md, rules 1 and 2)."""
import threading
from collections import deque

from flask import current_app
from sqlalchemy import update

from facilitator.audit import trail
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.broadcast import messages_for, send_messages
from facilitator.live.models import MeetingEvent
from facilitator.meetings.models import Meeting

# A client further behind than this gets a fresh page instead of a replay.
REPLAY_LIMIT = 500
KEY_LIMIT = 64

# Broadcasts leave this process in sequence order: without that, a writer that commits seq n
# can be overtaken by the writer of n + 1 between its commit and its broadcast, and every client
# then sees a gap and has to catch up. Writers take the meeting's lock for the transaction only
# and join its queue of turns before letting go; each renders its event outside the lock (the
# slow part, done in parallel with the next writer's transaction) and sends when its turn comes.
# Striped so the locks never grow in number and different meetings rarely wait for each other.
# The database is still the truth; a client that sees a gap anyway (several processes) catches
# up with meeting.join.
_STRIPES = 64
_ORDER_LOCKS = [threading.RLock() for _ in range(_STRIPES)]
_TURNS = [threading.Condition() for _ in range(_STRIPES)]
_queued = {}  # meeting id -> seqs committed here and not yet broadcast, oldest first


def _in_order(meeting_id):
    return _ORDER_LOCKS[meeting_id % _STRIPES]


def _take_turn(meeting_id, seq):
    """Queue a committed event for broadcast (called under the meeting's write lock)."""
    with _TURNS[meeting_id % _STRIPES]:
        _queued.setdefault(meeting_id, deque()).append(seq)


def _broadcast_in_turn(event):
    meeting_id, seq = event.meeting_id, event.seq
    try:
        messages = messages_for(event)
    except Exception:  # the change is committed; clients catch up through meeting.join
        current_app.logger.exception("Rendering event %s of meeting %s failed", seq, meeting_id)
        messages = {}
    turns = _TURNS[meeting_id % _STRIPES]
    with turns:
        queue = _queued[meeting_id]
        turns.wait_for(lambda: queue[0] == seq)
        try:
            send_messages(meeting_id, messages)
        finally:
            queue.popleft()
            if not queue:
                del _queued[meeting_id]
            turns.notify_all()


def record_change(meeting_id, event_type, change, *, actor=None, key=None):
    """Apply `change` to a meeting and append its event, in one transaction; broadcast after.

    `change()` checks permissions and input (raising Refused), writes, and returns the event
    payload. A repeated idempotency `key` returns the first event and changes nothing.
    """
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= KEY_LIMIT):
        raise Refused("That submission could not be read. Reload the page and try again.")
    who = trail.describe(actor)  # read before the write transaction, whose first statement
    _begin_write()               # must be the sequence bump; this ends any transaction of ours
    queued = None
    try:
        with _in_order(meeting_id), trail.acting(who, meeting_id):
            try:
                seq = _allocate_seq(meeting_id)
                if seq is None:
                    raise Refused("That meeting could not be found.", 404)
                if key is not None:
                    earlier = db.session.scalar(db.select(MeetingEvent).filter_by(
                        meeting_id=meeting_id, idempotency_key=key))
                    if earlier is not None:
                        db.session.rollback()  # gives back the sequence number
                        if earlier.type != event_type or earlier.actor_id != (actor and actor.id):
                            # Someone else's key, or another kind of change: not a retry.
                            raise Refused("That submission could not be read. Reload the page "
                                          "and try again.")
                        return earlier
                payload = change()
                event = MeetingEvent(meeting_id=meeting_id, seq=seq, type=event_type,
                                     payload=payload,
                                     actor_id=actor.id if actor is not None else None,
                                     idempotency_key=key)
                db.session.add(event)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            _take_turn(meeting_id, seq)  # after the commit, never before
            queued = event
    finally:
        if queued is not None:  # always takes its turn: a turn never taken would stop the queue
            _broadcast_in_turn(queued)
    return event


def _begin_write():
    """Start a fresh transaction whose first statement is the sequence bump.

    Taking the meeting's write lock first means concurrent writers queue on it (a row lock on
    PostgreSQL, the database lock on SQLite) instead of failing on a stale read snapshot.
    Reads made before this point (the caller's permission checks) are simply ended.
    """
    session = db.session()  # the request's Session behind the scoped proxy
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("A meeting change was written outside record_change.")
    if session.in_transaction():
        session.rollback()


def _allocate_seq(meeting_id):
    statement = (update(Meeting).where(Meeting.id == meeting_id)
                 .values(last_seq=Meeting.last_seq + 1).returning(Meeting.last_seq))
    return db.session.execute(statement, execution_options={"synchronize_session": False}
                              ).scalar_one_or_none()


def events_since(meeting_id, seq):
    """The committed events after `seq`, in order, or None when too many to replay."""
    events = db.session.scalars(
        db.select(MeetingEvent).where(MeetingEvent.meeting_id == meeting_id,
                                      MeetingEvent.seq > seq)
        .order_by(MeetingEvent.seq).limit(REPLAY_LIMIT + 1)).all()
    return None if len(events) > REPLAY_LIMIT else events


def record_first_event(meeting, event_type, payload, *, actor=None):
    """A new meeting's first event (seq 1), written in the transaction that creates it."""
    meeting.last_seq = 1
    db.session.flush()
    event = MeetingEvent(meeting_id=meeting.id, seq=1, type=event_type, payload=payload,
                         actor_id=actor.id if actor is not None else None)
    db.session.add(event)
    db.session.commit()
    return event
