"""Scaling against a real server process, with real python-socketio clients.

A score's value and reason are private until the chair reveals the round: the person who gave
it sees it in the answer to their own message, and everyone else sees only "N of M have scored".
Each client here keeps every message the server sent it, as the text that came over the wire
(events, presence, connect packets and the answers to its own messages), so a score that
leaked anywhere would be found.
"""
import json
import re
import statistics
import threading
import uuid

import pytest
import requests
from markupsafe import escape

from facilitator.extensions import db
from facilitator.meetings import labels
from facilitator.scaling.models import ScaleRound, Score
from tests.live_clients import (
    LiveClient,
    Room,
    board_page,
    fragment_html,
    fresh,
    last_seq,
    new_key,
    new_room,
    running_server,
)

pytestmark = pytest.mark.live

SAVED = ("Your score is saved. Only you can see it until the chair reveals everyone's "
         "scores.")
ATTENDS_AS = ["carer", "childs_social_worker", "supervising_social_worker", "placement_support",
              "iro", "camhs", "school", "other"]


# ---- Reading the database the server writes to --------------------------------------------------

def scores_in(round_id):
    """{participant id: (value, reason)} as stored."""
    return {s.participant_id: (s.value, s.reason)
            for s in fresh(db.select(Score).filter_by(round_id=round_id))}


def canary(prefix="REASON"):
    return f"{prefix}-{uuid.uuid4().hex}"


# ---- A client that keeps everything it received --------------------------------------------------

class WireClient(LiveClient):
    """A LiveClient that also keeps the text of every Socket.IO packet the server sent it, in
    arrival order: pushed events of every kind, and the answers to its own messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wire = []
        handle = self.sio.eio.handlers["message"]

        def record(data):
            with self.lock:
                self.wire.append(data if isinstance(data, str) else repr(data))
            return handle(data)

        self.sio.eio.handlers["message"] = record

    def mark(self):
        with self.lock:
            return len(self.wire)

    def packets(self, start=0, end=None):
        with self.lock:
            return list(self.wire[start:end])

    def score(self, meeting_id, round_id, value, reason, **extra):
        return self.call("scaling.score", {"meeting": meeting_id, "round": round_id,
                                           "value": value, "reason": reason, "show_name": "1",
                                           "key": new_key(), **extra})

    def last_of(self, event_type):
        received = self.received(event_type)
        assert received, f"{self.name} received no {event_type}"
        return received[-1]

    def event(self, seq):
        (event,) = [e for e in self.received() if e["seq"] == seq]
        return event


def is_score_answer(packet):
    """Whether a Socket.IO packet is the answer to this client's own scaling.score: an ack
    (type 3, then the ack id) whose data is the saved-score answer."""
    match = re.fullmatch(r"3(\d+)(\[.*\])", packet, re.S)
    if not match:
        return False
    data = json.loads(match.group(2))
    return bool(data) and isinstance(data[0], dict) and data[0].get("announce") == SAVED


def tally(html):
    """What a tally or round fragment says, e.g. "10 of 11 have scored"."""
    counts = re.findall(r'<p class="app-tally__count"><strong>(\d+ of \d+)</strong> '
                        r'(has|have) scored</p>', html)
    assert len(counts) == 1, f"expected one tally, found {counts}"
    return " ".join(counts[0]) + " scored"


def round_ops(messages, round_id):
    """Every op, in order, that changes round `round_id` on a page."""
    whole = f'<section id="round-{round_id}"'
    return [op for message in messages for op in message["ops"]
            if op.get("op") == "upsert" and (op["html"].lstrip().startswith(whole)
                                             or op["into"] == f"round-{round_id}")]


def shown_scores(html):
    """(value, who, reason) for each score in a revealed round's HTML."""
    return re.findall(r'<span class="app-score__value">(\d+)</span>.*?'
                      r'<span class="app-score__who">([^<]*)</span>.*?'
                      r'<p class="app-score__reason">([^<]*)</p>', html, re.S)


def summary(values):
    median = statistics.median(values)
    return (f"Median <strong>{median:g}</strong>",
            f"Range {min(values)} to {max(values)} · {len(values)} scores",
            f"Median {median:g}, range {min(values)} to {max(values)}, on a scale of 0 to 10.")


# ---- A meeting on the live server, and the people in it -----------------------------------------

