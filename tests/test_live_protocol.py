"""The live protocol against a real server process, with real python-socketio clients.

Each test is something a person in the meeting would notice: a card reaching everyone once,
a dropped phone catching up, a double tap not making two cards, a removed guest seeing nothing
more. The protocol is described in docs/live-protocol.md.
"""
import threading

import pytest
from flask import Flask
from socketio.exceptions import ConnectionError as SocketRefused

from facilitator.accounts.services import create_user
from facilitator.board.models import Card
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings.models import Meeting
from tests.conftest import PASSWORD, SECRET, new_meeting
from tests.live_clients import (
    LiveClient,
    Person,
    Room,
    ask_to_join,
    board_page,
    chair_posts,
    fragment_html,
    fresh,
    last_seq,
    new_key,
    new_room,
    presence_of,
    running_server,
    seat_named,
)

pytestmark = pytest.mark.live

XSS = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"


# ---- Reading the database the server writes to --------------------------------------------------

def live_cards(meeting_id):
    return fresh(db.select(Card).filter_by(meeting_id=meeting_id, removed_at=None))


# ---- A meeting on the live server, and the people in it -----------------------------------------

class BoardRoom(Room):
    def add(self, client, text, column="worried", key=None):
        reply = client.add_card(self.meeting_id, text, column, key)
        assert reply == {"ok": True, "seq": reply.get("seq")}, reply
        return reply["seq"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, "live") as server:
        yield server


@pytest.fixture
def room(server):
    room = new_room(server, BoardRoom)
    yield room
    room.close_clients()


def at_once(clients, work):
    """Run `work(client)` for every client in its own thread, all starting together; returns
    everything the calls returned, as one list."""
    start, results, lock = threading.Barrier(len(clients)), [], threading.Lock()

    def run(client):
        start.wait()
        answers = work(client)
        with lock:
            results.extend(answers)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def fence(room, until, author, clients):
    """Add one more card and wait until every client has it. Messages on one connection arrive in
    the order they were sent, so anything sent before the fence has arrived by then."""
    seq = room.add(author, f"fence {new_key()}", column="needs_to_happen")
    until(lambda: all(seq in c.seqs() for c in clients), f"the fence card (seq {seq}) arrived")
    return seq


# ---- 1. A card reaches everyone once, escaped ---------------------------------------------------

def test_a_card_reaches_all_three_people_once_with_its_text_escaped(room, until):
    carer, worker = room.admit("Pat Jones"), room.admit("Sam Okafor", "childs_social_worker")
    chair_c, carer_c, worker_c = room.client(room.chair), room.client(carer), room.client(worker)
    everyone = [chair_c, carer_c, worker_c]

    seq = room.add(carer_c, XSS)
    until(lambda: all(seq in c.seqs() for c in everyone), "every client received the card")
    fence(room, until, chair_c, everyone)

    for client in everyone:
        added = [e for e in client.received("card.added") if e["seq"] == seq]
        assert len(added) == 1, f"{client.name} received the card {len(added)} times"
        html = fragment_html(added[0])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script" not in html and "<img" not in html
    # One render per audience: both guests got the participant's fragment, the chair their own.
    assert carer_c.received("card.added")[0] == worker_c.received("card.added")[0]
    assert 'data-live="card.move"' in fragment_html(chair_c.received("card.added")[0])
    assert 'data-live="card.move"' not in fragment_html(carer_c.received("card.added")[0])


# ---- 2. A dropped connection catches up ---------------------------------------------------------

