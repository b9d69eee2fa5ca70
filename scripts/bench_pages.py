"""Staff pages and exports on an authority's database (issue 20): time, SQL statements, database
rows and bytes per request, and what a reconnecting meeting page's replay costs.

    .venv/bin/python scripts/bench_pages.py \\
        --database postgresql+psycopg://postgres@localhost/facilitator_county
    .venv/bin/python scripts/bench_pages.py --database ... --requests 3 --only stability.index
    .venv/bin/python scripts/bench_pages.py --database ... --skip audit.everything_csv
    .venv/bin/python scripts/bench_pages.py --database ... --json test-artifacts/bench/pages.json
    .venv/bin/python scripts/bench_pages.py --database ... --pad-events   (see meeting.join)

It builds the app in this process on that database (nothing is migrated, seeded or dropped) and
signs in through the real sign-in form with Flask's test client: as a team manager (an active
user whose job title is "Team manager" and who has a team; the one whose team has the most
children), as an administrator, and as the chair of the meeting a meeting's page is about, all
with --password (default: $BENCH_PASSWORD, else the sample authority's shared password).

The pages come from the app's route map: every GET route for staff is in PAGES or, with its
reason, in EXCLUDED; any other is printed, so a new page is never skipped in silence. URL
parameters are the database's heavy cases: the child with the most actions (plan, carer's
record, exports, history), the meeting with the most audit entries that a member of staff
chairs (its trail, signed in as that chair), the busiest meeting (most events: the chair's board
and the replay), the closed meeting with the most audit entries (its documents), the largest
issued document, the concern with the most calls, the meeting type most used; the overview with
the manager's team filter and without; the list pages' first page.

Per page: one warm-up request, then --requests timed ones, each from sending the request to
reading its last byte:
  median, p95   milliseconds (p95 by nearest rank)
  statements    SQL statements the request sent (the engine's before_cursor_execute; the
                pool's pre-ping is not counted)
  rows          rows the database returned (SELECT, and INSERT/UPDATE ... RETURNING): the
                driver's rowcount after each statement; where the driver does not know it then
                (a server-side cursor streaming an export, or SQLite), the rows the app fetched
  KB            the response body
Exports also give the time to the first body chunk, their rows per second (CSV records after
the header, or the entries of the JSON's list of records, over the median time), and the peak
memory growth during a request: the process's resident memory high-water mark (VmHWM, reset by
writing 5 to /proc/self/clear_refs before the request) minus its resident memory before it, the
largest of the export's requests. That is everything the request holds at its peak, the
database driver's buffers included, as a server process would hold it.
A page whose requests take long stops after --budget seconds of timed requests (at least one).

meeting.join: Flask-SocketIO's test client, signed in as the busiest meeting's chair, asks for
the events after last_seq - 0, - 499 and - 501 (more than 500 behind is answered "reload");
median, statements, rows and the answer's JSON length. That needs a meeting with 600 events;
when none has, --pad-events adds cards to the busiest open meeting (through the board's service,
as its chair) until it has, and says so. Otherwise nothing is added: pages write what they write
in use, a sign-in per person, a download log row per PDF, a presence row per join.

Figures only: nothing here passes or fails on speed. A status other than 200 is printed loudly
and exits 1; a page without its case (no concern in the database, say) is printed as skipped.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key-not-for-production"
BEHIND = (0, 499, 501)
REPLAY_EVENTS = 600  # the replay is measured on a meeting with at least this many events
REPLAY = "meeting.join"
MANAGER, ADMIN, CHAIR = "team manager", "administrator", "chair"
COUNTED_TABLES = ("children", "meetings", "meeting_events", "audit_events")

# GET routes that are not staff pages, with the reason. A GET route neither here nor in PAGES is
# printed at the end of every run.
EXCLUDED = {
    "static": "static files",
    "pages.accessibility": "the accessibility statement, for anyone",
    "accounts.sign_in_page": "signing in",
    "accounts.sign_in_sso": "signing in (single sign-on)",
    "accounts.sso_callback": "signing in (single sign-on)",
    "meetings.join_by_code": "a guest joining",
    "meetings.join": "a guest joining",
    "meetings.projector": "the projector (its link's secret)",
    "meetings.projector_qr": "the projector (its link's secret)",
    "scaling.in_advance": "a guest's personal link (its secret)",
    "scaling.mine": "a participant's score form, fetched by the board's script",
    "scaling.advance_link": "one personal link, fetched by the chair's board",
}


@dataclass(frozen=True)
class Page:
    endpoint: str
    who: str                 # MANAGER, ADMIN, or CHAIR of the case's meeting
    case: str | None = None  # which heavy case fills the URL (see find_cases)
    export: bool = False


PAGES = [
    Page("meetings.index", MANAGER),
    Page("meetings.new", MANAGER),
    Page("meetings.show", CHAIR, "busy_meeting"),
    Page("audit.meeting_trail", CHAIR, "trail_meeting"),
    Page("audit.meeting_trail_csv", CHAIR, "trail_meeting", export=True),
    Page("documents.close_page", CHAIR, "open_meeting"),
    Page("documents.index", CHAIR, "closed_meeting"),
    Page("documents.preview", CHAIR, "closed_meeting_draft"),
    Page("documents.download", CHAIR, "document"),
    Page("documents.mine", MANAGER),
    Page("actions.plan", MANAGER, "child"),
    Page("actions.carers_record", MANAGER, "child"),
    Page("actions.plan_csv", MANAGER, "child", export=True),
    Page("actions.plan_json", MANAGER, "child", export=True),
    Page("stability.index", MANAGER, "team"),
    Page("stability.index", MANAGER, "all_teams"),
    Page("stability.new_concern", MANAGER),
    Page("stability.concern", MANAGER, "concern"),
    Page("stability.contact_list", MANAGER),
    Page("stability.contact_list", MANAGER, "all_teams"),
    Page("stability.new_move", MANAGER),
    Page("stability.child", MANAGER, "child"),
    Page("panels.index", MANAGER),
    Page("accounts.accounts", ADMIN),
    Page("meeting_types.index", ADMIN),
    Page("meeting_types.agenda", ADMIN, "meeting_type"),
    Page("audit.everything", ADMIN),
    Page("audit.everything_csv", ADMIN, export=True),
    Page("audit.meetings", ADMIN),
]


@dataclass
class Case:
    values: dict             # URL values (and query arguments) for url_for
    note: str                # what was chosen, for the table
    user_id: int | None = None  # who signs in for a CHAIR page
    last_seq: int | None = None  # the busy meeting's latest event


# ---- The app and what is measured -------------------------------------------------------------

def build_app(url):
    """The app on `url` as a server would run it, minus what gets in a benchmark's way: the
    sign-in rate limit (every run signs in again) and HTTPS-only cookies (the test client)."""
    os.environ.setdefault("FACILITATOR_SECRET_KEY", SECRET)  # leaves instance/ alone
    os.environ.setdefault("FACILITATOR_RATELIMIT_STORAGE", "memory://")
    from facilitator import create_app
    from facilitator.config import psycopg_url

    return create_app({"SQLALCHEMY_DATABASE_URI": psycopg_url(url), "SECRET_KEY": SECRET,
                       "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                       "SOCKETIO_MESSAGE_QUEUE": None,
                       "FACILITATOR_INSTANCE": f"bench-pages-{os.getpid()}"})


class Meter:
    """SQL statements and rows returned, counted on the app's engine while a request runs."""

    def __init__(self, engine):
        from sqlalchemy import event
        from sqlalchemy.engine import CursorResult

        self.statements = self.rows = 0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        # Rows whose number the driver does not give at execute time are counted as the app
        # fetches them: CursorResult's four fetch paths, each called once per fetch.
        for name in ("_fetchone_impl", "_fetchmany_impl", "_fetchall_impl"):
            setattr(CursorResult, name, self._counting(getattr(CursorResult, name)))
        original_iter = CursorResult._fetchiter_impl

        def fetchiter(result):
            for row in original_iter(result):
                if getattr(result.context, "_bench_count_fetched", False):
                    self.rows += 1
                yield row
        CursorResult._fetchiter_impl = fetchiter

    def _counting(self, fetch):
        def counted(result, *args, **kwargs):
            rows = fetch(result, *args, **kwargs)
            if getattr(result.context, "_bench_count_fetched", False):
                self.rows += (rows is not None) if not isinstance(rows, list) else len(rows)
            return rows
        return counted

    def reset(self):
        self.statements = self.rows = 0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.statements += 1

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if cursor.description is None:  # no rows come back (INSERT, UPDATE, BEGIN, ...)
            return
        if getattr(context, "_is_server_side", False) or cursor.rowcount < 0:
            context._bench_count_fetched = True
        else:
            self.rows += cursor.rowcount


