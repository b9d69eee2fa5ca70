"""The decision, the child's views and agency offers as plain form posts (for a browser without
the live connection; the page normally sends them over the socket, see decisions.sockets)."""
from flask import Blueprint, request

from facilitator.decisions import services
from facilitator.decisions.models import VIEW_SOURCES
from facilitator.live.http import form_key, posted_change
from facilitator.templating import template_values

bp = Blueprint("decisions", __name__)


@template_values(bp)
def limits():
    return {"view_limit": services.VIEW_LIMIT, "offer_limit": services.OFFER_LIMIT,
            "agency_limit": services.AGENCY_LIMIT, "rationale_limit": services.RATIONALE_LIMIT,
            "view_sources": VIEW_SOURCES}


@bp.post("/meetings/<int:meeting_id>/decision")
def record(meeting_id):
    return posted_change(meeting_id, lambda seat: services.record_decision(
        meeting_id, seat, request.form, key=form_key()))


@bp.post("/meetings/<int:meeting_id>/decision/notified")
def notified(meeting_id):
    return posted_change(meeting_id, lambda seat: services.mark_notified(
        meeting_id, seat, request.form.get("kind"), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/child-views")
def add_view(meeting_id):
    return posted_change(meeting_id, lambda seat: services.add_view(
        meeting_id, seat, request.form.get("source"), request.form.get("words"),
        key=form_key()))


@bp.post("/meetings/<int:meeting_id>/agency-offers")
def save_offer(meeting_id):
    return posted_change(meeting_id, lambda seat: services.save_offer(
        meeting_id, seat, request.form.get("agency"), request.form.get("offer"),
        key=form_key()))
