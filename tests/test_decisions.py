"""The decision and the review at service and page level, from the types' data: outcomes and a
planned move's approval, the review date (the Multi-Agency meeting warns beyond six weeks),
telephone monitoring, IRO and CAFCASS ticks; the child's views and one offer per agency; every
refusal; the live renders each audience receives."""
import re
from datetime import date, datetime

import pytest

from facilitator.decisions import services as decisions
from facilitator.decisions.models import AgencyOffer
from facilitator.extensions import db
from facilitator.live.broadcast import rendering_context
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.meetings.models import MeetingType
from tests import test_actions as base
from tests.conftest import guest, sign_in
from tests.test_actions import event_count, meeting_on, refused, seat_of

# The action tests' fixtures: a fixed clock, and a meeting with its people.
at, room = base.at, base.room

MULTI_AGENCY = "multi_agency_stability_support"


def record(room, who="chair", **fields):
    return decisions.record_decision(room["meeting"].id, room[who],
                                     {"outcome": "maintain", "review_date": "2026-12-29",
                                      **fields})


def test_the_types_carry_what_the_decision_asks_for(app):
    rules = {t.code: t.rules for t in db.session.scalars(db.select(MeetingType))}
    assert set(rules["placement_stability"]["decision"]["outcomes"]) == {
        "maintain", "planned_move", "emergency"}
    assert [n["key"] for n in rules["placement_stability"]["notify"]] == ["iro", "cafcass"]
    assert rules[MULTI_AGENCY]["review_within_weeks"] == 6
    assert {c["days"]: c["label"] for c in rules[MULTI_AGENCY]["monitoring"]}[7] == "Weekly"
    assert "monitoring" not in rules["placement_stability"]
    assert rules["stability_review"]["carry_forward"] is True


def test_the_chair_records_the_decision_and_changes_it(room):
    record(room, rationale="Carers want to continue with support.", notify_iro="1")
    decision = decisions.decision_for(room["meeting"].id)
    assert (decision.outcome, decision.review_date, decision.rationale) == (
        "maintain", date(2026, 12, 29), "Carers want to continue with support.")
    assert decision.notifications == {"iro": {"needed": True, "done_at": None, "by": None},
                                      "cafcass": {"needed": False, "done_at": None, "by": None}}
    record(room, outcome="planned_move", approval_by="placement_review_panel", notify_iro="1")
    view = decisions.decision_view(room["meeting"])
    assert view["outcome_label"] == "A planned move"
    assert view["approval_label"] == "The Placement Review Panel"
    assert db.session.scalar(db.select(db.func.count()).select_from(
        decisions.Decision)) == 1


def test_the_iro_and_cafcass_are_ticked_when_told(room):
    record(room, notify_iro="1", notify_cafcass="1")
    decisions.mark_notified(room["meeting"].id, room["minute_taker"], "cafcass")
    view = decisions.decision_view(room["meeting"])
    ticks = {t["key"]: t for t in view["ticks"]}
    assert ticks["cafcass"]["done_at"] == datetime(2026, 12, 1, 9, 0)
    assert ticks["cafcass"]["by"] == "Morgan Reid" and ticks["iro"]["done_at"] is None
    assert refused(decisions.mark_notified, room["meeting"].id, room["chair"], "cafcass") == \
        "CAFCASS is already ticked as told."
    assert refused(decisions.mark_notified, room["meeting"].id, room["carer"], "iro") == \
        "Only the chair or the minute taker can tick this."
    # Changing the decision keeps a tick for someone who still needs telling.
    record(room, notify_iro="1", notify_cafcass="1")
    assert decisions.decision_for(room["meeting"].id).notifications["cafcass"]["by"] == \
        "Morgan Reid"


def test_a_tick_before_the_decision_or_for_someone_not_involved_is_refused(room):
    assert refused(decisions.mark_notified, room["meeting"].id, room["chair"], "iro") == \
        "Record the decision and who must be told first."
    record(room)
    assert refused(decisions.mark_notified, room["meeting"].id, room["chair"], "iro") == \
        "The Independent Reviewing Officer (IRO) is not marked as needing to be told."
    assert refused(decisions.mark_notified, room["meeting"].id, room["chair"], "police") == \
        "Record the decision and who must be told first."


@pytest.mark.parametrize("changes, message", [
    ({"outcome": ""}, "Choose the decision about the placement."),
    ({"outcome": "adopt"}, "Choose the decision about the placement."),
    ({"outcome": "planned_move"}, "A planned move needs approval: choose who approves it."),
    ({"review_date": ""}, "Enter the review date."),
    ({"review_date": "29/12/2026"},
     "Enter the review date as a real date, for example 14/12/2026."),
    ({"review_date": "2026-11-30"}, "The review date cannot be before the meeting."),
    ({"rationale": "x" * 2001}, "The reasons must be 2000 characters or fewer (this has 2001)."),
])
def test_bad_decisions_are_refused_and_change_nothing(room, changes, message):
    before = event_count(room["meeting"])
    assert refused(record, room, **changes) == message
    assert decisions.decision_for(room["meeting"].id) is None
    assert event_count(room["meeting"]) == before


