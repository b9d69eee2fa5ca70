"""The exports stream: the audit trail CSV (the administrator's and the chair's, between London
days when asked) and the Child's Plan CSV and JSON are written out as they are read, in a
constant number of statements, with the same content as when they were built whole."""
import csv
import io
import json
import tracemalloc
from datetime import datetime

import pytest
from sqlalchemy import insert

from facilitator import clock
from facilitator.accounts.services import create_user
from facilitator.actions import export
from facilitator.actions import services as actions
from facilitator.actions.models import PROPOSED, Action
from facilitator.audit import services as audit
from facilitator.audit.models import AuditEvent
from facilitator.extensions import db
from facilitator.meetings.models import Child
from facilitator.text import safe_cell
from tests import test_actions as base
from tests.conftest import PASSWORD, counted_statements, guest, new_meeting, sign_in
from tests.test_actions import confirmed, propose

at, room = base.at, base.room  # the action tests' fixed clock and meeting with its people


def fetch(client, url):
    """(response, its body as text, statements the request and its streaming made); the
    response's `streamed` says whether it came as a stream (before it was read whole)."""
    with counted_statements() as counted:
        response = client.get(url)
        response.streamed = response.is_streamed
        body = response.get_data(as_text=True)
    return response, body, len(counted)


# ---- The audit trail ---------------------------------------------------------------------------

