"""Reading the trail, exporting it, and deleting a meeting for good."""
import csv
import io
import json
import re
from datetime import date, time, timedelta

from flask import stream_with_context
from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.audit.models import AuditEvent
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.models import Child, Meeting
from facilitator.text import clean_text, safe_cell

PAGE = 200
EXPORT_FIELDS = ["id", "at", "actor", "actor_user_id", "actor_participant_id", "meeting_id",
                 "action", "subject", "subject_id", "field", "before", "after"]
# The values as the JSON text the database holds, read with json.loads: the same values as the
# column's own reading, at twice the speed (psycopg's JSON loading goes through more layers).
EXPORT_COLUMNS = [AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.actor_user_id,
                  AuditEvent.actor_participant_id, AuditEvent.meeting_id, AuditEvent.action,
                  AuditEvent.subject, AuditEvent.subject_id,
                  cast(AuditEvent.changes, Text).label("changes")]
NO_CHANGES = {"": [None, None]}  # an entry without values still has its line
BATCH = 2000          # rows fetched at a time
CHUNK = 256 * 1024    # characters written at a time
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def entries(meeting_id=None, before_id=None, limit=PAGE):
    """The newest entries first, for one meeting or all; `before_id` pages back."""
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if meeting_id is not None:
        query = query.filter_by(meeting_id=meeting_id)
    if before_id is not None:
        query = query.filter(AuditEvent.id < before_id)
    return db.session.scalars(query).all()


def export_days(args):
    """The days an export covers, from the query's `from` and `to` (YYYY-MM-DD, days in
    England, either may be left out): ((first moment, moment after the last day) as naive
    UTC, None where open), and {field: message} for what could not be read."""
    days, errors = {}, {}
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        if not text:
            continue
        try:
            if not _DAY.fullmatch(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
            days[name] = clock.from_london(day if name == "from" else day + timedelta(days=1),
                                           time(0, 0))
        except (ValueError, OverflowError):
            errors[name] = (f"Enter the ‘{name}’ date as a real date, year-month-day, for "
                            f"example 2026-03-31.")
    if not errors and days.get("to") is not None and days.get("from") is not None \
            and days["to"] <= days["from"]:
        errors["to"] = "The ‘to’ date must be the same as or after the ‘from’ date."
    return (days.get("from"), days.get("to")), errors


def csv_stream(meeting_id=None, days=(None, None)):
    """The trail as CSV, streamed within the request that asked for it (see _csv_chunks)."""
    return stream_with_context(_csv_chunks(meeting_id, days))


def _csv_chunks(meeting_id, days):
    """One line per changed value, oldest first; cells a spreadsheet could run are defused.

    Read in batches of plain rows (a server-side cursor on PostgreSQL) and written in chunks of
    about CHUNK characters, so memory stays flat however long the trail. By id; between dates,
    the whole trail is read along `at` (its index), in order of time."""
    start, end = days
    query = select(*EXPORT_COLUMNS)
    if meeting_id is not None:
        query = query.where(AuditEvent.meeting_id == meeting_id)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    by_time = meeting_id is None and (start is not None or end is not None)
    query = query.order_by(*((AuditEvent.at, AuditEvent.id) if by_time else (AuditEvent.id,)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    said = _Defused()  # who, which meeting, what and which column repeat down a trail
    for entry_id, at, actor, user_id, seat_id, entry_meeting, action, subject, subject_id, \
            values in db.session.execute(query.execution_options(yield_per=BATCH)):
        changes = json.loads(values) if values is not None else None
        head = (safe_cell(entry_id), at.isoformat(), said[actor], said[user_id], said[seat_id],
                said[entry_meeting], said[action], said[subject], safe_cell(subject_id))
        writer.writerows((*head, said[field], safe_cell(before), safe_cell(after))
                         for field, (before, after) in (changes or NO_CHANGES).items())
        if out.tell() >= CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


class _Defused(dict):
    """safe_cell of each value, worked out once, for up to LIMIT values (memory stays flat).
    Only for columns of one type each: True and 1 are one key to a dict."""

    LIMIT = 4096

    def __missing__(self, value):
        cell = safe_cell(value)
        if len(self) < self.LIMIT:
            self[value] = cell
        return cell


def all_meetings(case_reference=""):
    """Every meeting, newest first (or the child's with this case reference), with the type
    and child its row shows: a query to page."""
    query = (db.select(Meeting).options(joinedload(Meeting.type), joinedload(Meeting.child))
             .order_by(Meeting.scheduled_at.desc(), Meeting.id.desc()))
    reference = (case_reference or "").strip()[:40]
    if reference:
        query = query.filter(Meeting.child_id.in_(
            db.select(Child.id).filter(Child.case_reference == reference)))
    return query


def delete_meeting(admin, meeting_id, reason):
    """An administrator deletes a meeting and everything recorded in it, its trail included.

    What remains is one entry saying which meeting (type, date, case reference), who deleted
    it, when and why. Rows that merely point at the meeting from elsewhere (a concern that led
    to it) keep their place with the link cleared.
    """
    if admin is None or not admin.is_admin:
        raise Refused("Only an administrator can delete a meeting.", 403)
    why = clean_text(reason, label="why the meeting is being deleted", limit=300)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise Refused("That meeting could not be found.", 404)
    record = {"type": [meeting.type_code, None],
              "scheduled_at": [meeting.scheduled_at.isoformat(), None],
              "case_reference": [meeting.child.case_reference, None], "reason": [why, None]}
    _delete_rows(Meeting.__table__, {meeting.id})
    db.session.execute(delete(AuditEvent).filter_by(meeting_id=meeting.id))
    db.session.add(AuditEvent(at=clock.utcnow(), actor_user_id=admin.id,
                              actor=f"{admin.name} (administrator)", meeting_id=meeting.id,
                              action="deleted meeting", subject="meetings",
                              subject_id=str(meeting.id), changes=record))
    db.session.commit()
    db.session.expunge_all()


def _delete_rows(root, root_ids):
    """Delete `root_ids` of `root` and every row that depends on them through a required
    foreign key, children first; clear optional foreign keys that point at doomed rows.
    Worked out from the schema, so a new domain's tables are covered without a line here."""
    doomed = {root: set(root_ids)}
    tables = db.metadata.sorted_tables
    changed = True
    while changed:
        changed = False
        for table in tables:
            for fk in table.foreign_keys:
                target = fk.column.table
                if target not in doomed or fk.parent.nullable or not doomed[target]:
                    continue
                ids = _ids_where(table, fk.parent.in_(_target_values(fk, doomed[target])))
                new = ids - doomed.setdefault(table, set())
                if new:
                    doomed[table] |= new
                    changed = True
    for table in tables:
        for fk in table.foreign_keys:
            target = fk.column.table
            if target in doomed and fk.parent.nullable and doomed[target]:
                db.session.execute(update(table).where(
                    fk.parent.in_(_target_values(fk, doomed[target]))).values({fk.parent: None}))
    for table in reversed(tables):
        if doomed.get(table):
            key = _key(table)
            db.session.execute(delete(table).where(key.in_(doomed[table])))


def _key(table):
    (column,) = table.primary_key.columns  # every table here has a one-column primary key
    return column


def _ids_where(table, condition):
    return set(db.session.scalars(select(_key(table)).where(condition)))


def _target_values(fk, doomed_ids):
    """The values of the column `fk` points at, for the doomed rows of its table."""
    target = fk.column.table
    if fk.column is _key(target):
        return doomed_ids
    return set(db.session.scalars(select(fk.column).where(_key(target).in_(doomed_ids))))
