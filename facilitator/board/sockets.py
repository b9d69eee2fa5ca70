"""Socket events for the board: thin callers of board.services."""
from facilitator.board import services
from facilitator.errors import Refused
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, meeting_id_from
from facilitator.meetings.access import admitted_seat


def _int(data, name):
    value = data.get(name)
    if isinstance(value, bool):
        raise Refused("That card is no longer on the board.", 404)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refused("That card is no longer on the board.", 404)


def _optional_int(data, name):
    return None if data.get(name) in (None, "") else _int(data, name)


def _seat(data):
    meeting_id = meeting_id_from(data)
    return meeting_id, admitted_seat(meeting_id)


@socketio.on("card.add")
@answer
def on_card_add(data):
    meeting_id, seat = _seat(data)
    event = services.add_card(meeting_id, seat, data.get("column"), data.get("text"),
                              key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.edit")
@answer
def on_card_edit(data):
    meeting_id, seat = _seat(data)
    event = services.edit_card(meeting_id, seat, _int(data, "card"), data.get("text"),
                               version=_optional_int(data, "version"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.remove")
@answer
def on_card_remove(data):
    meeting_id, seat = _seat(data)
    event = services.remove_card(meeting_id, seat, _int(data, "card"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.move")
@answer
def on_card_move(data):
    meeting_id, seat = _seat(data)
    event = services.move_card(meeting_id, seat, _int(data, "card"),
                               column=data.get("column") or None,
                               step=_optional_int(data, "step") or 0, key=data.get("key"))
    return {"seq": event.seq}