@dataclass
class Sample:
    status: int
    seconds: float
    first_byte: float
    size: int
    statements: int
    rows: int
    location: str | None
    mimetype: str
    records: int | None = None  # an export's rows (CSV records after the header, JSON entries)
    memory: int | None = None   # peak resident memory growth during the request, in bytes


class CsvRecords:
    """Counts CSV records in a body read chunk by chunk: line ends outside quoted cells."""

    def __init__(self):
        self.quoted, self.lines = False, 0

    def feed(self, chunk):
        for n, part in enumerate(chunk.split(b'"')):
            if n:
                self.quoted = not self.quoted
            if not self.quoted:
                self.lines += part.count(b"\n")


def json_records(body):
    """A JSON export's rows: the entries of its longest list of objects (the Child's Plan's
    "actions", not its "fields")."""
    data = json.loads(body)
    values = data.values() if isinstance(data, dict) else [data]
    return max((len(v) for v in values if isinstance(v, list)
                and all(isinstance(item, dict) for item in v)), default=0)


STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def resident(field):
    """VmRSS or VmHWM of this process, in bytes (None where /proc has no such file)."""
    try:
        return int(re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text()).group(1)) * 1024
    except (OSError, AttributeError):
        return None


def reset_high_water():
    """Start VmHWM again from the current resident size; False where that cannot be done."""
    try:
        CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def fetch(client, url, meter, export=False):
    """One GET, read chunk by chunk to its last byte (a streamed body as it streams). For an
    export, also its records and the peak growth of resident memory while it ran."""
    before = resident("VmRSS") if export and reset_high_water() else None
    meter.reset()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    first, size, csv_records, kept = None, 0, CsvRecords(), []
    try:
        for chunk in response.iter_encoded():
            if not chunk:
                continue
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            if export:
                if response.mimetype == "text/csv":
                    csv_records.feed(chunk)
                else:
                    kept.append(chunk)
    finally:
        response.close()
    seconds = time.perf_counter() - started
    sample = Sample(response.status_code, seconds, first if first is not None else seconds, size,
                    meter.statements, meter.rows, response.headers.get("Location"),
                    response.mimetype)
    if before is not None:
        sample.memory = max(0, resident("VmHWM") - before)
    if export and response.status_code == 200:
        if response.mimetype == "text/csv":
            sample.records = max(0, csv_records.lines - 1)
        elif response.mimetype == "application/json":
            sample.records = json_records(b"".join(kept))
    return sample


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# ---- The database: who signs in, and the heavy cases -----------------------------------------

