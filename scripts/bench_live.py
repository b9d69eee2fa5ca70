"""Live latency: Facilitator's server against a bare python-socketio server (the floor).

    .venv/bin/python scripts/bench_live.py                  full size, one process on SQLite
    .venv/bin/python scripts/bench_live.py --small          the CI size (a few seconds each)
    .venv/bin/python scripts/bench_live.py --processes 2 \\
        --database postgresql+psycopg://postgres@127.0.0.1/postgres --queue redis://127.0.0.1:6379/0
    .venv/bin/python scripts/bench_live.py --scenarios b --async-mode gevent

Scenarios: (a) one meeting of 30; (b) 50 meetings of 30 at once, each adding a card every few
seconds; (c) one room of 300; (d) 30 people scoring within the same second. Real Socket.IO
clients (python-socketio's asyncio client over WebSocket, loopback only) connect to the real
server processes; each meeting's people are spread over the processes, as a sticky-session
proxy would spread them. Latency is from a submission leaving its sender to its arrival at
every other person in the meeting (one sample per receiver). Lost: deliveries that never came.
Peak RSS: the server processes' high-water marks (VmHWM), summed. The floor runs the same
workload against scripts/bench_floor.py; ratio = our p95 / the floor's p95.

Then the board page: JavaScript and CSS it ships (gzip-compressed) and the server's time to
render it. A --database of postgresql gets a fresh database per run, dropped afterwards.
"""
import argparse
import asyncio
import gzip
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import socketio  # noqa: E402

SECRET = "bench-secret-key-not-for-production"
CARD_TEXT = "Bench card: school mornings are hard, and Pat has found a routine that helps."
DRAIN_SECONDS = 15  # after the last submission, how long to wait for stragglers (then: lost)
CALL_TIMEOUT = 30
LOGS = ROOT / "test-artifacts" / "bench"  # each server process's output, kept after the run
CHAIR_PASSWORD = "bench password long enough"


@dataclass
class Scenario:
    key: str
    title: str
    meetings: int
    people: int
    kind: str = "cards"     # or "scores"
    interval: float = 1.0   # seconds between one meeting's cards
    duration: float = 30.0  # seconds of submissions (cards) or number of bursts (scores)


def scenarios(args):
    small = args.small
    people = args.people or (5 if small else 30)
    return {
        "a": Scenario("a", f"1 meeting x {people}", 1, people,
                      interval=1.0, duration=args.duration or (3 if small else 30)),
        "b": Scenario("b", f"{args.meetings or (3 if small else 50)} meetings x {people}",
                      args.meetings or (3 if small else 50), people,
                      interval=args.interval or (1.0 if small else 3.0),
                      duration=args.duration or (3 if small else 30)),
        "c": Scenario("c", f"1 room of {args.room or (20 if small else 300)}", 1,
                      args.room or (20 if small else 300), interval=1.0,
                      duration=args.duration or (3 if small else 30)),
        "d": Scenario("d", f"{people} scoring in 1 s", 1, people, kind="scores",
                      duration=1 if small else 3),
    }


# ---- Databases ---------------------------------------------------------------------------------

