"""The agenda against a real server process, with real python-socketio clients.

Nothing on the server ticks, so nothing here waits for a timer: each client works out the time
left as a page does, from what the server sent it (the `data-deadline` in the newest agenda
fragment, and its own join answer's `now`, corrected for half the round trip), and the clients
must agree to the second. One joined before the chair started, one joined later from a page it
loaded, dropped its connection and came back with `since`.
"""
import html as html_lib
import re
import time
from datetime import datetime, timezone

import pytest

from facilitator.agenda.models import AgendaItem
from facilitator.extensions import db
from facilitator.meetings.models import Meeting
from tests.live_clients import (
    board_page,
    fragment_html,
    last_seq,
    new_key,
    new_room,
    running_server,
)

pytestmark = pytest.mark.live

FIRST = "Welcome, introductions and why we are meeting"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, "agenda-live") as server:
        yield server


@pytest.fixture
def rooms(server):
    made = []

    def make():
        made.append(new_room(server))
        return made[-1]

    yield make
    for room in made:
        room.close_clients()


def local_ms():
    return time.time() * 1000


class Page:
    """What one page knows: the server-clock offset from its latest join, and the newest agenda
    fragment it received (from its page load, the join's replay or a live event)."""

    def __init__(self, client=None, agenda_html=None):
        self.client, self.offset, self.agenda_html = client, None, agenda_html

    def join(self, room, since):
        sent = local_ms()
        reply = self.client.join(room.meeting_id, since=since)
        arrived = local_ms()
        self.offset = reply["now"] + (arrived - sent) / 2 - arrived   # as meeting.js does
        self.client.joined = reply
        self.take(reply["events"])
        return reply

    def take(self, messages):
        for message in messages:  # a replay sends the agenda once, not with each event
            if message["type"] == "agenda.changed" and "data-timer" in fragment_html(message):
                self.agenda_html = fragment_html(message)

    def catch_up(self):
        """Take what arrived live since the join."""
        self.take(self.client.received("agenda.changed"))

    def timer(self):
        match = re.search(r"<div class=\"app-timer[^\"]*\" data-timer([^>]*)>", self.agenda_html)
        assert match, "no timer in the newest agenda fragment"
        return {name: html_lib.unescape(value)
                for name, value in re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1))}

    def remaining(self, at_local_ms):
        """Seconds left at a moment of this machine's clock, as timer.js works it out."""
        timer = self.timer()
        if timer["state"] == "paused":
            return float(timer["remaining"])
        return (int(timer["deadline"]) - (at_local_ms + self.offset)) / 1000


def chair_does(chair, room, event, **data):
    reply = chair.call(event, {"meeting": room.meeting_id, "key": new_key(), **data})
    assert reply["ok"], (event, reply)
    return reply["seq"]


def seconds_left(meeting_id, at_local_ms):
    """The truth, from the database the server writes to, at a moment of this machine's clock."""
    db.session.rollback()  # a new snapshot: the server process has written since
    meeting = db.session.get(Meeting, meeting_id)
    item = db.session.get(AgendaItem, meeting.current_item_id)
    now = datetime.fromtimestamp(at_local_ms / 1000, timezone.utc).replace(tzinfo=None)
    return item.remaining(now)


def test_pages_joined_at_different_times_count_down_to_the_same_second(rooms, until):
    room = rooms()
    chair = room.client(room.chair)
    pat = room.admit("Pat Jones", "carer")
    sam = room.admit("Sam Okafor", "childs_social_worker")

    # A joins before the start (a page loaded then: no timer yet).
    a = Page(room.client(pat, join=False))
    a.join(room, since=last_seq(room.meeting_id))
    start_seq = chair_does(chair, room, "agenda.move", action="start")
    until(lambda: start_seq in a.client.seqs(), "A received the start")
    a.catch_up()
    assert a.timer()["title"] == FIRST and a.timer()["state"] == "running"
    (started,) = a.client.received("agenda.changed")
    assert started["announce"] == f"Now: {FIRST}. 5 minutes left."

    time.sleep(1.2)  # B comes a little later; the countdown must not restart for them

    # B loads the board page (the timer as it stands, and the seq it was drawn at), then joins.
    page = board_page(room.server, sam.session, room.meeting_id).text
    page_seq = int(re.search(r'data-seq="(\d+)"', page).group(1))
    agenda_html = re.search(r'<section id="agenda".*?</section>', page, re.S).group(0)
    b = Page(room.client(sam, join=False), agenda_html)
    b.join(room, since=page_seq)
    assert abs(int(a.timer()["deadline"]) - int(b.timer()["deadline"])) <= 2  # ms (rounding)

    def agree(state="running"):
        now = local_ms()
        left_a, left_b = a.remaining(now), b.remaining(now)
        truth = seconds_left(room.meeting_id, now)
        assert a.timer()["state"] == b.timer()["state"] == state
        assert abs(left_a - left_b) <= 1, (left_a, left_b)
        assert abs(left_a - truth) <= 1 and abs(left_b - truth) <= 1, (left_a, left_b, truth)
        return left_a, left_b

    left_a, _ = agree()
    assert 290 < left_a < 300        # five minutes planned, a few seconds gone

    # B's connection drops; it comes back as a fresh connection with the seq it had.
    b_seq = page_seq
    b.client.close()
    b = Page(room.client(sam, join=False), b.agenda_html)
    reply = b.join(room, since=b_seq)
    assert reply["events"] == []     # nothing happened meanwhile
    agree()

    # ---- A pause: both show the same time left, standing still --------------------------------
    b_seq = reply["seq"]
    b.client.close()                 # B is offline while the chair pauses
    pause_seq = chair_does(chair, room, "agenda.move", action="pause")
    until(lambda: pause_seq in a.client.seqs(), "A received the pause")
    a.catch_up()
    b = Page(room.client(sam, join=False), b.agenda_html)
    reply = b.join(room, since=b_seq)
    assert [e["seq"] for e in reply["events"]] == [pause_seq]   # the missed pause, replayed
    paused_a, paused_b = agree("paused")
    assert paused_a == paused_b == float(a.timer()["remaining"])
    time.sleep(1.5)
    assert agree("paused") == (paused_a, paused_b)             # time passed; the timers did not

    # ---- An extension: both see it, still paused ------------------------------------------------
    extend_seq = chair_does(chair, room, "agenda.extend", minutes=3,
                            reason="Carer has more to say about nights")
    until(lambda: extend_seq in a.client.seqs() and extend_seq in b.client.seqs(),
          "A and B received the extension")
    a.catch_up()
    b.catch_up()
    for page_ in (a, b):
        assert page_.timer()["extended"] == "180"
        assert float(page_.timer()["remaining"]) == paused_a + 180
        assert page_.client.received("agenda.changed")[-1]["announce"] == \
            f"3 more minutes for {FIRST}."
    agree("paused")

    # ---- Resumed: counting again, to the same second on both ----------------------------------
    resume_seq = chair_does(chair, room, "agenda.move", action="resume")
    until(lambda: resume_seq in a.client.seqs() and resume_seq in b.client.seqs(),
          "A and B received the resume")
    a.catch_up()
    b.catch_up()
    left_a, _ = agree()
    assert abs(left_a - (paused_a + 180)) <= 1
    # A page that reconnects replays to the same deadline.
    b.client.close()
    b = Page(room.client(sam, join=False))
    b.join(room, since=0)
    assert abs(int(a.timer()["deadline"]) - int(b.timer()["deadline"])) <= 2
    agree()