def find_people():
    """The team manager and the administrator, with a note when a stand-in had to be taken."""
    from sqlalchemy import func, select

    from facilitator.accounts.models import User
    from facilitator.extensions import db
    from facilitator.meetings.models import Child

    team_size = (select(func.count(Child.id)).where(Child.team_id == User.team_id)
                 .correlate(User).scalar_subquery())
    managers = select(User).where(User.active, ~User.is_admin,
                                  func.lower(User.job_title) == "team manager")
    manager = db.session.scalar(managers.where(User.team_id.is_not(None))
                                .order_by(team_size.desc(), User.id).limit(1))
    messages = []
    if manager is None:
        manager = db.session.scalar(
            select(User).where(User.active, ~User.is_admin)
            .order_by(User.team_id.is_(None), (func.lower(User.job_title) != "team manager"),
                      User.id).limit(1))
        if manager is not None:
            title = manager.job_title or "no job title"
            team = f"team {manager.team_id}" if manager.team_id else "no team"
            messages.append(f"No active team manager with a team in this database: the staff "
                            f"pages are read as user {manager.id} ({title}, {team}) instead.")
    admin = db.session.scalar(select(User).where(User.active, User.is_admin)
                              .order_by(User.id).limit(1))
    if admin is None:
        messages.append("No active administrator in this database: the administrator's pages "
                        "are skipped.")
    if manager is None:
        messages.append("No active member of staff who is not an administrator: the staff "
                        "pages are read as the administrator.")
        manager = admin
    return manager, admin, messages


def counted(n, one, many=None):
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def staff_chairs():
    """Each meeting's chair who is an active member of staff: (meeting_id, user_id)."""
    from sqlalchemy import select

    from facilitator.accounts.models import User
    from facilitator.meetings.models import ADMITTED, Participant
    from facilitator.meetings.models import CHAIR as CHAIR_ROLE  # CHAIR here is a label

    return (select(Participant.meeting_id, Participant.user_id)
            .join(User, User.id == Participant.user_id)
            .where(Participant.meeting_role == CHAIR_ROLE, Participant.status == ADMITTED,
                   User.active).subquery())


