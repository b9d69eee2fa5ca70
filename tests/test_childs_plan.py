"""The Child's Plan across a child's meetings, the carer's supervision record, the exports
(read back, every field, formula cells neutralised), status changes from the plan page, and
the review's carry-forward: earlier open actions, the last decision and the stability trend."""
import csv
import io
import json
import re
from datetime import date, datetime

import pytest

from facilitator.actions import export
from facilitator.actions import services as actions
from facilitator.actions.models import Action
from facilitator.decisions import services as decisions
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings import services as meetings
from facilitator.scaling import services as scaling
from facilitator.scaling.trend import stability_trend
from facilitator.text import safe_cell
from tests import test_actions as base
from tests.conftest import csrf_from, guest, sign_in
from tests.test_actions import confirmed, event_count, meeting_on, propose, refused, seat_of
from tests.test_error_messages import assert_problem

# The action tests' fixtures: a fixed clock, and a meeting with its people.
at, room = base.at, base.room


def plan_url(child_id, suffix=""):
    return f"/children/{child_id}/plan{suffix}"


@pytest.fixture
def plan(room):
    """Three confirmed actions and a proposal in the meeting of 1 December 2026."""
    respite = confirmed(room)                                     # due 8 Dec, Child's Plan
    carer = confirmed(room, what="Keep a bedtime diary", timescale="weeks",
                      timescale_number="2", destination="carers_record")
    agency = confirmed(room, what="=HYPERLINK(\"http://example.com\")", owner="other",
                       owner_name="+44 Helpline", destination="other_agency",
                       agency="@School nurse", timescale="ongoing")
    propose(room, what="Only proposed")
    return {"respite": respite, "carer": carer, "agency": agency, **room}


# ---- The Child's Plan page --------------------------------------------------------------------

def test_the_childs_plan_lists_every_confirmed_action_with_overdue_standing_out(
        client, plan, chair_user, at):
    at(datetime(2026, 12, 9, 9, 0))  # the respite weekend was due on 8 December
    sign_in(client, chair_user.email)
    page = client.get(plan_url(plan["meeting"].child_id)).get_data(as_text=True)
    assert "Arrange a respite weekend" in page and "Keep a bedtime diary" in page
    assert "Only proposed" not in page
    assert "1 action is overdue." in page
    item = page.split('id="plan-action-%d"' % plan["respite"].id)[1].split("</li>")[0]
    assert "Overdue" in item and "8 December 2026" in item and "Pat Jones" in item
    assert "Child&#39;s Plan" in item or "Child's Plan" in item
    other = page.split('id="plan-action-%d"' % plan["carer"].id)[1].split("</li>")[0]
    assert "Overdue" not in other and "Carer&#39;s supervision record" in other


def test_the_carers_supervision_view_lists_only_the_carers_record(client, plan, chair_user):
    sign_in(client, chair_user.email)
    page = client.get(f"/children/{plan['meeting'].child_id}/carers-record"
                      ).get_data(as_text=True)
    assert "Keep a bedtime diary" in page
    assert "Arrange a respite weekend" not in page and "HYPERLINK" not in page


@pytest.mark.parametrize("suffix", ["", ".csv", ".json"])
def test_a_guest_never_gets_the_plan_or_its_exports(app, plan, suffix):
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["seats"] = {str(plan["meeting"].id): plan["carer"].token}
    response = visitor.get(plan_url(plan["meeting"].child_id, suffix))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert b"respite" not in response.data
    carers = visitor.get(f"/children/{plan['meeting'].child_id}/carers-record")
    assert carers.status_code == 302


def post_status(client, child_id, action_id, status, note):
    token = csrf_from(client.get(plan_url(child_id)).get_data(as_text=True))
    return client.post(plan_url(child_id, f"/actions/{action_id}/status"), data={
        "csrf_token": token, "form_id": f"plan-{action_id}-status-form", "status": status,
        "note": note})


