"""The agenda over plain HTTP, for the chair's browser without a live connection."""
from flask import Blueprint, request

from facilitator.agenda import services
from facilitator.clock import epoch_ms, minutes_seconds
from facilitator.live.http import form_key, posted_change
from facilitator.templating import template_values

bp = Blueprint("agenda", __name__)


@template_values(bp)
def timing_helpers():
    return {"epoch_ms": epoch_ms, "minutes_seconds": minutes_seconds,
            "timer_phase": services.timer_phase, "schedule_words": schedule_words}


def schedule_words(behind):
    """How far the meeting runs from its planned schedule, in words."""
    minutes = round(abs(behind) / 60)
    if minutes == 0:
        return "On schedule"
    return f"{minutes} min {'behind' if behind > 0 else 'ahead of'} schedule"


@bp.post("/meetings/<int:meeting_id>/agenda/move")
def move(meeting_id):
    return posted_change(meeting_id, lambda seat: services.move(
        meeting_id, seat, request.form.get("action"), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/agenda/extend")
def extend(meeting_id):
    return posted_change(meeting_id, lambda seat: services.extend(
        meeting_id, seat, request.form.get("minutes"), request.form.get("reason"),
        key=form_key()))


@bp.post("/meetings/<int:meeting_id>/screen")
def show_on_screen(meeting_id):
    return posted_change(meeting_id, lambda seat: services.show_on_screen(
        meeting_id, seat, request.form.get("on_screen", ""), key=form_key()))