class ScalingRoom(Room):
    client_class = WireClient

    def open_round(self, chair_client):
        reply = chair_client.call("scaling.open", {"meeting": self.meeting_id,
                                                   "question": None, "key": new_key()})
        assert reply["ok"], reply
        (round_,) = fresh(db.select(ScaleRound).filter_by(meeting_id=self.meeting_id,
                                                          status="open"))
        return round_.id, reply["seq"]

    def chair_does(self, chair_client, event, round_id):
        reply = chair_client.call(event, {"meeting": self.meeting_id, "round": round_id,
                                          "key": new_key()})
        assert reply["ok"], (event, reply)
        return reply["seq"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, "scaling-live") as server:
        yield server


@pytest.fixture
def rooms(server):
    """Makes meetings on the live server; closes every client opened for them afterwards."""
    made = []

    def make():
        made.append(new_room(server, ScalingRoom))
        return made[-1]

    yield make
    for room in made:
        room.close_clients()


def ten_guests(room):
    return [room.admit(f"Guest {n:02d}", ATTENDS_AS[n % len(ATTENDS_AS)]) for n in range(1, 11)]


def all_at_once(work, items):
    """Run `work(item)` for every item in its own thread, released together by a barrier;
    returns the results in the order of `items`."""
    start, results = threading.Barrier(len(items)), [None] * len(items)

    def run(index, item):
        start.wait()
        results[index] = work(item)

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# ---- 1. Ten people score at once; nobody sees anyone else's score until the reveal ---------------

VALUES = [7, 3, 10, 5, 0, 8, 5, 6, 2, 9]  # median 5.5, range 0 to 10