def find_cases(manager):
    """Each heavy case a page's URL needs: a Case, or a string saying why there is none."""
    from sqlalchemy import func, select

    from facilitator.actions.models import Action
    from facilitator.audit.models import AuditEvent
    from facilitator.documents.draft import kinds_for
    from facilitator.documents.models import Document
    from facilitator.extensions import db
    from facilitator.meetings.models import CLOSED, OPEN, Child, Meeting, Participant
    from facilitator.stability.models import (
        MonitoredPlacement,
        MonitoringCall,
        StabilityConcern,
        Team,
    )

    cases = {}
    chairs = staff_chairs()

    child = db.session.execute(select(Action.child_id, func.count().label("n"))
                               .group_by(Action.child_id).order_by(func.count().desc(),
                                                                   Action.child_id)
                               .limit(1)).first()
    if child is not None:
        cases["child"] = Case({"child_id": child.child_id},
                              f"child {child.child_id}: {child.n:,} actions")
    else:
        any_child = db.session.scalar(select(Child.id).order_by(Child.id).limit(1))
        cases["child"] = (Case({"child_id": any_child}, f"child {any_child}: no actions")
                          if any_child else "no child in this database")

    def most_audited(*where):
        count = func.count(AuditEvent.id)
        return db.session.execute(
            select(chairs.c.meeting_id, chairs.c.user_id, count.label("n"))
            .join(AuditEvent, AuditEvent.meeting_id == chairs.c.meeting_id)
            .join(Meeting, Meeting.id == chairs.c.meeting_id).where(*where)
            .group_by(chairs.c.meeting_id, chairs.c.user_id)
            .order_by(count.desc(), chairs.c.meeting_id).limit(1)).first()

    trail = most_audited()
    cases["trail_meeting"] = (
        Case({"meeting_id": trail.meeting_id}, f"meeting {trail.meeting_id}: {trail.n:,} audit "
             "entries", trail.user_id) if trail else
        "no meeting with audit entries that an active member of staff chairs")

    closed = most_audited(Meeting.status == CLOSED)
    if closed:
        meeting = db.session.get(Meeting, closed.meeting_id)
        kind = kinds_for(meeting)[0]
        cases["closed_meeting"] = Case({"meeting_id": meeting.id}, f"closed meeting "
                                       f"{meeting.id}: {closed.n:,} audit entries", closed.user_id)
        cases["closed_meeting_draft"] = Case({"meeting_id": meeting.id, "kind": kind},
                                             f"closed meeting {meeting.id}: {kind}",
                                             closed.user_id)
    else:
        cases["closed_meeting"] = cases["closed_meeting_draft"] = \
            "no closed meeting that an active member of staff chairs"

    busy = db.session.execute(
        select(Meeting.id, Meeting.last_seq, chairs.c.user_id)
        .join(chairs, chairs.c.meeting_id == Meeting.id)
        .order_by(Meeting.last_seq.desc(), Meeting.id).limit(1)).first()
    cases["busy_meeting"] = cases["replay_meeting"] = (
        Case({"meeting_id": busy.id}, f"meeting {busy.id}: {busy.last_seq:,} events",
             busy.user_id, busy.last_seq)
        if busy else "no meeting that an active member of staff chairs")

    people = func.count(Participant.id)
    open_meeting = db.session.execute(
        select(Meeting.id, chairs.c.user_id, people.label("n"))
        .join(chairs, chairs.c.meeting_id == Meeting.id)
        .join(Participant, Participant.meeting_id == Meeting.id)
        .where(Meeting.status == OPEN).group_by(Meeting.id, chairs.c.user_id)
        .order_by(people.desc(), Meeting.id).limit(1)).first()
    cases["open_meeting"] = (
        Case({"meeting_id": open_meeting.id}, f"open meeting {open_meeting.id}: "
             f"{counted(open_meeting.n, 'person', 'people')}", open_meeting.user_id)
        if open_meeting else
        "no open meeting that an active member of staff chairs")

    document = db.session.execute(
        select(Document.id, Document.size, Document.meeting_id, chairs.c.user_id)
        .join(chairs, chairs.c.meeting_id == Document.meeting_id)
        .order_by(Document.size.desc(), Document.id).limit(1)).first()
    cases["document"] = (
        Case({"document_id": document.id}, f"document {document.id}: "
             f"{document.size / 1024:,.0f} KB PDF", document.user_id) if document else
        "no issued document in a meeting an active member of staff chairs")

    calls = func.count(MonitoringCall.id)
    concern = db.session.execute(
        select(StabilityConcern.id, calls.label("n"))
        .outerjoin(MonitoredPlacement, MonitoredPlacement.concern_id == StabilityConcern.id)
        .outerjoin(MonitoringCall, MonitoringCall.placement_id == MonitoredPlacement.id)
        .group_by(StabilityConcern.id).order_by(calls.desc(), StabilityConcern.id.desc())
        .limit(1)).first()
    cases["concern"] = (Case({"concern_id": concern.id}, f"concern {concern.id}: "
                             f"{counted(concern.n, 'call')}")
                        if concern else "no concern in this database")

    uses = func.count(Meeting.id)
    meeting_type = db.session.execute(select(Meeting.type_code, uses.label("n"))
                                      .group_by(Meeting.type_code)
                                      .order_by(uses.desc(), Meeting.type_code)
                                      .limit(1)).first()
    cases["meeting_type"] = (
        Case({"code": meeting_type.type_code},
             f"{meeting_type.type_code}: {meeting_type.n:,} meetings")
        if meeting_type else "no meeting in this database")

    # The lists open on the manager's own team; "All teams" is the whole authority.
    cases["all_teams"] = Case({"team": ""}, "all teams")
    if manager is not None and manager.team_id is not None:
        cases["team"] = Case({"team": manager.team_id}, "the manager's team")
    else:
        size = func.count(Child.id)
        team = db.session.execute(select(Team.id, size.label("n"))
                                  .outerjoin(Child, Child.team_id == Team.id)
                                  .group_by(Team.id).order_by(size.desc(), Team.id)
                                  .limit(1)).first()
        cases["team"] = (Case({"team": team.id}, f"team {team.id} (the signed-in user has "
                              "none): the largest") if team else "no team in this database")
    return cases


