"""Stability Actions at service and page level: due dates for every timescale across weekends,
bank holidays and the clock change; proposal, confirmation, edits and statuses; every refusal;
what each view shows (the projector: owners' roles, no notes, no child's name); the socket
events with Flask-SocketIO's test client."""
from datetime import date, datetime

import pytest

from facilitator import clock
from facilitator.actions import services as actions
from facilitator.actions.models import Action
from facilitator.decisions import services as decisions
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Participant
from tests.conftest import guest, sign_in, socket_client

# ---- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def at(monkeypatch):
    """Fix the clock at a UTC moment (every service reads time through clock.utcnow)."""
    def set_now(moment):
        monkeypatch.setattr(clock, "utcnow", lambda: moment)
        return moment
    return set_now


def meeting_on(user, when, type_code="placement_stability", reference="CASE-0042",
               child="Jordan Lee Taylor"):
    return meetings.create_meeting(user, case_reference=reference, child_name=child,
                                   scheduled_at=when, location="Room 2, County Hall",
                                   type_code=type_code, immediate_risk=False)


def seat_of(meeting, user):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=user.id))


@pytest.fixture
def room(app, chair_user, at):
    """A Placement Stability Meeting on Tuesday 1 December 2026 at 10:00, with a carer, a
    minute taker and a supervising social worker."""
    at(datetime(2026, 12, 1, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 1, 10, 0))
    chair = seat_of(meeting, chair_user)
    carer = guest(meeting, "Pat Jones", "carer", admit_by=chair)
    minutes = guest(meeting, "Morgan Reid", "other", admit_by=chair)
    meetings.set_minute_taker(meeting.id, chair, minutes.id, True)
    db.session.refresh(minutes)
    worker = guest(meeting, "Dee Khan", "supervising_social_worker", admit_by=chair)
    return {"meeting": meeting, "chair": chair, "carer": carer, "minute_taker": minutes,
            "worker": worker}


def fields(owner_seat, **changes):
    return {"what": "Arrange a respite weekend", "owner": str(owner_seat.id),
            "timescale": "working_days", "timescale_number": "5",
            "destination": "childs_plan", **changes}


def propose(room, who="carer", **changes):
    owner = changes.pop("owner_seat", room["carer"])
    event = actions.propose(room["meeting"].id, room[who], fields(owner, **changes))
    return db.session.get(Action, event.payload["action"])


def refused(call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value.message


def event_count(meeting):
    return db.session.scalar(db.select(db.func.count(MeetingEvent.id))
                             .filter_by(meeting_id=meeting.id))


# ---- Due dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("timescale, day, number, expected", [
    # Christmas 2026: Friday 25 and Monday 28 December (Boxing Day observed) are bank holidays.
    ("working_days", date(2026, 12, 23), 1, date(2026, 12, 24)),
    ("working_days", date(2026, 12, 23), 2, date(2026, 12, 29)),
    ("working_days", date(2026, 12, 18), 5, date(2026, 12, 29)),
    # A meeting on a Saturday counts from the next working day.
    ("working_days", date(2026, 12, 26), 1, date(2026, 12, 29)),
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
    ("working_days", date(2027, 3, 25), 1, date(2027, 3, 30)),
    ("working_days", date(2027, 3, 25), 3, date(2027, 4, 1)),
    # Weeks are calendar weeks; one that ends on a weekend or a bank holiday is due on the
    # last working day before it, so the action is still done within the weeks.
    ("weeks", date(2026, 12, 23), 2, date(2027, 1, 6)),
    ("weeks", date(2027, 3, 26), 1, date(2027, 4, 2)),
    ("weeks", date(2026, 11, 21), 2, date(2026, 12, 4)),     # from a Saturday: the Friday
    ("weeks", date(2026, 11, 22), 1, date(2026, 11, 27)),    # from a Sunday: the Friday
    ("weeks", date(2026, 12, 11), 2, date(2026, 12, 24)),    # not Christmas Day
    ("weeks", date(2026, 12, 21), 1, date(2026, 12, 24)),    # not Boxing Day (observed)
    ("weeks", date(2026, 12, 18), 2, date(2026, 12, 31)),    # not New Year's Day
    ("weeks", date(2027, 3, 19), 1, date(2027, 3, 25)),      # not Good Friday
    ("weeks", date(2027, 3, 22), 1, date(2027, 3, 25)),      # not Easter Monday
    ("weeks", date(2027, 5, 24), 1, date(2027, 5, 28)),      # not the late May bank holiday
])
def test_due_dates_fall_on_working_days(timescale, day, number, expected):
    assert actions.due_date(timescale, meeting_day=day, number=number) == expected


