"""Fixtures: the app on a fresh migrated SQLite file, clients, people, and a real server process.

Unit-level tests use Flask's test client and Flask-SocketIO's test client. Live tests start the
app as a real process (`flask serve`) and talk to it with real python-socketio clients and a
real Chromium. In CI (CI=true) a missing browser or server fails the run instead of skipping.
"""
import contextvars
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import requests
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from facilitator import clock, create_app
from facilitator.accounts.services import create_user
from facilitator.config import psycopg_url
from facilitator.extensions import db, socketio
from facilitator.meetings import services as meetings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "test-secret-key-not-for-production"
# The tests serve plain HTTP on 127.0.0.1, as a developer does: cookies cannot be HTTPS-only.
# Servers the tests start inherit this.
os.environ.setdefault("FACILITATOR_ENV", "development")
# Each server the tests start counts sign-in attempts in its own memory: the machine's Redis
# outlives a run, and one run's sign-ins must not lock out the next run's.
os.environ.setdefault("FACILITATOR_RATELIMIT_STORAGE", "memory://")
PASSWORD = "correct horse battery"


def missing(reason):
    """In CI a missing part is a failure; on a developer's machine it is a skip with a reason."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def in_fresh_context(function, *args, **kwargs):
    """Run `function` as a separate request would: with its own app context, `g` and database
    session, not the test's. Afterwards the test's session re-reads what the request changed."""
    result = contextvars.Context().run(function, *args, **kwargs)
    if has_app_context():
        db.session.expire_all()
    return result


class IsolatedClient(FlaskClient):
    """Flask's test client, but each request gets its own app context, as in production. A
    streamed response (an export) is read in its request's own context too, as a server reads
    it in the thread that answered: its request context is kept until the last chunk."""

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if response.is_streamed:
            response.response = _ReadIn(context, response.response)
        if has_app_context():
            db.session.expire_all()
        return response


class _ReadIn:
    """A streamed body, read and closed in its request's own context (also when a test only
    looks at the status and drops the response unread)."""

    def __init__(self, context, body):
        self.context, self.chunks = context, iter(body)

    def __iter__(self):
        return self

    def __next__(self):
        return self.context.run(next, self.chunks)

    def close(self):
        chunks, self.chunks = self.chunks, iter(())
        if hasattr(chunks, "close"):
            self.context.run(chunks.close)

    __del__ = close


class IsolatedSocketClient:
    """Flask-SocketIO's test client with the same isolation for connect and every emit."""

    def __init__(self, app, flask_client, **options):
        self._client = in_fresh_context(socketio.test_client, app,
                                        flask_test_client=flask_client, **options)

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: in_fresh_context(attribute, *args, **kwargs)


def build_app(database_url):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET,
                      "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    return app


# ---- The database: SQLite by default, PostgreSQL with one variable ------------------------------

# TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/postgres runs every test on its own
# new database on that server (created from that URL, dropped afterwards); unset, SQLite files.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
_created_databases = {}  # database name -> the server URL it was created through


def _server_engine(server_url):
    from sqlalchemy import create_engine

    return create_engine(psycopg_url(server_url), isolation_level="AUTOCOMMIT",
                         poolclass=NullPool)


def fresh_database(tmp_path, name="facilitator", server_url=None):
    """The URL of a new, empty database for one app (a test, or a live server): on the
    PostgreSQL server of `server_url` or TEST_DATABASE_URL, else a SQLite file in tmp_path."""
    server_url = server_url or TEST_DATABASE_URL
    if not server_url:
        return f"sqlite:///{tmp_path / (name + '.db')}"
    database = f"facilitator_test_{uuid.uuid4().hex[:16]}"
    with _server_engine(server_url).connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    _created_databases[database] = server_url
    return make_url(psycopg_url(server_url)).set(database=database).render_as_string(
        hide_password=False)


def drop_database(url):
    """Drop a database fresh_database made (nothing to do for a SQLite file in tmp_path)."""
    database = make_url(url).database
    server_url = _created_databases.pop(database, None)
    if server_url is None:
        return
    with _server_engine(server_url).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def pytest_sessionfinish(session):
    for database in list(_created_databases):  # a test that failed before its own teardown
        drop_database(f"postgresql:///{database}")


