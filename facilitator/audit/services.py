"""Reading the trail, exporting it, and deleting a meeting for good."""
import csv
import io

from sqlalchemy import delete, select, update

from facilitator import clock
from facilitator.audit.models import AuditEvent
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.models import Meeting
from facilitator.text import clean_text, safe_cell

PAGE = 200
EXPORT_FIELDS = ["id", "at", "actor", "actor_user_id", "actor_participant_id", "meeting_id",
                 "action", "subject", "subject_id", "field", "before", "after"]


def entries(meeting_id=None, before_id=None, limit=PAGE):
    """The newest entries first, for one meeting or all; `before_id` pages back."""
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if meeting_id is not None:
        query = query.filter_by(meeting_id=meeting_id)
    if before_id is not None:
        query = query.filter(AuditEvent.id < before_id)
    return db.session.scalars(query).all()


def to_csv(meeting_id=None):
    """One line per changed value, oldest first; cells a spreadsheet could run are defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    if meeting_id is not None:
        query = query.filter_by(meeting_id=meeting_id)
    for entry in db.session.scalars(query):
        for field, (before, after) in (entry.changes or {"": [None, None]}).items():
            writer.writerow([safe_cell(value) for value in (
                entry.id, entry.at.isoformat(), entry.actor, entry.actor_user_id,
                entry.actor_participant_id, entry.meeting_id, entry.action, entry.subject,
                entry.subject_id, field, before, after)])
    return out.getvalue()


def all_meetings():
    return db.session.scalars(db.select(Meeting).order_by(Meeting.scheduled_at.desc())).all()


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
