"""Socket events for scaling: thin callers of scaling.services.

A score's answer carries the author's own score form, re-rendered: the one place a score
travels over a socket before the reveal, and only to the person who gave it.
"""
from facilitator.extensions import db, socketio
from facilitator.live.render import Update
from facilitator.live.sockets import answer, int_from, seat_from
from facilitator.meetings import services as meetings
from facilitator.scaling import services
from facilitator.scaling.fragments import render_my_score
from facilitator.scaling.models import ScaleRound

NO_ROUND = "That scaling round is not part of this meeting."


def _round_id(data):
    return int_from(data, "round", NO_ROUND)


@socketio.on("scaling.open")
@answer
def on_open(data):
    meeting_id, seat = seat_from(data)
    event = services.open_round(meeting_id, seat, data.get("question"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("scaling.reveal")
@answer
def on_reveal(data):
    meeting_id, seat = seat_from(data)
    event = services.reveal_round(meeting_id, seat, _round_id(data), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("scaling.reopen")
@answer
def on_reopen(data):
    meeting_id, seat = seat_from(data)
    event = services.reopen_round(meeting_id, seat, _round_id(data), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("scaling.score")
@answer
def on_score(data):
    meeting_id, seat = seat_from(data)
    round_id = _round_id(data)
    for_participant = data.get("participant")
    event = services.submit_score(
        meeting_id, seat, round_id, data.get("value"), data.get("reason"),
        show_name=data.get("show_name") in ("1", 1, True),
        for_participant=None if for_participant is None else int_from(
            data, "participant", "You can only give your own score."),
        key=data.get("key"))
    mine = render_my_score(db.session.get(ScaleRound, round_id), seat)
    update = Update().upsert(f"round-{round_id}", mine)
    return {"seq": event.seq, "ops": update.ops,
            "announce": "Your score is saved. Only you can see it until the chair reveals "
                        "everyone's scores."}


@socketio.on("scaling.invite")
@answer
def on_invite(data):
    meeting_id, seat = seat_from(data)
    event = meetings.invite_in_advance(meeting_id, seat, name=data.get("name"),
                                       attends_as=data.get("attends_as"), key=data.get("key"))
    return {"seq": event.seq}