class Database:
    """A fresh database for one run: a SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, server_url, folder):
        from facilitator.config import psycopg_url

        self.server_url = server_url and psycopg_url(server_url)
        if not self.server_url:
            self.name = None
            self.url = f"sqlite:///{Path(folder) / f'bench-{uuid.uuid4().hex[:8]}.db'}"
            return
        from sqlalchemy.engine import make_url

        self.name = f"facilitator_bench_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.url = make_url(self.server_url).set(database=self.name).render_as_string(
            hide_password=False)

    def _admin(self, sql):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as connection:
            connection.exec_driver_sql(sql)

    def drop(self):
        if self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# ---- Seeding meetings and people, through the app's own services ------------------------------

@dataclass
class Seeded:
    meeting_id: int
    last_seq: int
    cookies: list          # one session cookie per participant
    round_id: int | None = None
    chair_email: str | None = None


def build_app(url):
    from flask_migrate import upgrade

    from facilitator import create_app

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "SOCKETIO_MESSAGE_QUEUE": None, "SESSION_COOKIE_SECURE": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    return app


def seed(app, scenario):
    """Meetings with their people admitted (and a round open for scores); session cookies."""
    from facilitator.accounts.services import create_user
    from facilitator.extensions import db
    from facilitator.meetings import services as meetings
    from facilitator.meetings.models import ADMITTED, PARTICIPANT, Meeting, Participant
    from facilitator.scaling import services as scaling

    signer = app.session_interface.get_signing_serializer(app)
    seeded = []
    with app.app_context(), app.test_request_context():
        chair = create_user(f"chair-{uuid.uuid4().hex[:8]}@example.org", "Alex Morgan",
                            CHAIR_PASSWORD, "Team Manager")
        for m in range(scenario.meetings):
            meeting = meetings.create_meeting(
                chair, case_reference=f"BENCH-{uuid.uuid4().hex[:8]}", child_name="Jordan Taylor",
                scheduled_at=datetime(2026, 11, 24, 10, 0), location="Room 2",
                immediate_risk=False)
            chair_seat = db.session.scalar(db.select(Participant).filter_by(
                meeting_id=meeting.id, user_id=chair.id))
            # Admitted directly (not through the lobby, one event each): setting up is not what
            # is measured, and 1500 admissions through the write path take minutes.
            seats = [Participant(meeting_id=meeting.id, name=f"Person {m}-{p}",
                                 attends_as="carer", status=ADMITTED, meeting_role=PARTICIPANT,
                                 token=secrets.token_urlsafe(32))
                     for p in range(scenario.people)]
            db.session.add_all(seats)
            db.session.commit()
            cookies = [signer.dumps({"seats": {str(meeting.id): seat.token}}) for seat in seats]
            round_id = None
            if scenario.kind == "scores":
                scaling.open_round(meeting.id, chair_seat)
                round_id = scaling.open_round_of(meeting.id).id
            last_seq = db.session.get(Meeting, meeting.id).last_seq
            seeded.append(Seeded(meeting.id, last_seq, cookies, round_id, chair.email))
        db.session.remove()
        db.engine.dispose()
    return seeded


# ---- Server processes ---------------------------------------------------------------------------

def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """`flask serve` (ours) or scripts/bench_floor.py (the floor), N processes."""

    def __init__(self, floor, count, mode, database_url, queue):
        self.ports, self.processes = [], []
        channel = f"bench-{uuid.uuid4().hex[:8]}"
        for n in range(count):
            port = free_port()
            if floor:
                command = [sys.executable, str(ROOT / "scripts" / "bench_floor.py"), str(port),
                           mode] + ([queue, channel] if queue else [])
            else:  # FACILITATOR_ASYNC_MODE=gevent makes `flask serve` patch first
                command = [sys.executable, "-m", "flask", "--app", "app", "serve",
                           "--port", str(port)]
            env = {**os.environ, "FACILITATOR_ENV": "development",
                   "DATABASE_URL": database_url or "", "FACILITATOR_SECRET_KEY": SECRET,
                   "FACILITATOR_INSTANCE": f"bench-{port}", "FACILITATOR_ASYNC_MODE": mode,
                   "SOCKETIO_MESSAGE_QUEUE": queue or "", "SOCKETIO_CHANNEL": channel}
            LOGS.mkdir(parents=True, exist_ok=True)
            log = open(LOGS / f"{'floor' if floor else 'ours'}-{port}.log", "ab")
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                                   stderr=subprocess.STDOUT))
            self.ports.append(port)
        for port, process in zip(self.ports, self.processes):
            self._wait_for(port, process)

    def _wait_for(self, port, process):
        deadline = time.monotonic() + 120  # a bound for a busy machine, not a measure
        while time.monotonic() < deadline and process.poll() is None:
            try:
                requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        sys.exit(f"bench: a server on port {port} did not start (see {LOGS})")

    def peak_rss_mb(self):
        total = 0
        for process in self.processes:
            status = Path(f"/proc/{process.pid}/status").read_text()
            total += int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        return total / 1024

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


# ---- Clients and the workload -------------------------------------------------------------------

WATCHED = {"card.added", "scaling.scored"}


@dataclass
class Person:
    meeting: int
    client: socketio.AsyncClient
    arrivals: dict = field(default_factory=dict)  # seq -> perf_counter() when it arrived
    dropped: bool = False  # the server ended the connection during the run
    last_heard: float = 0.0  # perf_counter() of the latest message of any kind


@dataclass
class Sent:
    meeting: int
    sender: Person
    started: float
    seq: int | None = None


async def connect_everyone(seeded, ports, floor, concurrency=40):
    gate = asyncio.Semaphore(concurrency)
    people = []

    async def one(index, meeting, cookie):
        person = Person(meeting.meeting_id, socketio.AsyncClient(reconnection=False))

        def arrived(message):
            person.last_heard = time.perf_counter()
            if message.get("type") in WATCHED:
                person.arrivals.setdefault(message["seq"], person.last_heard)

        def heard(*_):
            person.last_heard = time.perf_counter()

        def dropped(*_):
            person.dropped = True
        person.client.on("meeting.event", arrived)
        person.client.on("meeting.presence", heard)
        person.client.on("disconnect", dropped)
        url = f"http://127.0.0.1:{ports[index % len(ports)]}"
        people.append(person)
        async with gate:
            headers = {} if floor else {"Cookie": f"session={cookie}"}
            try:
                await person.client.connect(url, headers=headers, transports=["websocket"],
                                            wait_timeout=CALL_TIMEOUT)
                if floor:
                    reply = await person.client.call("join", {"room": meeting.meeting_id},
                                                     timeout=CALL_TIMEOUT)
                else:
                    reply = await person.client.call(
                        "meeting.join", {"meeting": meeting.meeting_id,
                                         "since": meeting.last_seq}, timeout=CALL_TIMEOUT)
            except (socketio.exceptions.SocketIOError, OSError):
                reply = {}
            if not reply.get("ok"):  # could not get in: counted as dropped, and what it misses
                person.dropped = True  # as lost

    index = 0
    jobs = []
    for meeting in seeded:
        for cookie in meeting.cookies:
            jobs.append(one(index, meeting, cookie))
            index += 1
    await asyncio.gather(*jobs)
    await settle(people)
    return people


async def settle(people, quiet=2.0, limit=120):
    """Wait until the joining is over: every join redraws presence for everyone, so a room of
    300 joining sends 300 x 300 presence messages. Measuring starts when they have stopped."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if time.perf_counter() - max(p.last_heard for p in people) > quiet:
            return
        await asyncio.sleep(0.2)


