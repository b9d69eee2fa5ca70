"""The stability pages through Flask's test client, as staff use them: recording a concern,
confirming or overriding its route, calling the meeting from it, logging calls, recording
moves, the overview's rows and filters and a child's history. Guests never reach any of it;
typed text is escaped everywhere; bad input shows its message and changes nothing."""
import re
from datetime import date, datetime

import pytest

import facilitator.clock
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings.models import Meeting
from facilitator.stability import monitoring
from facilitator.stability import services as stability
from facilitator.stability.models import PlacementMove, StabilityConcern, Team
from tests.conftest import FIXED_MEETING_AT, csrf_from, new_meeting, sign_in

NOW = datetime(2026, 12, 1, 10, 0)  # Tuesday 1 December 2026, 10:00 in London
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW)


@pytest.fixture
def officer(client, chair_user):
    sign_in(client, "chair@example.org")
    return client


def post_form(client, url, data, page=None):
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


CONCERN = {"case_reference": "CASE-0042", "child_name": "Jordan Lee Taylor", "team": "1",
           "raised_by": "Pat Jones", "relationship": "Foster carer",
           "raised_on": "2026-12-01", "raised_time": "09:15",
           "concern": "Arguments every night.", "involvement": "none",
           "first_consultation": "yes", "scale": "5", "named_worker": ""}


def record(client, **changes):
    return post_form(client, "/stability/concerns/new", {**CONCERN, **changes})


def text(response):
    return response.get_data(as_text=True)


# ---- Staff only -----------------------------------------------------------------------------

