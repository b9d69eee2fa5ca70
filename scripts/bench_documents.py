"""Documents off the live path (docs/architecture.md, rule 5): what a PDF costs, and what it
costs the room.

    .venv/bin/python scripts/bench_documents.py            a large meeting: 60 cards, 20 scores,
                                                           25 actions, 20 attendees
    .venv/bin/python scripts/bench_documents.py --small    the CI size (seconds)

It starts the real server (`flask serve`, one process, SQLite), seeds the large meeting A and
closes it, and opens meeting B with a chair and guests on real Socket.IO clients. Then:
  1. the render time of A's minutes: the PDF alone (WeasyPrint in this process) and the chair's
     whole "Issue" request on the server (draft, render in the worker process, store, deliver);
  2. B's live fan-out latency (a card sent by the chair until every other client has it) with no
     render running, and the same while A's minutes are issued again and again.
Figures only: nothing here passes or fails on speed.
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer, csrf_from, drop_database  # noqa: E402
from tests.live_clients import LiveClient, new_room  # noqa: E402


class TimedClient(LiveClient):
    """A LiveClient that notes when each event arrived (perf_counter seconds)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrivals = {}
        self.sio.on("meeting.event", self._arrived)

    def _arrived(self, message):
        with self.lock:
            self.events.append(message)
            self.arrivals[message["seq"]] = time.perf_counter()


def sizes(small):
    if small:
        return {"cards": 6, "scores": 4, "actions": 3, "attendees": 4, "room": 3,
                "samples": 8, "issues": 2}
    return {"cards": 60, "scores": 20, "actions": 25, "attendees": 20, "room": 10,
            "samples": 40, "issues": 6}


def seed_large_meeting(room, size):
    """Meeting A, seeded through the services on the server's database, then closed."""
    from facilitator.actions import services as actions
    from facilitator.board import services as board
    from facilitator.documents import services as documents
    from facilitator.extensions import db
    from facilitator.meetings import services as meetings
    from facilitator.meetings.models import Meeting, Participant
    from facilitator.scaling import services as scaling

    meeting = db.session.get(Meeting, room.meeting_id)
    chair = db.session.get(Participant, room.chair.seat_id)
    roles = ["carer", "young_person", "childs_social_worker", "supervising_social_worker",
             "placement_support", "iro", "camhs", "school", "other"]
    guests = []
    for n in range(size["attendees"] - 1):
        seat = meetings.join_meeting(meeting, name=f"Attendee {n + 1}",
                                     attends_as=roles[n % len(roles)])
        meetings.admit(meeting.id, chair, seat.id)
        guests.append(db.session.get(Participant, seat.id))
    columns = [c["key"] for c in meeting.type.columns]
    for n in range(size["cards"]):
        board.add_card(meeting.id, guests[n % len(guests)], columns[n % len(columns)],
                       f"Card {n + 1}: school mornings are hard, and the carer has found a "
                       "routine that helps on most days of the week.")
    round_id = scaling.open_round(meeting.id, chair).payload["round"]
    scorers = ([chair] + guests)[:size["scores"]]
    for n, person in enumerate(scorers):
        scaling.submit_score(meeting.id, person, round_id, n % 11,
                             f"Reason {n + 1}: what I have seen this month.")
    scaling.reveal_round(meeting.id, chair, round_id)
    for n in range(size["actions"]):
        # The chair's own proposal is a confirmed Stability Action at once.
        actions.propose(meeting.id, chair, {
            "what": f"Action {n + 1}: arrange the support agreed today", "owner": str(chair.id),
            "timescale": "ongoing", "destination": "childs_plan"})
    documents.close_meeting(meeting.id, chair)
    return meeting


def pdf_seconds(meeting_id):
    """The PDF of A's minutes rendered here, in this process: WeasyPrint's own time."""
    from flask import current_app

    from facilitator.documents import render
    from facilitator.documents import services as documents

    with current_app.test_request_context():
        draft = documents.draft_for(meeting_id, "minutes")
    draft.update(version=1, issued="now", issuer="bench", reason="")
    render.render_pdf(draft)  # warm: fonts and imports
    started, cpu = time.perf_counter(), time.process_time()
    pdf = render.render_pdf(draft)
    return time.perf_counter() - started, time.process_time() - cpu, len(pdf)


