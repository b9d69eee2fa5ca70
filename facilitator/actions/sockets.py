"""Socket events for Stability Actions: thin callers of actions.services."""
from facilitator.actions import services
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, int_from, seat_from


def _action_id(data):
    return int_from(data, "action", services.NO_ACTION)


def _seq(event):
    return {"seq": event.seq}


@socketio.on("actions.propose")
@answer
def on_propose(data):
    meeting_id, seat = seat_from(data)
    return _seq(services.propose(meeting_id, seat, data, key=data.get("key")))


@socketio.on("actions.confirm")
@answer
def on_confirm(data):
    meeting_id, seat = seat_from(data)
    return _seq(services.confirm(meeting_id, seat, _action_id(data), key=data.get("key")))


@socketio.on("actions.edit")
@answer
def on_edit(data):
    meeting_id, seat = seat_from(data)
    return _seq(services.edit(meeting_id, seat, _action_id(data), data,
                              and_confirm=data.get("confirm") in ("1", 1, True),
                              key=data.get("key")))


@socketio.on("actions.status")
@answer
def on_status(data):
    meeting_id, seat = seat_from(data)
    return _seq(services.set_status(meeting_id, seat, _action_id(data), data.get("status"),
                                    data.get("note"), key=data.get("key")))
