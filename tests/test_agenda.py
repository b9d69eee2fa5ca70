"""The timeboxed agenda at service level, with the clock in the test's hands.

Nothing on the server ticks: an item's time is worked out from timestamps whenever it is asked
for, so moving `facilitator.clock.utcnow` on is all it takes to let minutes pass. Covered: the
countdown, the two-minute warning, the overrun (kept once the chair moves on), pause and resume,
extensions (with a reason, within 1 to 30 minutes, recorded with who and why), going back, the
end of the agenda, who may run it, a server restart mid-item, and the schedule figure.
"""
import re
from datetime import datetime, timedelta

import pytest

import facilitator.clock
from facilitator.agenda import services as agenda
from facilitator.agenda.fragments import render_agenda
from facilitator.agenda.models import AgendaExtension, AgendaItem
from facilitator.agenda.views import schedule_words
from facilitator.clock import epoch_ms
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Meeting
from tests.conftest import build_app, csrf_from, guest, sign_in, socket_client

START = datetime(2026, 11, 24, 10, 0, 0)


class Clock:
    """Stands in for facilitator.clock.utcnow: time moves only when the test says so."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(START)
    monkeypatch.setattr(facilitator.clock, "utcnow", fake)
    return fake


@pytest.fixture
def room(clock, meeting, chair_seat):
    return {"meeting": meeting, "id": meeting.id, "chair": chair_seat}


def items(room):
    db.session.expire_all()
    return agenda.items_of(room["id"])


def current(room):
    return agenda.agenda_view(room["id"])["current"]


def remaining(room):
    view = agenda.agenda_view(room["id"])
    return view["current"].remaining(view["now"])


def move(room, action, who="chair"):
    return agenda.move(room["id"], room[who], action)


def refused(call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value


def last_seq(meeting_id):
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).last_seq


# ---- The countdown -----------------------------------------------------------------------------

def test_every_meeting_gets_its_types_agenda_and_nothing_runs_until_the_chair_starts(room, clock):
    titles = [item.title for item in items(room)]
    assert titles[0] == "Welcome, introductions and why we are meeting"
    assert len(titles) == 8
    assert [item.planned_seconds for item in items(room)][:3] == [300, 900, 600]
    view = agenda.agenda_view(room["id"])
    assert view["current"] is None and not view["finished"]
    clock.advance(3600)
    assert all(item.started_at is None for item in items(room))
    assert refused(move, room, "next").message == "Start the agenda first."
    assert refused(move, room, "sideways").message == "Choose what to do with the agenda."


def test_the_chair_starts_the_agenda_and_the_first_item_counts_down(room, clock):
    event = move(room, "start")
    first = items(room)[0]
    assert event.type == "agenda.changed"
    assert event.payload == {"action": "start", "item": first.id, "from": None}
    assert current(room).id == first.id and first.is_running
    assert first.started_at == START
    assert remaining(room) == 300

    clock.advance(90)
    assert remaining(room) == 210
    assert agenda.timer_phase(current(room), clock.now) == "normal"
    clock.advance(0.5)
    assert remaining(room) == 209.5      # to the fraction of a second: timestamps, not ticks
    assert refused(move, room, "start").message == "The agenda has already started."


def test_the_warning_phase_starts_two_minutes_before_the_end(room, clock):
    move(room, "start")                  # 5 minutes
    clock.advance(179)
    assert agenda.timer_phase(current(room), clock.now) == "normal"     # 2:01 left
    clock.advance(1)
    assert remaining(room) == agenda.WARNING_SECONDS == 120
    assert agenda.timer_phase(current(room), clock.now) == "warning"    # 2:00 left
    clock.advance(119)
    assert agenda.timer_phase(current(room), clock.now) == "warning"    # 0:01 left
    clock.advance(1)
    assert agenda.timer_phase(current(room), clock.now) == "overrun"    # 0:00: time is up


def test_an_overrun_counts_up_and_is_kept_after_the_chair_moves_on(room, clock, app):
    move(room, "start")
    clock.advance(300 + 75)
    first = current(room)
    assert remaining(room) == -75
    assert first.overrun(clock.now) == 75
    assert agenda.timer_phase(first, clock.now) == "overrun"
    with app.test_request_context():
        html = render_agenda(room["id"], "projector")
    assert "Over time by" in html and ">1:15<" in html and "app-timer--overrun" in html
    assert "Time is up" in html

    move(room, "next")
    clock.advance(600)                   # the first item's overrun stops growing once it ends
    first = items(room)[0]
    assert first.is_done and first.ended_at == START + timedelta(seconds=375)
    assert first.overrun(clock.now) == 75
    assert first.elapsed(clock.now) == 375
    with app.test_request_context():
        html = render_agenda(room["id"], "chair")
    assert "took 6:15" in html and "over by 1:15" in html


def test_a_pause_stops_the_clock_and_resume_carries_on(room, clock):
    move(room, "start")
    clock.advance(60)
    move(room, "pause")
    assert current(room).is_paused and not current(room).is_running
    clock.advance(300)                   # a long pause: the item's time does not move
    assert remaining(room) == 240
    assert refused(move, room, "pause").message == "The timer is already paused."

    move(room, "resume")
    assert current(room).is_running
    assert remaining(room) == 240        # the pause did not eat any time
    clock.advance(30)
    assert remaining(room) == 210
    assert current(room).paused_seconds == 300
    assert refused(move, room, "resume").message == "The timer is already running."


def test_an_extension_needs_a_reason_and_from_1_to_30_minutes(room, clock):
    chair = room["chair"]
    assert refused(agenda.extend, room["id"], chair, 5, "Carer needs more time").message == \
        "Start the agenda before extending an item."
    move(room, "start")
    clock.advance(280)
    seq = last_seq(room["id"])
    for minutes, reason in [(5, ""), (5, "   "), (5, None), (0, "Reason"), (31, "Reason"),
                            (-1, "Reason"), ("ten", "Reason"), (2.5, "Reason"), (True, "Reason")]:
        problem = refused(agenda.extend, room["id"], chair, minutes, reason)
        assert problem.status == 400, (minutes, reason)
    assert "reason for more time" in refused(agenda.extend, room["id"], chair, 5, "").message
    assert refused(agenda.extend, room["id"], chair, 31, "Why").message == \
        "Choose from 1 to 30 more minutes."
    assert last_seq(room["id"]) == seq and current(room).extended_seconds == 0  # nothing changed

    event = agenda.extend(room["id"], chair, "5", "  Carer has more to say about nights  ")
    assert event.payload == {"action": "extend", "item": current(room).id, "minutes": 5}
    assert current(room).extended_seconds == 300
    assert remaining(room) == 300 + 300 - 280
    (extension,) = db.session.scalars(db.select(AgendaExtension)).all()
    assert (extension.item_id, extension.seconds, extension.reason, extension.by_id,
            extension.at) == (current(room).id, 300, "Carer has more to say about nights",
                              chair.id, START + timedelta(seconds=280))

    agenda.extend(room["id"], chair, 30, "Urgent safety discussion")
    agenda.extend(room["id"], chair, 1, "One more minute")
    assert current(room).extended_seconds == (5 + 30 + 1) * 60
    assert [e.reason for e in current(room).extensions] == [
        "Carer has more to say about nights", "Urgent safety discussion", "One more minute"]


def test_going_back_continues_the_previous_items_time(room, clock):
    assert refused(move, room, "back").message == "Start the agenda first."
    move(room, "start")
    assert refused(move, room, "back").message == "This is the first item."
    clock.advance(100)
    move(room, "next")                   # item 2 (15 minutes)
    clock.advance(50)
    first, second = items(room)[:2]
    assert current(room).id == second.id and remaining(room) == 850

    event = move(room, "back")
    assert event.payload == {"action": "back", "item": first.id, "from": second.id}
    assert current(room).id == first.id and current(room).is_running
    assert remaining(room) == 200        # where it stopped, not a fresh five minutes
    clock.advance(20)
    assert remaining(room) == 180
    assert items(room)[1].is_done and items(room)[1].elapsed(clock.now) == 50

    move(room, "next")                   # and item 2 carries on from its 50 seconds
    assert remaining(room) == 850
    clock.advance(10)
    assert remaining(room) == 840


def test_going_back_from_a_paused_item_keeps_its_pause_out_of_its_time(room, clock):
    move(room, "start")
    move(room, "next")
    clock.advance(30)
    move(room, "pause")
    clock.advance(600)
    move(room, "back")
    assert items(room)[1].elapsed(clock.now) == 30
    move(room, "next")
    assert remaining(room) == 900 - 30


def test_the_agenda_finishes_after_the_last_item(room, clock):
    move(room, "start")
    count = len(items(room))
    for _ in range(count - 1):
        clock.advance(60)
        move(room, "next")
    assert current(room).id == items(room)[-1].id
    clock.advance(60)
    event = move(room, "next")
    assert event.payload["item"] is None
    view = agenda.agenda_view(room["id"])
    assert view["current"] is None and view["finished"]
    assert all(item.is_done for item in items(room))
    assert refused(move, room, "next").message == "Start the agenda first."
    assert refused(move, room, "start").message == "Every agenda item is finished."
    assert refused(agenda.extend, room["id"], room["chair"], 5, "More").status == 409


def test_only_the_chair_runs_the_agenda(room, clock):
    meeting, chair = room["meeting"], room["chair"]
    pat = guest(meeting, "Pat Jones", "carer", admit_by=chair)
    sam = guest(meeting, "Sam Okafor", "childs_social_worker", admit_by=chair)
    meetings.set_minute_taker(meeting.id, chair, sam.id, True)
    waiting = guest(meeting, "Dee Khan", "school")          # still in the lobby
    db.session.refresh(sam)
    assert sam.meeting_role == "minute_taker"
    seq = last_seq(meeting.id)
    for seat in (pat, sam):
        problem = refused(agenda.move, meeting.id, seat, "start")
        assert (problem.message, problem.status) == ("Only the chair can run the agenda.", 403)
    assert refused(agenda.move, meeting.id, waiting, "start").message == \
        "You are not in that meeting."
    assert last_seq(meeting.id) == seq and current(room) is None

    move(room, "start")
    for seat in (pat, sam):
        for action in ("pause", "next", "back"):
            assert refused(agenda.move, meeting.id, seat, action).status == 403
        assert refused(agenda.extend, meeting.id, seat, 5, "I want more").status == 403
    assert current(room).is_running and current(room).extended_seconds == 0


def test_a_server_restart_mid_item_reads_the_same_remaining_time(room, clock, tmp_path):
    move(room, "start")
    move(room, "next")
    clock.advance(200)
    agenda.extend(room["id"], room["chair"], 2, "Carer arrived late")
    clock.advance(40)
    before = remaining(room)
    assert before == 900 + 120 - 240

    # The same database file, opened by a new app as after a restart (no memory carried over).
    restarted = build_app(db.engine.url.render_as_string(hide_password=False))
    with restarted.app_context():
        view = agenda.agenda_view(room["id"])
        assert view["current"].title == "What are we worried about?"
        assert view["current"].remaining(clock.now) == before
        clock.advance(30)
        assert agenda.agenda_view(room["id"])["current"].remaining(clock.now) == before - 30
        with restarted.test_request_context():
            html = render_agenda(room["id"], "participant")
        db.session.remove()
    deadline = START + timedelta(seconds=200 + 40 + before)
    assert f'data-deadline="{epoch_ms(deadline)}"' in html
    assert 'data-state="running"' in html


def test_a_paused_timer_survives_a_restart_as_paused(room, clock, tmp_path):
    move(room, "start")
    clock.advance(100)
    move(room, "pause")
    clock.advance(1000)
    restarted = build_app(db.engine.url.render_as_string(hide_password=False))
    with restarted.app_context(), restarted.test_request_context():
        html = render_agenda(room["id"], "projector")
        db.session.remove()
    assert 'data-state="paused"' in html and 'data-remaining="200"' in html
    assert ">3:20<" in html and "paused" in html


def test_the_schedule_figure_says_how_far_ahead_or_behind_the_meeting_runs(room, clock, app):
    def behind():
        return agenda.agenda_view(room["id"])["behind"]

    move(room, "start")                  # 5 minutes planned
    assert behind() == 0 and schedule_words(behind()) == "On schedule"
    clock.advance(180)
    assert behind() == 0                 # within its plan, the current item is on schedule
    move(room, "next")                   # finished 2 minutes early
    assert behind() == -120 and schedule_words(behind()) == "2 min ahead of schedule"
    clock.advance(900 + 60)              # item 2 (15 minutes) runs a minute over
    assert behind() == -60 and schedule_words(behind()) == "1 min ahead of schedule"
    clock.advance(240)
    assert behind() == 180 and schedule_words(behind()) == "3 min behind schedule"
    agenda.extend(room["id"], room["chair"], 10, "Important")
    assert behind() == 180               # more time is still time beyond the plan
    move(room, "pause")
    clock.advance(3600)
    assert behind() == 180               # a pause is not lateness
    view = agenda.agenda_view(room["id"])
    assert view["done_behind"] == -120
    with app.test_request_context():
        html = render_agenda(room["id"], "chair")
    assert "3 min behind schedule" in html and 'data-done-behind="-120"' in html
    assert schedule_words(29) == "On schedule" and schedule_words(-91) == "2 min ahead of schedule"


def test_the_timer_fragment_carries_the_deadline_and_the_figures_the_page_counts_with(
        room, clock, app):
    move(room, "start")
    clock.advance(10)
    with app.test_request_context():
        html = render_agenda(room["id"], "participant")
    timer = re.search(r"<div class=\"app-timer[^>]*>", html).group(0)
    first = items(room)[0]
    expected = {"data-item": str(first.id), "data-state": "running",
                "data-deadline": str(epoch_ms(START + timedelta(seconds=300))),
                "data-remaining": "290", "data-warning": "120", "data-planned": "300",
                "data-extended": "0", "data-done-behind": "0",
                "data-title": "Welcome, introductions and why we are meeting"}
    for name, value in expected.items():
        assert f'{name}="{value}"' in timer, name
    assert "app-agenda__controls" not in html              # no chair controls for others
    with app.test_request_context():
        assert "Start the agenda" not in render_agenda(room["id"], "chair")
        assert "Pause timer" in render_agenda(room["id"], "chair")


def test_a_page_catching_up_after_the_agenda_finished_replays_every_agenda_event(
        room, clock, app, client, chair_user):
    """An extension replayed once there is no current item used to break the renderer, and
    with it the join: the page could never catch up."""
    move(room, "start")
    agenda.extend(room["id"], room["chair"], 2, "More to say")
    move(room, "pause")
    for _ in items(room):
        move(room, "next")
    sign_in(client, chair_user.email)
    sio = socket_client(app, client)
    reply = sio.emit("meeting.join", {"meeting": room["id"], "since": 0}, callback=True)
    assert reply["ok"], reply
    # The replay drew every event, and sends the agenda once, as it stands, with the last three
    # announcements (docs/live-protocol.md, "Replay"). Each event as the replay drew it:
    with app.test_request_context():
        drawn = [message(e, "chair") for e in db.session.scalars(
            db.select(MeetingEvent).filter_by(meeting_id=room["id"]).order_by(MeetingEvent.seq))]
    said = [e["announce"] for e in drawn if e["type"] == "agenda.changed"]
    assert said[:3] == ["Now: Welcome, introductions and why we are meeting.",
                        "2 more minutes for Welcome, introductions and why we are meeting.",
                        "The timer is paused."]
    assert said[4] == "Now: What is working well?"
    assert said[-1] == "The agenda is finished."
    assert all("app-timer__none" in e["ops"][0]["html"] for e in drawn
               if e["type"] == "agenda.changed")           # each drawn as it stands now
    sent = [op["html"] for e in reply["events"] for op in e["ops"] if "app-timer" in
            op.get("html", "")]
    assert len(sent) == 1 and "app-timer__none" in sent[0]
    assert [e["announce"] for e in reply["events"] if e["announce"]] == said[-3:]
    sio.disconnect()


def test_announcements_say_the_time_left_in_words(room, clock, app, client, chair_user):
    sign_in(client, chair_user.email)
    sio = socket_client(app, client)
    assert sio.emit("meeting.join", {"meeting": room["id"], "since": last_seq(room["id"])},
                    callback=True)["ok"]
    sio.get_received()

    def said():
        return [m["args"][0]["announce"] for m in sio.get_received()
                if m["name"] == "meeting.event"]

    move(room, "start")
    clock.advance(320)
    move(room, "pause")
    move(room, "resume")
    move(room, "next")
    clock.advance(870)
    move(room, "back")
    assert said() == [
        "Now: Welcome, introductions and why we are meeting. 5 minutes left.",
        "The timer is paused.",
        "The timer is running again: over time by 0:20 for Welcome, introductions and why we "
        "are meeting.",
        "Now: What are we worried about? 15 minutes left.",
        "Now: Welcome, introductions and why we are meeting. Over time by 0:20."]
    sio.disconnect()


def test_the_chair_runs_the_agenda_over_plain_http_too(room, clock, client, chair_user):
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{room['id']}")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(f"/meetings/{room['id']}/agenda/move",
                           data={"csrf_token": token, "action": "start"})
    assert response.status_code == 303
    assert current(room) is not None
    page = client.post(f"/meetings/{room['id']}/agenda/extend", follow_redirects=True,
                       data={"csrf_token": token, "minutes": "5", "reason": " "})
    assert "reason for more time" in page.get_data(as_text=True)   # said on the page
    assert db.session.scalars(db.select(AgendaItem).filter(
        AgendaItem.extended_seconds > 0)).all() == []
    client.post(f"/meetings/{room['id']}/agenda/extend",
                data={"csrf_token": token, "minutes": "10", "reason": "Family arrived late"})
    assert current(room).extended_seconds == 600