def test_the_chair_marks_an_action_done_from_the_plan_through_the_meetings_event_log(
        client, plan, chair_user):
    sign_in(client, chair_user.email)
    before = event_count(plan["meeting"])
    response = post_status(client, plan["meeting"].child_id, plan["respite"].id, "done",
                           "Booked with the aunt.")
    assert response.status_code == 303
    db.session.refresh(plan["respite"])
    assert (plan["respite"].status, plan["respite"].status_note) == ("done",
                                                                     "Booked with the aunt.")
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=plan["meeting"].id, seq=plan["meeting"].last_seq))
    assert event_count(plan["meeting"]) == before + 1
    assert (event.type, event.actor_id, event.payload["action"]) == (
        "actions.status_set", plan["chair"].id, plan["respite"].id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Booked with the aunt." in page


def test_plan_status_refusals_change_nothing(client, plan, chair_user, other_staff):
    child_id = plan["meeting"].child_id
    other = meeting_on(chair_user, datetime(2026, 12, 2, 10, 0), reference="CASE-0099",
                       child="Riley Smith")
    sign_in(client, chair_user.email)
    # An action of another child, through this child's plan.
    response = post_status(client, other.child_id, plan["respite"].id, "done", "x")
    assert response.status_code == 404
    assert "That action is not on this child&#39;s plan." in response.get_data(as_text=True)
    # A note is needed to mark it done: the plan comes back with it asked for at the note,
    # the form open with "Done" still chosen.
    action_id = plan["respite"].id
    response = post_status(client, child_id, action_id, "done", " ")
    page = assert_problem(response, f"plan-{action_id}-note", "Enter a note on what happened.")
    assert "checked" in page.ids[f"plan-{action_id}-status-done"]["attrs"]
    assert re.search(rf'<details class="govuk-details" open>\s*<summary[^>]*>.*?</summary>\s*'
                     rf'<form id="plan-{action_id}-status-form"', response.get_data(as_text=True),
                     re.S)
    db.session.refresh(plan["respite"])
    assert plan["respite"].status == "open"
    # Staff who are neither its owner nor its meeting's chair see no form and are refused.
    client.post("/sign-out", data={"csrf_token": csrf_from(client.get(plan_url(child_id))
                                                             .get_data(as_text=True))})
    sign_in(client, other_staff.email)
    page = client.get(plan_url(child_id)).get_data(as_text=True)
    assert "Arrange a respite weekend" in page and "Mark done or not done" not in page
    response = post_status(client, child_id, plan["respite"].id, "done", "x")
    assert response.status_code == 403  # not theirs: a refusal page, not a quiet redirect
    assert "Only the action&#39;s owner or the chair of its meeting" in response.get_data(
        as_text=True)
    db.session.refresh(plan["respite"])
    assert plan["respite"].status == "open"


def test_a_member_of_staff_who_owns_an_action_marks_it_from_the_plan(client, plan, other_staff):
    seat = meetings.join_meeting(plan["meeting"], name=other_staff.name,
                                 attends_as="childs_social_worker", user=other_staff)
    meetings.admit(plan["meeting"].id, plan["chair"], seat.id)
    theirs = confirmed(plan, owner_seat=seat, what="Visit school")
    sign_in(client, other_staff.email)
    post_status(client, plan["meeting"].child_id, theirs.id, "not_done", "School closed.")
    db.session.refresh(theirs)
    assert (theirs.status, theirs.status_set_by_id) == ("not_done", seat.id)


# ---- Exports -----------------------------------------------------------------------------------

def test_the_csv_export_reads_back_with_every_field_and_no_formulas(client, plan, chair_user):
    actions.set_status(plan["meeting"].id, plan["chair"], plan["carer"].id, "done",
                       "-5 minutes late, but done")
    sign_in(client, chair_user.email)
    response = client.get(plan_url(plan["meeting"].child_id, ".csv"))
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == export.FIELDS
    by_id = {int(row["action_id"]): row for row in rows}
    assert set(by_id) == {plan["respite"].id, plan["carer"].id, plan["agency"].id}
    assert by_id[plan["respite"].id] == {
        "action_id": str(plan["respite"].id), "case_reference": "CASE-0042",
        "meeting_id": str(plan["meeting"].id), "meeting_type": "placement_stability",
        "meeting_date": "2026-12-01", "what": "Arrange a respite weekend", "owner": "Pat Jones",
        "owner_in_meeting": "true", "destination": "childs_plan",
        "destination_label": "Child's Plan", "agency": "", "timescale": "working_days",
        "timescale_number": "5", "timescale_label": "within 5 working days",
        "due_date": "2026-12-08", "status": "open", "status_note": "", "status_set_at": "",
        "overdue": "false", "for_iro": "false", "proposed_by": "Pat Jones",
        "confirmed_by": "Alex Morgan", "confirmed_at": "2026-12-01T09:00:00Z"}
    agency = by_id[plan["agency"].id]
    assert agency["what"] == "'=HYPERLINK(\"http://example.com\")"
    assert agency["owner"] == "'+44 Helpline" and agency["agency"] == "'@School nurse"
    assert agency["destination_label"] == "Another agency: @School nurse"
    assert agency["owner_in_meeting"] == "false" and agency["due_date"] == ""
    assert by_id[plan["carer"].id]["status_note"] == "'-5 minutes late, but done"
    assert by_id[plan["carer"].id]["status_set_at"] == "2026-12-01T09:00:00Z"


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rReturn", "'\rReturn"), ("Plain = fine", "Plain = fine"),
    (None, ""), (True, "true"), (7, "7"),
])
def test_a_cell_that_could_be_a_formula_gets_an_apostrophe(value, cell):
    assert safe_cell(value) == cell


def test_the_json_export_has_the_same_fields_and_the_raw_values(client, plan, chair_user, at):
    at(datetime(2026, 12, 9, 9, 0))
    sign_in(client, chair_user.email)
    response = client.get(plan_url(plan["meeting"].child_id, ".json"))
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    assert data["case_reference"] == "CASE-0042" and data["fields"] == export.FIELDS
    assert data["exported_at"] == "2026-12-09T09:00:00Z"
    by_id = {row["action_id"]: row for row in data["actions"]}
    for row in data["actions"]:
        assert list(row) == export.FIELDS
    respite = by_id[plan["respite"].id]
    assert (respite["overdue"], respite["owner_in_meeting"], respite["timescale_number"],
            respite["due_date"], respite["agency"]) == (True, True, 5, "2026-12-08", None)
    agency = by_id[plan["agency"].id]
    assert agency["what"] == "=HYPERLINK(\"http://example.com\")"  # JSON is data, not a sheet
    assert (agency["owner"], agency["agency"], agency["due_date"], agency["overdue"]) == (
        "+44 Helpline", "@School nurse", None, False)