BOARD_LIMIT = 60  # the most cards a real board holds (the sample authority's 20 to 60)


def pad_events(target):
    """--pad-events: the open meeting chaired by staff with the most events (and a board) is
    given a long meeting's worth of work by its chair, through the board's service, until it
    has `target` events: cards added up to a full board of 60, then those cards edited and
    moved up and down in turn, as a meeting reworks its board. They stay in the database.
    Returns the meeting's Case, or a string saying why there is none."""
    from sqlalchemy import select

    from facilitator.board import services as board
    from facilitator.board.models import Card
    from facilitator.extensions import db
    from facilitator.meetings.models import OPEN, Meeting, Participant

    chairs = staff_chairs()
    for meeting_id, user_id in db.session.execute(
            select(Meeting.id, chairs.c.user_id).join(chairs, chairs.c.meeting_id == Meeting.id)
            .where(Meeting.status == OPEN).order_by(Meeting.last_seq.desc(), Meeting.id)):
        meeting = db.session.get(Meeting, meeting_id)
        if not meeting.type.columns:
            continue
        seat = db.session.scalar(select(Participant).filter_by(meeting_id=meeting_id,
                                                                 user_id=user_id))
        columns = [column["key"] for column in meeting.type.columns]
        step = 0
        while db.session.get(Meeting, meeting_id).last_seq < target:
            step += 1
            cards = db.session.scalars(select(Card).filter_by(meeting_id=meeting_id)
                                       .order_by(Card.id)).all()
            if len(cards) < BOARD_LIMIT:
                board.add_card(meeting_id, seat, columns[step % len(columns)],
                               f"Benchmark card {step}: school mornings are hard, and the "
                               "carer has found a routine that helps.")
            elif step % 2:
                card = cards[step % len(cards)]
                board.edit_card(meeting_id, seat, card.id, f"{card.text[:150]} (reworded {step})")
            else:
                board.move_card(meeting_id, seat, cards[step % len(cards)].id,
                                step=1 if step % 4 else -1)
            db.session.expire_all()
        last_seq = db.session.get(Meeting, meeting_id).last_seq
        loud(f"--pad-events: meeting {meeting_id} got {step} changes from its chair and now has "
             f"{last_seq} events (they stay in the database)")
        return Case({"meeting_id": meeting_id}, f"meeting {meeting_id}: {last_seq:,} events "
                    f"({step} board changes by --pad-events)", user_id, last_seq)
    return "no open meeting with a board that an active member of staff chairs"


def database_figures(url):
    """The database's size and the four big tables' row counts."""
    from sqlalchemy import func, select, table, text
    from sqlalchemy.engine import make_url

    from facilitator.extensions import db

    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
    else:
        path = make_url(url).database
        size = Path(path).stat().st_size if path and Path(path).exists() else None
    counts = {name: db.session.scalar(select(func.count()).select_from(table(name)))
              for name in COUNTED_TABLES}
    return {"name": make_url(url).database, "dialect": dialect, "bytes": size, "counts": counts}


