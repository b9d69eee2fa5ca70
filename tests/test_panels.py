"""Step Up / Step Down panels at service and page level: series dates from rrule across the
clock changes, the deadlines, case slots and their agenda items, criteria, outcomes and their
follow-up deadlines across bank holidays, disagreements, every refusal, what the projector
shows, and the working-day calendar the deadlines stand on."""
import re
import threading
from datetime import date, datetime

import pytest
from flask import render_template

from facilitator import clock
from facilitator.agenda import services as agenda
from facilitator.agenda.models import AgendaItem
from facilitator.clock import add_working_days, is_working_day
from facilitator.documents import services as documents
from facilitator.documents.models import PANEL_AGENDA
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.broadcast import rendering_context
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Child, Meeting, Participant
from facilitator.meetings.views import _board_context
from facilitator.panels import services as panels
from facilitator.panels.models import CaseSlot, Disagreement, FollowUp, Locality, PanelMeeting
from tests.conftest import counted_statements, csrf_from, guest, new_meeting, sign_in, socket_client

# ---- The working-day calendar (facilitator.clock) ---------------------------------------------

@pytest.mark.parametrize("day, count, expected", [
    # Christmas 2026: Friday 25 and Monday 28 December (Boxing Day observed); New Year's Day.
    (date(2026, 12, 23), 0, date(2026, 12, 23)),
    (date(2026, 12, 23), 1, date(2026, 12, 24)),
    (date(2026, 12, 24), 1, date(2026, 12, 29)),
    (date(2026, 12, 23), 5, date(2027, 1, 4)),
    (date(2026, 12, 25), 0, date(2026, 12, 29)),   # a bank holiday counts from the next working day
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    (date(2027, 3, 25), 1, date(2027, 3, 30)),
    (date(2027, 3, 24), 5, date(2027, 4, 2)),
    # The late May bank holiday 2027: Monday 31 May.
    (date(2027, 5, 28), 1, date(2027, 6, 1)),
    (date(2027, 5, 26), 5, date(2027, 6, 3)),
])
def test_working_days_skip_weekends_and_bank_holidays(day, count, expected):
    assert add_working_days(day, count) == expected


def test_the_bank_holidays_come_from_the_holidays_package():
    for holiday in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 3, 26),
                    date(2027, 3, 29), date(2027, 5, 31), date(2027, 1, 1)):
        assert not is_working_day(holiday)
    assert is_working_day(date(2026, 12, 24)) and is_working_day(date(2027, 6, 1))


# ---- Fixtures ----------------------------------------------------------------------------------

@pytest.fixture
def at(monkeypatch):
    """Fix the clock at a UTC moment (every service reads time through clock.utcnow)."""
    def set_now(moment):
        monkeypatch.setattr(clock, "utcnow", lambda: moment)
        return moment
    return set_now


def locality(name):
    return db.session.scalar(db.select(Locality).filter_by(name=name))


def panel_on(user, day, place="North"):
    """A series starting on `day` and its panel meeting for that day."""
    series = panels.create_series(user, locality_id=locality(place).id, first_date=day)
    return panels.set_up_panel(user, series.id, day)


def seat_of(meeting, user):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=user.id))


@pytest.fixture
def room(app, chair_user, at):
    """A North panel on Wednesday 25 November 2026, with a minute taker and a social worker."""
    at(datetime(2026, 11, 2, 9, 0))
    meeting = panel_on(chair_user, date(2026, 11, 25))
    chair = seat_of(meeting, chair_user)
    minute_taker = guest(meeting, "Morgan Reid", "other", admit_by=chair)
    meetings.set_minute_taker(meeting.id, chair, minute_taker.id, True)
    db.session.refresh(minute_taker)
    worker = guest(meeting, "Dee Khan", "childs_social_worker", admit_by=chair)
    return {"meeting": meeting, "chair": chair, "minute_taker": minute_taker,
            "worker": worker}


def add(room, who="chair", reference="CASE-7001", name="Jordan Taylor", direction="up",
        worker="Sam Patel", **options):
    event = panels.add_case(room["meeting"].id, room[who], case_reference=reference,
                            child_name=name, direction=direction, presenting_worker=worker,
                            **options)
    return db.session.get(CaseSlot, event.payload["slot"])