@pytest.fixture
def app(tmp_path):
    url = fresh_database(tmp_path)
    app = build_app(url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client, email, password=PASSWORD):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"csrf_token": token, "email": email,
                                         "password": password})


@pytest.fixture
def chair_user(app):
    return create_user("chair@example.org", "Alex Morgan", PASSWORD, "Team Manager")


@pytest.fixture
def other_staff(app):
    return create_user("other@example.org", "Sam Patel", PASSWORD, "Social Worker")


# A test about a date that is fixed on the calendar passes it as `scheduled_at`.
FIXED_MEETING_AT = datetime(2026, 11, 24, 10, 0)  # a Tuesday


def new_meeting(chair, reference="CASE-0042", child="Jordan Lee Taylor", **options):
    """A meeting at 10:00 today (London), so that due dates counted from it never pass as the
    calendar moves on."""
    ten_today = datetime.combine(clock.london_today(), datetime.min.time()).replace(hour=10)
    options = {"immediate_risk": False, "scheduled_at": ten_today, **options}
    return meetings.create_meeting(chair, case_reference=reference, child_name=child,
                                   location="Room 2, County Hall", **options)


@pytest.fixture
def meeting(chair_user):
    return new_meeting(chair_user)


@pytest.fixture
def chair_seat(meeting, chair_user):
    from facilitator.meetings.models import Participant

    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=chair_user.id))


def guest(meeting, name="Pat Jones", attends_as="carer", admit_by=None):
    """A guest who asked to join; admitted by `admit_by` (the chair's seat) when given."""
    seat = meetings.join_meeting(meeting, name=name, attends_as=attends_as)
    if admit_by is not None:
        meetings.admit(meeting.id, admit_by, seat.id)
        db.session.refresh(seat)
    return seat


def socket_client(app, flask_client):
    """Flask-SocketIO's test client sharing the Flask client's session cookie."""
    return IsolatedSocketClient(app, flask_client)


# ---- A real server process --------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`flask serve` in its own process on a fresh database (see fresh_database), restartable."""

    def __init__(self, tmp_path, database_url=None, env=None):
        self.database_url = database_url or fresh_database(tmp_path, "live")
        self.env = env or {}  # more settings for the process (the scale-out tests' queue)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "server.log"
        self.process = None
        self.app = build_app(self.database_url)  # migrated; used by tests to seed data

    def start(self):
        env = {**os.environ, "DATABASE_URL": self.database_url, "FACILITATOR_SECRET_KEY": SECRET,
               "FACILITATOR_INSTANCE": f"test-{self.port}", **self.env}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                requests.get(self.url + "/sign-in", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not start; its log:\n{self.log_path.read_text()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    with server.app.app_context():
        yield server.start()
        server.stop()
        db.session.remove()
        db.engine.dispose()
    drop_database(server.database_url)


def http_session(server, email=None, password=PASSWORD):
    """A requests session on the live server, signed in as staff when `email` is given."""
    session = requests.Session()
    if email:
        page = session.get(server.url + "/sign-in")
        response = session.post(server.url + "/sign-in", data={
            "csrf_token": csrf_from(page.text), "email": email, "password": password})
        assert response.ok and "/sign-in" not in response.url, "sign-in failed"
    return session


def cookie_header(session):
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


# ---- A real browser ----------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium_path():
    # Debian's /usr/bin/chromium is a wrapper script; the binary itself is steadier to drive.
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        missing("Debian's chromium is not installed (scripts/setup.sh --test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots():
    """Where page screenshots go: test-artifacts/screenshots/ (kept after the run)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def wait_until():
    def wait(condition, timeout=5.0, message="condition not met"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(message)
    return wait




@pytest.fixture
def until(wait_until):
    """wait_until(condition, message) for live tests, with a bound generous enough for a loaded
    machine: a limit on waiting, never an assertion about speed."""
    def wait(condition, message, timeout=15):
        wait_until(condition, timeout=timeout, message=message)
    return wait


@contextmanager
def counted_statements(engine=None):
    """The SQL statements sent while inside (on the app's engine unless told another)."""
    engine = engine if engine is not None else db.engine
    seen = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
