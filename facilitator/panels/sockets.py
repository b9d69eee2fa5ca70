"""Socket events for a panel's cases: thin callers of panels.services."""
from facilitator.extensions import socketio
from facilitator.live.sockets import answer, int_from, seat_from
from facilitator.panels import services


def _slot_id(data):
    return int_from(data, "slot", services.NO_CASE)


@socketio.on("panel.case_add")
@answer
def on_case_add(data):
    meeting_id, seat = seat_from(data)
    event = services.add_case(
        meeting_id, seat, case_reference=data.get("case_reference"),
        child_name=data.get("child_name"), direction=data.get("direction"),
        presenting_worker=data.get("presenting_worker"), lead_person=data.get("lead_person"),
        papers_received_at=data.get("papers_received_at") or None, key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("panel.criterion")
@answer
def on_criterion(data):
    meeting_id, seat = seat_from(data)
    event = services.set_criterion(meeting_id, seat, _slot_id(data), data.get("criterion"),
                                   data.get("met"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("panel.outcome")
@answer
def on_outcome(data):
    meeting_id, seat = seat_from(data)
    event = services.record_outcome(meeting_id, seat, _slot_id(data), data.get("outcome"),
                                    data.get("rationale"), key=data.get("key"))
    return {"seq": event.seq}


@socketio.on("panel.disagree")
@answer
def on_disagree(data):
    meeting_id, seat = seat_from(data)
    event = services.record_disagreement(meeting_id, seat, _slot_id(data), data.get("who"),
                                         data.get("what"), key=data.get("key"))
    return {"seq": event.seq}