def test_a_client_that_was_cut_off_gets_exactly_what_it_missed_then_live_events(room, until):
    carer, worker = room.admit("Pat Jones"), room.admit("Sam Okafor", "childs_social_worker")
    chair_c, carer_c, worker_c = room.client(room.chair), room.client(carer), room.client(worker)
    first = room.add(carer_c, "Pat's first card")
    until(lambda: first in worker_c.seqs(), "the worker received the first card")
    applied = max(worker_c.seqs())

    worker_c.close()  # the phone loses its connection
    until(worker_c.gone.is_set, "the worker's socket closed")

    (card_id,) = [c.id for c in live_cards(room.meeting_id) if c.text == "Pat's first card"]
    missed = [room.add(chair_c, "Chair card one"), room.add(carer_c, "Pat card two"),
              room.add(chair_c, "Chair card three")]
    edit = carer_c.call("card.edit", {"meeting": room.meeting_id, "card": card_id,
                                      "text": "Pat's first card, reworded", "version": 1,
                                      "key": new_key()})
    remove = chair_c.call("card.remove", {"meeting": room.meeting_id, "card": card_id,
                                          "key": new_key()})
    assert edit["ok"] and remove["ok"], (edit, remove)
    missed += [edit["seq"], remove["seq"]]
    until(lambda: missed[-1] in carer_c.seqs(), "the carer received the removal")

    back = room.client(worker, join=False)
    reply = back.join(room.meeting_id, since=applied)
    replayed = [e["seq"] for e in reply["events"]]
    assert replayed == missed == list(range(applied + 1, applied + 6)), replayed
    assert [e["type"] for e in reply["events"]] == [
        "card.added", "card.added", "card.added", "card.edited", "card.removed"]
    assert reply["seq"] == missed[-1] and reply["audience"] == "participant"
    # The replay is what someone who stayed connected saw, message for message, less what a
    # later message redoes: the edit of the card removed after it, and all but the last three
    # announcements, which are all the page keeps (docs/live-protocol.md, "Replay").
    live = [e for e in carer_c.received() if e["seq"] > applied]
    assert [{**e, "ops": [], "announce": ""} for e in reply["events"]] == \
        [{**e, "ops": [], "announce": ""} for e in live]
    assert [e["ops"] for e in reply["events"]] == [e["ops"] for e in live[:3]] + \
        [[], live[4]["ops"]]
    assert [e["announce"] for e in reply["events"]] == ["", ""] + [e["announce"]
                                                                   for e in live[2:]]
    assert back.received() == [], "nothing was pushed twice while catching up"

    after = room.add(carer_c, "Pat card after the reconnect")
    fence_seq = fence(room, until, chair_c, [back, carer_c])
    assert back.seqs() == [after, fence_seq] == [missed[-1] + 1, missed[-1] + 2]


# ---- 3. Idempotency -----------------------------------------------------------------------------

def test_the_same_submission_twice_makes_one_card(room, until):
    tab_one, tab_two = room.client(room.chair), room.client(room.chair)

    key = new_key()
    first = tab_one.add_card(room.meeting_id, "Sent twice from one tab", key=key)
    again = tab_one.add_card(room.meeting_id, "Sent twice from one tab", key=key)
    assert first["ok"] and again == first

    # The same person's two tabs retrying the same submission at the same moment, a few times over.
    texts = [f"Sent at once from two tabs, round {n}" for n in range(5)]
    for text in texts:
        key = new_key()
        replies = at_once([tab_one, tab_two], lambda tab, text=text, key=key:
                          [tab.add_card(room.meeting_id, text, key=key)])
        assert len(replies) == 2 and replies[0] == replies[1] and replies[0]["ok"], replies

    fence(room, until, tab_one, [tab_one, tab_two])
    page = board_page(room.server, room.chair.session, room.meeting_id).text
    for text in ["Sent twice from one tab", *texts]:
        assert page.count(f'<p class="app-card__text">{text}</p>') == 1, text
        assert sum(1 for e in tab_two.received("card.added") if text in fragment_html(e)) == 1
        assert len([c for c in live_cards(room.meeting_id) if c.text == text]) == 1


# ---- 4. Sequence numbers under concurrency ------------------------------------------------------

def test_concurrent_cards_reach_every_client_as_one_gap_free_sequence(room, until):
    """Five people add ten cards each, all at once. One server process broadcasts in sequence
    order (live.events), so no client ever sees a gap it would have to catch up on. (Across
    several processes a gap can happen; the page then catches up with meeting.join.)"""
    people = [room.chair] + [room.admit(f"Guest {n}", "other") for n in range(4)]
    clients = [room.client(person) for person in people]
    start_seq, per_person = last_seq(room.meeting_id), 10

    def add_ten(client):
        return [client.add_card(room.meeting_id, f"{client.name} card {n}",
                                column=("worried", "working_well")[n % 2])
                for n in range(per_person)]

    acks = at_once(clients, add_ten)

    expected = list(range(start_seq + 1, start_seq + len(clients) * per_person + 1))
    assert all(ack["ok"] for ack in acks), [a for a in acks if not a["ok"]]
    assert sorted(ack["seq"] for ack in acks) == expected
    until(lambda: all(len(c.seqs()) >= len(expected) for c in clients),
          "every client received every card")
    for client in clients:
        assert client.seqs() == expected, f"{client.name} received {client.seqs()}"

    logged = fresh(db.select(MeetingEvent).filter(MeetingEvent.meeting_id == room.meeting_id,
                                                  MeetingEvent.seq > start_seq)
                   .order_by(MeetingEvent.seq))
    assert [e.seq for e in logged] == expected
    assert {e.type for e in logged} == {"card.added"}
    page = board_page(room.server, room.chair.session, room.meeting_id).text
    assert page.count('<p class="app-card__text">') == len(expected)