def refused(call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value.message


def event_count(meeting):
    return db.session.scalar(db.select(db.func.count(MeetingEvent.id))
                             .filter_by(meeting_id=meeting.id))


def follow_ups(slot):
    db.session.refresh(slot)
    return [(f.what, f.due_at) for f in slot.follow_ups]


# ---- Localities, series and dates --------------------------------------------------------------

def test_the_localities_are_data_seeded_with_their_venues(app):
    assert [(p.name, p.venue) for p in panels.localities()] == [
        ("North", "Macclesfield Town Hall"), ("South", "Delamere House")]


def test_a_series_meets_fortnightly_on_wednesdays_at_2pm_london_across_the_clock_changes(
        app, chair_user):
    series = panels.create_series(chair_user, locality_id=locality("South").id,
                                  first_date=date(2026, 3, 11))
    spring = panels.next_dates(series, today=date(2026, 3, 1))
    assert spring == [date(2026, 3, 11), date(2026, 3, 25), date(2026, 4, 8),
                      date(2026, 4, 22), date(2026, 5, 6), date(2026, 5, 20)]
    rules = panels.panel_type_rules()
    # British Summer Time starts on Sunday 29 March 2026: 2pm is 14:00 UTC before, 13:00 after.
    assert [panels.panel_starts_at(rules, d) for d in spring[1:3]] == [
        datetime(2026, 3, 25, 14, 0), datetime(2026, 4, 8, 13, 0)]
    # It ends on Sunday 25 October 2026.
    autumn = panels.next_dates(series, today=date(2026, 10, 15))
    assert autumn[:2] == [date(2026, 10, 21), date(2026, 11, 4)]
    assert [panels.panel_starts_at(rules, d) for d in autumn[:2]] == [
        datetime(2026, 10, 21, 13, 0), datetime(2026, 11, 4, 14, 0)]
    # Today's panel is still among the next dates; every date is a Wednesday.
    assert panels.next_dates(series, today=date(2026, 4, 8))[0] == date(2026, 4, 8)
    assert all(d.weekday() == 2 for d in spring + autumn)
    assert panels.describe_series(series) == "every 2 weeks on Wednesday at 14:00"


def test_a_series_starts_on_a_wednesday_in_a_known_locality(app, chair_user):
    north = locality("North").id
    assert refused(panels.create_series, chair_user, locality_id=north,
                   first_date=date(2026, 11, 24)) == \
        "Choose a Wednesday: this panel meets on Wednesdays."
    assert refused(panels.create_series, chair_user, locality_id=999,
                   first_date=date(2026, 11, 25)) == "Choose a locality."
    panels.create_series(chair_user, locality_id=north, first_date=date(2026, 11, 25))
    assert refused(panels.create_series, chair_user, locality_id=north,
                   first_date=date(2026, 11, 25)) == \
        "The North series starting on that date already exists."


@pytest.mark.parametrize("panel_day, starts, papers, agenda_out, outcomes", [
    # An ordinary fortnight in November (GMT throughout).
    (date(2026, 11, 25), datetime(2026, 11, 25, 14), datetime(2026, 11, 18, 16),
     datetime(2026, 11, 20, 12), datetime(2026, 11, 27, 23, 59)),
    # Papers and agenda in GMT, the panel in BST; outcomes after Good Friday and Easter Monday.
    (date(2026, 4, 1), datetime(2026, 4, 1, 13), datetime(2026, 3, 25, 16),
     datetime(2026, 3, 27, 12), datetime(2026, 4, 7, 22, 59)),
    # Papers and agenda in BST, the panel in GMT.
    (date(2026, 10, 28), datetime(2026, 10, 28, 14), datetime(2026, 10, 21, 15),
     datetime(2026, 10, 23, 11), datetime(2026, 10, 30, 23, 59)),
    # Christmas: outcomes out skip the 25th and the 28th.
    (date(2026, 12, 23), datetime(2026, 12, 23, 14), datetime(2026, 12, 16, 16),
     datetime(2026, 12, 18, 12), datetime(2026, 12, 29, 23, 59)),
    # The agenda's Friday is Christmas Day, then New Year's Day: it goes out at noon on the
    # Thursday before; the papers' Wednesdays are working days.
    (date(2026, 12, 30), datetime(2026, 12, 30, 14), datetime(2026, 12, 23, 16),
     datetime(2026, 12, 24, 12), datetime(2027, 1, 4, 23, 59)),
    (date(2027, 1, 6), datetime(2027, 1, 6, 14), datetime(2026, 12, 30, 16),
     datetime(2026, 12, 31, 12), datetime(2027, 1, 8, 23, 59)),
    # The agenda's Friday is Good Friday 2027 (GMT; the panel is in summer time).
    (date(2027, 3, 31), datetime(2027, 3, 31, 13), datetime(2027, 3, 24, 16),
     datetime(2027, 3, 25, 12), datetime(2027, 4, 2, 22, 59)),
    # The papers' Wednesday is Christmas Day 2030: in by 16:00 on Tuesday 24 December.
    (date(2031, 1, 1), datetime(2031, 1, 1, 14), datetime(2030, 12, 24, 16),
     datetime(2030, 12, 27, 12), datetime(2031, 1, 3, 23, 59)),
])
def test_papers_agenda_and_outcomes_deadlines_in_london_time(app, panel_day, starts, papers,
                                                             agenda_out, outcomes):
    rules = panels.panel_type_rules()
    assert panels.panel_starts_at(rules, panel_day) == starts
    assert panels.deadlines(rules, starts) == {
        "papers_due": papers, "agenda_out": agenda_out, "outcomes_out": outcomes}


def test_setting_up_the_panel_meeting_for_a_date(app, chair_user, other_staff, at):
    at(datetime(2026, 11, 2, 9, 0))
    series = panels.create_series(chair_user, locality_id=locality("South").id,
                                  first_date=date(2026, 11, 11))
    meeting = panels.set_up_panel(chair_user, series.id, date(2026, 11, 25))
    assert meeting.type_code == "step_up_step_down" and meeting.type.is_panel
    assert meeting.location == "Delamere House"
    assert meeting.scheduled_at == datetime(2026, 11, 25, 14, 0)
    link = db.session.scalar(db.select(PanelMeeting).filter_by(meeting_id=meeting.id))
    assert (link.series_id, link.panel_date) == (series.id, date(2026, 11, 25))
    assert seat_of(meeting, chair_user).meeting_role == "chair"
    assert [i.title for i in agenda.items_of(meeting.id)] == [
        "Welcome and apologies", "Themes, common issues and close"]

    assert refused(panels.set_up_panel, other_staff, series.id, date(2026, 11, 25)) == \
        "The panel meeting for that date is already set up."
    assert refused(panels.set_up_panel, chair_user, series.id, date(2026, 11, 18)) == \
        "That date is not one of this panel's dates."
    at(datetime(2026, 11, 12, 9, 0))
    assert refused(panels.set_up_panel, chair_user, series.id, date(2026, 11, 11)) == \
        "That panel date has passed."


def test_the_staff_page_lists_series_with_their_next_dates_and_sets_up_a_panel(
        client, chair_user, at):
    at(datetime(2026, 11, 2, 9, 0))
    sign_in(client, "chair@example.org")
    page = client.get("/panels")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Macclesfield Town Hall" in html and "Delamere House" in html
    assert "No panel series yet." in html

    bad = client.post("/panels/series", data={"csrf_token": csrf_from(html), "locality":
                                              str(locality("North").id),
                                              "first_date": "2026-11-24"})
    assert bad.status_code == 400
    assert "Choose a Wednesday: this panel meets on Wednesdays." in bad.get_data(as_text=True)

    made = client.post("/panels/series", data={"csrf_token": csrf_from(html), "locality":
                                               str(locality("North").id),
                                               "first_date": "2026-11-11"})
    assert made.status_code == 303
    html = client.get("/panels").get_data(as_text=True)
    for day in ("Wednesday 11 November 2026, 14:00", "Wednesday 25 November 2026, 14:00",
                "Wednesday 9 December 2026, 14:00", "Wednesday 23 December 2026, 14:00",
                "Wednesday 6 January 2027, 14:00", "Wednesday 20 January 2027, 14:00"):
        assert day in html
    assert "Wednesday 3 February 2027" not in html  # six dates, no more
    # The 23 December panel: papers 4pm on the 16th, agenda noon on the 18th, outcomes by the 29th.
    assert "Wednesday 16 December 2026, 16:00" in html
    assert "Friday 18 December 2026, 12:00" in html
    assert "end of Tuesday 29 December 2026" in html
    # The 6 January panel's agenda would go out on New Year's Day: it goes out at noon on the
    # Thursday before, and the page says why.
    assert "Friday 1 January 2027, 12:00" not in html
    assert re.search(r"Thursday 31 December 2026, 12:00\s*<span[^>]*>\(brought forward from "
                     r"Friday 1 January 2027, a bank holiday\)</span>", html)
    assert html.count("brought forward") == 1 and "Bank holiday</strong>" not in html

    series_id = db.session.scalar(db.select(panels.PanelSeries.id))
    opened = client.post(f"/panels/series/{series_id}/meetings",
                         data={"csrf_token": csrf_from(html), "panel_date": "2026-11-25"})
    assert opened.status_code == 303
    meeting_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    board = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "North panel" in board and 'id="panel-area"' in board and 'id="cases"' in board
    assert "Papers due" in board and "Wednesday 18 November 2026, 16:00" in board
    assert "Open the panel" in client.get("/panels").get_data(as_text=True)
    again = client.post(f"/panels/series/{series_id}/meetings",
                        data={"csrf_token": csrf_from(html), "panel_date": "2026-11-25"})
    assert again.status_code == 409
    assert "already set up" in again.get_data(as_text=True)


def test_the_staff_page_is_for_signed_in_staff(client):
    assert client.get("/panels").status_code == 302


def test_panels_is_in_the_staff_menu_marked_as_the_current_page(client, chair_user, at):
    at(datetime(2026, 11, 2, 9, 0))
    sign_in(client, "chair@example.org")
    menu = re.compile(r'<nav aria-label="Menu".*?</nav>', re.S)
    for address, current in (("/", "Your meetings"), ("/stability/", "Stability"),
                             ("/panels", "Panels")):
        nav = menu.search(client.get(address).get_data(as_text=True)).group(0)
        links = [(attributes, re.sub(r"<[^>]+>", "", text).strip()) for attributes, text
                 in re.findall(r"<a ([^>]*)>(.*?)</a>", nav, re.S)]
        assert [text for _, text in links][:4] == [
            "Your meetings", "Your documents", "Stability", "Panels"]
        assert 'href="/panels"' in links[3][0]
        assert [text for attributes, text in links
                if 'aria-current="page"' in attributes] == [current]


def test_the_board_says_when_a_deadline_was_brought_forward(app, chair_user, at):
    at(datetime(2026, 12, 1, 9, 0))
    meeting = panel_on(chair_user, date(2027, 1, 6))
    page = meetings_page({"meeting": meeting, "chair": seat_of(meeting, chair_user)}, "chair")
    assert re.search(r"Agenda out</dt><dd>Thursday 31 December 2026, 12:00 <span[^>]*>\("
                     r"brought forward from Friday 1 January 2027, a bank holiday\)", page)
    assert "Papers due</dt><dd>Wednesday 30 December 2026, 16:00</dd>" in page


# ---- Setting up a panel meeting: one transaction -------------------------------------------

@pytest.fixture
def stale_check(monkeypatch):
    """Each request's check for an existing panel meeting runs before any request has saved
    one, as with a double submit: with `together`, both requests pass the check together."""
    real = panels.panel_meeting_on
    checked = threading.local()
    barrier = threading.Barrier(2, timeout=60)

    def use(together=False):
        def first_check_before_the_other_saves(series_id, panel_date):
            found = real(series_id, panel_date)
            if not getattr(checked, "done", False):
                checked.done = True
                if together:
                    barrier.wait()
                else:
                    found = None
            return found
        monkeypatch.setattr(panels, "panel_meeting_on", first_check_before_the_other_saves)
    return use


def panel_records():
    """(meetings, panel links, chairs, agenda items, children) of panels in the database."""
    panel_ids = db.select(Meeting.id).filter_by(type_code="step_up_step_down")
    count = db.func.count
    return (db.session.scalar(db.select(count(Meeting.id)).filter_by(
                type_code="step_up_step_down")),
            db.session.scalar(db.select(count(PanelMeeting.id))),
            db.session.scalar(db.select(count(Participant.id)).filter(
                Participant.meeting_id.in_(panel_ids))),
            db.session.scalar(db.select(count(AgendaItem.id)).filter(
                AgendaItem.meeting_id.in_(panel_ids))),
            db.session.scalar(db.select(count(Child.id)).filter(
                Child.case_reference.like("PANEL-%"))))


def test_a_double_submit_leaves_one_panel_meeting_and_says_so(app, chair_user, at,
                                                              stale_check):
    at(datetime(2026, 11, 2, 9, 0))
    series = panels.create_series(chair_user, locality_id=locality("North").id,
                                  first_date=date(2026, 11, 25))
    first = panels.set_up_panel(chair_user, series.id, date(2026, 11, 25))
    stale_check()
    with pytest.raises(Refused) as second:
        panels.set_up_panel(chair_user, series.id, date(2026, 11, 25))
    assert (second.value.message, second.value.status) == (
        "The panel meeting for that date is already set up.", 409)
    assert panel_records() == (1, 1, 1, 2, 1)
    assert panels.panel_meeting_on(series.id, date(2026, 11, 25)).meeting_id == first.id


def test_two_set_ups_at_once_leave_one_panel_meeting_and_a_clear_message(
        app, client, chair_user, at, stale_check):
    """Two browsers post "Set up the panel meeting" for the same date at the same moment,
    against the same database file: one is set up, the other is told it already is."""
    at(datetime(2026, 11, 2, 9, 0))
    series = panels.create_series(chair_user, locality_id=locality("North").id,
                                  first_date=date(2026, 11, 25))
    browsers = [client, app.test_client()]
    tokens = []
    for browser in browsers:
        sign_in(browser, "chair@example.org")
        tokens.append(csrf_from(browser.get("/panels").get_data(as_text=True)))
    address = f"/panels/series/{series.id}/meetings"
    stale_check(together=True)
    answers = [None, None]

    def post(number):
        try:
            answers[number] = browsers[number].post(
                address, data={"csrf_token": tokens[number], "panel_date": "2026-11-25"})
        except Exception as error:  # a server error, shown in the assertion below
            answers[number] = error

    threads = [threading.Thread(target=post, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(str(getattr(a, "status_code", repr(a))) for a in answers) == ["303", "409"]
    refusal = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert "The panel meeting for that date is already set up." in refusal
    db.session.expire_all()
    assert panel_records() == (1, 1, 1, 2, 1)


# ---- Cases ----------------------------------------------------------------------------------

def test_a_case_gets_its_agenda_item_before_the_closing_item_in_one_change(room):
    before = event_count(room["meeting"])
    first = add(room)
    assert event_count(room["meeting"]) == before + 1  # the slot and its item: one change
    second = add(room, "minute_taker", "CASE-7002", "Amy Beth Brown", "down",
                 lead_person="Kim Lowe")
    items = agenda.items_of(room["meeting"].id)
    assert [(i.title, i.planned_seconds) for i in items] == [
        ("Welcome and apologies", 300), ("Case 1: J.T., step up", 600),
        ("Case 2: A.B., step down", 600), ("Themes, common issues and close", 300)]
    assert (first.agenda_item_id, second.agenda_item_id) == (items[1].id, items[2].id)
    assert (second.number, second.direction, second.lead_person, second.child.case_reference) \
        == (2, "down", "Kim Lowe", "CASE-7002")
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=room["meeting"].id, type="panel.case_added").order_by(MeetingEvent.seq))
    assert event.payload["slot"] == first.id and "Jordan" not in str(event.payload)


def test_papers_after_the_deadline_are_flagged_late(room):
    # The 25 November panel's papers are due at 16:00 on Wednesday 18 November.
    on_time = add(room, papers_received_at="2026-11-18T15:59")
    late = add(room, reference="CASE-7002", name="Ali Khan",
               papers_received_at="2026-11-18T16:01")
    missing = add(room, reference="CASE-7003", name="Bo Li")
    assert on_time.papers_received_at == datetime(2026, 11, 18, 15, 59)
    views = {v["id"]: v for v in panels.panel_view(room["meeting"])["slots"]}
    assert (views[on_time.id]["late"], views[late.id]["late"], views[missing.id]["late"]) == \
        (False, True, False)
    assert views[missing.id]["no_papers"]
    assert refused(add, room, reference="CASE-7004", name="Cy Wu",
                   papers_received_at="last Tuesday") == \
        "Enter when the papers came in as a date and time, for example 18/11/2026 15:30."


def test_late_papers_across_the_clock_change(app, chair_user, at):
    at(datetime(2026, 10, 1, 9, 0))
    meeting = panel_on(chair_user, date(2026, 10, 28))  # papers due 16:00 BST = 15:00 UTC
    chair = seat_of(meeting, chair_user)
    room = {"meeting": meeting, "chair": chair}
    in_time = add(room, papers_received_at=datetime(2026, 10, 21, 14, 59))
    late = add(room, reference="CASE-7002", name="Ali Khan",
               papers_received_at=datetime(2026, 10, 21, 15, 1))
    views = {v["id"]: v["late"] for v in panels.panel_view(meeting)["slots"]}
    assert (views[in_time.id], views[late.id]) == (False, True)


def test_a_case_booked_with_its_lead_person_has_that_criterion_met(room):
    down = add(room, reference="CASE-7002", name="Ali Khan", direction="down",
               lead_person="Kim Lowe (Family Hub)")
    without = add(room, reference="CASE-7003", name="Bo Li", direction="down")
    up = add(room, lead_person="Kim Lowe (Family Hub)")  # step up has no such criterion
    views = {v["id"]: v for v in panels.panel_view(room["meeting"])["slots"]}
    assert [c["key"] for c in views[down.id]["missing"]] == ["family_consent"]
    assert [c["key"] for c in views[without.id]["missing"]] == ["lead_person",
                                                                "family_consent"]
    assert len(views[up.id]["missing"]) == 7 and up.criteria == {}
    page = meetings_page(room, "chair")
    assert "Missing 1 of 2:" in page and "Missing 2 of 2:" in page
    # The chair can still untick it, like any criterion.
    panels.set_criterion(room["meeting"].id, room["chair"], down.id, "lead_person", False)
    assert [c["key"] for c in panels.one_slot_view(down.id)["missing"]] == [
        "lead_person", "family_consent"]


def test_missing_criteria_show_before_the_slot_and_the_chair_ticks_them(room):
    up = add(room)
    down = add(room, reference="CASE-7002", name="Ali Khan", direction="down")
    views = {v["id"]: v for v in panels.panel_view(room["meeting"])["slots"]}
    assert [c["label"] for c in views[up.id]["missing"]] == [
        "Early help open for at least three months",
        "Chronology of attempts to engage the family", "Group supervision has taken place",
        "Family told of the referral to Children's Services", "Worry statements",
        "Wellbeing goals", "Scaling"]
    assert [c["key"] for c in views[down.id]["missing"]] == ["lead_person", "family_consent"]

    mid = room["meeting"].id
    panels.set_criterion(mid, room["chair"], up.id, "chronology", True)
    panels.set_criterion(mid, room["chair"], up.id, "scaling", "1")
    panels.set_criterion(mid, room["chair"], up.id, "scaling", "0")
    view = panels.one_slot_view(up.id)
    assert len(view["missing"]) == 6
    assert [c["key"] for c in view["criteria"] if c["met"]] == ["chronology"]

    # Before the slot starts, everyone in the room sees what is missing.
    for who, audience in (("chair", "chair"), ("worker", "participant")):
        page = meetings_page(room, who)
        assert "Missing 6 of 7:" in page and "Missing 2 of 2:" in page, audience

    before = event_count(room["meeting"])
    assert refused(panels.set_criterion, mid, room["minute_taker"], up.id, "scaling", True) == \
        "Only the chair can tick the criteria."
    assert refused(panels.set_criterion, mid, room["chair"], up.id, "lead_person", True) == \
        "That is not one of the criteria to step up."
    assert refused(panels.set_criterion, mid, room["chair"], up.id, "scaling", "maybe") == \
        "Say whether the criterion is met."
    assert event_count(room["meeting"]) == before


def meetings_page(room, who):
    """The board as the person sees it (the chair's view without the people lists)."""
    seat = room[who]
    with rendering_context():
        context = _board_context(room["meeting"], seat.audience, seat)
        context.update(lobby=[], people=[])
        return render_template("meetings/board.html", seat=seat, **context)


def wire(event, audience):
    """An event as one audience's sockets receive it."""
    with rendering_context():
        return message(event, audience)


def test_the_board_highlights_the_case_being_heard(room):
    first = add(room)
    second = add(room, reference="CASE-7002", name="Ali Khan", direction="down")
    mid = room["meeting"].id
    agenda.move(mid, room["chair"], "start")     # welcome
    event = agenda.move(mid, room["chair"], "next")   # case 1
    views = panels.panel_view(db.session.get(type(room["meeting"]), mid))["slots"]
    assert [v["current"] for v in views] == [True, False]
    sent = wire(event, "chair")
    summaries = [op for op in sent["ops"] if op.get("into") == f"slot-{first.id}"]
    assert summaries and "app-case__summary--current" in summaries[0]["html"]
    assert 'aria-current="step"' in summaries[0]["html"]
    agenda.move(mid, room["chair"], "next")      # case 2
    views = panels.panel_view(db.session.get(type(room["meeting"]), mid))["slots"]
    assert [(v["current"], v["done"]) for v in views] == [(False, True), (True, False)]
    assert second.id == views[1]["id"]


def test_a_panels_cases_take_the_same_statements_however_many(room):
    """Every view of a panel, and its agenda's draft, draws all its cases (issue 20): each with
    its child, agenda item, follow-ups and disagreements, read for all the cases at once."""
    mid = room["meeting"].id

    def statements():
        db.session.expire_all()
        meeting = db.session.get(Meeting, mid)
        with counted_statements() as seen:
            panels.panel_view(meeting)
            documents.draft_for(mid, PANEL_AGENDA)
        return len(seen)

    for number, outcome in ((1, "step_up_agreed"), (2, "not_agreed"), (3, "step_up_agreed")):
        slot = add(room, reference=f"CASE-700{number}", name=f"Child {number}")
        decide(room, slot, outcome)
        panels.record_disagreement(mid, room["worker"], slot.id, None, "The risks are higher.")
        if number == 1:
            one = statements()
    assert statements() == one


# ---- Outcomes and follow-ups ---------------------------------------------------------------

STEP_UP = ["Referral created to the area team", "Children and family assessment completed"]
STEP_DOWN = ["Early help worker allocated", "Social worker told of the outcome",
             "Joint handover visit with the lead person"]


def decide(room, slot, outcome, rationale="Criteria met; the family agrees."):
    return panels.record_outcome(room["meeting"].id, room["chair"], slot.id, outcome,
                                 rationale)


def test_outcomes_create_follow_ups_across_christmas_2026(app, chair_user, at):
    at(datetime(2026, 12, 1, 9, 0))
    meeting = panel_on(chair_user, date(2026, 12, 23))
    room = {"meeting": meeting, "chair": seat_of(meeting, chair_user)}
    up = add(room)
    down = add(room, reference="CASE-7002", name="Ali Khan", direction="down")
    at(datetime(2026, 12, 23, 14, 10))  # GMT: London time is UTC
    decide(room, up, "step_up_agreed")
    decide(room, down, "step_down_agreed")
    assert follow_ups(up) == [
        (STEP_UP[0], datetime(2026, 12, 24, 14, 10)),      # 24 hours
        (STEP_UP[1], datetime(2027, 1, 7, 23, 59))]        # 15 calendar days
    assert follow_ups(down) == [
        (STEP_DOWN[0], datetime(2026, 12, 23, 23, 59)),    # the same day
        (STEP_DOWN[1], datetime(2026, 12, 24, 23, 59)),    # 1 working day
        (STEP_DOWN[2], datetime(2027, 1, 4, 23, 59))]      # 5: 24, 29, 30, 31 Dec, 4 Jan
    assert panels.panel_view(meeting)["outcomes_out"] == datetime(2026, 12, 29, 23, 59)
    db.session.refresh(up)
    assert (up.outcome, up.rationale, up.decided_at) == (
        "step_up_agreed", "Criteria met; the family agrees.", datetime(2026, 12, 23, 14, 10))


def test_outcomes_create_follow_ups_across_easter_2027_and_the_clock_change(
        app, chair_user, at):
    at(datetime(2027, 3, 1, 9, 0))
    meeting = panel_on(chair_user, date(2027, 3, 24))
    room = {"meeting": meeting, "chair": seat_of(meeting, chair_user)}
    up = add(room)
    down = add(room, reference="CASE-7002", name="Ali Khan", direction="down")
    at(datetime(2027, 3, 24, 14, 10))  # GMT; summer time starts on Sunday 28 March
    decide(room, up, "step_up_agreed")
    decide(room, down, "step_down_agreed")
    assert follow_ups(up) == [
        (STEP_UP[0], datetime(2027, 3, 25, 14, 10)),
        (STEP_UP[1], datetime(2027, 4, 8, 22, 59))]        # 23:59 BST
    assert follow_ups(down) == [
        (STEP_DOWN[0], datetime(2027, 3, 24, 23, 59)),
        (STEP_DOWN[1], datetime(2027, 3, 25, 23, 59)),
        (STEP_DOWN[2], datetime(2027, 4, 2, 22, 59))]      # 25, 30, 31 Mar, 1, 2 Apr
    assert panels.panel_view(meeting)["outcomes_out"] == datetime(2027, 3, 30, 22, 59)

    # Recorded the next day, "1 working day" jumps Good Friday and Easter Monday; recording
    # again replaces the follow-ups.
    at(datetime(2027, 3, 25, 10, 0))
    decide(room, down, "step_down_agreed", "Confirmed after the handover call.")
    assert follow_ups(down) == [
        (STEP_DOWN[0], datetime(2027, 3, 25, 23, 59)),
        (STEP_DOWN[1], datetime(2027, 3, 30, 22, 59)),
        (STEP_DOWN[2], datetime(2027, 4, 5, 22, 59))]
    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 5


def test_outcomes_create_follow_ups_across_the_late_may_bank_holiday_2027(
        app, chair_user, at):
    at(datetime(2027, 5, 1, 9, 0))
    meeting = panel_on(chair_user, date(2027, 5, 26), "South")
    room = {"meeting": meeting, "chair": seat_of(meeting, chair_user)}
    down = add(room, direction="down")
    at(datetime(2027, 5, 26, 13, 10))  # 14:10 BST
    decide(room, down, "step_down_agreed")
    assert follow_ups(down) == [
        (STEP_DOWN[0], datetime(2027, 5, 26, 22, 59)),
        (STEP_DOWN[1], datetime(2027, 5, 27, 22, 59)),
        (STEP_DOWN[2], datetime(2027, 6, 3, 22, 59))]      # 27, 28 May, 1, 2, 3 June
    at(datetime(2027, 5, 28, 15, 0))  # recorded on the Friday: the next working day is Tuesday
    decide(room, down, "step_down_agreed")
    assert follow_ups(down)[1] == (STEP_DOWN[1], datetime(2027, 6, 1, 22, 59))


def test_calendar_follow_ups_that_end_on_christmas_day_2025_are_due_the_day_before(
        app, chair_user, at):
    # Christmas Day 2025 is a Thursday. At the 24 December panel "within 24 hours" would end
    # on it: the referral is due by the end of the panel's own day. At the 10 December panel
    # "within 15 days" would end on it too: the assessment is due on Christmas Eve.
    at(datetime(2025, 11, 1, 9, 0))
    eve = panel_on(chair_user, date(2025, 12, 24))
    earlier = panel_on(chair_user, date(2025, 12, 10), "South")
    eve_room = {"meeting": eve, "chair": seat_of(eve, chair_user)}
    earlier_room = {"meeting": earlier, "chair": seat_of(earlier, chair_user)}
    late = add(eve_room)
    soon = add(earlier_room, reference="CASE-7002", name="Ali Khan")
    at(datetime(2025, 12, 24, 14, 10))
    decide(eve_room, late, "step_up_agreed")
    assert follow_ups(late) == [
        (STEP_UP[0], datetime(2025, 12, 24, 23, 59)),
        (STEP_UP[1], datetime(2026, 1, 8, 23, 59))]
    assert [f.whole_day for f in late.follow_ups] == [True, True]
    at(datetime(2025, 12, 10, 14, 10))
    decide(earlier_room, soon, "step_up_agreed")
    assert follow_ups(soon) == [
        (STEP_UP[0], datetime(2025, 12, 11, 14, 10)),
        (STEP_UP[1], datetime(2025, 12, 24, 23, 59))]
    assert [f.whole_day for f in soon.follow_ups] == [False, True]
    # The chair's page says "by the end of" the day, never a time on a bank holiday.
    page = meetings_page(eve_room, "chair")
    assert "within 24 hours): by the end of Wednesday 24 December 2025" in page
    assert "Thursday 25 December 2025" not in page


def test_not_agreed_and_deferred_have_no_follow_ups(room):
    slot = add(room)
    decide(room, slot, "deferred", "Chronology to come to the next panel.")
    assert follow_ups(slot) == []
    decide(room, slot, "not_agreed", "Early help to continue.")
    assert follow_ups(slot) == [] and panels.one_slot_view(slot.id)["outcome_label"] == \
        "Not agreed"


def test_disagreement_with_a_decision_is_recorded_for_escalation(room):
    slot = add(room)
    mid = room["meeting"].id
    assert refused(panels.record_disagreement, mid, room["worker"], slot.id, None,
                   "The risks are higher than presented.") == \
        "The panel has not decided this case yet, so there is no decision to disagree with."
    decide(room, slot, "not_agreed")
    panels.record_disagreement(mid, room["worker"], slot.id, "Someone Else",
                               "The risks are higher than presented.")
    panels.record_disagreement(mid, room["minute_taker"], slot.id, "Health representative",
                               "Health needs were not considered.")
    assert refused(panels.record_disagreement, mid, room["chair"], slot.id, "  ", "Why") == \
        "Enter who disagrees."
    assert refused(panels.record_disagreement, mid, room["chair"], slot.id, "Ed", " ") == \
        "Enter what the disagreement is."
    entries = db.session.scalars(db.select(Disagreement).order_by(Disagreement.id)).all()
    # Anyone but the chair and minute taker records their own disagreement, in their name.
    assert [(d.who, d.what, d.outcome) for d in entries] == [
        ("Dee Khan (Child's social worker)", "The risks are higher than presented.",
         "not_agreed"),
        ("Health representative", "Health needs were not considered.", "not_agreed")]
    page = meetings_page(room, "chair")
    assert "Disagreements for escalation" in page and "Health needs were not considered." in page


def test_bad_input_is_refused_and_changes_nothing(room, chair_user):
    up = add(room)
    down = add(room, reference="CASE-7002", name="Ali Khan", direction="down")
    mid = room["meeting"].id
    before = event_count(room["meeting"])
    items_before = len(agenda.items_of(mid))
    assert refused(decide, room, up, "step_up_agreed", "   ") == \
        "Enter the rationale for the decision."
    assert refused(decide, room, up, "approved") == (
        "Choose the panel's decision from the list: Step up agreed, Not agreed, Deferred.")
    assert refused(decide, room, up, ["step_up_agreed"]) == (
        "Choose the panel's decision from the list: Step up agreed, Not agreed, Deferred.")
    assert refused(decide, room, down, "step_up_agreed") == (
        "Choose the panel's decision from the list: Step down agreed, Not agreed, Deferred.")
    for who in ("minute_taker", "worker"):
        assert refused(panels.record_outcome, mid, room[who], up.id, "step_up_agreed",
                       "Agreed.") == "Only the chair can record the panel's decision."
    assert refused(add, room, reference="CASE-7009", name="Cy Wu", direction="sideways") == \
        "Choose step up or step down."
    assert refused(add, room, reference="CASE-7009", name="Cy Wu", direction=None) == \
        "Choose step up or step down."
    assert refused(add, room, reference="CASE-7009", name="Cy Wu", worker=" ") == \
        "Enter the presenting worker."
    assert refused(add, room, "worker", reference="CASE-7009", name="Cy Wu") == \
        "Only the chair or the minute taker can add a case."
    assert refused(add, room, reference="CASE-7001", name="Someone Else") == (
        "That case reference is already recorded with a different name. Check the reference "
        "and the child's name.")

    # A case from another panel, or no case at all.
    other = panel_on(chair_user, date(2026, 12, 9), "South")
    other_slot = add({"meeting": other, "chair": seat_of(other, chair_user)},
                     reference="CASE-8001", name="Eve Stone")
    for slot_id in (other_slot.id, 99999, "1", True):
        assert refused(panels.record_outcome, mid, room["chair"], slot_id, "not_agreed",
                       "No.") == "That case is not part of this panel."
    assert refused(panels.set_criterion, mid, room["chair"], other_slot.id, "scaling", True) \
        == "That case is not part of this panel."

    # Cases belong to panels only.
    stability = new_meeting(chair_user, reference="CASE-0042")
    chair = seat_of(stability, chair_user)
    assert refused(add, {"meeting": stability, "chair": chair}, reference="CASE-7010",
                   name="Fay Ho") == \
        "Cases belong to a Step Up / Step Down panel; this meeting is not one."

    assert event_count(room["meeting"]) == before
    assert len(agenda.items_of(mid)) == items_before
    for slot in (up, down):
        db.session.refresh(slot)
        assert (slot.outcome, slot.rationale, slot.follow_ups) == (None, None, [])
    assert db.session.scalar(db.select(db.func.count(CaseSlot.id))) == 3


# ---- Pages, projector, markup ---------------------------------------------------------------

def test_the_projector_shows_initials_never_the_childs_name(client, room):
    slot = add(room, name="Jordan Lee Taylor", worker="Sam Patel")
    decide(room, slot, "step_up_agreed", "Jordan Lee Taylor's family were told in March.")
    panels.record_disagreement(room["meeting"].id, room["worker"], slot.id, None,
                               "Jordan Lee Taylor needs more time.")
    meeting = room["meeting"]
    html = client.get(f"/meetings/{meeting.id}/projector/{meeting.projector_token}") \
        .get_data(as_text=True)
    assert "Case 1: J.T., step up" in html and "North panel" in html
    assert "Jordan" not in html and "Taylor" not in html
    assert "CASE-7001" not in html  # nor the case reference
    assert "Decision: Step up agreed" in html
    # Live: every event about the case, as the projector receives it.
    events = db.session.scalars(db.select(MeetingEvent).filter(
        MeetingEvent.meeting_id == meeting.id, MeetingEvent.type.like("panel.%"))).all()
    assert [e.type for e in events] == ["panel.case_added", "panel.outcome_recorded",
                                        "panel.disagreement_recorded"]
    for event in events:
        sent = str(wire(event, "projector"))
        assert "J.T." in sent and "Jordan" not in sent and "Taylor" not in sent
        assert "Jordan Lee Taylor" in str(wire(event, "chair"))


def test_nothing_typed_is_rendered_as_markup(room):
    slot = add(room, name="<b>Bold</b> Name", worker="<script>alert(1)</script>",
               lead_person='"><img src=x onerror=alert(2)>')
    decide(room, slot, "step_up_agreed", "<i>because</i>")
    page = meetings_page(room, "chair")
    for raw in ("<b>Bold</b>", "<script>alert(1)</script>", "<img src=x", "<i>because</i>"):
        assert raw not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in page and "&lt;i&gt;because&lt;/i&gt;" in page
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=room["meeting"].id, type="panel.case_added"))
    assert "<script>alert(1)" not in str(wire(event, "participant"))


