"""Agenda operations. Each is one recorded change ("agenda.changed") through record_change.

Time comes from `clock.utcnow`, so tests control it; nothing here sleeps or schedules.
"""
from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.agenda import phases
from facilitator.agenda.models import AgendaExtension, AgendaItem
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import CHAIR, Meeting
from facilitator.text import clean_text

WARNING_SECONDS = 120       # the item turns amber, and everyone is told, two minutes before
EXTENSION_MINUTES = range(1, 31)
REASON_LIMIT = 300
ACTIONS = ("start", "next", "back", "pause", "resume")


def items_of(meeting_id):
    return db.session.scalars(_in_order(meeting_id)).all()


def items_with_extensions(meeting_id):
    """The agenda as the minutes record it: each item with the extra time it was given and
    why, in one query however many items."""
    return db.session.scalars(_in_order(meeting_id)
                              .options(joinedload(AgendaItem.extensions))).unique().all()


def _in_order(meeting_id):
    return (db.select(AgendaItem).filter_by(meeting_id=meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id))


def create_agenda(meeting):
    """A new meeting's agenda, copied from its type (in the transaction that creates it)."""
    for position, entry in enumerate(meeting.type.agenda, start=1):
        kind, column = phases.item_kind(entry, meeting.type.columns)
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position * 10,
                                  title=entry["title"], planned_seconds=entry["minutes"] * 60,
                                  kind=kind, board_column=column))


def insert_item(meeting_id, title, minutes, kind, before_last=False):
    """Add an item of this kind (a panel's case slot) at the end, or before the closing item."""
    items = items_of(meeting_id)
    if before_last and items:
        position = items[-1].position
        items[-1].position += 10
    else:
        position = (items[-1].position if items else 0) + 10
    item = AgendaItem(meeting_id=meeting_id, position=position, title=title,
                      planned_seconds=minutes * 60, kind=kind)
    db.session.add(item)
    db.session.flush()
    return item


def _run(item, now):
    """Start the item, or carry on with it after a pause or after the chair came back to it."""
    if item.started_at is None:
        item.started_at = now
    elif item.ended_at is not None:
        item.paused_seconds += (now - item.ended_at).total_seconds()
        item.ended_at = None
    elif item.paused_at is not None:
        item.paused_seconds += (now - item.paused_at).total_seconds()
        item.paused_at = None


def _stop(item, now):
    if item.paused_at is not None:
        item.paused_seconds += (now - item.paused_at).total_seconds()
        item.paused_at = None
    item.ended_at = now


def move(meeting_id, actor, action, key=None):
    """The chair starts the agenda, moves on, goes back, pauses or resumes the current item."""
    if action not in ACTIONS:
        raise Refused("Choose what to do with the agenda.")

    def change():
        meeting, seat = _chair(meeting_id, actor)
        now = clock.utcnow()
        items = items_of(meeting_id)
        if not items:
            raise Refused("This meeting has no agenda.", 409)
        current = next((i for i in items if i.id == meeting.current_item_id), None)
        target = _apply(action, items, current, now)
        meeting.current_item_id = target.id if target is not None else None
        if action in ("start", "next", "back"):
            meeting.on_screen = None   # a new item: the projector follows the agenda again
        return {"action": action, "item": target.id if target is not None else None,
                "from": current.id if current is not None else None}
    return record_change(meeting_id, "agenda.changed", change, actor=actor, key=key)


def _apply(action, items, current, now):
    if action == "start":
        if current is not None:
            raise Refused("The agenda has already started.", 409)
        target = next((i for i in items if not i.is_done), None)
        if target is None:
            raise Refused("Every agenda item is finished.", 409)
        _run(target, now)
        return target
    if current is None:
        raise Refused("Start the agenda first.", 409)
    index = items.index(current)
    if action in ("next", "back"):
        step = 1 if action == "next" else -1
        if action == "back" and index == 0:
            raise Refused("This is the first item.", 409)
        _stop(current, now)
        target = items[index + step] if 0 <= index + step < len(items) else None
        if target is not None:
            _run(target, now)
        return target
    if action == "pause":
        if not current.is_running:
            raise Refused("The timer is already paused.", 409)
        current.paused_at = now
    else:  # resume
        if not current.is_paused:
            raise Refused("The timer is already running.", 409)
        _run(current, now)
    return current


def extend(meeting_id, actor, minutes, reason, key=None):
    """More time for the current item, with the reason recorded."""
    def change():
        meeting, seat = _chair(meeting_id, actor)
        item = db.session.get(AgendaItem, meeting.current_item_id or 0)
        if item is None:
            raise Refused("Start the agenda before extending an item.", 409)
        extra = _minutes(minutes)
        why = clean_text(reason, label="the reason for more time", limit=REASON_LIMIT,
                         field="reason")
        item.extended_seconds += extra * 60
        db.session.add(AgendaExtension(item_id=item.id, seconds=extra * 60, reason=why,
                                       by_id=seat.id, at=clock.utcnow()))
        return {"action": "extend", "item": item.id, "minutes": extra}
    return record_change(meeting_id, "agenda.changed", change, actor=actor, key=key)


def show_on_screen(meeting_id, actor, value, key=None):
    """The chair puts a section on the projector for a while (a phase's value, see
    agenda.phases), or "" to follow the agenda again."""
    def change():
        meeting, seat = _chair(meeting_id, actor, "Only the chair can choose what the screen "
                                                  "shows.")
        chosen = phases.parse(value, meeting.type).value if value else None
        meeting.on_screen = chosen
        return {"on_screen": chosen}
    return record_change(meeting_id, "screen.changed", change, actor=actor, key=key)


def put_on_screen(meeting, kind):
    """Within another change (a scaling round opening): the projector shows this section
    until the agenda moves on, unless the agenda is on it already."""
    current = db.session.get(AgendaItem, meeting.current_item_id or 0)
    meeting.on_screen = None if current is not None and current.kind == kind else kind


def _minutes(value):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in EXTENSION_MINUTES:
        raise Refused("Choose from 1 to 30 more minutes.", field="minutes")
    return value


def _chair(meeting_id, actor, refusal="Only the chair can run the agenda."):
    meeting, seat = acting_seat(meeting_id, actor)
    if seat.meeting_role != CHAIR:
        raise Refused(refusal, 403)
    return meeting, seat


# ---- What everyone sees ----------------------------------------------------------------------

def agenda_view(meeting_id, now=None):
    """The agenda as it stands at `now`: every item's state and times, the current item's
    timer, and how far ahead (negative) or behind (positive) the planned schedule it runs."""
    now = now or clock.utcnow()
    meeting = db.session.get(Meeting, meeting_id)
    items = items_of(meeting_id)
    current = next((i for i in items if i.id == meeting.current_item_id), None)
    behind = sum(i.elapsed(now) - i.planned_seconds for i in items if i.is_done)
    if current is not None:
        behind += max(0.0, current.elapsed(now) - current.planned_seconds)
    return {"agenda_items": items, "current": current, "now": now, "behind": behind,
            "finished": current is None and any(i.is_done for i in items),
            "done_behind": sum(i.elapsed(now) - i.planned_seconds for i in items if i.is_done),
            "warning_seconds": WARNING_SECONDS}


def timer_phase(item, now):
    """"normal", "warning" (two minutes or less left) or "overrun", for one item at `now`."""
    remaining = item.remaining(now)
    if remaining <= 0:
        return "overrun"
    return "warning" if remaining <= WARNING_SECONDS else "normal"