# ---- 5. Bad input changes nothing and says why --------------------------------------------------

def test_bad_input_over_the_socket_changes_nothing_and_answers_a_clear_error(room, until):
    carer = room.admit("Pat Jones")
    waiting = ask_to_join(room.server, room.join_code, "Lee Lobby")  # never admitted
    other_chair = create_user(f"other-{new_key()[:8]}@example.org", "Sam Patel", PASSWORD)
    elsewhere = new_meeting(other_chair, reference=f"CASE-{new_key()[:8]}", child="Robin Ash").id
    chair_c, carer_c = room.client(room.chair), room.client(carer)
    lobby_c = room.client(Person("Lee Lobby", waiting, 0), join=False)
    seqs = [room.add(chair_c, "The chair's card"), room.add(carer_c, "Pat's own card")]
    until(lambda: all(s in c.seqs() for s in seqs for c in (chair_c, carer_c)),
          "both cards reached both clients")
    ids = {c.text: c.id for c in live_cards(room.meeting_id)}
    chair_card_id, carer_card_id = ids["The chair's card"], ids["Pat's own card"]
    before_seq, before_events = last_seq(room.meeting_id), len(chair_c.received())
    m = room.meeting_id

    attempts = [
        (chair_c, "card.add", {"meeting": m, "column": "worried", "text": "", "key": new_key()},
         "Enter what you want to say."),
        (chair_c, "card.add", {"meeting": m, "column": "worried", "text": "  \n\t ",
                               "key": new_key()}, "Enter what you want to say."),
        (chair_c, "card.add", {"meeting": m, "column": "worried", "text": "x" * 501,
                               "key": new_key()}, "must be 500 characters or fewer"),
        (chair_c, "card.add", {"meeting": m, "column": "gossip", "text": "Hello",
                               "key": new_key()}, "Choose one of the board's columns."),
        (chair_c, "card.add", {"meeting": m, "column": ["worried"], "text": "Hello",
                               "key": new_key()}, "Choose one of the board's columns."),
        (chair_c, "card.add", {"meeting": m, "column": "worried", "text": "Hello",
                               "key": "k" * 65}, "could not be read"),
        (chair_c, "card.add", {"meeting": elsewhere, "column": "worried", "text": "Hello",
                               "key": new_key()}, "You are not in that meeting."),
        (carer_c, "card.add", {"meeting": elsewhere, "column": "worried", "text": "Hello",
                               "key": new_key()}, "You are not in that meeting."),
        (carer_c, "card.add", {"meeting": "not-a-number", "column": "worried", "text": "Hi",
                               "key": new_key()}, "That meeting could not be found."),
        (chair_c, "card.add", "a bare string", "That message could not be read."),
        (chair_c, "card.add", ["a", "list"], "That message could not be read."),
        (chair_c, "card.add", None, "That message could not be read."),
        (lobby_c, "card.add", {"meeting": m, "column": "worried", "text": "Let me in",
                               "key": new_key()}, "You are not in that meeting."),
        (lobby_c, "meeting.join", {"meeting": m, "since": 0}, "You are not in that meeting."),
        (carer_c, "card.edit", {"meeting": m, "card": chair_card_id, "text": "Mine now",
                                "key": new_key()}, "Only the card's author"),
        (carer_c, "card.remove", {"meeting": m, "card": chair_card_id, "key": new_key()},
         "Only the card's author"),
        (carer_c, "card.move", {"meeting": m, "card": carer_card_id, "column": "working_well",
                                "key": new_key()}, "Only the chair or the minute taker"),
        (carer_c, "card.edit", {"meeting": m, "card": carer_card_id, "text": "Late edit",
                                "version": 7, "key": new_key()}, "Someone changed this card"),
        (chair_c, "card.edit", {"meeting": m, "card": 999999, "text": "Ghost",
                                "key": new_key()}, "That card is no longer on the board."),
        (chair_c, "card.move", {"meeting": m, "card": chair_card_id, "column": "gossip",
                                "key": new_key()}, "Choose one of the board's columns."),
    ]
    for client, event, data, error in attempts:
        reply = client.sio.call(event, data, timeout=10)
        assert reply.get("ok") is False and error in reply.get("error", ""), (event, data, reply)
        assert "retry" not in reply, f"{event} {data!r} failed inside the server: {reply}"

    assert last_seq(m) == before_seq and last_seq(elsewhere) == 1
    cards = {c.id: (c.text, c.column, c.version) for c in live_cards(m)}
    assert cards == {chair_card_id: ("The chair's card", "worried", 1),
                     carer_card_id: ("Pat's own card", "worried", 1)}
    assert fresh(db.select(Card).filter_by(meeting_id=elsewhere)) == []
    # Nothing was broadcast for any of it: the next thing the chair receives is the next card.
    fence_seq = fence(room, until, chair_c, [chair_c])
    assert [e["seq"] for e in chair_c.received()[before_events:]] == [fence_seq]
    assert lobby_c.received() == []


