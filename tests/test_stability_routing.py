"""The authorities' routing rules (seeded as data by migration 0006), driven through the real
services: every scale, involvement and immediate-risk case from seeds 001 and 002 proposes its
route, the officer confirms or overrides it (with a reason), and the route's tasks get due
dates over weekends, bank holidays and the clock change. Time is the test's (clock.utcnow)."""
from datetime import date, datetime

import pytest

import facilitator.clock
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.stability import monitoring, routing
from facilitator.stability import services as stability
from facilitator.stability.models import Authority, RouteTask, StabilityConcern

NOW = datetime(2027, 4, 20, 9, 0)  # after every moment a concern is raised in these tests
ROUTE_KEYS = {"support_involved", "support_not_involved", "multi_agency_involved",
              "multi_agency_not_involved", "psm_immediate", "psm_two_weeks", "monitored"}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW)


def concern(officer, authority="borough", scale=4, raised_at=datetime(2027, 4, 19, 10, 0),
            **answers):
    """A concern with every required answer, for the authority's questions."""
    defaults = ({"involvement": "ast", "involvement_worker": "Chris Doe, AST",
                 "first_consultation": True} if authority == "borough"
                else {"immediate_risk": False})
    return stability.record_concern(
        officer, case_reference=answers.pop("case_reference", "CASE-0042"),
        child_name="Jordan Lee Taylor", raised_by="Pat Jones", relationship="Foster carer",
        raised_at=raised_at, concern="Arguments every night since the school change.",
        scale=scale, authority_code=authority, **{**defaults, **answers})