def test_ten_people_score_at_once_and_only_the_tally_travels_until_the_reveal(rooms, until):
    room = rooms()
    guests = ten_guests(room)
    chair_c = room.client(room.chair)
    projector = room.client(projector=True)
    guest_cs = [room.client(person) for person in guests]
    everyone = [chair_c, projector, *guest_cs]
    start = last_seq(room.meeting_id)
    assert {c.joined["seq"] for c in everyone} == {start}
    assert all(c.joined["events"] == [] for c in everyone)
    assert projector.joined["audience"] == "projector"

    round_id, open_seq = room.open_round(chair_c)
    assert open_seq == start + 1
    reasons = [canary() for _ in guests]

    acks = all_at_once(lambda i: guest_cs[i].score(room.meeting_id, round_id, VALUES[i],
                                                   reasons[i]), range(len(guests)))

    assert all(ack["ok"] for ack in acks), [a for a in acks if not a["ok"]]
    last = start + 1 + len(guests)
    assert sorted(ack["seq"] for ack in acks) == list(range(start + 2, last + 1))
    for i, ack in enumerate(acks):  # the person's own form comes back to them alone
        assert set(ack) == {"ok", "seq", "ops", "announce"} and ack["announce"] == SAVED
        (op,) = ack["ops"]
        assert op["op"] == "upsert" and op["into"] == f"round-{round_id}"
        assert reasons[i] in op["html"] and f'value="{VALUES[i]}" checked' in op["html"]
        assert op["html"].count(" checked") == 1
        assert [r for r in reasons if r in op["html"]] == [reasons[i]]
    until(lambda: all(last in c.seqs() for c in everyone), "every client received every score")
    assert scores_in(round_id) == {p.seat_id: (v, r) for p, v, r in zip(guests, VALUES, reasons)}

    # Everyone sees the same tally: 10 of the 11 members (the chair may score too) have scored;
    # who, by name, or on the projector by what they attend as ("Carer 1", never a name).
    expected = list(range(start + 1, last + 1))
    db.session.rollback()  # a new snapshot: the server has let everyone in since
    room_labels = labels.Room(room.meeting_id).labels()
    for client in everyone:
        assert client.seqs() == expected, f"{client.name} received {client.seqs()}"
        latest = client.last_of("scaling.scored")
        assert latest["seq"] == last and latest["announce"] == "10 of 11 have scored."
        html = fragment_html(latest)
        assert tally(html) == "10 of 11 have scored"
        assert html.count("app-tally__person--done") == 10
        if client is projector:
            assert all(re.search(rf">{re.escape(escape(room_labels[p.seat_id]))}\s*<strong", html)
                       for p in guests), html
            assert not any(p.name in html for p in guests) and "Alex Morgan" not in html
        else:
            assert all(p.name in html for p in guests) and "Alex Morgan" in html
    assert 'data-live="scaling.reveal"' in fragment_html(chair_c.last_of("scaling.scored"))
    assert 'data-live="scaling.reveal"' not in fragment_html(guest_cs[0].last_of(
        "scaling.scored"))

    # Nothing anyone received before the reveal carries another person's score.
    reveal_marks = [c.mark() for c in everyone]
    for client, mark in zip(everyone, reveal_marks):
        packets = client.packets(0, mark)
        own = [p for p in packets if is_score_answer(p)]
        pushed = [p for p in packets if not is_score_answer(p)]
        mine = reasons[guest_cs.index(client)] if client in guest_cs else None
        assert len(own) == (1 if mine else 0), client.name
        # The record is the whole conversation: pushed events and presence as well as answers.
        kinds = {re.match(r'2\["([^"]+)"', p).group(1) for p in pushed if p.startswith("2[")}
        assert {"meeting.event", "meeting.presence"} <= kinds, kinds
        if mine:
            assert mine in own[0]
        for other in reasons:
            if other != mine:
                assert other not in "".join(packets), f"{client.name} received {other}"
            assert all(other not in p for p in pushed), f"{client.name}: {other} broadcast"
        for packet in pushed:
            assert "checked" not in packet and "app-score__value" not in packet, \
                f"{client.name} received a score before the reveal: {packet[:300]}"

    # The reveal: every audience gets every score, who gave it and reason, the chart, median and
    # range. Who: their name, or on the projector what they attend as ("Carer 1", never a name).
    reveal_seq = room.chair_does(chair_c, "scaling.reveal", round_id)
    assert reveal_seq == last + 1
    until(lambda: all(reveal_seq in c.seqs() for c in everyone), "everyone received the reveal")
    median_html, range_html, caption = summary(VALUES)
    for client in everyone:
        revealed = client.event(reveal_seq)
        assert revealed["type"] == "scaling.round_revealed"
        assert revealed["announce"] == "Scores revealed for round 1: median 5.5, range 0 to 10."
        html = fragment_html(revealed)
        assert all(reason in html for reason in reasons), client.name
        assert 'role="img"' in html and median_html in html and range_html in html
        assert caption in html
        shown = {(value, who.split(",")[0], reason) for value, who, reason in shown_scores(html)}
        who = {p.seat_id: escape(room_labels[p.seat_id]) if client is projector else p.name
               for p in guests}
        assert shown == {(str(v), who[p.seat_id], r) for p, v, r in zip(guests, VALUES, reasons)}
        if client is projector:
            assert not any(p.name in html for p in guests), "a name on the projector"
        assert "app-tally__count" not in html
    assert 'data-live="scaling.reopen"' in fragment_html(chair_c.event(reveal_seq))
    assert 'data-live="scaling.reopen"' not in fragment_html(projector.event(reveal_seq))

    # A late joiner, admitted after the reveal, replays the meeting from the start and ends up
    # on the revealed round; the page they would load shows it too.
    late = room.admit("Lou Late", "school")
    late_c = room.client(late, since=0)
    replay = late_c.joined["events"]
    assert [e["seq"] for e in replay] == list(range(1, last_seq(room.meeting_id) + 1))
    final = round_ops(replay, round_id)[-1]["html"]
    assert all(reason in final for reason in reasons) and 'role="img"' in final
    assert median_html in final and range_html in final and "app-tally__count" not in final
    page = board_page(room.server, late.session, room.meeting_id).text
    assert all(reason in page for reason in reasons) and median_html in page


# ---- 2. A reopened round hides every score again, in replays too ---------------------------------