class Issuer:
    """The chair of A issuing its minutes over HTTP, version after version."""

    def __init__(self, server, room):
        self.server, self.room, self.version, self.times = server, room, 0, []

    def issue_once(self):
        session, meeting = self.room.chair.session, self.room.meeting_id
        page = session.get(f"{self.server.url}/meetings/{meeting}/documents/minutes/draft")
        self.version += 1
        started = time.perf_counter()
        answer = session.post(
            f"{self.server.url}/meetings/{meeting}/documents/minutes/issue",
            data={"csrf_token": csrf_from(page.text), "version": str(self.version),
                  "reason": "Benchmark re-issue"}, allow_redirects=False)
        assert answer.status_code == 303, (answer.status_code, answer.text[:300])
        self.times.append(time.perf_counter() - started)

    def keep_issuing(self, stop):
        while not stop.is_set():
            self.issue_once()


def fan_out(sender, receivers, room, count):
    """Latency of `count` cards from the chair until every receiver has each one."""
    samples = []
    for n in range(count):
        started = time.perf_counter()
        reply = sender.add_card(room.meeting_id, f"Bench {n} {uuid.uuid4().hex[:6]}")
        seq = reply["seq"]
        deadline = started + 30
        while time.perf_counter() < deadline:
            with_all = [r.arrivals.get(seq) for r in receivers]
            if all(with_all):
                samples.append(max(with_all) - started)
                break
            time.sleep(0.002)
        time.sleep(0.05)
    return samples


def figures(samples):
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
            f"max {ordered[-1] * 1000:7.1f} ms   (n={len(ordered)})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the CI size")
    args = parser.parse_args(argv)
    size = sizes(args.small)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder))
        with server.app.app_context():
            try:
                run(server, size)
            finally:
                server.stop()
                from facilitator.extensions import db

                db.session.remove()
                db.engine.dispose()
                drop_database(server.database_url)


def run(server, size):
    load = os.getloadavg()  # other work on the machine stretches every wall-clock figure
    server.start()
    large, live = new_room(server), new_room(server)
    seed_large_meeting(large, size)
    guests = [live.admit(f"Guest {n + 1}") for n in range(size["room"])]
    live.client_class = TimedClient
    sender = live.client(live.chair)
    receivers = [live.client(guest) for guest in guests]
    try:
        render_alone, render_cpu, pdf_bytes = pdf_seconds(large.meeting_id)
        issuer = Issuer(server, large)
        issuer.issue_once()  # starts the server's render worker
        cold = issuer.times.pop()
        quiet = fan_out(sender, receivers, live, size["samples"])
        stop_event = threading.Event()
        worker = threading.Thread(target=issuer.keep_issuing, args=(stop_event,))
        worker.start()
        while not issuer.times and worker.is_alive():
            time.sleep(0.05)  # the first render is under way
        busy = fan_out(sender, receivers, live, size["samples"])
        while len(issuer.times) < size["issues"] and worker.is_alive():
            time.sleep(0.1)
        stop_event.set()
        worker.join()
    finally:
        live.close_clients()
    print(f"Documents benchmark ({'small' if size['cards'] < 60 else 'large'} meeting: "
          f"{size['cards']} cards, {size['scores']} scores, {size['actions']} actions, "
          f"{size['attendees']} attendees; live meeting of {size['room'] + 1})")
    print(f"  minutes PDF, WeasyPrint alone      {render_alone * 1000:8.1f} ms  "
          f"(CPU {render_cpu * 1000:.0f} ms; {pdf_bytes // 1024} KB)")
    print(f"  load average before the run       {' '.join(f'{v:.1f}' for v in load)}")
    print(f"  issue request, first (cold worker) {cold * 1000:8.1f} ms")
    print(f"  issue request, warm                {figures(issuer.times)}")
    print(f"  live fan-out, no render running    {figures(quiet)}")
    print(f"  live fan-out, while rendering      {figures(busy)}")


if __name__ == "__main__":
    main()
