"""Telephone monitoring with the clock in the test's hands: calls due and overdue, escalation
(the named worker is told, a meeting is offered), de-escalation back to weekly monitoring, a
meeting's agreed frequency, the end of monitoring, and every refusal. Days are days in England."""
from datetime import date, datetime, timedelta

import pytest

import facilitator.clock
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.paging import page_of
from facilitator.stability import monitoring
from facilitator.stability import services as stability
from facilitator.stability.models import (
    ENDED,
    ESCALATED,
    MONITORING,
    MonitoringCall,
    StabilityNotice,
)
from facilitator.stability.scope import Scope
from tests.conftest import new_meeting

START = datetime(2026, 11, 2, 10, 0)  # Monday 2 November 2026, 10:00 in London (GMT)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def days(self, count):
        self.now += timedelta(days=count)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(START)
    monkeypatch.setattr(facilitator.clock, "utcnow", fake)
    return fake


@pytest.fixture
def placement(clock, chair_user, other_staff):
    """A borough concern at 2 with the AST involved, confirmed: weekly calls for four weeks;
    Sam Patel is the named worker."""
    record = stability.record_concern(
        chair_user, case_reference="CASE-0042", child_name="Jordan Lee Taylor",
        raised_by="Pat Jones", relationship="Foster carer", raised_at=START,
        concern="Rows about phone use.", scale=2, involvement="ast",
        involvement_worker="Chris Doe", first_consultation=True, named_worker_id=other_staff.id)
    stability.confirm_route(chair_user, record.id, record.proposed_route)
    return monitoring.active_placement(record.id)


def call(user, placement, scale, note="Spoke to the carer.", at=None):
    return monitoring.log_call(user, placement.id, called_at=at or facilitator.clock.utcnow(),
                               scale=scale, note=note)


def state(placement):
    db.session.expire_all()
    return monitoring.state(db.session.get(type(placement), placement.id))


def contact_list():
    """Every row of the whole contact list, as its page shows them."""
    return monitoring.contact_rows(page_of(monitoring.contact_list_query(Scope()), 1)).items


