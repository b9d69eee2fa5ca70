"""Socket events for the decision, the child's views and agency offers: thin callers of
decisions.services."""
from facilitator.decisions import services as decisions
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, seat_from


def _seq(event):
    return {"seq": event.seq}


@socketio.on("decisions.record")
@answer
def on_record(data):
    meeting_id, seat = seat_from(data)
    return _seq(decisions.record_decision(meeting_id, seat, data, key=data.get("key")))


@socketio.on("decisions.notified")
@answer
def on_notified(data):
    meeting_id, seat = seat_from(data)
    return _seq(decisions.mark_notified(meeting_id, seat, data.get("kind"),
                                        key=data.get("key")))


@socketio.on("decisions.view")
@answer
def on_view(data):
    meeting_id, seat = seat_from(data)
    return _seq(decisions.add_view(meeting_id, seat, data.get("source"), data.get("words"),
                                   key=data.get("key")))


@socketio.on("decisions.offer")
@answer
def on_offer(data):
    meeting_id, seat = seat_from(data)
    return _seq(decisions.save_offer(meeting_id, seat, data.get("agency"), data.get("offer"),
                                     key=data.get("key")))
