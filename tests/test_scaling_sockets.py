"""The scaling socket handlers, with Flask-SocketIO's test client: what a person's own answer
carries, what the rest of the room receives, and who is refused."""
import json

import pytest

from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Meeting
from facilitator.scaling import services as scaling
from facilitator.scaling.models import ScaleRound
from tests.conftest import guest, sign_in, socket_client

SAVED = ("Your score is saved. Only you can see it until the chair reveals everyone's "
         "scores.")
SECRET = "PAT-SECRET-REASON: contact with dad went well"


def seated(app, seat):
    """A browser whose session holds a guest's seat, as after they asked to join."""
    http = app.test_client()
    with http.session_transaction() as session:
        session["seats"] = {str(seat.meeting_id): seat.token}
    return http


def last_seq(meeting_id):
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).last_seq


def events(sio):
    """The meeting.event messages this client received since last asked."""
    return [m["args"][0] for m in sio.get_received() if m["name"] == "meeting.event"]


def html_of(message):
    return "".join(op.get("html", "") for op in message["ops"])


def seat_room(app, client, chair_user, meeting, chair_seat, sam_takes_minutes=False):
    """The chair, Pat (carer) and Sam (social worker, or the minute taker), each with a socket
    that has joined the meeting."""
    pat = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    sam = guest(meeting, "Sam Okafor", "childs_social_worker", admit_by=chair_seat)
    if sam_takes_minutes:  # before the sockets: a role change closes the person's sockets
        meetings.set_minute_taker(meeting.id, chair_seat, sam.id, True)
    sign_in(client, chair_user.email)
    sockets = {"chair": socket_client(app, client), "pat": socket_client(app, seated(app, pat)),
               "sam": socket_client(app, seated(app, sam))}
    for name, sio in sockets.items():
        reply = sio.emit("meeting.join", {"meeting": meeting.id, "since": last_seq(meeting.id)},
                         callback=True)
        assert reply["ok"], reply
        assert reply["audience"] == ("chair" if name == "chair" or sam_takes_minutes and
                                     name == "sam" else "participant")
        sio.get_received()
    return {"meeting": meeting, "pat_seat": pat, "sam_seat": sam, **sockets}


@pytest.fixture
def room(app, client, chair_user, meeting, chair_seat):
    return seat_room(app, client, chair_user, meeting, chair_seat)


def open_round(room):
    reply = room["chair"].emit("scaling.open", {"meeting": room["meeting"].id, "key": "open-1"},
                               callback=True)
    assert reply == {"ok": True, "seq": last_seq(room["meeting"].id)}, reply
    round_ = db.session.scalar(db.select(ScaleRound).filter_by(meeting_id=room["meeting"].id))
    for name in ("chair", "pat", "sam"):
        (opened,) = events(room[name])
        assert opened["type"] == "scaling.round_opened"
    return round_


def test_a_score_answers_with_the_persons_own_form_and_the_room_gets_only_the_tally(room):
    mid = room["meeting"].id
    round_ = open_round(room)
    data = {"meeting": mid, "round": round_.id, "value": 7, "reason": SECRET, "key": "pat-1"}

    reply = room["pat"].emit("scaling.score", data, callback=True)

    assert set(reply) == {"ok", "seq", "ops", "announce"}
    assert reply["ok"] is True and reply["seq"] == last_seq(mid) and reply["announce"] == SAVED
    (op,) = reply["ops"]
    assert op["op"] == "upsert" and op["into"] == f"round-{round_.id}"
    mine = op["html"]
    assert mine.lstrip().startswith(f'<div id="round-{round_.id}-mine"')
    assert SECRET in mine and "You gave <strong>7</strong>" in mine
    assert f'id="score-{round_.id}-7" name="value" value="7" checked' in mine
    assert mine.count(" checked") == 1 and "Change my score" in mine

    # Everyone else, and Pat's own page too, hears who has scored: never what, never why.
    for name in ("chair", "pat", "sam"):
        (scored,) = events(room[name])
        assert (scored["seq"], scored["type"]) == (reply["seq"], "scaling.scored")
        assert scored["announce"] == "1 of 3 have scored."
        html = html_of(scored)
        assert "<strong>1 of 3</strong> have scored" in html
        assert "Pat Jones" in html and "scored</strong>" in html
        wire = json.dumps(scored)
        assert "PAT-SECRET-REASON" not in wire and "contact with dad" not in wire
        assert "checked" not in wire and "app-score__value" not in wire
        assert "You gave" not in wire

    # Sending the same score again (a retry after a lost answer) changes nothing more.
    again = room["pat"].emit("scaling.score", data, callback=True)
    assert again == reply
    assert last_seq(mid) == reply["seq"] and events(room["sam"]) == []