def main_authority():
    """The authority most concerns follow, so 'Record a concern' asks that authority's
    questions (FACILITATOR_AUTHORITY otherwise)."""
    from sqlalchemy import func, select

    from facilitator.extensions import db
    from facilitator.stability.models import StabilityConcern

    return db.session.scalar(select(StabilityConcern.authority_code)
                             .group_by(StabilityConcern.authority_code)
                             .order_by(func.count().desc()).limit(1))


# ---- Signing in -------------------------------------------------------------------------------

def sign_in(app, email, password):
    """A test client signed in through the sign-in form, or None."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = client.post("/sign-in", data={"csrf_token": token and token.group(1),
                                           "email": email, "password": password})
    if answer.status_code not in (302, 303) or "/sign-in" in answer.headers.get("Location", ""):
        return None
    return client


class Clients:
    """One signed-in test client per person, made when first needed."""

    def __init__(self, app, password):
        self.app, self.password, self.clients = app, password, {}

    def get(self, user_id):
        if user_id not in self.clients:
            from facilitator.accounts.models import User
            from facilitator.extensions import db

            with self.app.app_context():
                email = db.session.get(User, user_id).email
            self.clients[user_id] = sign_in(self.app, email, self.password)
        return self.clients[user_id]


# ---- Measuring --------------------------------------------------------------------------------

def label_of(page, case):
    if page.case in ("team", "all_teams"):
        return f"{page.endpoint}?team={case.values['team']}"
    return page.endpoint


def row(page, who, **figures):
    base = {"page": page, "who": who, "status": None, "median_ms": None, "p95_ms": None,
            "statements": None, "rows": None, "bytes": None, "notes": [], "export": None}
    base.update(figures)
    return base


def measure_page(page, url, client, meter, requests, budget):
    warm = fetch(client, url, meter, export=page.export)
    samples = []
    while len(samples) < requests and (not samples or sum(s.seconds for s in samples) < budget):
        samples.append(fetch(client, url, meter, export=page.export))
    last = samples[-1]
    statements = [s.statements for s in samples]
    rows = [s.rows for s in samples]
    result = {"status": last.status, "url": url,
              "median_ms": statistics.median(s.seconds for s in samples) * 1000,
              "p95_ms": p95([s.seconds for s in samples]) * 1000,
              "statements": max(statements), "rows": max(rows), "bytes": last.size,
              "notes": []}
    if len(samples) < requests:
        result["notes"].append(f"{len(samples)} of {requests} requests (--budget)")
    if min(statements) != max(statements):
        result["notes"].append(f"statements {min(statements)}–{max(statements)}")
    if min(rows) != max(rows):
        result["notes"].append(f"rows {min(rows):,}–{max(rows):,}")
    statuses = {s.status for s in samples} | {warm.status}
    if statuses != {200}:
        where = f" to {last.location}" if last.location else ""
        result["notes"].insert(0, f"**HTTP {', '.join(map(str, sorted(statuses)))}{where}**")
    if page.export and last.status == 200:
        median_first = statistics.median(s.first_byte for s in samples)
        peaks = [s.memory for s in [warm] + samples if s.memory is not None]
        peak = max(peaks) if peaks else None
        records = warm.records or 0
        per_second = records / (result["median_ms"] / 1000) if result["median_ms"] else 0
        result["export"] = {"first_byte_ms": median_first * 1000, "records": records,
                            "records_per_second": per_second, "peak_bytes": peak,
                            "memory": "peak resident growth (VmHWM after - VmRSS before)"}
        memory = (f"memory +{peak / 2 ** 20:,.1f} MB at peak (RSS)" if peak is not None
                  else "memory not measured (no /proc/self/clear_refs)")
        result["notes"].append(f"first byte {median_first * 1000:,.1f} ms; {records:,} rows, "
                               f"{per_second:,.0f} rows/s; {memory}")
    return result


def measure_replay(app, client, case, meter, requests):
    """meeting.join from 0, 499 and 501 events behind, as the chair's page reconnecting."""
    from facilitator.extensions import socketio

    meeting_id, last_seq = case.values["meeting_id"], case.last_seq
    results = []
    socket = socketio.test_client(app, flask_test_client=client)
    if not socket.is_connected():
        return [row(f"{REPLAY} ({behind} behind)", CHAIR, status="refused",
                    notes=["**the socket connection was refused**"]) for behind in BEHIND]
    try:
        for behind in BEHIND:
            label = f"{REPLAY} ({behind} behind)"
            since = last_seq - behind
            if since < 0:
                results.append(row(label, CHAIR, status="skipped", notes=[
                    f"**skipped: meeting {meeting_id} has only {last_seq} events**"]))
                continue
            samples = []
            for n in range(requests + 1):  # the first is the warm-up
                meter.reset()
                started = time.perf_counter()
                answer = socket.emit(REPLAY, {"meeting": meeting_id, "since": since},
                                     callback=True)
                seconds = time.perf_counter() - started
                socket.get_received()  # what the join pushed (presence), not measured
                if n:
                    samples.append((seconds, meter.statements, meter.rows, answer))
            answer = samples[-1][3]
            ok = isinstance(answer, dict) and answer.get("ok")
            if not ok:
                what = f"**refused: {answer}**"
            elif answer.get("reload"):
                what = "answer: reload"
            else:
                what = f"{len(answer.get('events', [])):,} events replayed"
            results.append(row(  # 200: answered {"ok": true}, as a page would be
                label, CHAIR, status=200 if ok else "refused", url=f"since={since}",
                median_ms=statistics.median(s[0] for s in samples) * 1000,
                p95_ms=p95([s[0] for s in samples]) * 1000,
                statements=max(s[1] for s in samples), rows=max(s[2] for s in samples),
                bytes=len(json.dumps(answer)), notes=[case.note, what]))
    finally:
        socket.disconnect()
    return results