def test_a_reopened_round_shows_no_score_to_anyone_even_in_a_replay(rooms, until):
    room = rooms()
    guests = ten_guests(room)
    chair_c = room.client(room.chair)
    guest_cs = [room.client(person) for person in guests]
    round_id, _ = room.open_round(chair_c)
    old = [canary("OLD") for _ in guests]
    for client, value, reason in zip(guest_cs, VALUES, old):
        assert client.score(room.meeting_id, round_id, value, reason)["ok"]
    reveal_seq = room.chair_does(chair_c, "scaling.reveal", round_id)
    until(lambda: all(reveal_seq in c.seqs() for c in guest_cs), "everyone saw the reveal")
    assert all(reason in fragment_html(guest_cs[0].event(reveal_seq)) for reason in old)

    marks = {client.name: client.mark() for client in [chair_c, *guest_cs]}
    reopen_seq = room.chair_does(chair_c, "scaling.reopen", round_id)
    until(lambda: all(reopen_seq in c.seqs() for c in [chair_c, *guest_cs]),
          "everyone saw the round reopen")
    for client in [chair_c, *guest_cs]:
        reopened = client.event(reopen_seq)
        html = fragment_html(reopened)
        assert tally(html) == "10 of 11 have scored" and "app-score__value" not in html
        assert reopened["announce"] == "Scaling round 1 is open. 10 of 11 have scored."

    # Half the room thinks again, with new reasons.
    changers = list(range(0, 10, 2))
    new = {i: canary("NEW") for i in changers}
    for i in changers:
        reply = guest_cs[i].score(room.meeting_id, round_id, 10 - VALUES[i], new[i])
        assert reply["ok"], reply
        assert new[i] in reply["ops"][0]["html"]
    last = last_seq(room.meeting_id)
    until(lambda: all(last in c.seqs() for c in [chair_c, *guest_cs]),
          "everyone saw the changed scores")
    secrets = [*old, *new.values()]
    for client in [chair_c, *guest_cs]:
        packets = client.packets(marks[client.name])
        pushed = "".join(p for p in packets if not is_score_answer(p))
        leaked = [s for s in secrets if s in pushed]
        assert leaked == [], f"{client.name} received {leaked} after the reopen"
        latest = fragment_html(client.last_of("scaling.scored"))
        assert tally(latest) == "10 of 11 have scored"

    # Pages that open now, replaying from the start or from just before the reveal, draw the
    # round as it is: open, scores hidden. Not the new scores, and not the old revealed ones.
    latecomers = [(since, room.client(guests[1], since=since)) for since in (0, reveal_seq - 1)]
    latecomers += [(0, room.client(room.chair, since=0))]
    latecomers += [(since, room.client(projector=True, since=since))
                   for since in (0, reveal_seq - 1)]
    for since, client in latecomers:
        replay = client.joined["events"]
        assert [e["seq"] for e in replay] == list(range(since + 1, last + 1))
        everything = "".join(client.packets())
        leaked = [s for s in secrets if s in everything]
        assert leaked == [], f"{client.name} (since {since}) replayed {leaked}"
        assert "app-score__value" not in everything and 'role="img"' not in everything
        shown = round_ops(replay, round_id)
        assert "app-tally__count" in shown[-1]["html"]
        assert tally(shown[-1]["html"]) == "10 of 11 have scored"

    # Over HTTP too: a participant's page has their own changed reason and nobody else's.
    page = board_page(room.server, guests[0].session, room.meeting_id).text
    assert new[0] in page and [s for s in secrets if s in page] == [new[0]]
    projector_page = requests.get(
        f"{room.server.url}/meetings/{room.meeting_id}/projector/{room.projector_token}").text
    assert [s for s in secrets if s in projector_page] == []

    # The next reveal shows the changed scores, and the reasons of those who did not change.
    second = room.chair_does(chair_c, "scaling.reveal", round_id)
    until(lambda: second in guest_cs[1].seqs(), "the second reveal arrived")
    html = fragment_html(guest_cs[1].event(second))
    for i in range(10):
        if i in changers:
            assert new[i] in html and old[i] not in html
        else:
            assert old[i] in html
    values = [10 - v if i in changers else v for i, v in enumerate(VALUES)]
    assert all(part in html for part in summary(values))


# ---- 3. Bad input over the socket changes nothing and says why ----------------------------------