def refused(call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value.message


# ---- Which route each case gets ----------------------------------------------------------------

BOROUGH_CASES = [(scale, involvement, ("support" if scale <= 3 else "multi_agency")
                  + ("_not_involved" if involvement == "none" else "_involved"))
                 for scale in range(1, 6) for involvement in ("ast", "camhs", "none")]


@pytest.mark.parametrize(("scale", "involvement", "route"), BOROUGH_CASES)
def test_borough_scale_and_involvement_propose_the_seed_route(chair_user, scale, involvement,
                                                               route):
    answers = {"involvement": involvement,
               "involvement_worker": None if involvement == "none" else "Chris Doe"}
    record = concern(chair_user, scale=scale, **answers)
    assert record.proposed_route == route
    rule = record.authority.rule(route)
    if scale <= 3:  # seed 001, 5.3 and 5.5: plan of support, weekly for at least four weeks
        assert rule["monitoring"] == {"every_days": 7, "weeks": 4}
        assert "meeting" not in rule
    else:           # 5.4 and 5.6: Level 3 worker, joint visit, risk assessment, the meeting
        assert rule["meeting"]["type"] == "multi_agency_stability_support"
        words = " ".join(t["what"] for t in rule["tasks"])
        assert "Level 3 AST worker" in words and "joint visit" in words.lower()
        assert "risk assessment" in words and "Multi-Agency Stability Support Meeting" in words


COUNTY_CASES = [(scale, risk, "psm_immediate" if risk else
                 ("psm_two_weeks" if scale < 5 else "monitored"))
                for scale in range(0, 11) for risk in (True, False)]


@pytest.mark.parametrize(("scale", "immediate_risk", "route"), COUNTY_CASES)
def test_county_scale_and_immediate_risk_propose_the_seed_route(chair_user, scale,
                                                                immediate_risk, route):
    record = concern(chair_user, "county", scale=scale, immediate_risk=immediate_risk)
    assert record.proposed_route == route
    assert record.involvement is None  # the county's record does not ask it


def test_every_rule_is_reachable_and_the_rules_are_data(app):
    keys = {rule["key"] for a in db.session.scalars(db.select(Authority)) for rule in a.rules}
    assert keys == ROUTE_KEYS
    borough = db.session.get(Authority, "borough")
    # Adding an authority is adding data: a rule matched from its `when` alone.
    assert routing.propose(borough, scale=2, involvement=False)["key"] == "support_not_involved"


# ---- Due dates of the tasks a confirmed route creates ---------------------------------------

def due_of(record, words):
    task = next(t for t in record.tasks if words in t.what)
    return task.due_at, task.rule


def end_of_day_utc(day):
    return facilitator.clock.from_london(day, facilitator.clock.END_OF_DAY)


DUE_CASES = [
    # raised (UTC, winter = London), rule key, task words, due (UTC), rule in words
    # Friday before Christmas 2026: Christmas Day and the observed Boxing Day are skipped.
    (datetime(2026, 12, 18, 15, 0), "psm_immediate", "Arrange", end_of_day_utc(date(2026, 12, 29)),
     "within 5 working days"),
    # Two weeks on is New Year's Day: due the working day before.
    (datetime(2026, 12, 18, 15, 0), "psm_two_weeks", "Arrange",
     end_of_day_utc(date(2026, 12, 31)), "within 2 weeks"),
    # Raised on a Saturday: two weeks on is a Saturday too (2 January), so Thursday 31 December.
    (datetime(2026, 12, 19, 10, 0), "psm_two_weeks", "Arrange",
     end_of_day_utc(date(2026, 12, 31)), "within 2 weeks"),
    # Onto the late May bank holiday 2026, 25 May (in summer time: 23:59 is 22:59 UTC).
    (datetime(2026, 5, 11, 8, 0), "psm_two_weeks", "Arrange", datetime(2026, 5, 22, 22, 59),
     "within 2 weeks"),
    (datetime(2026, 12, 18, 15, 0), "multi_agency_involved", "Book the Multi-Agency",
     end_of_day_utc(date(2027, 1, 6)), "within 10 working days"),
    # 24 hours ending on a working day are exact; ending on a Saturday or on Good Friday, they
    # are due by the end of the working day before (the day the concern came in), so the 24
    # hours are still met and the task never says it is due on a day nobody works.
    (datetime(2026, 12, 16, 15, 0), "multi_agency_involved", "Contact the referrer",
     datetime(2026, 12, 17, 15, 0), "within 24 hours"),
    (datetime(2026, 12, 18, 15, 0), "multi_agency_involved", "Contact the referrer",
     end_of_day_utc(date(2026, 12, 18)), "within 24 hours"),
    (datetime(2027, 3, 25, 9, 0), "support_involved", "Contact the referrer",
     end_of_day_utc(date(2027, 3, 25)), "within 24 hours"),
    # Raised on a Saturday, the 24 hours hold no working day: the end of the Monday.
    (datetime(2026, 11, 28, 10, 0), "support_involved", "Contact the referrer",
     end_of_day_utc(date(2026, 11, 30)), "within 24 hours"),
    # Raised on a Saturday: "the same working day" is Monday.
    (datetime(2026, 12, 19, 10, 0), "support_not_involved", "Web-link",
     end_of_day_utc(date(2026, 12, 21)), "the same working day"),
    (datetime(2026, 12, 19, 10, 0), "psm_immediate", "Arrange", end_of_day_utc(date(2026, 12, 29)),
     "within 5 working days"),
    # Before Easter 2027, across the clock change: Good Friday and Easter Monday skipped, due
    # at the end of the day in British Summer Time (22:59 UTC).
    (datetime(2027, 3, 25, 9, 0), "psm_immediate", "Arrange", datetime(2027, 4, 5, 22, 59),
     "within 5 working days"),
    (datetime(2027, 3, 25, 9, 0), "multi_agency_not_involved", "Book the Multi-Agency",
     datetime(2027, 4, 12, 22, 59), "within 10 working days"),
]


@pytest.mark.parametrize(("raised_at", "route", "words", "due", "rule"), DUE_CASES)
def test_confirmed_route_creates_its_tasks_with_due_dates(chair_user, raised_at, route, words,
                                                          due, rule):
    county = route.startswith("psm")
    record = concern(chair_user, "county" if county else "borough", raised_at=raised_at,
                     scale=2, immediate_risk=route == "psm_immediate") if county else None
    if record is None:
        scale = 2 if route.startswith("support") else 5
        involvement = "none" if route.endswith("not_involved") else "camhs"
        record = concern(chair_user, scale=scale, raised_at=raised_at, involvement=involvement,
                         involvement_worker=None if involvement == "none" else "Sam CAMHS")
    assert record.proposed_route == route
    stability.confirm_route(chair_user, record.id, route)
    db.session.expire_all()
    record = db.session.get(StabilityConcern, record.id)
    assert due_of(record, words) == (due, rule)
    assert record.confirmed_by_id == chair_user.id and record.confirmed_at == NOW
    assert record.override_reason is None


def test_24_hours_brought_back_from_a_saturday_are_due_by_the_end_of_the_friday(chair_user):
    # Raised at 15:00 on Friday 18 December 2026: the contact is due by the end of that Friday
    # (a whole day, shown without a time), not at 15:00 on the Saturday.
    record = concern(chair_user, scale=5, raised_at=datetime(2026, 12, 18, 15, 0))
    stability.confirm_route(chair_user, record.id, record.proposed_route)
    task = next(t for t in record.tasks if "Contact the referrer" in t.what)
    assert (task.due_at, task.whole_day) == (datetime(2026, 12, 18, 23, 59), True)
    assert facilitator.clock.is_working_day(facilitator.clock.london_today(task.due_at))


def test_tasks_without_a_timescale_in_the_seed_have_none(chair_user):
    record = concern(chair_user, scale=5)
    stability.confirm_route(chair_user, record.id, record.proposed_route)
    rota = next(t for t in record.tasks if "Risk Rota" in t.what)
    assert rota.due_at is None and rota.rule == ""
    assert [t.is_meeting for t in record.tasks].count(True) == 1


def test_a_monitoring_route_puts_the_placement_on_the_contact_list(chair_user):
    record = concern(chair_user, scale=2)
    stability.confirm_route(chair_user, record.id, record.proposed_route,
                            call_who="Pat Jones, 07700 900123")
    placement = monitoring.active_placement(record.id)
    assert placement.call_who == "Pat Jones, 07700 900123"
    assert placement.every_days == 7
    assert (placement.ends_on - placement.starts_on).days == 28
    assert monitoring.next_due(placement) == date(2027, 4, 27)


# ---- Overriding the route -------------------------------------------------------------------

def test_an_override_needs_a_reason_and_is_recorded(chair_user):
    record = concern(chair_user, scale=2)
    message = refused(stability.confirm_route, chair_user, record.id, "multi_agency_involved")
    assert message == "Enter the reason for choosing a different route."
    assert db.session.scalar(db.select(RouteTask.id)) is None
    assert db.session.get(StabilityConcern, record.id).route is None
    message = refused(stability.confirm_route, chair_user, record.id, "multi_agency_involved",
                      reason="   ")
    assert message == "Enter the reason for choosing a different route."

    stability.confirm_route(chair_user, record.id, "multi_agency_involved",
                            reason="The carer has given notice since the call.")
    record = db.session.get(StabilityConcern, record.id)
    assert record.route == "multi_agency_involved" and record.overridden
    assert record.override_reason == "The carer has given notice since the call."
    assert any(t.is_meeting for t in record.tasks)
    assert monitoring.active_placement(record.id) is None  # the chosen route has no monitoring


def test_a_route_is_confirmed_once_and_must_be_the_authoritys(chair_user):
    record = concern(chair_user, scale=2)
    assert refused(stability.confirm_route, chair_user, record.id, "psm_immediate",
                   reason="x") == "Choose a route."
    stability.confirm_route(chair_user, record.id, record.proposed_route)
    assert refused(stability.confirm_route, chair_user, record.id, record.proposed_route) == (
        "The route for this concern has already been confirmed.")
    assert len(db.session.get(StabilityConcern, record.id).tasks) == 4


# ---- The consultation record: bad input changes nothing ------------------------------------

@pytest.mark.parametrize(("authority", "answers", "message"), [
    ("borough", {"scale": 6}, "Choose a number on the scale, from 1 to 5."),
    ("borough", {"scale": 0}, "Choose a number on the scale, from 1 to 5."),
    ("borough", {"scale": "four"}, "Choose a number on the scale, from 1 to 5."),
    ("county", {"scale": 11}, "Choose a number on the scale, from 0 to 10."),
    ("county", {"scale": -1}, "Choose a number on the scale, from 0 to 10."),
    ("county", {"immediate_risk": None},
     "Say whether the placement is at immediate risk of breaking down."),
    ("borough", {"involvement": None}, "Say whether the child is currently involved with the "
     "Adolescent Support Team or CAMHS."),
    ("borough", {"involvement": "camhs", "involvement_worker": ""},
     "Enter the name of the AST or CAMHS worker."),
    ("borough", {"first_consultation": False},
     "Enter the dates of the earlier consultations."),
    ("borough", {"first_consultation": None},
     "Say whether this is the first consultation about this placement."),
    ("borough", {"raised_at": datetime(2027, 4, 20, 9, 1)},
     "The date and time the concern was raised cannot be in the future."),
    ("borough", {"raised_at": None}, "Enter the date and time the concern was raised."),
    ("borough", {"named_worker_id": 999}, "Choose the named worker from the list of staff."),
    ("borough", {"team_id": 999}, "Choose the child's team."),
])
def test_bad_answers_are_refused_and_nothing_is_recorded(chair_user, authority, answers,
                                                         message):
    assert refused(concern, chair_user, authority, **answers) == message
    assert db.session.scalar(db.select(StabilityConcern.id)) is None


def test_the_borough_record_keeps_every_field_of_the_seed(chair_user, other_staff):
    record = concern(chair_user, scale=3, involvement="camhs", involvement_worker="Sam, CAMHS",
                     first_consultation=False, earlier_consultations="2 March, 9 March",
                     notice_given=True, outcome="Plan of support agreed.",
                     sent_to="AST worker; supervising social worker",
                     named_worker_id=other_staff.id, team_id=1)
    db.session.expire_all()
    record = db.session.get(StabilityConcern, record.id)
    assert (record.raised_by, record.relationship_to_child) == ("Pat Jones", "Foster carer")
    assert record.involvement == "camhs" and record.involvement_worker == "Sam, CAMHS"
    assert record.first_consultation is False
    assert record.earlier_consultations == "2 March, 9 March"
    assert record.notice_given is True and record.team.name == "Children in Care North"
    assert record.sent_to == "AST worker; supervising social worker"
    assert record.named_worker_id == other_staff.id
    assert record.created_by_id == chair_user.id and record.created_at == NOW