# ---- Output -----------------------------------------------------------------------------------

def number(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if digits else f"{value:,}"


def table(results):
    lines = ["| page | who | median ms | p95 ms | statements | rows | KB | notes |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        kb = None if r["bytes"] is None else r["bytes"] / 1024
        lines.append(f"| {r['page']} | {r['who']} | {number(r['median_ms'], 1)} | "
                     f"{number(r['p95_ms'], 1)} | {number(r['statements'])} | "
                     f"{number(r['rows'])} | {number(kb, 1)} | {'; '.join(r['notes'])} |")
    return "\n".join(lines)


def database_line(figures):
    size = (f"{figures['bytes'] / 2 ** 20:,.1f} MB" if figures["bytes"] is not None
            else "size unknown")
    counts = ", ".join(f"{name} {count:,}" for name, count in figures["counts"].items())
    return f"Database {figures['name']} ({figures['dialect']}): {size}; {counts}"


def get_endpoints(app):
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods}


# ---- The run ----------------------------------------------------------------------------------

def parse(argv):
    parser = argparse.ArgumentParser(description="Staff pages, exports and the replay on an "
                                     "authority's database: time, SQL statements, rows, bytes.")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"),
                        help="the database URL (default: $DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=10,
                        help="timed requests per page, after one warm-up (default 10)")
    parser.add_argument("--budget", type=float, default=120, metavar="SECONDS",
                        help="stop a page's timed requests after this long (at least one is "
                             "made; default 120)")
    parser.add_argument("--only", action="append", default=[], metavar="ENDPOINT",
                        help="only this endpoint (repeat, or comma-separate; meeting.join for "
                             "the replay)")
    parser.add_argument("--skip", action="append", default=[], metavar="ENDPOINT",
                        help="leave this endpoint out (repeat, or comma-separate)")
    parser.add_argument("--password", default=None,
                        help="every person's password (default: $BENCH_PASSWORD, else the "
                             "sample authority's)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--pad-events", action="store_true",
                        help=f"when no meeting has {REPLAY_EVENTS} events, add cards to the "
                             "busiest open one until it has (written to the database)")
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("give --database (or set DATABASE_URL)")
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    args.only, args.skip = ({name.strip() for value in values for name in value.split(",")
                             if name.strip()} for values in (args.only, args.skip))
    args.password = args.password or os.environ.get("BENCH_PASSWORD") or sample_password()
    if not args.password:
        parser.error("give --password: the password the people of this database sign in with "
                     "(`flask sample-authority` prints it)")
    return args


def sample_password():
    """Every account's password in a `flask sample-authority` database."""
    try:
        from facilitator.sample_authority.load import PASSWORD
    except ImportError:
        return None
    return PASSWORD


def loud(message):
    print(f"!! {message}", file=sys.stderr, flush=True)


