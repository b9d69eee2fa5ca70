"""Socket events for the board: thin callers of board.services."""
from facilitator.board import services
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, int_from, seat_from

NO_CARD = "That card is no longer on the board."


def _card(data):
    return int_from(data, "card", NO_CARD)


def _optional_int(data, name):
    return None if data.get(name) in (None, "") else int_from(data, name, NO_CARD)


@socketio.on("card.add")
@answer
def on_card_add(data):
    meeting_id, seat = seat_from(data)
    event = services.add_card(meeting_id, seat, data.get("column"), data.get("text"),
                              key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.edit")
@answer
def on_card_edit(data):
    meeting_id, seat = seat_from(data)
    event = services.edit_card(meeting_id, seat, _card(data), data.get("text"),
                               version=_optional_int(data, "version"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.remove")
@answer
def on_card_remove(data):
    meeting_id, seat = seat_from(data)
    event = services.remove_card(meeting_id, seat, _card(data), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("card.move")
@answer
def on_card_move(data):
    meeting_id, seat = seat_from(data)
    event = services.move_card(meeting_id, seat, _card(data),
                               column=data.get("column") or None,
                               step=_optional_int(data, "step") or 0, key=data.get("key"))
    return {"seq": event.seq}