def refused(function, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        function(*args, **kwargs)
    db.session.rollback()
    return caught.value.message


def test_a_weekly_call_is_upcoming_then_due_then_overdue(clock, placement):
    assert monitoring.next_due(placement) == date(2026, 11, 9)
    assert state(placement) == monitoring.UPCOMING
    clock.days(7)
    assert state(placement) == monitoring.DUE
    assert [row["state"] for row in contact_list()] == [monitoring.DUE]
    clock.days(1)
    assert state(placement) == monitoring.OVERDUE


def test_a_call_sets_the_next_due_date_from_the_day_it_was_made(clock, chair_user, placement):
    clock.days(9)  # two days late
    call(chair_user, placement, 2)
    db.session.expire_all()
    assert monitoring.next_due(placement) == date(2026, 11, 18)
    assert state(placement) == monitoring.UPCOMING


def test_monitoring_ends_after_the_agreed_weeks(clock, chair_user, placement):
    for _ in range(4):
        clock.days(7)
        call(chair_user, placement, 2)
    # The next call would fall after the end date (four weeks on): the period is complete.
    assert placement.ends_on == date(2026, 11, 30)
    assert state(placement) == monitoring.COMPLETE
    assert contact_list() == []
    clock.days(1)
    assert refused(call, chair_user, placement, 2) == monitoring.NOT_MONITORED


def test_a_missed_last_call_stays_overdue_after_the_end_date(clock, chair_user, placement):
    for _ in range(3):
        clock.days(7)
        call(chair_user, placement, 1)
    clock.days(10)  # the fourth call, due on 30 November, was not made
    assert state(placement) == monitoring.OVERDUE
    call(chair_user, placement, 1)
    assert state(placement) == monitoring.COMPLETE


def test_a_call_at_4_or_5_escalates_and_tells_the_named_worker(clock, chair_user, other_staff,
                                                               placement):
    clock.days(7)
    logged = call(chair_user, placement, 5, note="Carer says she cannot go on.")
    assert logged.change == monitoring.ESCALATION
    db.session.expire_all()
    assert db.session.get(type(placement), placement.id).status == ESCALATED
    notices = monitoring.notices_for(other_staff)
    assert [n.text for n in notices] == [
        "Telephone monitoring for Jordan Lee Taylor (CASE-0042) escalated to 5 "
        "(Stability at serious risk of breakdown)."]
    assert monitoring.notices_for(chair_user) == []
    # The app offers the meeting: the authority's escalation meeting, for the same child.
    prefill = stability.meeting_prefill(placement.concern)
    assert prefill["type_code"] == "multi_agency_stability_support"
    assert prefill["case_reference"] == "CASE-0042"
    # A second call still at 4 is not a second escalation, and tells nobody again.
    clock.days(7)
    assert call(chair_user, placement, 4).change is None
    assert db.session.scalar(db.select(db.func.count(StabilityNotice.id))) == 1


def test_an_escalated_placement_stays_on_the_list_past_its_end_date(clock, chair_user,
                                                                    placement):
    clock.days(21)
    call(chair_user, placement, 4)
    clock.days(14)  # past 30 November, and its weekly call is overdue
    assert state(placement) == monitoring.OVERDUE


def test_a_call_back_at_1_to_3_de_escalates_to_weekly_monitoring(clock, chair_user, placement):
    monitoring.start_monitoring(chair_user, placement.concern_id, every_days=14)  # a meeting
    clock.days(7)
    call(chair_user, placement, 5)
    clock.days(20)
    logged = call(chair_user, placement, 3, note="Calmer since the respite weekend.")
    assert logged.change == monitoring.DE_ESCALATION
    db.session.expire_all()
    back = db.session.get(type(placement), placement.id)
    assert back.status == MONITORING and back.every_days == 7
    # At least four weeks of weekly calls from the de-escalation (seed 001, 5.8). The call
    # was on Sunday 29 November: four weeks on is Sunday 27 December, after Christmas Day and
    # Boxing Day, so monitoring runs to Thursday 24 December; the next call, a week on, is
    # due on the Friday before that Sunday.
    assert back.ends_on == date(2026, 12, 24)
    assert monitoring.next_due(back) == date(2026, 12, 4)


def test_calls_and_the_end_of_monitoring_fall_on_working_days(clock, chair_user, placement):
    # A call on Friday 18 December 2026: a week on is Christmas Day, so the next call is due
    # on Thursday 24 December.
    clock.now = datetime(2026, 12, 18, 10, 0)
    call(chair_user, placement, 2)
    db.session.expire_all()
    assert monitoring.next_due(placement) == date(2026, 12, 24)
    # Monitoring started again for four weeks from Friday 4 December 2026 would end on
    # New Year's Day: it ends on the day before.
    clock.now = datetime(2026, 12, 4, 10, 0)
    again = stability.record_concern(
        chair_user, case_reference="CASE-0043", child_name="Ash Green", raised_by="Kim Lowe",
        relationship="Foster carer", raised_at=clock.now, concern="School refusal.", scale=2,
        involvement="ast", involvement_worker="Chris Doe", first_consultation=True)
    started = monitoring.start_monitoring(chair_user, again.id)
    assert (started.starts_on, started.ends_on) == (date(2026, 12, 4), date(2026, 12, 31))
    assert monitoring.next_due(started) == date(2026, 12, 11)


def test_a_call_every_day_from_a_friday_is_next_due_on_the_monday(clock, chair_user,
                                                                  placement):
    monitoring.start_monitoring(chair_user, placement.concern_id, every_days=1)
    clock.now = datetime(2026, 11, 6, 10, 0)  # Friday 6 November
    call(chair_user, placement, 2)
    db.session.expire_all()
    assert monitoring.next_due(placement) == date(2026, 11, 9)
    assert state(placement) == monitoring.UPCOMING  # not due again on the day of the call


def test_a_meetings_agreed_frequency_replaces_weekly(clock, chair_user, placement):
    meeting = new_meeting(chair_user)
    same = monitoring.start_monitoring(chair_user, placement.concern_id, every_days=14,
                                       weeks=6, meeting_id=meeting.id)
    assert same.id == placement.id
    assert same.every_days == 14 and same.meeting_id == meeting.id
    assert same.ends_on == date(2026, 12, 14)
    assert monitoring.next_due(same) == date(2026, 11, 16)
    assert refused(monitoring.start_monitoring, chair_user, placement.concern_id,
                   every_days=0) == "Choose how often to call: every 1 to 90 days."


def test_ending_monitoring_needs_a_reason_and_stops_calls(clock, chair_user, placement):
    assert refused(monitoring.end_monitoring, chair_user, placement.id, "") == (
        "Enter why monitoring is ending.")
    ended = monitoring.end_monitoring(chair_user, placement.id, "Stable for a month.")
    assert ended.status == ENDED and ended.ended_by_id == chair_user.id
    assert ended.ended_at == START
    assert refused(call, chair_user, placement, 1) == monitoring.NOT_MONITORED
    assert refused(monitoring.end_monitoring, chair_user, placement.id, "again") == (
        "Monitoring of this placement has already ended.")


@pytest.mark.parametrize(("answers", "message"), [
    ({"scale": 6}, "Choose a number on the scale, from 1 to 5."),
    ({"scale": 0}, "Choose a number on the scale, from 1 to 5."),
    ({"scale": ""}, "Choose a number on the scale, from 1 to 5."),
    ({"note": "  "}, "Enter a note of the call."),
    ({"at": START + timedelta(minutes=1)},
     "The date and time of the call cannot be in the future."),
])
def test_a_bad_call_is_refused_and_changes_nothing(clock, chair_user, placement, answers,
                                                   message):
    at = answers.pop("at", START)
    assert refused(monitoring.log_call, chair_user, placement.id, called_at=at,
                   **{"scale": 2, "note": "Fine.", **answers}) == message
    assert db.session.scalar(db.select(MonitoringCall.id)) is None
    assert state(placement) == monitoring.UPCOMING


def test_a_call_for_a_placement_not_monitored_is_refused(clock, chair_user):
    assert refused(monitoring.log_call, chair_user, 12345, called_at=START, scale=2,
                   note="x") == monitoring.NOT_MONITORED


def test_a_notice_is_read_only_by_its_worker(clock, chair_user, other_staff, placement):
    clock.days(7)
    call(chair_user, placement, 5)
    notice = monitoring.notices_for(other_staff)[0]
    assert refused(monitoring.read_notice, chair_user, notice.id) == (
        "That message could not be found.")
    monitoring.read_notice(other_staff, notice.id)
    assert monitoring.notices_for(other_staff) == []


def test_the_frequency_a_meeting_called_from_the_concern_agrees_is_the_one_called(
        clock, chair_user, placement):
    from facilitator.decisions import services as decisions
    from facilitator.meetings.models import Participant

    meeting = new_meeting(chair_user, type_code="multi_agency_stability_support")
    db.session.get(type(placement.concern), placement.concern_id).meeting_id = meeting.id
    db.session.commit()
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=chair_user.id))
    decisions.record_decision(meeting.id, chair, {"outcome": "maintain",
                                                  "review_date": "2026-12-07",
                                                  "monitoring_days": "14"})
    db.session.expire_all()
    now = monitoring.active_placement(placement.concern_id)
    assert now.id == placement.id and now.every_days == 14 and now.meeting_id == meeting.id
    assert monitoring.next_due(now) == date(2026, 11, 16)
