"""Real python-socketio clients for the live tests, and the HTTP steps that put people in a meeting.

`LiveClient` connects to the real server process and records everything the server sends it,
in the order it arrived: `meeting.event` messages, `seat.changed` notices and
`meeting.presence` updates. It never reconnects by itself, so a disconnect stays visible.
"""
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import engineio
import requests
import socketio

from facilitator.accounts.services import create_user
from facilitator.extensions import db
from facilitator.meetings.models import Meeting, Participant
from tests.conftest import (
    PASSWORD,
    LiveServer,
    cookie_header,
    csrf_from,
    drop_database,
    http_session,
    new_meeting,
)

TIMEOUT = 10  # seconds any one acknowledgement may take; a bound, never an assertion on speed


class _InOrderEngineIO(engineio.Client):
    """Two changes to python-engineio's client, both so it behaves like a browser's:

    - it hands each incoming message to a new thread, so two messages can be handled in an order
      other than the one they arrived in; here message handlers run on the read loop, in order;
    - on disconnect its read loop and websocket-client's close() race for the server's close frame,
      and the loser waits 3 seconds; here close() waits a moment only. The server has already had
      the Socket.IO and Engine.IO close packets, so it sees the same disconnect either way.
    """

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)

    def disconnect(self, *args, **kwargs):
        ws = getattr(self, "ws", None)
        if ws is not None and not getattr(ws, "_quick_close", False):
            close = ws.close
            ws.close = lambda *a, **kw: close(*a, **{**kw, "timeout": 0.05})
            ws._quick_close = True
        return super().disconnect(*args, **kwargs)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEngineIO


def new_key():
    return uuid.uuid4().hex


PRESENCE_ROW = re.compile(r'<li id="presence-[^"]+".*?</li>', re.S)


def row_id(html):
    return re.match(r'<li id="([^"]+)"', html.strip()).group(1)


def presence_of(html, name):
    """"connected", "not connected" or "absent" for one person in a "Here now" list."""
    for row in PRESENCE_ROW.findall(html):
        text = re.sub(r"<[^>]+>", " ", row)
        if text.split(maxsplit=1) and " ".join(text.split()).startswith(name):
            return "not connected" if "not connected" in text else "connected"
    return "absent"


class LiveClient:
    """One real Socket.IO connection and what arrived on it."""

    def __init__(self, server, session=None, *, auth=None, headers=None, transports=None,
                 name="client"):
        self.server, self.name = server, name
        self.sio = _InOrderClient(reconnection=False)
        self.lock = threading.Lock()
        self.events = []      # meeting.event messages, in arrival order
        self.seat_changes = []
        self.presence_rows = {}  # "Here now" as this page shows it: row id -> the row's html
        self.gone = threading.Event()  # set when the connection ends, whoever ended it
        self.sio.on("meeting.event", self._record(self.events))
        self.sio.on("seat.changed", self._record(self.seat_changes))
        self.sio.on("meeting.presence", self._apply_presence)
        self.sio.on("disconnect", lambda *reason: self.gone.set())
        self.refusal = None  # what the server said when it refused the connection
        self.sio.on("connect_error", lambda data=None: setattr(self, "refusal", data))
        all_headers = dict(headers or {})
        if session is not None:
            all_headers["Cookie"] = cookie_header(session)
        self._connect_args = {"headers": all_headers, "auth": auth, "transports": transports,
                              "wait_timeout": TIMEOUT}

    def _record(self, into, pick=lambda message: message):
        def handler(message):
            with self.lock:
                into.append(pick(message))
        return handler

    def _apply_presence(self, message):
        """Apply one row's change, as the page's script does."""
        with self.lock:
            for op in message["ops"]:
                if op["op"] == "upsert":
                    self.presence_rows[row_id(op["html"])] = op["html"]
                elif op["op"] == "remove":
                    self.presence_rows.pop(op["id"], None)

    def connect(self):
        """Connect; raises socketio.exceptions.ConnectionError when the server refuses."""
        self.sio.connect(self.server.url, **self._connect_args)
        return self

    def call(self, event, data):
        return self.sio.call(event, data, timeout=TIMEOUT)

    def join(self, meeting_id, since=0):
        reply = self.call("meeting.join", {"meeting": meeting_id, "since": since})
        assert reply.get("ok"), f"{self.name} could not join: {reply}"
        if "presence" in reply:  # the whole list, as the page shows it on joining
            with self.lock:
                self.presence_rows = {row_id(row): row for row in PRESENCE_ROW.findall(
                    reply["presence"])}
        return reply

    def add_card(self, meeting_id, text, column="worried", key=None):
        return self.call("card.add", {"meeting": meeting_id, "column": column, "text": text,
                                      "key": key or new_key()})

    def seqs(self, event_type=None):
        with self.lock:
            return [e["seq"] for e in self.events if event_type in (None, e["type"])]

    def received(self, event_type=None):
        with self.lock:
            return [e for e in self.events if event_type in (None, e["type"])]

    def last_presence(self):
        """The "Here now" list as this page shows it now."""
        with self.lock:
            return "\n".join(self.presence_rows.values())

    def close(self):
        """Disconnect, as a page closing does."""
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.shutdown()