def test_an_action_within_two_weeks_of_a_friday_meeting_before_christmas(app, chair_user, at):
    # Two weeks from Friday 11 December 2026 is Christmas Day: the action is due the day
    # before, and everyone sees that date, never a bank holiday.
    at(datetime(2026, 12, 1, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 11, 10, 0))
    chair = seat_of(meeting, chair_user)
    event = actions.propose(meeting.id, chair, fields(chair, timescale="weeks",
                                                      timescale_number="2"))
    assert db.session.get(Action, event.payload["action"]).due_on == date(2026, 12, 24)


def test_due_dates_for_a_date_the_review_and_ongoing():
    day = date(2026, 12, 1)
    assert actions.due_date("date", meeting_day=day, on_date=date(2027, 1, 4)) == date(2027, 1, 4)
    assert actions.due_date("before_review", meeting_day=day,
                            review_date=date(2026, 12, 29)) == date(2026, 12, 29)
    assert actions.due_date("ongoing", meeting_day=day) is None


def test_due_dates_count_from_the_meetings_day_in_london(app, chair_user, at):
    # 23:30 UTC on Tuesday 30 June 2026 is 00:30 on Wednesday 1 July in London (summer time).
    at(datetime(2026, 6, 30, 12, 0))
    meeting = meeting_on(chair_user, datetime(2026, 6, 30, 23, 30))
    chair = seat_of(meeting, chair_user)
    event = actions.propose(meeting.id, chair, fields(chair, timescale_number="1"))
    assert db.session.get(Action, event.payload["action"]).due_on == date(2026, 7, 2)


# ---- Proposal, confirmation, edits -------------------------------------------------------------

def test_anyone_admitted_proposes_and_the_chair_or_minute_taker_confirms(room):
    action = propose(room)
    assert (action.status, action.due_on, action.owner_label) == (
        "proposed", date(2026, 12, 8), "Pat Jones")
    assert action.proposed_by_id == room["carer"].id and action.confirmed_by_id is None
    message = refused(actions.confirm, room["meeting"].id, room["worker"], action.id)
    assert message == "Only the chair or the minute taker can confirm or change an action."
    actions.confirm(room["meeting"].id, room["minute_taker"], action.id)
    db.session.refresh(action)
    assert (action.status, action.confirmed_by_id) == ("open", room["minute_taker"].id)
    assert refused(actions.confirm, room["meeting"].id, room["chair"], action.id) == \
        "That action is already confirmed."


def test_the_chairs_own_action_is_agreed_as_it_is_added(room):
    action = propose(room, who="chair", owner="other", owner_name="Virtual School",
                     destination="other_agency", agency="Virtual School")
    assert action.status == "open" and action.confirmed_by_id == room["chair"].id
    assert action.owner_label == "Virtual School"
    assert action.destination_label == "Another agency: Virtual School"


def test_the_chair_edits_and_confirms_in_one_step(room):
    action = propose(room)
    actions.edit(room["meeting"].id, room["chair"], action.id,
                 fields(room["worker"], what="Book a respite weekend with the family",
                        timescale="weeks", timescale_number="3", destination="carers_record",
                        for_iro="1"), and_confirm=True)
    db.session.refresh(action)
    assert (action.what, action.owner_label, action.due_on, action.destination,
            action.for_iro, action.status) == (
        "Book a respite weekend with the family", "Dee Khan", date(2026, 12, 22),
        "carers_record", True, "open")


def test_an_edit_by_someone_without_the_right_is_refused_and_changes_nothing(room):
    action = propose(room)
    before = event_count(room["meeting"])
    message = refused(actions.edit, room["meeting"].id, room["carer"], action.id,
                      fields(room["carer"], what="Something else"))
    assert message == "Only the chair or the minute taker can confirm or change an action."
    db.session.refresh(action)
    assert action.what == "Arrange a respite weekend"
    assert event_count(room["meeting"]) == before


@pytest.mark.parametrize("changes, message", [
    ({"what": "   "}, "Enter what needs to happen."),
    ({"owner": ""}, "Choose who will do it, or name someone not in the meeting."),
    ({"owner": "other", "owner_name": " "},
     "Enter the name of the person or agency who will do it."),
    ({"owner": "99999"}, "That person is not in this meeting. Choose someone who is, or name "
                         "them under someone else."),
    ({"timescale": ""}, "Choose a timescale for the action."),
    ({"timescale": "fortnightly"}, "Choose a timescale for the action."),
    ({"timescale_number": "0"},
     "Enter the number of working days as a whole number from 1 to 130."),
    ({"timescale": "weeks", "timescale_number": "two"},
     "Enter the number of weeks as a whole number from 1 to 52."),
    ({"timescale": "date", "due_date": ""}, "Enter the date the action is due."),
    ({"timescale": "date", "due_date": "2026-02-30"},
     "Enter the date it is due as a real date, for example 14/12/2026."),
    ({"timescale": "date", "due_date": "2026-11-30"},
     "That timescale makes the action due on 30 November 2026, which has passed. Choose a "
     "later date or a longer timescale."),
    ({"timescale": "before_review"},
     "Set the review date first (under Decision and review), or choose another timescale."),
    ({"destination": ""}, "Choose where the action is recorded."),
    ({"destination": "other_agency", "agency": ""}, "Enter the other agency's name."),
])
def test_bad_actions_are_refused_with_a_message_and_change_nothing(room, changes, message):
    before = event_count(room["meeting"])
    assert refused(propose, room, **changes) == message
    assert event_count(room["meeting"]) == before
    assert actions.meeting_actions(room["meeting"].id) == []


