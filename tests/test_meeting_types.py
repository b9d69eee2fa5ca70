"""Meeting types as data, the administrator's agenda changes, and the stability meeting's due
date on the real England & Wales calendar."""
from datetime import date, datetime

import pytest

from facilitator.accounts.services import create_user
from facilitator.agenda.services import items_of
from facilitator.clock import add_working_days, london_today
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import MeetingType
from tests.conftest import FIXED_MEETING_AT, PASSWORD, csrf_from, new_meeting, sign_in

PSM_DUE = {"immediate_risk": {"working_days": 5}, "otherwise": {"days": 14}}


def test_the_five_types_from_the_seeds_are_data(app):
    found = {t.code: t for t in db.session.scalars(db.select(MeetingType))}
    assert {t.name for t in found.values()} == {
        "Placement Stability Meeting", "Multi-Agency Stability Support Meeting",
        "Stability Review Meeting", "Disruption Meeting", "Step Up / Step Down panel"}
    psm = found["placement_stability"]
    assert psm.agenda[0]["title"].startswith("Welcome") and sum(
        i["minutes"] for i in psm.agenda) == 80
    assert {"who": "The Independent Reviewing Officer (kept informed throughout)",
            "expect": "views"} in psm.roles
    assert psm.rules["due"] == PSM_DUE
    assert found["multi_agency_stability_support"].rules["review_within_weeks"] == 6
    assert found["multi_agency_stability_support"].scale["min"] == 1
    assert found["disruption"].columns[-1]["question"] == "What can we learn?"
    panel = found["step_up_step_down"]
    assert panel.is_panel and panel.rules["slot_minutes"] == 10
    assert panel.rules["series"] == {"weekday": "WE", "time": "14:00", "interval_weeks": 2}


def test_a_new_meeting_gets_its_types_agenda(meeting):
    items = items_of(meeting.id)
    assert [i.title for i in items][:2] == ["Welcome, introductions and why we are meeting",
                                            "What are we worried about?"]
    assert [i.planned_seconds for i in items][:2] == [300, 900]
    assert all(i.started_at is None for i in items)


@pytest.mark.parametrize("today, due", [
    (date(2026, 12, 22), date(2026, 12, 31)),   # Christmas Day and Boxing Day (observed, 28th)
    (date(2027, 3, 24), date(2027, 4, 2)),      # Good Friday and Easter Monday
    (date(2027, 5, 27), date(2027, 6, 4)),      # the late May bank holiday (31 May)
    (date(2026, 11, 21), date(2026, 11, 27)),   # from a Saturday: Monday is the first day
])
def test_a_meeting_at_immediate_risk_is_due_within_five_working_days(today, due):
    assert meetings.due_date(PSM_DUE, True, today=today) == due


def test_otherwise_within_two_weeks_and_a_later_booking_is_flagged(chair_user):
    assert meetings.due_date(PSM_DUE, False, today=date(2026, 12, 22)) == date(2027, 1, 5)
    late = new_meeting(chair_user, immediate_risk=True, scheduled_at=FIXED_MEETING_AT)
    expected = add_working_days(london_today(), 5)
    assert late.due_by == expected and late.immediate_risk is True
    assert late.booked_late == (date(2026, 11, 24) > expected)
    soon = meetings.create_meeting(
        chair_user, case_reference="CASE-0050", child_name="Ash Green",
        scheduled_at=datetime(2099, 1, 1, 10, 0), location="Room 1", immediate_risk=False)
    assert soon.booked_late
    with pytest.raises(Refused, match="immediate risk"):
        meetings.create_meeting(chair_user, case_reference="CASE-0051", child_name="Bo Ray",
                                scheduled_at=datetime(2026, 12, 1, 10), location="Room 1")


@pytest.mark.parametrize("today, due", [
    (date(2026, 11, 21), date(2026, 12, 4)),    # from a Saturday: the Friday, not Saturday
    (date(2026, 11, 22), date(2026, 12, 4)),    # from a Sunday: the Friday, not Sunday
    (date(2026, 12, 11), date(2026, 12, 24)),   # not Christmas Day
    (date(2026, 12, 14), date(2026, 12, 24)),   # not Boxing Day (observed, Monday 28th)
    (date(2026, 12, 18), date(2026, 12, 31)),   # not New Year's Day
    (date(2027, 3, 12), date(2027, 3, 25)),     # not Good Friday
    (date(2027, 3, 15), date(2027, 3, 25)),     # not Easter Monday (nor Good Friday)
    (date(2027, 5, 17), date(2027, 5, 28)),     # not the late May bank holiday
])
def test_within_two_weeks_is_due_on_the_last_working_day_of_the_two_weeks(today, due):
    assert meetings.due_date(PSM_DUE, False, today=today) == due


