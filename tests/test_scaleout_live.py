"""Scale-out: two app processes on one PostgreSQL database and one Redis message queue.

What a person would notice if a meeting's people were spread over two processes behind a
sticky-session proxy: a card added through one process reaches a phone connected to the
other; a phone that drops and reconnects to the other process gets exactly what it missed;
the agenda timer reads the same whichever process draws it.

Needs this machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); in CI a missing
service fails the run. SCALEOUT_DATABASE_URL and SCALEOUT_REDIS_URL point elsewhere.
"""
import os
import re
import uuid

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from facilitator.config import psycopg_url
from facilitator.extensions import db
from tests.conftest import LiveServer, drop_database, fresh_database, missing
from tests.live_clients import (
    LiveClient,
    board_page,
    fragment_html,
    new_key,
    new_room,
    presence_of,
)

pytestmark = pytest.mark.live

POSTGRES = os.environ.get("SCALEOUT_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_answer():
    """Why PostgreSQL or Redis cannot be used, or None when both answer."""
    try:
        with create_engine(psycopg_url(POSTGRES), poolclass=NullPool).connect() as c:
            c.execute(text("select 1"))
    except Exception as error:  # any failure to reach it is the same answer for the person
        return f"PostgreSQL at {POSTGRES} does not answer: {error}"
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"Redis at {REDIS} does not answer: {error}"
    return None


@pytest.fixture(scope="module", params=["gevent", "threading"])
def servers(request, tmp_path_factory):
    """Two `flask serve` processes, distinct instances, one fresh database, one queue channel
    of their own (Redis pub/sub channels ignore db numbers, so parallel runs pick a channel).
    Every test runs under both worker models: gevent, the production layout's, and threading."""
    problem = services_answer()
    if problem:
        missing(problem)
    url = fresh_database(None, server_url=POSTGRES)
    env = {"SOCKETIO_MESSAGE_QUEUE": REDIS, "SOCKETIO_CHANNEL": f"facilitator-test-{new_key()}",
           "FACILITATOR_ASYNC_MODE": request.param}
    one = LiveServer(tmp_path_factory.mktemp("process1"), database_url=url, env=env)
    two = LiveServer(tmp_path_factory.mktemp("process2"), database_url=url, env=env)
    try:
        with one.app.app_context():
            yield one.start(), two.start()
    finally:
        one.stop()
        two.stop()
        for server in (one, two):
            with server.app.app_context():
                db.session.remove()
                db.engine.dispose()
        drop_database(url)


@pytest.fixture
def room(servers):
    room = new_room(servers[0])
    yield room
    room.close_clients()


def client_on(room, server, person, since=None):
    """A page for `person` open on `server` (either process), joined to the room's meeting."""
    client = LiveClient(server, person.session, name=f"{person.name} on {server.port}")
    room.clients.append(client)
    client.connect()
    client.joined = client.join(room.meeting_id, since=since or 0)
    return client


def add(client, room, text):
    reply = client.add_card(room.meeting_id, text)
    assert reply.get("ok"), reply
    return reply["seq"]


def test_the_two_processes_are_distinct_instances_on_one_database(servers):
    one, two = servers
    assert one.port != two.port
    assert one.process.pid != two.process.pid
    assert "postgresql" in one.database_url and one.database_url == two.database_url
    mode = servers_mode(one)
    assert mode == servers_mode(two) and f"async mode {mode}" in one.log()


def servers_mode(server):
    return server.env["FACILITATOR_ASYNC_MODE"]


def test_a_card_added_through_process_1_reaches_a_phone_on_process_2(servers, room, until):
    one, two = servers
    carer = room.admit("Pat Jones")
    worker = room.admit("Sam Okafor", "childs_social_worker")
    chair_on_1 = client_on(room, one, room.chair)
    carer_on_2 = client_on(room, two, carer)
    worker_on_1 = client_on(room, one, worker)

    text = f"Pat worries about <b>school</b> mornings {uuid.uuid4().hex[:6]}"
    seq = add(worker_on_1, room, text)

    everyone = [chair_on_1, carer_on_2, worker_on_1]
    until(lambda: all(seq in c.seqs("card.added") for c in everyone),
          "the card reached the chair and the worker on process 1 and the carer on process 2")
    (arrived,) = [e for e in carer_on_2.received("card.added") if e["seq"] == seq]
    html = fragment_html(arrived)
    assert "&lt;b&gt;school&lt;/b&gt; mornings" in html and "<b>" not in html
    # Presence is in the database: the chair sees who is connected, on either process.
    until(lambda: connected(chair_on_1.last_presence(), "Pat Jones"),
          "the chair on process 1 sees the carer on process 2 as connected")


def connected(presence_html, name):
    """Whether the presence list shows `name` as connected."""
    return presence_of(presence_html, name) == "connected"


def test_a_phone_that_reconnects_to_the_other_process_gets_exactly_what_it_missed(
        servers, room, until):
    one, two = servers
    carer = room.admit("Pat Jones")
    chair_on_1 = client_on(room, one, room.chair)
    carer_on_1 = client_on(room, one, carer)
    first = add(chair_on_1, room, "Before the signal dropped")
    until(lambda: first in carer_on_1.seqs(), "the carer had the first card")
    carer_on_1.close()
    until(lambda: carer_on_1.gone.is_set(), "the carer's phone lost its connection")

    missed = [add(chair_on_1, room, f"While away {n}") for n in range(3)]
    # The proxy sends the phone to the other process when it comes back.
    carer_on_2 = client_on(room, two, carer, since=first)
    replayed = [e["seq"] for e in carer_on_2.joined["events"]]
    assert replayed == missed, "the replay is exactly the three missed cards, in order"
    for n, event in enumerate(carer_on_2.joined["events"]):
        assert f"While away {n}" in fragment_html(event)

    after = add(chair_on_1, room, "After the phone came back")
    until(lambda: after in carer_on_2.seqs(), "a new card reached the reconnected phone")
    assert carer_on_2.seqs().count(after) == 1
    assert not set(missed) & set(carer_on_2.seqs()), "nothing replayed came again live"


def timer_of(html):
    """The agenda timer's state, title, deadline (epoch ms) and seconds left, as drawn."""
    found = re.search(r'data-timer data-item="(\d+)" data-title="([^"]*)"\s+'
                      r'data-state="(\w+)"\s+data-deadline="(\d+)" data-remaining="(-?\d+)"', html)
    assert found, "the page shows the agenda timer"
    item, title, state, deadline, remaining = found.groups()
    return {"item": item, "title": title, "state": state, "deadline": int(deadline),
            "remaining": int(remaining)}


def test_a_timer_started_through_one_process_reads_the_same_through_the_other(
        servers, room, until):
    one, two = servers
    carer = room.admit("Pat Jones")
    chair_on_1 = client_on(room, one, room.chair)
    carer_on_2 = client_on(room, two, carer)

    started = chair_on_1.call("agenda.move", {"meeting": room.meeting_id, "action": "start",
                                              "key": new_key()})
    assert started.get("ok"), started
    until(lambda: started["seq"] in carer_on_2.seqs("agenda.changed"),
          "the carer on process 2 heard that the agenda started")

    on_1 = timer_of(board_page(one, room.chair.session, room.meeting_id).text)
    on_2 = timer_of(board_page(two, carer.session, room.meeting_id).text)
    pushed = timer_of(fragment_html(carer_on_2.received("agenda.changed")[-1]))
    assert on_1["state"] == on_2["state"] == pushed["state"] == "running"
    assert on_1["title"] == on_2["title"] == pushed["title"]
    # The same moment the item runs out, to the millisecond's rounding, on both processes.
    assert abs(on_1["deadline"] - on_2["deadline"]) <= 1
    assert abs(on_2["deadline"] - pushed["deadline"]) <= 1

    chair_on_2 = client_on(room, two, room.chair)
    paused = chair_on_2.call("agenda.move", {"meeting": room.meeting_id, "action": "pause",
                                             "key": new_key()})
    assert paused.get("ok"), paused
    until(lambda: paused["seq"] in chair_on_1.seqs(), "the chair's page on process 1 heard it")
    on_1 = timer_of(board_page(one, room.chair.session, room.meeting_id).text)
    on_2 = timer_of(board_page(two, carer.session, room.meeting_id).text)
    assert on_1["state"] == on_2["state"] == "paused"
    assert on_1["remaining"] == on_2["remaining"]