class Counter:
    value = 0

    @classmethod
    def next(cls):
        cls.value += 1
        return cls.value


async def submit(sent_list, failures, person, floor, scenario, round_id):
    """One card (or score), timed from the moment it leaves the sender."""
    sent = Sent(person.meeting, person, time.perf_counter())
    sent_list.append(sent)
    if floor:
        kind = "card.added" if scenario.kind == "cards" else "scaling.scored"
        event, data = "send", {"room": person.meeting, "type": kind, "n": Counter.next(),
                               "text": CARD_TEXT}
    elif scenario.kind == "cards":
        event, data = "card.add", {"meeting": person.meeting, "column": "worried",
                                   "text": CARD_TEXT, "key": uuid.uuid4().hex}
    else:
        event, data = "scaling.score", {"meeting": person.meeting, "round": round_id,
                                        "value": random.randint(0, 10),
                                        "reason": "Things are steadier since the new routine.",
                                        "key": uuid.uuid4().hex}
    try:
        reply = await person.client.call(event, data, timeout=CALL_TIMEOUT)
    except Exception as error:  # a timeout is a failed submission, counted, not a crash
        failures.append(repr(error))
        return
    if reply.get("ok"):
        sent.seq = reply["seq"]
    else:
        failures.append(reply.get("error"))