def test_a_meeting_set_up_from_a_saturday_concern_is_due_on_a_working_day(chair_user):
    # Called from a concern raised on Saturday 19 December 2026: two weeks on is Saturday
    # 2 January, New Year's Day is the Friday, so the meeting is due on Thursday 31 December.
    meeting = meetings.create_meeting(
        chair_user, case_reference="CASE-0060", child_name="Ash Green",
        scheduled_at=datetime(2026, 12, 30, 10, 0), location="Room 1", immediate_risk=False,
        due_from=date(2026, 12, 19))
    assert meeting.due_by == date(2026, 12, 31) and not meeting.booked_late


def test_the_meeting_list_shows_the_due_date_and_the_flag(client, chair_user):
    meetings.create_meeting(chair_user, case_reference="CASE-0052", child_name="Cal Dee",
                            scheduled_at=datetime(2099, 1, 1, 10), location="Room 1",
                            immediate_risk=True)
    sign_in(client, chair_user.email)
    page = client.get("/").get_data(as_text=True)
    assert "Due by" in page and "immediate risk: 5 working days" in page
    assert "Booked after the due date" in page


def test_only_an_administrator_changes_a_types_agenda(client, chair_user, meeting):
    url = "/admin/meeting-types/placement_stability"
    sign_in(client, chair_user.email)
    assert client.get(url).status_code == 403
    admin = create_user("admin@example.org", "Ada Admin", PASSWORD, is_admin=True)
    client.post("/sign-out", data={"csrf_token": csrf_from(client.get("/").text)})
    sign_in(client, admin.email)
    form = client.get(url)
    assert form.status_code == 200 and "What are we worried about?" in form.text
    token = csrf_from(form.text)
    assert "The board column: What are we worried about?" in form.text  # what each item shows
    bad = client.post(url, data={"csrf_token": token, "title": ["Welcome", "Worries"],
                                 "minutes": ["5", "0"], "kind": ["welcome", "column:worried"]})
    assert "Give item 2 a whole number of minutes from 1 to 180." in bad.text
    assert len(db.session.get(MeetingType, "placement_stability").agenda) == 8
    forged = client.post(url, data={"csrf_token": token, "title": ["Welcome", "Worries"],
                                    "minutes": ["5", "10"], "kind": ["welcome", "column:nope"]})
    assert forged.status_code == 400
    assert "Choose what the screens show during item 2." in forged.text
    assert len(db.session.get(MeetingType, "placement_stability").agenda) == 8
    saved = client.post(url, data={"csrf_token": token,
                                   "title": ["Welcome", "Worries", "", "Close <b>now</b>"],
                                   "minutes": ["5", "20", "", "5"],
                                   "kind": ["welcome", "column:worried", "board", "close"]},
                        follow_redirects=True)
    assert "agenda is saved" in saved.text and "Close &lt;b&gt;now&lt;/b&gt;" in saved.text
    db.session.expire_all()
    assert [(i["title"], i["minutes"], i["kind"]) for i in
            db.session.get(MeetingType, "placement_stability").agenda] == [
        ("Welcome", 5, "welcome"), ("Worries", 20, "column"), ("Close <b>now</b>", 5, "close")]
    assert len(items_of(meeting.id)) == 8  # a meeting keeps the agenda it was set up with
    later = new_meeting(admin, reference="CASE-0060", child="Dee Fox")
    assert [(i.planned_seconds, i.kind, i.board_column) for i in items_of(later.id)] == [
        (300, "welcome", None), (1200, "column", "worried"), (300, "close", None)]


def test_the_create_user_command_makes_an_administrator(runner):
    result = runner.invoke(args=["create-user", "--email", "boss@example.org", "--name",
                                 "Bo Boss", "--admin", "--password", PASSWORD])
    assert result.exit_code == 0 and "as an administrator" in result.output
    from facilitator.accounts.models import User
    assert db.session.scalar(db.select(User).filter_by(email="boss@example.org")).is_admin