def test_bad_scaling_input_over_the_socket_changes_nothing_and_answers_a_clear_error(rooms, until):
    room, elsewhere = rooms(), rooms()
    pat, sam = room.admit("Pat Jones"), room.admit("Sam Okafor", "childs_social_worker")
    chair_c, pat_c, sam_c = room.client(room.chair), room.client(pat), room.client(sam)
    other_chair_c = elsewhere.client(elsewhere.chair)
    other_round, _ = elsewhere.open_round(other_chair_c)
    assert other_chair_c.call("scaling.reveal", {"meeting": elsewhere.meeting_id,
                                                 "round": other_round}) == {
        "ok": False, "error": "Nobody has scored yet, so there is nothing to reveal.",
        "status": 409}

    round_id, _ = room.open_round(chair_c)
    secret = canary("PAT")
    assert pat_c.score(room.meeting_id, round_id, 4, secret)["ok"]
    m, e = room.meeting_id, elsewhere.meeting_id
    until(lambda: last_seq(m) in chair_c.seqs(), "the chair saw Pat's score")
    before = {"seq": last_seq(m), "elsewhere": last_seq(e), "chair": len(chair_c.received()),
              "sam": len(sam_c.received())}

    def score(value=5, reason="A good reason", **extra):
        return {"meeting": m, "round": round_id, "value": value, "reason": reason,
                "key": new_key(), **extra}

    whole = "Choose a score from 0 to 10."
    not_here = "That scaling round is not part of this meeting."
    not_in = "You are not in that meeting."
    attempts = [
        (pat_c, "scaling.score", score(11), whole),
        (pat_c, "scaling.score", score("7.5"), whole),
        (pat_c, "scaling.score", score(7.5), whole),
        (pat_c, "scaling.score", score(-1), whole),
        (sam_c, "scaling.score", score(reason=""), "Enter a reason for your score."),
        (sam_c, "scaling.score", score(reason="  \n\t "), "Enter a reason for your score."),
        (sam_c, "scaling.score", score(reason="x" * 1001),
         "A reason for your score must be 1000 characters or fewer (this has 1001)."),
        (pat_c, "scaling.score", score(participant=sam.seat_id),
         "You can only give your own score."),
        (chair_c, "scaling.score", score(participant=pat.seat_id),
         "You can only give your own score."),
        (pat_c, "scaling.reveal", {"meeting": m, "round": round_id, "key": new_key()},
         "Only the chair can reveal the scores."),
        (pat_c, "scaling.open", {"meeting": m, "key": new_key()},
         "Only the chair can open a scaling round."),
        (chair_c, "scaling.open", {"meeting": m, "key": new_key()},
         "Round 1 is still open. Reveal its scores before opening another."),
        (pat_c, "scaling.score", score(round=other_round), not_here),
        (pat_c, "scaling.score", score(round="not-a-round"), not_here),
        (chair_c, "scaling.reveal", {"meeting": m, "round": other_round, "key": new_key()},
         not_here),
        (pat_c, "scaling.score", score(meeting=e, round=other_round), not_in),
        (chair_c, "scaling.reveal", {"meeting": e, "round": other_round, "key": new_key()},
         not_in),
        (chair_c, "scaling.open", {"meeting": e, "key": new_key()}, not_in),
        (chair_c, "scaling.score", "a bare string", "That message could not be read."),
    ]
    for client, event, data, error in attempts:
        reply = client.call(event, data)
        assert (reply["ok"], reply["error"]) == (False, error), (client.name, event, data, reply)
        assert reply["status"] in (400, 403, 404, 409), reply

    assert last_seq(m) == before["seq"] and last_seq(e) == before["elsewhere"]
    assert scores_in(round_id) == {pat.seat_id: (4, secret)}
    assert scores_in(other_round) == {}
    assert [r.status for r in fresh(db.select(ScaleRound).filter_by(meeting_id=m))] == ["open"]
    assert [r.status for r in fresh(db.select(ScaleRound).filter_by(meeting_id=e))] == ["open"]
    chair_page = board_page(room.server, room.chair.session, m).text
    assert tally(chair_page) == "1 of 3 have scored" and secret not in chair_page
    pat_page = board_page(room.server, pat.session, m).text
    assert secret in pat_page and 'value="4" checked' in pat_page
    sam_page = board_page(room.server, sam.session, m).text
    assert secret not in sam_page and " checked" not in sam_page
    # Nothing was broadcast: the next thing anyone receives is the reveal.
    reveal_seq = room.chair_does(chair_c, "scaling.reveal", round_id)
    assert reveal_seq == before["seq"] + 1
    until(lambda: all(reveal_seq in c.seqs() for c in (chair_c, sam_c)), "the reveal arrived")
    assert chair_c.seqs()[before["chair"]:] == [reveal_seq]
    assert sam_c.seqs()[before["sam"]:] == [reveal_seq]

    # After the reveal, scoring is closed, and the results stay as they were.
    closed = "Scoring has closed for this round: the chair has revealed the scores."
    after = [
        (sam_c, "scaling.score", score(6, "Too late"), closed),
        (pat_c, "scaling.score", score(9, "Changed my mind"), closed),
        (chair_c, "scaling.reveal", {"meeting": m, "round": round_id, "key": new_key()},
         "These scores are already revealed."),
        (pat_c, "scaling.reopen", {"meeting": m, "round": round_id, "key": new_key()},
         "Only the chair can reopen scoring."),
    ]
    for client, event, data, error in after:
        reply = client.call(event, data)
        assert (reply["ok"], reply["error"]) == (False, error), (client.name, event, data, reply)
        assert reply["status"] in (400, 403, 404, 409), reply
    assert last_seq(m) == reveal_seq
    assert scores_in(round_id) == {pat.seat_id: (4, secret)}
    results = board_page(room.server, sam.session, m).text
    assert shown_scores(results) == [("4", "Pat Jones, Carer", secret)]
    assert "Range 4 to 4 · 1 score<" in results
    assert "Too late" not in results and "Changed my mind" not in results