# ---- 6. Who may connect -------------------------------------------------------------------------

def session_cookie(contents, secret_key):
    """A well-formed Flask session cookie holding `contents`, signed with `secret_key`."""
    signer = Flask("signer")
    signer.secret_key = secret_key
    value = signer.session_interface.get_signing_serializer(signer).dumps(contents)
    return f"session={value}"


def staff_session_id(person):
    """The id of the server-held sign-in behind a person's real session cookie."""
    signer = Flask("signer")
    signer.secret_key = SECRET
    return signer.session_interface.get_signing_serializer(signer).loads(
        person.session.cookies["session"])["staff_session"]


def refusal(room, person=None, **options):
    """Connect and expect to be refused; returns what the server said (None: no Socket.IO answer,
    as when Engine.IO turns the request away before Socket.IO sees it)."""
    client = LiveClient(room.server, person.session if person else None, **options)
    room.clients.append(client)
    with pytest.raises(SocketRefused):
        client.connect()
    assert not client.sio.connected
    return client.refusal


def test_connection_rules(room, until):
    no_session = "Sign in or join the meeting first."
    assert refusal(room) == {"message": no_session}
    assert refusal(room, headers={"Cookie": "session=garbage"}) == {"message": no_session}
    sign_in = {"staff_session": staff_session_id(room.chair)}
    forged = session_cookie(sign_in, "not-the-server-secret")
    assert refusal(room, headers={"Cookie": forged}) == {"message": no_session}
    # Even with our key, a cookie is only as good as the sign-in held on the server.
    claimed = session_cookie({"user_id": room.chair_user_id}, SECRET)
    assert refusal(room, headers={"Cookie": claimed}) == {"message": no_session}
    made_up = session_cookie({"staff_session": "x" * 43}, SECRET)
    assert refusal(room, headers={"Cookie": made_up}) == {"message": no_session}
    genuine = session_cookie(sign_in, SECRET)  # the real sign-in with our key gets in
    assert room.client(None, headers={"Cookie": genuine}, join=False).sio.connected

    # The chair's real cookie, sent from another site's page: refused on the Origin alone.
    refusal(room, room.chair, transports=["polling"], headers={"Origin": "http://evil.example"})
    same_site = room.client(room.chair, transports=["polling"],
                            headers={"Origin": room.server.url})
    assert same_site.sio.connected

    (meeting,) = fresh(db.select(Meeting).filter_by(id=room.meeting_id))
    for wrong in ["wrong-token", meeting.projector_token[:-1], meeting.projector_token + "x"]:
        assert refusal(room, auth={"meeting": room.meeting_id, "projector": wrong}) == {
            "message": "That projector link is not valid."}
    assert refusal(room, auth={"meeting": 999999, "projector": meeting.projector_token}) == {
        "message": "That projector link is not valid."}

    projector = room.client(None, join=False,
                            auth={"meeting": room.meeting_id, "projector": meeting.projector_token})
    reply = projector.join(room.meeting_id, since=last_seq(room.meeting_id))
    assert reply["audience"] == "projector"
    chair_c = room.client(room.chair)
    seq = room.add(chair_c, "Shown on the screen <b>as text</b>")
    until(lambda: seq in projector.seqs(), "the projector received the card")
    (shown,) = projector.received("card.added")
    html = fragment_html(shown)
    assert "Shown on the screen &lt;b&gt;as text&lt;/b&gt;" in html
    assert "data-live=" not in html and "<form" not in html
    assert "data-live=" in fragment_html(chair_c.received("card.added")[0])
    # A projector watches; it cannot write.
    refused = projector.add_card(room.meeting_id, "From the screen")
    assert refused["ok"] is False and "not in that meeting" in refused["error"]


# ---- 7. Removal ---------------------------------------------------------------------------------