# ---- The review's carry-forward ---------------------------------------------------------------

def reveal(meeting, chair, values):
    """A scaling round where the chair and a guest per value score, revealed."""
    round_id = scaling.open_round(meeting.id, chair).payload["round"]
    for index, value in enumerate(values):
        person = guest(meeting, f"Scorer {index}", "other", admit_by=chair)
        scaling.submit_score(meeting.id, person, round_id, value, "Because.")
    scaling.reveal_round(meeting.id, chair, round_id)


@pytest.fixture
def review(plan, chair_user, at):
    """The first meeting scored 4 (0–10); a Multi-Agency meeting on 8 December scored 2 (1–5);
    the review on 15 December for the same child."""
    reveal(plan["meeting"], plan["chair"], [3, 4, 5])
    decisions.record_decision(plan["meeting"].id, plan["chair"], {
        "outcome": "maintain", "review_date": "2026-12-15", "notify_iro": "1",
        "rationale": "Stable with support."})
    at(datetime(2026, 12, 8, 9, 0))
    middle = meeting_on(chair_user, datetime(2026, 12, 8, 10, 0),
                        type_code="multi_agency_stability_support")
    reveal(middle, seat_of(middle, chair_user), [2, 2])
    at(datetime(2026, 12, 15, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 15, 10, 0),
                         type_code="stability_review")
    return {**plan, "middle": middle, "review": meeting,
            "review_chair": seat_of(meeting, chair_user)}


def test_a_review_starts_with_the_open_actions_the_decision_and_the_trend(
        client, review, chair_user):
    actions.set_status(review["meeting"].id, review["chair"], review["carer"].id, "done",
                       "Diary kept.")
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{review['review'].id}").get_data(as_text=True)
    carried = page.split('id="carried"')[1].split("</section>")[0]
    assert "Arrange a respite weekend" in carried and "HYPERLINK" in carried
    assert "Keep a bedtime diary" not in carried        # already done
    assert "Only proposed" not in carried               # never agreed
    assert "The placement continues, with the Stability Actions" in carried
    assert "15 December 2026" in carried and "Tell The Independent Reviewing Officer" in carried
    assert "<svg" in carried and (
        "Stability scores at earlier meetings, oldest first: 1 Dec 2026 (Placement Stability "
        "Meeting): median 4 on the 0–10 scale; 8 Dec 2026 (Multi-Agency Stability Support "
        "Meeting): median 2 on the 1–5 scale, Stability OK.") in carried


def test_the_trend_puts_more_stable_higher_whichever_way_the_scale_runs(review):
    trend = stability_trend([review["meeting"], review["middle"]])
    first, second = trend["points"]
    # 4 of 0–10 is 40% stable; 2 of 1–5 (1 is stable) is 75% stable: higher on the chart.
    assert second["y"] < first["y"]
    assert (first["median"], first["range"], second["median"], second["range"]) == (
        4, "0–10", 2, "1–5")
    assert stability_trend([]) is None


def test_the_reviews_chair_updates_carried_actions_one_by_one(review):
    review_id = review["review"].id
    event = actions.set_status(review_id, review["review_chair"], review["respite"].id,
                               "done", "Respite happened on 12 December.")
    assert (event.meeting_id, event.payload["from_meeting"]) == (review_id,
                                                                 review["meeting"].id)
    db.session.refresh(review["respite"])
    assert review["respite"].status == "done"
    # Updated in this review, it stays in the review's list with its new status.
    assert review["respite"] in actions.earlier_actions(review["review"])


def test_carried_actions_refusals(review, chair_user):
    review_id = review["review"].id
    carer = guest(review["review"], "Pat Jones", "carer", admit_by=review["review_chair"])
    assert refused(actions.set_status, review_id, carer, review["respite"].id, "done", "x") \
        == "That action is not part of this meeting."
    other = meeting_on(chair_user, datetime(2026, 12, 15, 12, 0), reference="CASE-0099",
                       child="Riley Smith")
    theirs = db.session.get(Action, actions.propose(other.id, seat_of(other, chair_user), {
        "what": "Another child's", "owner": "other", "owner_name": "X",
        "timescale": "ongoing", "destination": "childs_plan"}).payload["action"])
    assert refused(actions.set_status, review_id, review["review_chair"], theirs.id, "done",
                   "x") == "That action is on another child's plan."


def test_a_first_meeting_has_nothing_carried_forward(client, app, chair_user, at):
    at(datetime(2026, 12, 1, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 1, 10, 0), type_code="stability_review",
                         reference="CASE-NEW", child="Sky Brown")
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "nothing is carried forward" in page
    assert date(2026, 12, 1) == actions.meeting_day(meeting)