def test_cases_over_plain_form_posts(client, room):
    sign_in(client, "chair@example.org")
    mid = room["meeting"].id
    token = csrf_from(client.get(f"/meetings/{mid}").get_data(as_text=True))
    added = client.post(f"/meetings/{mid}/panel/cases", data={
        "csrf_token": token, "case_reference": "CASE-7100", "child_name": "Kai Brown",
        "direction": "down", "presenting_worker": "Sam Patel", "lead_person": "",
        "papers_received_at": "2026-11-19T09:30"})
    assert added.status_code == 303
    slot = db.session.scalar(db.select(CaseSlot).filter_by(meeting_id=mid))
    assert (slot.direction, slot.lead_person, slot.papers_received_at) == (
        "down", None, datetime(2026, 11, 19, 9, 30))

    ticked = client.post(f"/meetings/{mid}/panel/cases/{slot.id}/criteria", data={
        "csrf_token": token, "criterion": "family_consent", "met": "1"})
    assert ticked.status_code == 303
    db.session.refresh(slot)
    assert slot.criteria == {"family_consent": True}

    blank = client.post(f"/meetings/{mid}/panel/cases/{slot.id}/outcome", data={
        "csrf_token": token, "outcome": "step_down_agreed", "rationale": ""},
        follow_redirects=True)
    assert "Enter the rationale for the decision." in blank.get_data(as_text=True)
    db.session.refresh(slot)
    assert slot.outcome is None

    htmx = client.post(f"/meetings/{mid}/panel/cases/{slot.id}/outcome", data={
        "csrf_token": token, "outcome": "step_down_agreed", "rationale": "Lead person agreed."},
        headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    db.session.refresh(slot)
    assert slot.outcome == "step_down_agreed" and len(slot.follow_ups) == 3
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "Decision: Step down agreed" in page and "Joint handover visit" in page

    disagreed = client.post(f"/meetings/{mid}/panel/cases/{slot.id}/disagreements", data={
        "csrf_token": token, "who": "Education representative", "what": "Too soon."},
        headers={"HX-Request": "true"})
    assert disagreed.status_code == 204
    assert db.session.scalar(db.select(Disagreement.who)) == "Education representative"


def test_cases_over_the_socket(app, client, room):
    sign_in(client, "chair@example.org")
    mid = room["meeting"].id
    sock = socket_client(app, client)
    db.session.expire_all()
    joined = sock.emit("meeting.join", {"meeting": mid, "since": room["meeting"].last_seq},
                       callback=True)
    assert joined["ok"] and joined["audience"] == "chair"
    sock.get_received()
    answer = sock.emit("panel.case_add", {
        "meeting": mid, "case_reference": "CASE-7200", "child_name": "Lee Park",
        "direction": "up", "presenting_worker": "Sam Patel", "key": "a" * 32}, callback=True)
    db.session.expire_all()
    assert answer["ok"] and answer["seq"] == room["meeting"].last_seq
    slot = db.session.scalar(db.select(CaseSlot).filter_by(meeting_id=mid))
    again = sock.emit("panel.case_add", {
        "meeting": mid, "case_reference": "CASE-7200", "child_name": "Lee Park",
        "direction": "up", "presenting_worker": "Sam Patel", "key": "a" * 32}, callback=True)
    assert again == answer  # a retry with the same key adds nothing
    assert db.session.scalar(db.select(db.func.count(CaseSlot.id))) == 1
    assert sock.emit("panel.criterion", {"meeting": mid, "slot": str(slot.id),
                                         "criterion": "scaling", "met": "1"},
                     callback=True)["ok"]
    assert sock.emit("panel.outcome", {"meeting": mid, "slot": slot.id,
                                       "outcome": {"x": 1}, "rationale": "Yes"},
                     callback=True) == {
        "ok": False, "error": "Choose the panel's decision from the list: Step up agreed, "
                              "Not agreed, Deferred.", "status": 400, "field": "outcome"}
    assert sock.emit("panel.outcome", {"meeting": mid, "slot": 7.5, "outcome": "deferred",
                                       "rationale": "Yes"}, callback=True) == {
        "ok": False, "error": "That case is not part of this panel.", "status": 404}
    assert sock.emit("panel.outcome", {"meeting": mid, "slot": slot.id, "outcome": "deferred",
                                       "rationale": "Papers next time."}, callback=True)["ok"]
    assert sock.emit("panel.disagree", {"meeting": mid, "slot": slot.id, "who": "Ed Moss",
                                        "what": "Should step up now."}, callback=True)["ok"]
    received = [m["args"][0] for m in sock.get_received() if m["name"] == "meeting.event"]
    assert [m["type"] for m in received][-4:] == [
        "panel.case_added", "panel.criterion_set", "panel.outcome_recorded",
        "panel.disagreement_recorded"]