def test_only_the_chair_opens_and_reveals_a_round(app, client, chair_user, meeting, chair_seat):
    room = seat_room(app, client, chair_user, meeting, chair_seat, sam_takes_minutes=True)
    mid = meeting.id
    seq = last_seq(mid)
    for name in ("pat", "sam"):
        reply = room[name].emit("scaling.open", {"meeting": mid, "key": f"open-{name}"},
                                callback=True)
        assert reply == {"ok": False, "error": "Only the chair can open a scaling round.",
                         "status": 403}
    assert last_seq(mid) == seq and scaling.rounds_of(mid) == []

    round_ = open_round(room)
    assert room["pat"].emit("scaling.score", {"meeting": mid, "round": round_.id, "value": 3,
                                              "reason": SECRET}, callback=True)["ok"]
    room["chair"].get_received()
    seq = last_seq(mid)
    for name in ("pat", "sam"):
        reply = room[name].emit("scaling.reveal", {"meeting": mid, "round": round_.id},
                                callback=True)
        assert reply == {"ok": False, "error": "Only the chair can reveal the scores.",
                         "status": 403}
    assert last_seq(mid) == seq and events(room["chair"]) == []
    db.session.refresh(round_)
    assert round_.is_open and scaling.round_view(round_)["results"] is None

    reply = room["chair"].emit("scaling.reveal", {"meeting": mid, "round": round_.id},
                               callback=True)
    assert reply == {"ok": True, "seq": seq + 1}
    (revealed,) = events(room["chair"])
    assert SECRET in html_of(revealed) and 'role="img"' in html_of(revealed)


def test_a_guest_still_in_the_lobby_cannot_score(app, room):
    mid = room["meeting"].id
    round_ = open_round(room)
    waiting = guest(room["meeting"], "Lee Lobby", "other")  # asked to join, not admitted
    lobby = socket_client(app, seated(app, waiting))
    assert lobby.is_connected()
    seq = last_seq(mid)
    room["chair"].get_received()  # the chair's lobby list showing Lee waiting

    reply = lobby.emit("scaling.score", {"meeting": mid, "round": round_.id, "value": 5,
                                         "reason": "Let me score", "key": "lobby-1"},
                       callback=True)

    assert reply == {"ok": False, "error": "You are not in that meeting.", "status": 403}
    assert last_seq(mid) == seq and events(room["chair"]) == [] and events(lobby) == []
    db.session.refresh(round_)
    view = scaling.round_view(round_)
    assert (view["scored"], view["total"]) == (0, 3)
    assert "Lee Lobby" not in [member["name"] for member in view["members"]]


def test_a_key_is_one_persons_retry_not_a_way_to_skip_someone_elses_change(room):
    """A reused key from another person, or for another kind of change, is refused: it must
    not answer "saved" for a score that was never stored."""
    mid = room["meeting"].id
    round_ = open_round(room)
    sam = room["sam"].emit("scaling.score", {"meeting": mid, "round": round_.id, "value": 3,
                                             "reason": "Worried", "key": "shared"}, callback=True)
    assert sam["ok"], sam
    pat = room["pat"].emit("scaling.score", {"meeting": mid, "round": round_.id, "value": 8,
                                             "reason": "Fine", "key": "shared"}, callback=True)
    assert pat == {"ok": False, "status": 400,
                   "error": "That submission could not be read. Reload the page and try again."}
    card = room["chair"].emit("card.add", {"meeting": mid, "column": "worried", "text": "Hi",
                                           "key": "open-1"}, callback=True)
    assert not card["ok"]
    assert scaling.my_score(round_.id, room["pat_seat"]) is None
    assert scaling.round_view(round_)["scored"] == 1


def test_a_round_id_must_be_a_whole_number(room):
    mid = room["meeting"].id
    round_ = open_round(room)
    for bad in (round_.id + 0.9, f"{round_.id}.9", True, None, "", [round_.id]):
        reply = room["pat"].emit("scaling.score", {"meeting": mid, "round": bad, "value": 5,
                                                   "reason": "Why"}, callback=True)
        assert reply == {"ok": False, "status": 404,
                         "error": "That scaling round is not part of this meeting."}, bad
    assert scaling.round_view(round_)["scored"] == 0