def test_a_removed_guest_is_disconnected_and_sees_nothing_more(room, until):
    carer, leaving = room.admit("Pat Jones"), room.admit("Lou Gone", "other")
    chair_c, carer_c, leaving_c = (room.client(room.chair), room.client(carer),
                                   room.client(leaving))

    chair_posts(room.server, room.chair.session, room.meeting_id,
                f"people/{leaving.seat_id}/remove")
    assert seat_named(room.meeting_id, "Lou Gone").status == "removed"
    until(leaving_c.gone.is_set, "the server closed the removed guest's socket")
    assert [s["status"] for s in leaving_c.seat_changes] == ["removed"]

    again = room.client(leaving, join=False)
    reply = again.call("meeting.join", {"meeting": room.meeting_id, "since": 0})
    assert reply["ok"] is False and "not in that meeting" in reply["error"]
    assert again.add_card(room.meeting_id, "Still here?")["ok"] is False
    assert board_page(room.server, leaving.session, room.meeting_id).status_code == 403

    received_before = len(leaving_c.received())
    seq = room.add(carer_c, "After Lou left")
    fence(room, until, chair_c, [chair_c, carer_c])
    assert seq in carer_c.seqs()
    assert len(leaving_c.received()) == received_before and again.received() == []
    page = board_page(room.server, room.chair.session, room.meeting_id).text
    assert "After Lou left" in page


# ---- 8. Presence --------------------------------------------------------------------------------

def test_others_see_a_guest_connect_and_disconnect(room, until):
    carer, worker = room.admit("Pat Jones"), room.admit("Sam Okafor", "childs_social_worker")
    chair_c, worker_c = room.client(room.chair), room.client(worker)
    watchers = [chair_c, worker_c]
    until(lambda: all(presence_of(c.last_presence(), "Sam Okafor") == "connected"
                      for c in watchers), "everyone sees Sam connected")
    assert presence_of(chair_c.last_presence(), "Pat Jones") == "not connected"

    carer_c = room.client(carer)
    until(lambda: all(presence_of(c.last_presence(), "Pat Jones") == "connected"
                      for c in watchers), "the others see Pat connected")

    carer_c.close()
    until(lambda: all(presence_of(c.last_presence(), "Pat Jones") == "not connected"
                      for c in watchers), "the others see Pat not connected")
    assert presence_of(chair_c.last_presence(), "Sam Okafor") == "connected"


def test_the_projector_shows_who_is_here_by_role_and_hears_only_the_row_that_changed(
        room, until):
    carer = room.admit("Pat Jones")
    projector = room.client(projector=True)
    assert "Carer" in projector.last_presence()
    assert "Pat Jones" not in projector.joined["presence"]
    sent = []
    projector.sio.on("meeting.presence", lambda message: sent.append(message))
    carer_c = room.client(carer)
    until(lambda: sent, "the projector hears that Pat's phone connected")
    (change,) = sent
    (row,) = [op["html"] for op in change["ops"] if op["op"] == "upsert"]
    assert row.count("<li") == 1 and "Carer" in row and "connected" in row
    assert "not connected" not in row and "Pat Jones" not in row
    carer_c.close()


# ---- 9. Minute taker ----------------------------------------------------------------------------

def test_a_guest_made_minute_taker_rejoins_with_the_chairs_view_and_can_move_cards(room, until):
    taker = room.admit("Kim Notes", "placement_support")
    chair_c, taker_c = room.client(room.chair), room.client(taker)
    card_seq = room.add(chair_c, "Move me")
    until(lambda: card_seq in taker_c.seqs(), "the card reached the guest")
    (card_id,) = [c.id for c in live_cards(room.meeting_id) if c.text == "Move me"]
    move = {"meeting": room.meeting_id, "card": card_id, "column": "working_well"}
    assert taker_c.call("card.move", {**move, "key": new_key()})["ok"] is False

    chair_posts(room.server, room.chair.session, room.meeting_id,
                f"people/{taker.seat_id}/minute-taker", on="1")
    until(lambda: taker_c.seat_changes, "the guest's page was told their role changed")
    assert taker_c.seat_changes == [{"status": "role_changed", "message": ""}]
    # The server closes the old socket, so no page keeps the view of a role it no longer has.
    until(taker_c.gone.is_set, "the server closed the socket opened before the role change")

    taker_c.close()  # the page reloads into the minute taker's view
    again = room.client(taker, join=False)
    reply = again.join(room.meeting_id, since=last_seq(room.meeting_id))
    assert reply["audience"] == "chair"
    moved = again.call("card.move", {**move, "key": new_key()})
    assert moved["ok"], moved
    until(lambda: all(moved["seq"] in c.seqs() for c in (chair_c, again)),
          "everyone saw the card move")
    (event,) = again.received("card.moved")
    assert event["ops"][0]["into"] == "column-working_well"
    assert 'data-live="card.move"' in fragment_html(event)
    (card,) = [c for c in live_cards(room.meeting_id) if c.id == card_id]
    assert card.column == "working_well"