def main(argv=None):
    args = parse(argv)
    from flask import url_for

    from facilitator.extensions import db

    app = build_app(args.database)
    endpoints = get_endpoints(app)
    unknown = (args.only | args.skip) - {p.endpoint for p in PAGES} - {REPLAY}
    if unknown:
        sys.exit(f"bench: no benchmarked page is called {', '.join(sorted(unknown))}")
    chosen = [p for p in PAGES if (not args.only or p.endpoint in args.only)
              and p.endpoint not in args.skip]
    with app.app_context():
        meter = Meter(db.engine)
        authority = main_authority()
        if authority:
            app.config["FACILITATOR_AUTHORITY"] = authority
        manager, admin, messages = find_people()
        cases = find_cases(manager)
        replay = cases["replay_meeting"]
        if not isinstance(replay, str) and replay.last_seq < REPLAY_EVENTS:
            if args.pad_events:
                cases["replay_meeting"] = pad_events(REPLAY_EVENTS)
            else:
                messages.append(f"No meeting has {REPLAY_EVENTS} events (the most: "
                                f"{replay.last_seq}): the replay from {max(BEHIND)} behind "
                                "needs them; --pad-events adds cards to an open meeting.")
        figures = database_figures(args.database)
        people = {MANAGER: manager and manager.id, ADMIN: admin and admin.id}
        db.session.remove()
    for message in messages:
        loud(message)
    load = os.getloadavg()
    print(f"Pages benchmark, {datetime.now():%d %B %Y %H:%M}: {args.requests} timed requests "
          f"per page after one warm-up; load average {' '.join(f'{v:.1f}' for v in load)}",
          flush=True)
    print(database_line(figures), flush=True)

    clients = Clients(app, args.password)
    results = []
    for page in chosen:
        if page.endpoint not in endpoints:
            loud(f"{page.endpoint} is in PAGES but no longer a GET route of the app")
            results.append(row(page.endpoint, page.who, status="no such route",
                               notes=["**no such route**"]))
            continue
        case = cases.get(page.case) if page.case else Case({}, "")
        if isinstance(case, str):
            loud(f"{page.endpoint}: skipped, {case}")
            results.append(row(page.endpoint, page.who, status="skipped",
                               notes=[f"**skipped: {case}**"]))
            continue
        user_id = case.user_id if page.who == CHAIR else people[page.who]
        client = user_id and clients.get(user_id)
        if not client:
            reason = (f"user {user_id} could not sign in with that password" if user_id
                      else f"no {page.who} to sign in as")
            loud(f"{page.endpoint}: skipped, {reason}")
            results.append(row(label_of(page, case), page.who, status="skipped",
                               notes=[f"**skipped: {reason}**"]))
            continue
        with app.test_request_context():
            url = url_for(page.endpoint, **case.values)
        measured = measure_page(page, url, client, meter, args.requests, args.budget)
        measured["notes"] = ([case.note] if case.note else []) + measured["notes"]
        results.append(row(label_of(page, case), page.who, **measured))
        print(f"  {results[-1]['page']:<32} {page.who:<14} "
              f"{results[-1]['median_ms']:9.1f} ms  HTTP {results[-1]['status']}", flush=True)
    if (not args.only or REPLAY in args.only) and REPLAY not in args.skip:
        replay = cases["replay_meeting"]
        client = None if isinstance(replay, str) else clients.get(replay.user_id)
        if client:
            results += measure_replay(app, client, replay, meter, args.requests)
        else:
            reason = replay if isinstance(replay, str) else "its chair could not sign in"
            loud(f"{REPLAY}: skipped, {reason}")
            results.append(row(REPLAY, CHAIR, status="skipped",
                               notes=[f"**skipped: {reason}**"]))

    benchmarked = {p.endpoint for p in PAGES}
    unlisted = sorted(e for e in endpoints if e not in benchmarked and e not in EXCLUDED)
    print()
    print(table(results))
    print()
    print(database_line(figures))
    for endpoint in unlisted:
        loud(f"GET {endpoints[endpoint]} ({endpoint}) is neither benchmarked nor excluded: add "
             "it to PAGES or EXCLUDED in scripts/bench_pages.py")
    skipped = [r for r in results if r["status"] == "skipped"]
    failed = [r for r in results if r["status"] not in (200, "skipped")]
    for r in skipped + failed:
        loud(f"{r['page']} as {r['who']}: {r['status']} ({'; '.join(r['notes'])})")
    report = {"when": datetime.now().isoformat(timespec="seconds"), "requests": args.requests,
              "load_average": load, "database": figures, "results": results,
              "unlisted": unlisted, "excluded": EXCLUDED, "not_200": len(failed),
              "skipped": len(skipped)}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=str))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return report


if __name__ == "__main__":
    sys.exit(1 if main()["not_200"] else 0)