def trail_as_built_whole(meeting_id=None, start=None, end=None):
    """The trail CSV as it was made before it streamed (the whole of it in memory): the content
    the streamed export must keep, byte for byte. Between dates, the whole trail is in order of
    time; otherwise by id."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(audit.EXPORT_FIELDS)
    query = db.select(AuditEvent)
    if meeting_id is not None:
        query = query.filter_by(meeting_id=meeting_id)
    if start is not None:
        query = query.filter(AuditEvent.at >= start)
    if end is not None:
        query = query.filter(AuditEvent.at < end)
    by_time = meeting_id is None and (start or end)
    query = query.order_by(*((AuditEvent.at, AuditEvent.id) if by_time else (AuditEvent.id,)))
    for entry in db.session.scalars(query):
        for field, (before, after) in (entry.changes or {"": [None, None]}).items():
            writer.writerow([safe_cell(value) for value in (
                entry.id, entry.at.isoformat(), entry.actor, entry.actor_user_id,
                entry.actor_participant_id, entry.meeting_id, entry.action, entry.subject,
                entry.subject_id, field, before, after)])
    return out.getvalue()


def add_entries(moments, meeting_id=None, **values):
    """Trail entries at these UTC moments (naive), written straight to the table."""
    rows = [{"at": moment, "actor": values.get("actor", "Sam Patel (staff)"),
             "actor_user_id": 1, "meeting_id": meeting_id, "action": "changed",
             "subject": "cards", "subject_id": str(n),
             "changes": values.get("changes", {"text": [f"before {n}", f"after {n}"]})}
            for n, moment in enumerate(moments)]
    db.session.execute(insert(AuditEvent), rows)
    db.session.commit()


@pytest.fixture
def admin(app):
    return create_user("admin@example.org", "Ada Admin", PASSWORD, "Administrator",
                       is_admin=True)


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    sign_in(client, admin.email)
    return client


@pytest.fixture
def chaired(app, client, chair_user):
    """A meeting with a trail of its own, its chair signed in."""
    meeting = new_meeting(chair_user)
    guest(meeting, "Pat Jones", "carer")
    sign_in(client, chair_user.email)
    return meeting


def test_the_trail_streams_with_the_content_it_always_had(admin_client, client, chaired):
    add_entries([datetime(2026, 3, 1, 12, 0)], chaired.id, actor="=cmd|' /C calc'!A0",
                changes={"text": ["+1 before", '=HYPERLINK("http://x")'], "kept": [True, None],
                         "position": [1, 2]})
    add_entries([datetime(2026, 3, 2, 12, 0)], changes={})  # no values: still one line
    for http, url, expected in (
            (admin_client, "/admin/audit.csv", trail_as_built_whole()),
            (client, f"/meetings/{chaired.id}/trail.csv", trail_as_built_whole(chaired.id))):
        response, body, _ = fetch(http, url)
        assert response.status_code == 200 and response.streamed
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert body == expected
    rows = list(csv.DictReader(io.StringIO(fetch(admin_client, "/admin/audit.csv")[1])))
    defused = [r for r in rows if r["field"] == "text" and r["after"].startswith("'=")]
    assert defused and defused[0]["after"] == "'=HYPERLINK(\"http://x\")"
    assert defused[0]["before"] == "'+1 before" and defused[0]["actor"].startswith("'=cmd")
    assert {r["after"] for r in rows if r["field"] == "kept"} == {""}
    assert any(r["field"] == "" and r["subject"] == "cards" for r in rows)


# London days: 1 July 2026 is in British Summer Time (its midnight is 23:00 UTC the day before),
# 14 January in Greenwich Mean Time; 29 March 2026 is the day the clocks go forward (23 hours).
MOMENTS = {
    "june 30, 23:59:59 London": datetime(2026, 6, 30, 22, 59, 59),
    "july 1, 00:00 London": datetime(2026, 6, 30, 23, 0),
    "july 1, 23:59:59 London": datetime(2026, 7, 1, 22, 59, 59, 999999),
    "july 2, 00:00 London": datetime(2026, 7, 1, 23, 0),
    "january 13, 23:59 London": datetime(2026, 1, 13, 23, 59),
    "january 14, 00:00 London": datetime(2026, 1, 14, 0, 0),
    "january 14, 23:59 London": datetime(2026, 1, 14, 23, 59),
    "january 15, 00:00 London": datetime(2026, 1, 15, 0, 0),
    "march 29, 00:30 London": datetime(2026, 3, 29, 0, 30),
    "march 29, 23:30 London": datetime(2026, 3, 29, 22, 30),
    "march 30, 00:00 London": datetime(2026, 3, 29, 23, 0),
}


@pytest.mark.parametrize("days, included", [
    ("from=2026-07-01&to=2026-07-01", {"july 1, 00:00 London", "july 1, 23:59:59 London"}),
    ("from=2026-07-02", {"july 2, 00:00 London"}),
    ("to=2026-06-30", {k for k in MOMENTS if not k.startswith(("july", "june"))}
     | {"june 30, 23:59:59 London"}),
    ("from=2026-01-14&to=2026-01-14", {"january 14, 00:00 London", "january 14, 23:59 London"}),
    ("from=2026-03-29&to=2026-03-29", {"march 29, 00:30 London", "march 29, 23:30 London"}),
    ("from=2026-01-15&to=2026-03-29", {"january 15, 00:00 London", "march 29, 00:30 London",
                                       "march 29, 23:30 London"}),
    ("from=&to=", set(MOMENTS)),
])
def test_the_dates_are_whole_days_in_london_summer_or_winter(admin_client, client, chaired,
                                                             days, included):
    names = {moment: name for name, moment in MOMENTS.items()}
    add_entries(list(MOMENTS.values()), chaired.id)
    for http, url in ((admin_client, f"/admin/audit.csv?{days}"),
                      (client, f"/meetings/{chaired.id}/trail.csv?{days}")):
        response, body, _ = fetch(http, url)
        assert response.status_code == 200 and response.streamed
        rows = list(csv.DictReader(io.StringIO(body)))
        found = {names.get(datetime.fromisoformat(r["at"])) for r in rows} - {None}
        assert found == included, url
        if "from=2026" in days or "to=2026" in days:
            assert "-to-" in response.headers["Content-Disposition"]
    start, end = audit.export_days(dict(p.split("=") for p in days.split("&")))[0]
    assert fetch(admin_client, f"/admin/audit.csv?{days}")[1] == trail_as_built_whole(
        None, start, end)


@pytest.mark.parametrize("days, field, message", [
    ("from=2026-02-30", "from", "Enter the ‘from’ date as a real date"),
    ("from=31/03/2026", "from", "Enter the ‘from’ date as a real date"),
    ("to=2026-13-01", "to", "Enter the ‘to’ date as a real date"),
    ("to=yesterday", "to", "Enter the ‘to’ date as a real date"),
    ("to=9999-12-31", "to", "Enter the ‘to’ date as a real date"),
    ("from=2026-03-02&to=2026-03-01", "to",
     "The ‘to’ date must be the same as or after the ‘from’ date."),
])
def test_dates_that_cannot_be_read_answer_400_saying_what_is_wrong(admin_client, client,
                                                                   chaired, days, field,
                                                                   message):
    for http, url in ((admin_client, f"/admin/audit.csv?{days}"),
                      (client, f"/meetings/{chaired.id}/trail.csv?{days}")):
        response = http.get(url)
        assert response.status_code == 400 and response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and message in page
        assert f'href="#export-{field}"' in page and f'id="export-{field}-error"' in page
        assert 'aria-describedby="export-%s-hint export-%s-error"' % (field, field) in page


def test_the_trail_pages_offer_the_dates_form(admin_client, client, chaired):
    for http, url, action in ((admin_client, "/admin/audit", "/admin/audit.csv"),
                              (client, f"/meetings/{chaired.id}/trail",
                               f"/meetings/{chaired.id}/trail.csv")):
        page = http.get(url).get_data(as_text=True)
        assert f'<form method="get" action="{action}"' in page
        for name, label in (("from", "From"), ("to", "To")):
            assert f'<label class="govuk-label" for="export-{name}">{label}</label>' in page
            assert f'id="export-{name}" name="{name}" type="date"' in page
        assert "Days in England." in page


def test_the_trail_export_takes_the_same_statements_however_long(admin_client, client,
                                                                 chaired):
    counts = []
    for more in (5, 500):
        add_entries([datetime(2026, 5, 1, 9, 0)] * more, chaired.id)
        counts.append([fetch(http, url)[2] for http, url in (
            (admin_client, "/admin/audit.csv"),
            (admin_client, "/admin/audit.csv?from=2026-05-01&to=2026-05-01"),
            (client, f"/meetings/{chaired.id}/trail.csv"),
            (client, f"/meetings/{chaired.id}/trail.csv?from=2026-01-01"))])
    assert counts[0] == counts[1] and max(counts[0]) <= 6, counts


def test_a_long_trail_streams_in_flat_memory(app, admin_client):
    entries = 30_000
    add_entries([datetime(2026, 5, 1, 9, 0)] * entries,
                changes={"text": ["a" * 40, "b" * 40], "version": [1, 2], "column": ["x", "y"]})
    db.session.expunge_all()
    tracemalloc.start()
    try:
        response = admin_client.get("/admin/audit.csv")
        assert response.is_streamed
        first = next(iter(response.response))
        lines, size = first.count(b"\r\n"), len(first)
        for chunk in response.response:
            lines += chunk.count(b"\r\n")
            size += len(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 1 + 3 * entries <= lines < 1 + 3 * entries + 50 and size > 4_000_000
    assert peak < 16 * 1024 * 1024, f"{peak / 1e6:.1f} MB at the peak for {size / 1e6:.1f} MB"


# ---- The Child's Plan --------------------------------------------------------------------------

def plan_as_built_whole(child, today):
    """The plan's rows as they were made before the export streamed (each action loaded, with
    its meeting and people): the content the streamed exports must keep."""
    def iso(moment):
        return moment.isoformat(timespec="seconds") + "Z" if moment else None

    return [{
        "action_id": a.id, "case_reference": a.child.case_reference,
        "meeting_id": a.meeting_id, "meeting_type": a.meeting.type_code,
        "meeting_date": clock.to_london(a.meeting.scheduled_at).date().isoformat(),
        "what": a.what, "owner": a.owner_label,
        "owner_in_meeting": a.owner_participant_id is not None,
        "destination": a.destination, "destination_label": a.destination_label,
        "agency": a.agency, "timescale": a.timescale, "timescale_number": a.timescale_number,
        "timescale_label": a.timescale_label,
        "due_date": a.due_on.isoformat() if a.due_on else None, "status": a.status,
        "status_note": a.status_note, "status_set_at": iso(a.status_set_at),
        "overdue": a.is_overdue(today), "for_iro": a.for_iro,
        "proposed_by": a.proposed_by.name,
        "confirmed_by": a.confirmed_by.name if a.confirmed_by else None,
        "confirmed_at": iso(a.confirmed_at),
    } for a in db.session.scalars(db.select(Action).filter(
        Action.child_id == child.id, Action.status != PROPOSED).order_by(
        Action.due_on.is_(None), Action.due_on, Action.id))]


def as_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(export.FIELDS)
    for row in rows:
        writer.writerow([safe_cell(row[name]) for name in export.FIELDS])
    return out.getvalue()


@pytest.fixture
def plan(room, at):
    """Confirmed actions of every kind: dated and ongoing, a participant's and a named
    person's, done with a note, a formula typed in; and one only proposed."""
    made = [confirmed(room),
            confirmed(room, what="Keep a bedtime diary", timescale="weeks",
                      timescale_number="2", destination="carers_record"),
            confirmed(room, what="=HYPERLINK(\"http://example.com\")", owner="other",
                      owner_name="+44 Helpline", destination="other_agency",
                      agency="@School nurse", timescale="ongoing"),
            confirmed(room, what="Visit", owner_seat=room["worker"], for_iro="1")]
    actions.set_status(room["meeting"].id, room["chair"], made[1].id, "done",
                       "-5 minutes late, but done")
    propose(room, what="Only proposed")
    at(datetime(2026, 12, 9, 9, 0))  # the respite weekend is overdue
    return {"child": db.session.get(Child, room["meeting"].child_id), **room}