async def workload(people, seeded, floor, scenario):
    by_meeting = {}
    for person in people:
        by_meeting.setdefault(person.meeting, []).append(person)
    rounds = {m.meeting_id: m.round_id for m in seeded}
    sent, failures, tasks = [], [], []
    start = time.perf_counter() + 0.5

    async def meeting_cards(members, offset):
        count = max(1, int(scenario.duration / scenario.interval))
        for k in range(count):
            due = start + offset + k * scenario.interval
            await asyncio.sleep(max(0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(submit(sent, failures, members[k % len(members)],
                                                    floor, scenario, None)))

    async def meeting_scores(members, meeting_id):
        for burst in range(int(scenario.duration)):
            burst_start = start + burst * 3.0
            for member in members:  # everyone within the same second
                delay = burst_start + random.random() - time.perf_counter()
                tasks.append(asyncio.create_task(delayed(max(0, delay), submit(
                    sent, failures, member, floor, scenario, rounds[meeting_id]))))

    schedulers = []
    for n, (meeting_id, members) in enumerate(by_meeting.items()):
        if scenario.kind == "cards":
            offset = scenario.interval * n / len(by_meeting)  # meetings spread over the interval
            schedulers.append(meeting_cards(members, offset))
        else:
            schedulers.append(meeting_scores(members, meeting_id))
    await asyncio.gather(*schedulers)
    while tasks:
        pending, tasks[:] = list(tasks), []
        await asyncio.gather(*pending)
    await drain(sent, by_meeting)
    return sent, failures, by_meeting


async def delayed(seconds, coroutine):
    await asyncio.sleep(seconds)
    await coroutine


async def drain(sent, by_meeting):
    deadline = time.perf_counter() + DRAIN_SECONDS
    while time.perf_counter() < deadline:
        if all(s.seq in p.arrivals for s in sent if s.seq is not None
               for p in by_meeting[s.meeting] if p is not s.sender):
            return
        await asyncio.sleep(0.1)


def measure(sent, by_meeting):
    samples, lost = [], 0
    for s in sent:
        if s.seq is None:
            continue
        for person in by_meeting[s.meeting]:
            if person is s.sender:
                continue
            arrived = person.arrivals.get(s.seq)
            if arrived is None:
                lost += 1
            else:
                samples.append((arrived - s.started) * 1000)
    return samples, lost


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Result:
    scenario: Scenario
    server: str
    samples: list
    lost: int
    failed: int
    submitted: int
    peak_rss_mb: float
    dropped: int = 0

    def p(self, n):
        return percentile(self.samples, n)


async def close_all(people):
    async def close(person):
        try:
            await asyncio.wait_for(person.client.disconnect(), 5)
        except Exception:
            pass
    await asyncio.gather(*(close(p) for p in people))


def run_scenario(scenario, args, floor, log_folder):
    database = None if floor else Database(args.database, log_folder)
    try:
        if floor:
            seeded = [Seeded(1000 + m, 0, [None] * scenario.people)
                      for m in range(scenario.meetings)]
        else:
            seeded = seed(build_app(database.url), scenario)
        servers = Servers(floor, args.processes, args.async_mode,
                          None if floor else database.url, args.queue)
        try:
            memory = {}

            async def go():
                people = await connect_everyone(seeded, servers.ports, floor)
                try:
                    return await workload(people, seeded, floor, scenario)
                finally:
                    memory["dropped"] = sum(p.dropped for p in people)
                    memory["rss"] = servers.peak_rss_mb()
                    servers.stop()  # before closing: 300 goodbyes would each redraw presence
                    await close_all(people)
            sent, failures, by_meeting = asyncio.run(go())
        finally:
            servers.stop()
        samples, lost = measure(sent, by_meeting)
        if failures:
            print(f"  ({len(failures)} submissions failed, e.g. {failures[0]})", file=sys.stderr)
        return Result(scenario, "floor" if floor else "ours", samples, lost, len(failures),
                      len(sent), memory["rss"], memory["dropped"])
    finally:
        if database:
            database.drop()


# ---- The board page: weight and render time -----------------------------------------------------

def page_weight(args, log_folder):
    """The chair's board page: each script and stylesheet it links, gzip-compressed, and the
    median server time to render the page (in the process, no network)."""
    from facilitator.extensions import db

    database = Database(args.database, log_folder)
    try:
        app = build_app(database.url)
        seeded = seed(app, Scenario("page", "page", 1, 5))[0]
        client = app.test_client()
        form = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        signed_in = client.post("/sign-in", data={"csrf_token": token, "email": seeded.chair_email,
                                                  "password": CHAIR_PASSWORD})
        assert signed_in.status_code in (302, 303), "the chair could not sign in"
        path = f"/meetings/{seeded.meeting_id}"
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        html = page.get_data(as_text=True)
        assets = re.findall(r'<script[^>]+src="([^"]+)"', html) + \
            re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) + \
            re.findall(r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', html)
        weights, queue = [], list(dict.fromkeys(assets))
        while queue:
            asset = queue.pop(0)
            body = client.get(asset.split("?")[0]).get_data()
            weights.append((asset, len(body), len(gzip.compress(body, 6))))
            if asset.endswith(".js"):  # a module script's imports are shipped too
                for imported in re.findall(rb'(?:from|import)\s*"(/static/[^"]+)"', body):
                    if imported.decode() not in queue + [w[0] for w in weights]:
                        queue.append(imported.decode())
        times = []
        for _ in range(args.page_renders):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return weights, statistics.median(times), len(gzip.compress(page.get_data(), 6))
    finally:
        database.drop()


# ---- Report -------------------------------------------------------------------------------------

def print_table(results, args):
    where = (f"{args.processes} process{'es' if args.processes > 1 else ''}, "
             f"{'PostgreSQL' if args.database else 'SQLite'}"
             f"{', Redis queue' if args.queue else ''}, {args.async_mode}")
    print(f"\nLive latency ({where}); load average (1 min) at the start {args.load_before:.2f}, "
          f"at the end {os.getloadavg()[0]:.2f}, on {os.cpu_count()} cores")
    header = (f"{'scenario':<22} {'server':<6} {'samples':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8} {'lost':>5} {'failed':>6} {'dropped':>7} "
              f"{'peak RSS MB':>11} "
              f"{'p95/floor':>9}")
    print(header)
    print("-" * len(header))
    floors = {r.scenario.key: r for r in results if r.server == "floor"}
    for r in results:
        floor = floors.get(r.scenario.key)
        ratio = (f"{r.p(95) / floor.p(95):.2f}" if r.server == "ours" and floor
                 and floor.samples and r.samples else "")
        print(f"{r.scenario.key + ') ' + r.scenario.title:<22} {r.server:<6} {len(r.samples):>8} "
              f"{r.p(50):>8.1f} {r.p(95):>8.1f} {r.p(99):>8.1f} "
              f"{max(r.samples, default=float('nan')):>8.1f} {r.lost:>5} {r.failed:>6} "
              f"{r.dropped:>7} "
              f"{r.peak_rss_mb:>11.1f} {ratio:>9}")


def print_pages(weights, render_ms, html_gzip):
    print("\nBoard page (chair's view): what it ships")
    print(f"{'asset':<44} {'bytes':>9} {'gzip':>9}")
    for asset, raw, packed in weights:
        print(f"{asset:<44} {raw:>9} {packed:>9}")
    total = sum(w[2] for w in weights)
    print(f"{'JavaScript + CSS, total':<44} {sum(w[1] for w in weights):>9} {total:>9}"
          f"   ({total / 1024:.1f} KB compressed; aim <= 100 KB)")
    print(f"{'the page itself (HTML)':<44} {'':>9} {html_gzip:>9}")
    print(f"server render time, median: {render_ms:.1f} ms")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="the CI size")
    parser.add_argument("--scenarios", default="a,b,c,d", help="which, e.g. a,b ('' for none)")
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--queue", help="Redis URL for the Socket.IO message queue")
    parser.add_argument("--async-mode", default="threading", choices=["threading", "gevent"])
    parser.add_argument("--meetings", type=int, help="meetings in (b)")
    parser.add_argument("--people", type=int, help="people per meeting in (a), (b), (d)")
    parser.add_argument("--room", type=int, help="people in the room of (c)")
    parser.add_argument("--interval", type=float, help="seconds between a meeting's cards in (b)")
    parser.add_argument("--duration", type=float, help="seconds of cards per scenario")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor runs")
    parser.add_argument("--no-pages", action="store_true", help="skip the page weight")
    parser.add_argument("--page-renders", type=int, default=20)
    args = parser.parse_args(argv)
    if args.processes > 1 and not args.queue:
        parser.error("several processes need --queue (a Redis URL)")

    args.load_before = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    chosen = [scenarios(args)[key.strip()] for key in args.scenarios.split(",") if key.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        if chosen:
            # Unmeasured: whichever scenario ran first used to pay for this process's first
            # connections and imports (its floor too), about 20 ms on every sample.
            print("warming up the clients against the floor ...", file=sys.stderr, flush=True)
            run_scenario(Scenario("w", "warm-up", 1, 5, duration=3), args, True, folder)
        for scenario in chosen:
            for floor in ([False] if args.no_floor else [False, True]):
                print(f"running {scenario.key}) {scenario.title} against "
                      f"{'the floor' if floor else 'Facilitator'} ...", file=sys.stderr, flush=True)
                results.append(run_scenario(scenario, args, floor, folder))
        if results:
            print_table(results, args)
        if not args.no_pages:
            print_pages(*page_weight(args, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
