"""Socket events for the agenda: thin callers of agenda.services."""
from facilitator.agenda import services
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, seat_from


@socketio.on("agenda.move")
@answer
def on_move(data):
    meeting_id, seat = seat_from(data)
    event = services.move(meeting_id, seat, data.get("action"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("agenda.extend")
@answer
def on_extend(data):
    meeting_id, seat = seat_from(data)
    event = services.extend(meeting_id, seat, data.get("minutes"), data.get("reason"),
                            key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("screen.show")
@answer
def on_show(data):
    meeting_id, seat = seat_from(data)
    event = services.show_on_screen(meeting_id, seat, data.get("on_screen", ""),
                                    key=data.get("key"))
    return {"seq": event.seq}
