"""The Child's Plan actions as CSV and JSON for a case-management system (field names in the
README under "Exports"). Both carry the same fields; a CSV cell that a spreadsheet could read as
a formula gets a leading apostrophe.

Both stream: one query (the action, its meeting and the people it names, joined) read in
batches as plain rows, written out in chunks, so memory stays flat however long the plan."""
import csv
import io
import json

from flask import stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import aliased

from facilitator import clock
from facilitator.actions.models import PROPOSED, Action
from facilitator.extensions import db
from facilitator.meetings.models import Meeting, Participant
from facilitator.text import safe_cell

FIELDS = ["action_id", "case_reference", "meeting_id", "meeting_type", "meeting_date", "what",
          "owner", "owner_in_meeting", "destination", "destination_label", "agency",
          "timescale", "timescale_number", "timescale_label", "due_date", "status",
          "status_note", "status_set_at", "overdue", "for_iro", "proposed_by", "confirmed_by",
          "confirmed_at"]
BATCH = 1000          # rows fetched at a time
CHUNK = 64 * 1024     # characters written at a time


def _iso(moment):
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


class _Person:
    """A participant as the export reads them: their name, whether they are shown by it, and
    their role in the Participant's own words."""

    __slots__ = ("name", "show_name", "attends_as")
    attends_as_label = Participant.attends_as_label

    def __init__(self, name, show_name, attends_as):
        self.name, self.show_name, self.attends_as = name, show_name, attends_as


class _Planned:
    """An action as the export words it (from a row, not a loaded Action): by the Action's own
    properties, so the export says what the Child's Plan page says."""

    __slots__ = ("owner", "owner_name", "destination", "agency", "timescale", "timescale_number",
                 "status", "due_on")
    owner_label = Action.owner_label
    destination_label = Action.destination_label
    timescale_label = Action.timescale_label
    is_overdue = Action.is_overdue

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


class _Remembered(dict):
    """`work(*key)` worked out once for each key (an owner, a label, a meeting's date), for up
    to LIMIT keys: the same few values repeat down a plan, and memory stays flat."""

    LIMIT = 4096

    def __init__(self, work):
        super().__init__()
        self.work = work

    def __missing__(self, key):
        value = self.work(*key) if isinstance(key, tuple) else self.work(key)
        if len(self) < self.LIMIT:
            self[key] = value
        return value


def _query(child_id):
    """The child's confirmed actions in the Child's Plan's order (undated last, then as
    raised), with what each row needs from its meeting and people: one statement."""
    owner, proposer, confirmer = (aliased(Participant) for _ in range(3))
    return (select(Action.id, Action.meeting_id, Meeting.type_code, Meeting.scheduled_at,
                   Action.what, Action.owner_participant_id, Action.owner_name,
                   owner.name.label("owner_shown"), owner.show_name.label("owner_show_name"),
                   owner.attends_as.label("owner_attends_as"), Action.destination,
                   Action.agency, Action.timescale, Action.timescale_number, Action.due_on,
                   Action.status, Action.status_note, Action.status_set_at, Action.for_iro,
                   proposer.name.label("proposed_by"), confirmer.name.label("confirmed_by"),
                   Action.confirmed_at)
            .join(Meeting, Meeting.id == Action.meeting_id)
            .join(proposer, proposer.id == Action.proposed_by_id)
            .outerjoin(owner, owner.id == Action.owner_participant_id)
            .outerjoin(confirmer, confirmer.id == Action.confirmed_by_id)
            .where(Action.child_id == child_id, Action.status != PROPOSED)
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
            .execution_options(yield_per=BATCH))


def _owner(owner_id, owner_name, name, show_name, attends_as):
    owner = _Person(name, show_name, attends_as) if owner_id is not None else None
    return _Planned(owner=owner, owner_name=owner_name).owner_label


def _destination(destination, agency):
    return _Planned(destination=destination, agency=agency).destination_label


def _timescale(timescale, number):
    return _Planned(timescale=timescale, timescale_number=number).timescale_label


def _london_day(moment):
    return clock.to_london(moment).date().isoformat()


def rows(child, today=None):
    """Each action of the child's plan as a tuple of FIELDS' values, read as it is written."""
    today = today or clock.london_today()
    owners, destinations, timescales, days = (_Remembered(work) for work in (
        _owner, _destination, _timescale, _london_day))
    standing = _Planned()  # is_overdue, asked of each row in turn
    for (action_id, meeting_id, type_code, scheduled_at, what, owner_id, owner_name, shown,
         show_name, attends_as, destination, agency, timescale, number, due_on, status, note,
         set_at, for_iro, proposed_by, confirmed_by, confirmed_at) in db.session.execute(
            _query(child.id)):
        standing.status, standing.due_on = status, due_on
        yield (action_id, child.case_reference, meeting_id, type_code, days[scheduled_at], what,
               owners[owner_id, owner_name, shown, show_name, attends_as], owner_id is not None,
               destination, destinations[destination, agency], agency, timescale, number,
               timescales[timescale, number], due_on.isoformat() if due_on else None, status,
               note, _iso(set_at), standing.is_overdue(today), for_iro, proposed_by,
               confirmed_by, _iso(confirmed_at))


def csv_stream(child, today=None):
    """The plan as CSV, streamed within the request that asked for it."""
    return stream_with_context(_csv_chunks(child, today))


def json_stream(child, today=None):
    """The plan as JSON, streamed within the request that asked for it."""
    return stream_with_context(_json_chunks(child, today))


def _csv_chunks(child, today=None):
    """The plan as CSV, in chunks of about CHUNK characters."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    cells = _Remembered(safe_cell)  # codes, labels, names and dates repeat down a plan
    for values in rows(child, today):
        writer.writerow([cells[value] if type(value) is str else safe_cell(value)
                         for value in values])
        if out.tell() >= CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _json_chunks(child, today=None):
    """The plan as one JSON document, {"case_reference", "exported_at", "fields", "actions"},
    one action a line, in chunks of about CHUNK characters."""
    head = json.dumps({"case_reference": child.case_reference,
                       "exported_at": _iso(clock.utcnow()), "fields": FIELDS},
                      ensure_ascii=False)
    parts, size, before = [head[:-1] + ', "actions": ['], 0, "\n"
    for values in rows(child, today):
        line = before + json.dumps(dict(zip(FIELDS, values)), ensure_ascii=False)
        parts.append(line)
        size += len(line)
        before = ",\n"
        if size >= CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]}\n")
    yield "".join(parts)