def fragment_html(message):
    """All the HTML an event carries (its upserts and replacements) as one string."""
    return "".join(op.get("html", "") for op in message["ops"])


# ---- People, over HTTP, as a browser would ------------------------------------------------------

def board_page(server, session, meeting_id):
    return session.get(f"{server.url}/meetings/{meeting_id}")


def ask_to_join(server, join_code, name, attends_as="carer"):
    """A guest scans the code and asks to join: they wait in the lobby. Returns their session."""
    session = requests.Session()
    form = session.get(f"{server.url}/join/{join_code}")
    assert form.ok, form.status_code
    response = session.post(f"{server.url}/join/{join_code}", data={
        "csrf_token": csrf_from(form.text), "name": name, "attends_as": attends_as})
    assert response.ok and re.search(r"/meetings/\d+$", response.url), response.url
    return session


def chair_posts(server, chair_session, meeting_id, path, **form):
    """The chair presses a button on the people list (a plain form post with its CSRF token)."""
    token = csrf_from(board_page(server, chair_session, meeting_id).text)
    response = chair_session.post(f"{server.url}/meetings/{meeting_id}/{path}",
                                  data={"csrf_token": token, **form})
    assert response.ok, (response.status_code, response.text[:500])
    return response


# ---- Reading the database the server writes to --------------------------------------------------

def fresh(statement):
    """Query with a new snapshot: the server process has written since our last read."""
    db.session.rollback()
    return db.session.scalars(statement).all()


def seat_named(meeting_id, name):
    (seat,) = fresh(db.select(Participant).filter_by(meeting_id=meeting_id, name=name))
    return seat


def last_seq(meeting_id):
    (seq,) = fresh(db.select(Meeting.last_seq).filter_by(id=meeting_id))
    return seq


# ---- A meeting on the live server, and the people in it -----------------------------------------

@contextmanager
def running_server(tmp_path_factory, folder):
    """One real server process for a test module (starting one costs a second or more); each
    test makes its own meetings on it, so the tests do not see each other."""
    server = LiveServer(tmp_path_factory.mktemp(folder))
    with server.app.app_context():
        yield server.start()
        server.stop()
        db.session.remove()
        db.engine.dispose()
    drop_database(server.database_url)


@dataclass
class Person:
    name: str
    session: requests.Session
    seat_id: int


@dataclass
class Room:
    """A meeting on the live server, its signed-in chair, and every client opened for it."""
    server: object
    meeting_id: int
    join_code: str
    projector_token: str
    chair: Person
    chair_user_id: int
    clients: list = field(default_factory=list)
    client_class = LiveClient

    def admit(self, name, attends_as="carer"):
        """A guest asks to join over HTTP and the chair admits them from the lobby."""
        session = ask_to_join(self.server, self.join_code, name, attends_as)
        seat = seat_named(self.meeting_id, name)
        assert seat.status == "lobby"
        chair_posts(self.server, self.chair.session, self.meeting_id, f"people/{seat.id}/admit")
        assert seat_named(self.meeting_id, name).status == "admitted"
        return Person(name, session, seat.id)

    def client(self, person=None, *, join=True, since=None, projector=False, **options):
        """A connected client for `person` (None: no session; `projector`: the projector link).
        Joined, it is a page that has just loaded (up to date) or, with `since`, one replaying
        from there; the join answer is `.joined`."""
        if projector:
            options["auth"] = {"meeting": self.meeting_id, "projector": self.projector_token}
        name = "projector" if projector else person.name if person else "anonymous"
        client = self.client_class(self.server, person.session if person else None,
                                   name=name, **options)
        self.clients.append(client)
        client.connect()
        if join:
            client.joined = client.join(
                self.meeting_id, since=last_seq(self.meeting_id) if since is None else since)
        return client

    def close_clients(self):
        closing = [threading.Thread(target=client.close) for client in self.clients]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join()


def new_room(server, room_class=Room, reference=None):
    """A new meeting on the live server with its chair signed in over HTTP."""
    email = f"chair-{new_key()[:8]}@example.org"
    user = create_user(email, "Alex Morgan", PASSWORD, "Team Manager")
    meeting = new_meeting(user, reference=reference or f"CASE-{new_key()[:8]}")
    chair = Person(user.name, http_session(server, email), seat_named(meeting.id, user.name).id)
    return room_class(server, meeting.id, meeting.join_code, meeting.projector_token, chair,
                      user.id)