def test_a_timescale_counted_from_a_past_meeting_can_leave_the_due_date_in_the_past(room, at):
    at(datetime(2026, 12, 10, 9, 0))  # the meeting was on 1 December
    assert "which has passed" in refused(propose, room, timescale_number="2")
    assert propose(room, timescale_number="8").due_on == date(2026, 12, 11)


def test_an_owner_who_was_removed_cannot_be_named(room):
    meetings.remove(room["meeting"].id, room["chair"], room["worker"].id)
    assert "not in this meeting" in refused(propose, room, owner_seat=room["worker"])


def test_who_will_do_it_is_redrawn_as_people_are_let_in_and_removed(app, room):
    meeting, chair = room["meeting"], room["chair"]
    lee = guest(meeting, "Lee <b>Brown</b>", "school")

    def owner_lists(event, audience):
        with app.test_request_context():
            ops = message(event, audience)["ops"]
        return [op["html"] for op in ops if op["op"] == "upsert" and op["into"] == "actions"]

    admitted = meetings.admit(meeting.id, chair, lee.id)
    (drawn,) = owner_lists(admitted, "chair")
    assert owner_lists(admitted, "participant") == [drawn]   # the same list for everyone
    assert owner_lists(admitted, "projector") == []            # no forms there
    assert drawn.strip().startswith('<template id="owner-choices">')
    assert f'<option value="{lee.id}">Lee &lt;b&gt;Brown&lt;/b&gt; (School)</option>' in drawn
    assert "Pat Jones (Carer)" in drawn and "Someone not in the meeting" in drawn
    (after,) = owner_lists(meetings.remove(meeting.id, chair, lee.id), "chair")
    assert "Lee" not in after and "Pat Jones (Carer)" in after


def test_before_the_review_follows_the_review_date(room):
    decisions.record_decision(room["meeting"].id, room["chair"],
                              {"outcome": "maintain", "review_date": "2026-12-15"})
    action = propose(room, timescale="before_review")
    ongoing = propose(room, timescale="ongoing")
    assert (action.due_on, ongoing.due_on) == (date(2026, 12, 15), None)
    event = decisions.record_decision(room["meeting"].id, room["chair"],
                                      {"outcome": "maintain", "review_date": "2027-01-05"})
    db.session.refresh(action)
    assert action.due_on == date(2027, 1, 5) and event.payload["redated"] == [action.id]


# ---- Statuses ----------------------------------------------------------------------------------

def confirmed(room, **changes):
    action = propose(room, **changes)
    actions.confirm(room["meeting"].id, room["chair"], action.id)
    db.session.refresh(action)
    return action


def test_the_owner_or_the_chair_marks_an_action_done_or_not_done_with_a_note(room):
    action = confirmed(room)
    actions.set_status(room["meeting"].id, room["carer"], action.id, "done",
                       "Booked for 12 December.")
    db.session.refresh(action)
    assert (action.status, action.status_note, action.status_set_by_id) == (
        "done", "Booked for 12 December.", room["carer"].id)
    actions.set_status(room["meeting"].id, room["chair"], action.id, "not_done",
                       "The family could not take her after all.")
    actions.set_status(room["meeting"].id, room["chair"], action.id, "open", "")
    db.session.refresh(action)
    assert (action.status, action.status_note) == ("open", None)


def test_status_refusals(room):
    action = propose(room)
    assert refused(actions.set_status, room["meeting"].id, room["chair"], action.id, "done",
                   "x") == "Confirm the action before marking it done or not done."
    actions.confirm(room["meeting"].id, room["chair"], action.id)
    assert refused(actions.set_status, room["meeting"].id, room["worker"], action.id, "done",
                   "x") == "Only the action's owner or the chair can mark it done or not done."
    # The minute taker confirms and edits, but marking done is for the owner or the chair.
    assert "Only the action's owner" in refused(
        actions.set_status, room["meeting"].id, room["minute_taker"], action.id, "done", "x")
    assert refused(actions.set_status, room["meeting"].id, room["carer"], action.id, "done",
                   " ") == "Enter a note on what happened."
    assert refused(actions.set_status, room["meeting"].id, room["carer"], action.id,
                   "finished", "x") == "Choose done, not done or open."
    assert refused(actions.set_status, room["meeting"].id, room["carer"], 424242, "done",
                   "x") == "That action is not part of this meeting."


