"""The Child's Plan actions as CSV and JSON for a case-management system (field names in the
README under "Exports"). Both carry the same fields; a CSV cell that a spreadsheet could read as
a formula gets a leading apostrophe."""
import csv
import io
import json

from facilitator import clock
from facilitator.actions.services import actions_for_child
from facilitator.text import safe_cell

FIELDS = ["action_id", "case_reference", "meeting_id", "meeting_type", "meeting_date", "what",
          "owner", "owner_in_meeting", "destination", "destination_label", "agency",
          "timescale", "timescale_number", "timescale_label", "due_date", "status",
          "status_note", "status_set_at", "overdue", "for_iro", "proposed_by", "confirmed_by",
          "confirmed_at"]


def _iso(moment):
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def rows(child_id, today=None):
    today = today or clock.london_today()
    return [{
        "action_id": a.id,
        "case_reference": a.child.case_reference,
        "meeting_id": a.meeting_id,
        "meeting_type": a.meeting.type_code,
        "meeting_date": clock.to_london(a.meeting.scheduled_at).date().isoformat(),
        "what": a.what,
        "owner": a.owner_label,
        "owner_in_meeting": a.owner_participant_id is not None,
        "destination": a.destination,
        "destination_label": a.destination_label,
        "agency": a.agency,
        "timescale": a.timescale,
        "timescale_number": a.timescale_number,
        "timescale_label": a.timescale_label,
        "due_date": a.due_on.isoformat() if a.due_on else None,
        "status": a.status,
        "status_note": a.status_note,
        "status_set_at": _iso(a.status_set_at),
        "overdue": a.is_overdue(today),
        "for_iro": a.for_iro,
        "proposed_by": a.proposed_by.name,
        "confirmed_by": a.confirmed_by.name if a.confirmed_by else None,
        "confirmed_at": _iso(a.confirmed_at),
    } for a in actions_for_child(child_id)]


def to_csv(child_id, today=None):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows(child_id, today):
        writer.writerow([safe_cell(row[name]) for name in FIELDS])
    return out.getvalue()


def to_json(child, today=None):
    return json.dumps({"case_reference": child.case_reference,
                       "exported_at": _iso(clock.utcnow()), "fields": FIELDS,
                       "actions": rows(child.id, today)}, ensure_ascii=False, indent=1)