def test_only_the_chair_records_the_decision(room):
    assert refused(record, room, who="minute_taker") == "Only the chair can record the decision."
    assert decisions.decision_for(room["meeting"].id) is None


def test_the_multi_agency_meeting_warns_beyond_six_weeks_and_asks_for_monitoring(
        app, chair_user, at):
    at(datetime(2026, 12, 1, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 1, 10, 0), type_code=MULTI_AGENCY)
    chair = seat_of(meeting, chair_user)
    fields = {"outcome": "maintain", "review_date": "2027-01-12"}
    assert refused(decisions.record_decision, meeting.id, chair, fields) == \
        "Choose how often the placement is monitored by telephone."
    decisions.record_decision(meeting.id, chair, {**fields, "monitoring_days": "7"})
    view = decisions.decision_view(meeting)
    assert view["warning"] is None and view["monitoring_label"] == "Weekly"
    assert decisions.decision_for(meeting.id).monitoring_days == 7
    decisions.record_decision(meeting.id, chair, {**fields, "review_date": "2027-01-13",
                                                  "monitoring_days": "14"})
    assert decisions.decision_view(meeting)["warning"] == (
        "The review date is more than 6 weeks after the meeting (the latest within 6 weeks is "
        "12 January 2027).")
    assert decisions.monitoring_label(meeting.type, 14) == "Fortnightly"


def test_a_placement_stability_meeting_does_not_warn_at_six_weeks(room):
    record(room, review_date="2027-03-01")
    assert decisions.decision_view(room["meeting"])["warning"] is None


def test_the_childs_views_and_one_offer_per_agency(room):
    decisions.add_view(room["meeting"].id, room["carer"], "child", "I want to stay here.")
    decisions.add_view(room["meeting"].id, room["worker"], "observed", "Relaxed at tea time.")
    decisions.save_offer(room["meeting"].id, room["worker"], "CAMHS", "A weekly session.")
    decisions.save_offer(room["meeting"].id, room["carer"], " camhs ", "Fortnightly sessions.")
    decisions.save_offer(room["meeting"].id, room["carer"], "Virtual School", "A mentor.")
    voices = decisions.voices_for(room["meeting"].id)
    assert [(v.source_label, v.text, v.added_by.name) for v in voices["views"]] == [
        ("As told by the child or young person", "I want to stay here.", "Pat Jones"),
        ("Observed (for a younger child)", "Relaxed at tea time.", "Dee Khan")]
    assert [(o.agency, o.offer) for o in voices["offers"]] == [
        ("camhs", "Fortnightly sessions."), ("Virtual School", "A mentor.")]
    assert db.session.scalar(db.select(db.func.count(AgencyOffer.id))) == 2


@pytest.mark.parametrize("call, args, message", [
    ("add_view", ("advocate", " "), "Enter the child's views."),
    ("add_view", ("rumour", "Said so"), "Choose how the child's views were given."),
    ("save_offer", ("", "Help"), "Enter the agency's name."),
    ("save_offer", ("CAMHS", ""), "Enter the support the agency can provide."),
])
def test_bad_views_and_offers_are_refused(room, call, args, message):
    before = event_count(room["meeting"])
    assert refused(getattr(decisions, call), room["meeting"].id, room["carer"], *args) == message
    assert event_count(room["meeting"]) == before


def test_a_guest_still_in_the_lobby_cannot_add_anything(room):
    waiting = guest(room["meeting"], "Lee Grant", "school")
    assert refused(decisions.add_view, room["meeting"].id, waiting, "child", "Hi") == \
        "You are not in that meeting."


def test_each_audience_gets_the_decision_live_and_the_projector_no_reasons(room):
    record(room, rationale="Reasons for the minutes only.", notify_iro="1")
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=room["meeting"].id, type="decisions.recorded"))
    with rendering_context():
        chair, projector = (message(event, audience) for audience in ("chair", "projector"))
    html = {name: "".join(op.get("html", "") for op in m["ops"])
            for name, m in (("chair", chair), ("projector", projector))}
    assert "29 December 2026" in html["chair"] and "29 December 2026" in html["projector"]
    assert "Reasons for the minutes only." in html["chair"]
    assert "Reasons for the minutes only." not in html["projector"]
    assert "Tick: told" in html["chair"] and "Tick: told" not in html["projector"]
    assert chair["announce"].startswith("The chair recorded the decision: The placement")


def test_the_decision_is_redrawn_inside_its_section_never_into_itself(room, client, chair_user):
    """An element upserted into itself vanished from every page (issue 18): the summary goes
    into section#decision, which holds it on every view."""
    record(room)
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=room["meeting"].id, type="decisions.recorded"))
    for audience in ("chair", "participant", "projector"):
        with rendering_context():
            ops = message(event, audience)["ops"]
        drawn = [(op["into"], re.search(r'\bid="([^"]+)"', op["html"]).group(1)) for op in ops
                 if op["op"] == "upsert"]
        assert ("decision", "decision-summary") in drawn
        assert all(into != element for into, element in drawn), drawn
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    section = page[page.index('<section id="decision"'):]
    assert section.index('id="decision-summary"') < section.index("</section>")