def test_a_status_change_on_an_action_of_another_child_is_refused(room, chair_user):
    other = meeting_on(chair_user, datetime(2026, 12, 1, 14, 0), reference="CASE-0099",
                       child="Riley Smith")
    other_chair = seat_of(other, chair_user)
    theirs = db.session.get(Action, actions.propose(other.id, other_chair, fields(
        other_chair)).payload["action"])
    before = event_count(room["meeting"])
    assert refused(actions.set_status, room["meeting"].id, room["chair"], theirs.id, "done",
                   "x") == "That action is on another child's plan."
    assert event_count(room["meeting"]) == before
    db.session.refresh(theirs)
    assert theirs.status == "open"


def test_overdue_actions_across_children(room, chair_user, at):
    late = confirmed(room)                                        # due 8 December
    done = confirmed(room, timescale_number="2")                  # due 3 December
    actions.set_status(room["meeting"].id, room["chair"], done.id, "done", "Done early.")
    confirmed(room, timescale="ongoing")
    propose(room, timescale_number="1")                           # proposed only: not counted
    assert db.session.scalars(actions.overdue_actions(today=date(2026, 12, 8))).all() == []
    overdue = db.session.scalars(actions.overdue_actions(today=date(2026, 12, 9))).all()
    assert overdue == [late]
    assert (overdue[0].child.case_reference, overdue[0].meeting.id) == (
        "CASE-0042", room["meeting"].id)
    at(datetime(2026, 12, 9, 9, 0))
    assert db.session.scalars(actions.overdue_actions()).all() == [late]


def test_read_functions_for_other_domains(room):
    proposal = propose(room)
    agreed = confirmed(room, timescale="ongoing")
    assert actions.meeting_actions(room["meeting"].id) == [proposal, agreed]
    assert actions.actions_for_child(room["meeting"].child_id) == [agreed]


# ---- Pages -------------------------------------------------------------------------------------

def test_every_view_shows_the_actions_and_typed_text_is_never_markup(client, room, chair_user):
    action = confirmed(room, what="<script>alert(1)</script> Respite", owner="other",
                       owner_name="<b>Aunt</b> Jo")
    actions.set_status(room["meeting"].id, room["chair"], action.id, "done",
                       "Private note about the family")
    sign_in(client, chair_user.email)
    board = client.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Respite" in board
    assert "<script>alert(1)" not in board and "<b>Aunt</b>" not in board
    assert "Private note about the family" in board
    meeting = room["meeting"]
    projector = client.get(f"/meetings/{meeting.id}/projector/{meeting.projector_token}"
                           ).get_data(as_text=True)
    # An owner typed by name is a person's name: the room sees only that they are not there.
    assert "Aunt" not in projector and "Stability Actions" in projector
    assert "<dt>Who</dt><dd>Not in the meeting</dd>" in projector
    assert "Private note about the family" not in projector
    assert "Jordan Lee Taylor" not in projector and "J.T." in projector
    assert "Mark done or not done" not in projector and "Propose an action" not in projector


def test_a_participant_proposes_over_the_socket(app, room):
    client = app.test_client()
    with client.session_transaction() as session:
        session["seats"] = {str(room["meeting"].id): room["carer"].token}
    socket = socket_client(app, client)
    answer = socket.emit("actions.propose", {"meeting": room["meeting"].id, "key": "k1",
                                             **fields(room["carer"])}, callback=True)
    assert answer["ok"] and answer["seq"]
    again = socket.emit("actions.propose", {"meeting": room["meeting"].id, "key": "k1",
                                            **fields(room["carer"])}, callback=True)
    assert again == answer  # a retry is applied once
    assert len(actions.meeting_actions(room["meeting"].id)) == 1
    bad = socket.emit("actions.propose", {"meeting": room["meeting"].id,
                                          **fields(room["carer"], timescale="")},
                      callback=True)
    assert bad == {"ok": False, "error": "Choose a timescale for the action.", "status": 400,
                   "field": "timescale"}  # the page shows it beside the timescale
    confirm = socket.emit("actions.confirm", {"meeting": room["meeting"].id,
                                              "action": "1"}, callback=True)
    assert confirm == {"ok": False, "error": "Only the chair or the minute taker can confirm "
                                             "or change an action.", "status": 403}
