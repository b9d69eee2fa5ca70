"""The same board operations over plain HTTP, for a browser without a live connection."""
from flask import Blueprint, flash, redirect, request, url_for

from facilitator.board import services
from facilitator.errors import Refused
from facilitator.meetings.access import admitted_seat

bp = Blueprint("board", __name__)


def _apply(meeting_id, operation):
    seat = admitted_seat(meeting_id)  # not in the meeting: the app's Refused page, 403
    try:
        operation(seat)
    except Refused as refused:
        flash(refused.message, "error")
    return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)


def _form_int(name):
    value = request.form.get(name, "")
    return int(value) if value.lstrip("-").isdigit() else None


@bp.post("/meetings/<int:meeting_id>/cards")
def add(meeting_id):
    form = request.form
    return _apply(meeting_id, lambda seat: services.add_card(
        meeting_id, seat, form.get("column"), form.get("text"), key=form.get("key") or None))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/edit")
def edit(meeting_id, card_id):
    return _apply(meeting_id, lambda seat: services.edit_card(
        meeting_id, seat, card_id, request.form.get("text"), version=_form_int("version"),
        key=request.form.get("key") or None))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/remove")
def remove(meeting_id, card_id):
    return _apply(meeting_id, lambda seat: services.remove_card(
        meeting_id, seat, card_id, key=request.form.get("key") or None))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/move")
def move(meeting_id, card_id):
    return _apply(meeting_id, lambda seat: services.move_card(
        meeting_id, seat, card_id, column=request.form.get("column") or None,
        step=_form_int("step") or 0, key=request.form.get("key") or None))
