"""The same board operations over plain HTTP, for a browser without a live connection."""
from flask import Blueprint, request

from facilitator.board import services
from facilitator.live.http import form_int, form_key, posted_change

bp = Blueprint("board", __name__)


@bp.post("/meetings/<int:meeting_id>/cards")
def add(meeting_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.add_card(
        meeting_id, seat, form.get("column"), form.get("text"), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/edit")
def edit(meeting_id, card_id):
    return posted_change(meeting_id, lambda seat: services.edit_card(
        meeting_id, seat, card_id, request.form.get("text"), version=form_int("version"),
        key=form_key()))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/remove")
def remove(meeting_id, card_id):
    return posted_change(meeting_id, lambda seat: services.remove_card(
        meeting_id, seat, card_id, key=form_key()))


@bp.post("/meetings/<int:meeting_id>/cards/<int:card_id>/move")
def move(meeting_id, card_id):
    return posted_change(meeting_id, lambda seat: services.move_card(
        meeting_id, seat, card_id, column=request.form.get("column") or None,
        step=form_int("step") or 0, key=form_key()))