def test_the_childs_plan_streams_as_csv_and_json_with_the_content_it_had(client, chair_user,
                                                                        plan):
    child = plan["child"]
    whole = plan_as_built_whole(child, clock.london_today())
    assert len(whole) == 4 and any(row["overdue"] for row in whole)
    sign_in(client, chair_user.email)
    response, body, _ = fetch(client, f"/children/{child.id}/plan.csv")
    assert response.status_code == 200 and response.streamed
    assert response.headers["Cache-Control"] == "no-store"
    assert body == as_csv(whole)
    assert "'=HYPERLINK" in body and "'+44 Helpline" in body and "'-5 minutes" in body

    response, body, _ = fetch(client, f"/children/{child.id}/plan.json")
    assert response.status_code == 200 and response.streamed
    assert response.mimetype == "application/json"
    data = json.loads(body)
    assert list(data) == ["case_reference", "exported_at", "fields", "actions"]
    assert data["case_reference"] == child.case_reference and data["fields"] == export.FIELDS
    assert data["exported_at"] == "2026-12-09T09:00:00Z"
    assert data["actions"] == whole
    assert all(list(row) == export.FIELDS for row in data["actions"])


def test_an_empty_plan_is_still_a_whole_document(app, client, chair_user):
    meeting = new_meeting(chair_user)
    sign_in(client, chair_user.email)
    body = fetch(client, f"/children/{meeting.child_id}/plan.json")[1]
    assert json.loads(body)["actions"] == []
    assert fetch(client, f"/children/{meeting.child_id}/plan.csv")[1] == as_csv([])


def test_the_plan_export_takes_the_same_statements_however_long(client, chair_user, plan, at):
    child = plan["child"]
    sign_in(client, chair_user.email)
    counts = []
    for more in (1, 12):
        at(datetime(2026, 12, 1, 9, 0))  # the meeting's day, when actions are confirmed
        for n in range(more):
            confirmed(plan, what=f"Action {n}", owner_seat=plan["worker"] if n % 2 else
                      plan["carer"])
        counts.append([fetch(client, f"/children/{child.id}/plan{suffix}")[2]
                       for suffix in (".csv", ".json")])
    assert counts[0] == counts[1] and max(counts[0]) <= 5, counts
