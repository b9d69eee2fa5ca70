"""Stability Actions against a real server process with real python-socketio clients: an
action proposed on one device appears on every other, and a status change made from the
Child's Plan page (a staff page, outside the meeting) reaches a meeting still open."""
import pytest

from facilitator.actions.models import Action
from facilitator.extensions import db
from tests.conftest import csrf_from
from tests.live_clients import fragment_html, fresh, new_key, new_room, running_server

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, "actions-live") as server:
        yield server


@pytest.fixture
def room(server):
    room = new_room(server)
    yield room
    room.close_clients()


def action_fields(owner_id, what):
    # Ongoing: the meeting is on a fixed date (conftest.new_meeting), and a due date counted
    # from it would pass as the calendar moves on and be refused.
    return {"what": what, "owner": str(owner_id), "timescale": "ongoing",
            "destination": "carers_record"}


def received(client, event_type, text):
    return [m for m in client.received(event_type) if text in fragment_html(m)]


def test_an_action_proposed_on_one_device_appears_on_every_other(room, until):
    carer = room.admit("Pat Jones", "carer")
    worker = room.admit("Dee Khan", "supervising_social_worker")
    chair_client, carer_client, worker_client = (room.client(p) for p in (
        room.chair, carer, worker))
    projector = room.client(projector=True)
    what = f"Keep a bedtime diary {new_key()[:6]}"
    reply = carer_client.call("actions.propose", {"meeting": room.meeting_id, "key": new_key(),
                                                  **action_fields(carer.seat_id, what)})
    assert reply["ok"], reply
    for client in (chair_client, worker_client, projector, carer_client):
        until(lambda: received(client, "actions.proposed", what),
              f"{client.name} never saw the proposed action")
    chair_html = fragment_html(received(chair_client, "actions.proposed", what)[0])
    assert "Confirm" in chair_html and "Proposed" in chair_html
    assert "Confirm" not in fragment_html(received(worker_client, "actions.proposed", what)[0])
    # The projector names the owner by what they attend as, never by name.
    on_screen = fragment_html(received(projector, "actions.proposed", what)[0])
    assert "<dd>Carer</dd>" in on_screen and "Pat Jones" not in on_screen
    message = received(worker_client, "actions.proposed", what)[0]
    assert message["announce"] == f"New action from Pat Jones: {what}"

    (action,) = fresh(db.select(Action).filter_by(what=what))
    reply = chair_client.call("actions.confirm", {"meeting": room.meeting_id,
                                                  "action": action.id, "key": new_key()})
    assert reply["ok"], reply
    for client in (carer_client, worker_client, projector):
        until(lambda: received(client, "actions.confirmed", what),
              f"{client.name} never saw the action confirmed")
    assert "Open" in fragment_html(received(projector, "actions.confirmed", what)[0])
    # A refusal reaches only the person who asked, and nobody else receives anything.
    seqs = worker_client.seqs()
    refusal = worker_client.call("actions.confirm", {"meeting": room.meeting_id,
                                                     "action": action.id, "key": new_key()})
    assert refusal == {"ok": False, "error": "Only the chair or the minute taker can confirm "
                                             "or change an action.", "status": 403}
    assert worker_client.seqs() == seqs


def test_a_status_change_from_the_childs_plan_reaches_the_open_meeting(room, until):
    carer = room.admit("Pat Jones", "carer")
    chair_client = room.client(room.chair)
    carer_client = room.client(carer)
    projector = room.client(projector=True)
    what = f"Arrange a respite weekend {new_key()[:6]}"
    reply = chair_client.call("actions.propose", {"meeting": room.meeting_id, "key": new_key(),
                                                  **action_fields(carer.seat_id, what)})
    assert reply["ok"], reply
    (action,) = fresh(db.select(Action).filter_by(what=what))
    assert action.status == "open"  # the chair's own action is agreed as it is added

    # The chair, on the Child's Plan page in another tab, marks it done with a note.
    plan_url = f"{room.server.url}/children/{action.child_id}/plan"
    page = room.chair.session.get(plan_url)
    assert what in page.text
    response = room.chair.session.post(
        f"{plan_url}/actions/{action.id}/status",
        data={"csrf_token": csrf_from(page.text), "status": "done",
              "note": "Booked for Saturday with her aunt."})
    assert response.ok
    for client in (carer_client, projector, chair_client):
        until(lambda: received(client, "actions.status_set", what),
              f"{client.name} never saw the status change")
    carer_html = fragment_html(received(carer_client, "actions.status_set", what)[0])
    assert "Done" in carer_html and "Booked for Saturday with her aunt." in carer_html
    projector_html = fragment_html(received(projector, "actions.status_set", what)[0])
    assert "Done" in projector_html and "Booked for Saturday" not in projector_html
    assert received(carer_client, "actions.status_set", what)[0]["announce"] == \
        f"Action marked done: {what}"
    (action,) = fresh(db.select(Action).filter_by(what=what))
    assert (action.status, action.status_note) == ("done", "Booked for Saturday with her aunt.")