STAFF_PAGES = ["/stability/", "/stability/concerns/new", "/stability/monitoring",
               "/stability/moves/new", "/stability/concerns/1", "/stability/children/1"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_guest_is_sent_to_sign_in(client, meeting, url):
    # Even someone holding a seat in a meeting (a carer who joined by code).
    page = client.get(f"/join/{meeting.join_code}")
    client.post(f"/join/{meeting.join_code}", data={
        "csrf_token": csrf_from(text(page)), "name": "Pat Jones", "attends_as": "carer"})
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_guest_cannot_post_a_call(client, chair_user):
    response = client.post("/stability/monitoring/1/calls", data={"scale": "2"})
    assert response.status_code in (302, 400)
    assert db.session.scalar(db.select(StabilityConcern.id)) is None


def test_the_navigation_links_staff_to_the_overview(officer):
    assert 'href="/stability/"' in text(officer.get("/"))


# ---- Recording a concern and its route -------------------------------------------------------

def test_an_officer_records_a_concern_and_confirms_the_proposed_route(officer):
    form = text(officer.get("/stability/concerns/new"))
    assert "Current involvement with the Adolescent Support Team or CAMHS" in form
    assert "5 – Stability at serious risk of breakdown" in form
    assert "immediate risk" not in form  # the borough's record does not ask it
    response = record(officer)
    assert response.status_code == 303
    page = text(officer.get(response.headers["Location"]))
    assert "Level 3 AST worker and CAMHS visit the placement" in page
    concern = db.session.scalar(db.select(StabilityConcern))
    assert concern.proposed_route == "multi_agency_not_involved"

    url = f"/stability/concerns/{concern.id}"
    response = post_form(officer, f"{url}/route", {"route": "multi_agency_not_involved"}, url)
    assert response.status_code == 303
    page = text(officer.get(url))
    tasks = re.findall(r'<tr class="govuk-table__row app-task">(.*?)</tr>', page, re.S)
    assert len(tasks) == 5
    # Raised Tuesday 1 December 09:15: 24 hours is Wednesday 09:15; the meeting within 10
    # working days is Tuesday 15 December.
    assert "Wednesday 2 December 2026, 09:15" in tasks[1]
    assert "Tue 15 Dec 2026" in tasks[4] and "within 10 working days" in tasks[4]
    assert "Create the Multi-Agency Stability Support Meeting" in page


def test_bad_answers_on_the_form_show_the_message_and_record_nothing(officer):
    response = record(officer, scale="6")
    assert response.status_code == 400
    assert "Choose a number on the scale, from 1 to 5." in text(response)
    assert 'value="Pat Jones"' in text(response)  # what they typed is kept
    response = record(officer, raised_on="2026-12-02")
    assert "cannot be in the future" in text(response)
    response = record(officer, raised_time="")
    assert "Enter the time the concern was raised." in text(response)
    assert db.session.scalar(db.select(StabilityConcern.id)) is None


def test_an_override_without_a_reason_is_refused_on_the_page(officer):
    record(officer)
    concern = db.session.scalar(db.select(StabilityConcern))
    url = f"/stability/concerns/{concern.id}"
    response = post_form(officer, f"{url}/route", {"route": "support_not_involved"}, url)
    assert response.status_code == 400
    assert "Enter the reason for choosing a different route." in text(response)
    db.session.expire_all()
    assert db.session.get(StabilityConcern, concern.id).route is None
    post_form(officer, f"{url}/route", {"route": "support_not_involved",
                                        "reason": "AST already visiting weekly."}, url)
    page = text(officer.get(url))
    assert "instead of the proposed route. Reason: AST already visiting weekly." in page


def test_the_county_record_asks_about_immediate_risk_on_the_0_to_10_scale(app, officer):
    app.config["FACILITATOR_AUTHORITY"] = "county"
    form = text(officer.get("/stability/concerns/new"))
    assert "Are there signs that the placement is at immediate risk?" in form
    assert "Current involvement" not in form
    assert "10 – Stability: living together into the future" in form
    response = record(officer, scale="3", immediate_risk="yes", involvement="")
    concern = db.session.get(StabilityConcern, int(response.headers["Location"].split("/")[-1]))
    assert concern.authority_code == "county" and concern.proposed_route == "psm_immediate"


# ---- The meeting called from the concern -------------------------------------------------------

def confirmed_concern(officer, **changes):
    record(officer, **changes)
    concern = db.session.scalar(db.select(StabilityConcern).order_by(StabilityConcern.id.desc()))
    url = f"/stability/concerns/{concern.id}"
    post_form(officer, f"{url}/route", {"route": concern.proposed_route}, url)
    return concern


def test_the_meeting_is_created_from_the_concern_with_the_child_and_attendees(officer):
    concern = confirmed_concern(officer, involvement="camhs",
                                involvement_worker="Sam Ray, CAMHS")
    form = text(officer.get(f"/meetings/new?concern={concern.id}"))
    assert 'value="CASE-0042"' in form and 'value="Jordan Lee Taylor"' in form
    assert re.search(r'value="multi_agency_stability_support" checked', form)
    attendees = re.search(r'<ul[^>]*id="suggested-attendees">(.*?)</ul>', form, re.S).group(1)
    assert "Pat Jones (Foster carer)" in attendees
    assert "Sam Ray, CAMHS (CAMHS)" in attendees
    assert "The Level 3 Adolescent Support Team worker" in attendees

    response = post_form(officer, "/meetings/new", {
        "concern": str(concern.id), "type_code": "multi_agency_stability_support",
        "case_reference": "CASE-0042", "child_name": "Jordan Lee Taylor",
        "day": "2026-12-10", "time": "10:00", "location": "Room 4"},
        f"/meetings/new?concern={concern.id}")
    assert response.status_code == 303
    db.session.expire_all()
    concern = db.session.get(StabilityConcern, concern.id)
    meeting = db.session.get(Meeting, concern.meeting_id)
    assert meeting.type_code == "multi_agency_stability_support"
    first = db.session.scalar(db.select(MeetingEvent).filter_by(meeting_id=meeting.id, seq=1))
    assert first.payload["concern"] == concern.id
    assert "Pat Jones (Foster carer)" in first.payload["suggested"]
    booking = next(t for t in concern.tasks if t.is_meeting)
    assert booking.done_at == NOW  # the route's "book the meeting" step is done
    # A second meeting for the same concern is refused while the first is still to come.
    assert officer.get(f"/meetings/new?concern={concern.id}").status_code == 409


def test_a_meeting_for_another_child_cannot_be_linked_to_the_concern(officer):
    concern = confirmed_concern(officer)
    response = post_form(officer, "/meetings/new", {
        "concern": str(concern.id), "type_code": "multi_agency_stability_support",
        "case_reference": "CASE-0099", "child_name": "Someone Else",
        "day": "2026-12-10", "time": "10:00", "location": "Room 4"},
        f"/meetings/new?concern={concern.id}")
    assert "must be about the same child" in text(response)
    assert db.session.scalar(db.select(Meeting.id)) is None


def test_a_county_meeting_from_a_concern_is_due_from_the_day_it_was_raised(app, officer):
    app.config["FACILITATOR_AUTHORITY"] = "county"
    concern = confirmed_concern(officer, scale="2", immediate_risk="yes", raised_on="2026-11-27")
    response = post_form(officer, "/meetings/new", {
        "concern": str(concern.id), "type_code": "placement_stability",
        "immediate_risk": "yes", "case_reference": "CASE-0042",
        "child_name": "Jordan Lee Taylor", "day": "2026-12-03", "time": "10:00",
        "location": "Room 4"}, f"/meetings/new?concern={concern.id}")
    assert response.status_code == 303
    meeting = db.session.scalar(db.select(Meeting))
    # Friday 27 November + 5 working days = Friday 4 December (not from today, 1 December).
    assert meeting.due_by == date(2026, 12, 4)


# ---- Calls through the contact list ---------------------------------------------------------

def test_calls_are_logged_and_a_future_call_is_refused(officer, chair_user, other_staff):
    concern = confirmed_concern(officer, scale="2", named_worker=str(other_staff.id))
    placement = monitoring.active_placement(concern.id)
    url = f"/stability/monitoring/{placement.id}/calls"
    response = post_form(officer, url, {"called_on": "2026-12-01", "called_time": "10:30",
                                        "scale": "2", "note": "Fine."}, "/stability/monitoring")
    assert response.status_code == 400
    assert "The date and time of the call cannot be in the future." in text(response)
    response = post_form(officer, url, {"called_on": "2026-12-01", "called_time": "09:30",
                                        "scale": "5", "note": "Carer at breaking point."},
                         "/stability/monitoring")
    assert response.status_code == 303 and "escalated=" in response.headers["Location"]
    page = text(officer.get(response.headers["Location"]))
    assert "the named worker has been told" in page
    assert "Call a Multi-Agency Stability Support Meeting" in page
    # The named worker sees it on their overview.
    officer.post("/sign-out", data={"csrf_token": csrf_from(text(officer.get("/")))})
    sign_in(officer, "other@example.org")
    overview = text(officer.get("/stability/"))
    assert "escalated to 5 (Stability at serious risk of breakdown)" in overview


# ---- The overview -------------------------------------------------------------------------

def test_the_overview_lists_and_filters_by_team_and_locality(officer, chair_user):
    confirmed_concern(officer, team="1", scale="2")
    confirmed_concern(officer, team="2", case_reference="CASE-0077", child_name="Ava Brown")
    north, south = db.session.scalars(db.select(Team).order_by(Team.id)).all()
    page = text(officer.get("/stability/"))
    concerns = re.search(r'id="open-concerns">(.*?)</table>', page, re.S).group(1)
    assert "Jordan Lee Taylor" in concerns and "Ava Brown" in concerns
    assert "first reading" in concerns
    meetings = re.search(r'id="meetings-due">(.*?)</table>', page, re.S).group(1)
    assert "Ava Brown" in meetings and "Not yet set up" in meetings
    assert "Jordan Lee Taylor" not in meetings  # a monitoring route calls no meeting

    page = text(officer.get(f"/stability/?team={north.id}"))
    concerns = re.search(r'id="open-concerns">(.*?)</table>', page, re.S).group(1)
    assert "Jordan Lee Taylor" in concerns and "Ava Brown" not in concerns
    page = text(officer.get(f"/stability/?locality={south.locality_id}"))
    assert "Ava Brown" in page and "Jordan Lee Taylor" not in page
    # Each row links to the child.
    child = db.session.scalar(db.select(StabilityConcern).filter_by(team_id=south.id)).child
    assert f'href="/stability/children/{child.id}"' in page


def test_the_overview_shows_the_direction_of_the_latest_scale(officer, chair_user):
    concern = confirmed_concern(officer, scale="3")
    placement = monitoring.active_placement(concern.id)
    monitoring.log_call(chair_user, placement.id, called_at=datetime(2026, 12, 1, 9, 50),
                        scale=1, note="Settled.")
    page = text(officer.get("/stability/"))
    assert "2 points towards stability" in page


def test_calls_due_today_and_overdue_and_reviews_show_on_the_overview(officer, chair_user,
                                                                      monkeypatch):
    concern = confirmed_concern(officer, scale="2")

    def overview_on(moment):
        # A staff sign-in lasts a working day, so sign in again on the later day.
        monkeypatch.setattr(facilitator.clock, "utcnow", lambda: moment)
        sign_in(officer, "chair@example.org")
        return text(officer.get("/stability/"))

    page = overview_on(datetime(2026, 12, 8, 10, 0))
    calls = re.search(r'id="calls-due">(.*?)</ul>', page, re.S).group(1)
    assert "Due today" in calls and "Jordan Lee Taylor" in calls
    page = overview_on(datetime(2026, 12, 9, 10, 0))
    assert "Overdue" in re.search(r'id="calls-due">(.*?)</ul>', page, re.S).group(1)
    page = overview_on(datetime(2026, 12, 17, 10, 0))
    reviews = re.search(r'id="reviews">(.*?)</ul>', page, re.S).group(1)
    assert "Tue 29 Dec 2026" in reviews and "Telephone monitoring period ends" in reviews
    assert concern.id


def test_the_2_plus_placement_list(officer):
    def move(reference, name, day):
        return post_form(officer, "/stability/moves/new", {
            "case_reference": reference, "child_name": name, "team": "1", "moved_on": day,
            "from_placement": "Carers A", "to_placement": "Carers B",
            "reason": "Placement ended."})

    assert move("CASE-1", "Two Moves", "2026-03-01").status_code == 303
    move("CASE-1", "Two Moves", "2026-11-20")
    move("CASE-2", "One Recent", "2025-11-30")  # more than twelve months ago
    move("CASE-2", "One Recent", "2026-06-01")
    response = move("CASE-3", "Future Move", "2026-12-02")
    assert "The date of the move cannot be in the future." in text(response)
    assert db.session.scalar(db.select(db.func.count(PlacementMove.id))) == 4
    page = text(officer.get("/stability/"))
    listed = re.search(r'id="moves-list">(.*?)</ul>', page, re.S).group(1)
    assert "Two Moves" in listed and "2 moves" in listed and "One Recent" not in listed


# ---- A child's history, and escaping ------------------------------------------------------

def test_the_history_shows_everything_in_order_with_the_chart(officer, chair_user):
    concern = confirmed_concern(officer, scale="3", concern=HOSTILE, raised_by=HOSTILE)
    placement = monitoring.active_placement(concern.id)
    monitoring.log_call(chair_user, placement.id, called_at=datetime(2026, 12, 1, 9, 40),
                        scale=4, note=HOSTILE)
    monitoring.log_call(chair_user, placement.id, called_at=datetime(2026, 12, 1, 9, 50),
                        scale=2, note="Calmer.")
    new_meeting(chair_user, reference="CASE-0042", child="Jordan Lee Taylor",
                scheduled_at=FIXED_MEETING_AT)
    stability.record_move(chair_user, case_reference="CASE-0042", child_name="Jordan Lee Taylor",
                          moved_on=date(2026, 10, 1), from_placement="Carers A",
                          to_placement="Carers B", reason="Carer retired.")
    page = text(officer.get(f"/stability/children/{concern.child_id}"))
    rows = re.findall(r'<tr class="govuk-table__row app-history-(\w+)">', page)
    assert rows == ["move", "meeting", "concern", "call", "call"]  # meeting: 24 November
    assert "Escalation" in page and "De-escalation" in page
    assert "<svg" in page and 'role="img"' in page
    assert "concern 3; 1 Dec 2026 call 4; 1 Dec 2026 call 2." in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    for url in ("/stability/", f"/stability/concerns/{concern.id}", "/stability/monitoring"):
        assert HOSTILE not in text(officer.get(url))


def test_open_stability_actions_past_due_show_on_the_overview(officer, chair_user, chair_seat,
                                                              monkeypatch):
    actions = pytest.importorskip("facilitator.actions.services")  # issue 6's domain
    meeting = chair_seat.meeting
    actions.propose(meeting.id, chair_seat, {
        "what": f"Arrange respite weekends {HOSTILE}", "owner": "other",
        "owner_name": "Placement support", "timescale": "date", "due_date": "2026-12-03",
        "destination": "childs_plan"})
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: datetime(2026, 12, 4, 10, 0))
    sign_in(officer, "chair@example.org")
    page = text(officer.get("/stability/"))
    overdue = re.search(r'id="overdue-actions">(.*?)</table>', page, re.S).group(1)
    assert "Arrange respite weekends" in overdue and "Thu 3 Dec 2026" in overdue
    assert meeting.child.name in overdue and HOSTILE not in page


def test_review_dates_decided_at_meetings_show_within_two_weeks(officer, chair_user,
                                                                 chair_seat):
    decisions = pytest.importorskip("facilitator.decisions.models")  # issue 6's domain
    meeting = chair_seat.meeting
    later = new_meeting(chair_user, reference="CASE-0100", child="Far Future")
    later_chair = db.session.scalar(db.select(type(chair_seat)).filter_by(meeting_id=later.id))
    for held, day, seat in ((meeting, date(2026, 12, 14), chair_seat),
                            (later, date(2026, 12, 16), later_chair)):
        db.session.add(decisions.Decision(meeting_id=held.id, review_date=day,
                                          recorded_by_id=seat.id, notifications={}))
    db.session.commit()
    page = text(officer.get("/stability/"))
    reviews = re.search(r'id="reviews">(.*?)</ul>', page, re.S).group(1)
    assert "Mon 14 Dec 2026" in reviews and meeting.child.name in reviews
    assert "Review of the Placement Stability Meeting" in reviews
    assert "Far Future" not in reviews  # 16 December is more than two weeks away
