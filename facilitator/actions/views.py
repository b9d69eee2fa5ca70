"""Actions over HTTP: a meeting's action changes as plain form posts (the page normally sends
them over the socket), and the staff pages: the Child's Plan, the carer's supervision record
and the exports. Staff only; a guest never reaches them."""
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from facilitator import clock
from facilitator.accounts.views import staff_required
from facilitator.actions import export, services
from facilitator.actions.models import DESTINATIONS, TIMESCALES
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.http import form_key, hold_refused_form, posted_change
from facilitator.meetings.models import Child
from facilitator.templating import template_values

bp = Blueprint("actions", __name__)


@template_values(bp)
def limits():
    """The limits and fixed choices the action forms offer."""
    return {"what_limit": services.WHAT_LIMIT, "name_limit": services.NAME_LIMIT,
            "note_limit": services.NOTE_LIMIT, "timescales": TIMESCALES,
            "destinations": DESTINATIONS, "status_choices": services.STATUS_CHOICES}

@bp.post("/meetings/<int:meeting_id>/actions")
def propose(meeting_id):
    return posted_change(meeting_id, lambda seat: services.propose(
        meeting_id, seat, request.form, key=form_key()))

@bp.post("/meetings/<int:meeting_id>/actions/<int:action_id>/confirm")
def confirm(meeting_id, action_id):
    return posted_change(meeting_id, lambda seat: services.confirm(
        meeting_id, seat, action_id, key=form_key()))

@bp.post("/meetings/<int:meeting_id>/actions/<int:action_id>/edit")
def edit(meeting_id, action_id):
    return posted_change(meeting_id, lambda seat: services.edit(
        meeting_id, seat, action_id, request.form,
        and_confirm=request.form.get("confirm") == "1", key=form_key()))

@bp.post("/meetings/<int:meeting_id>/actions/<int:action_id>/status")
def status(meeting_id, action_id):
    return posted_change(meeting_id, lambda seat: services.set_status(
        meeting_id, seat, action_id, request.form.get("status"), request.form.get("note"),
        key=form_key()))

# ---- The Child's Plan (staff) ---------------------------------------------------------------

def _child(child_id):
    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    return child

def _plan_page(child, carers=False):
    """The Child's Plan, or (carers) the actions on the carer's supervision record."""
    actions = services.carers_record(child.id) if carers else \
        services.actions_for_child(child.id)
    today = clock.london_today()
    seats = services.plan_seats(g.user, actions)
    entries = [{"action": a, "overdue": a.is_overdue(today), "may_change": a.id in seats}
               for a in actions]
    return render_template("actions/plan.html", child=child, entries=entries, carers=carers,
                           overdue=sum(1 for e in entries if e["overdue"]))

@bp.get("/children/<int:child_id>/plan")
@staff_required
def plan(child_id):
    child = _child(child_id)
    return _plan_page(child)

@bp.get("/children/<int:child_id>/carers-record")
@staff_required
def carers_record(child_id):
    child = _child(child_id)
    return _plan_page(child, carers=True)

@bp.post("/children/<int:child_id>/plan/actions/<int:action_id>/status")
@staff_required
def plan_status(child_id, action_id):
    child = _child(child_id)
    carers = request.form.get("from") == "carers"
    try:
        services.set_status_from_plan(g.user, child.id, action_id, request.form.get("status"),
                                      request.form.get("note"))
    except Refused as refused:
        if refused.status in (403, 404):
            raise  # not theirs to change: the refusal page, with its status
        hold_refused_form(refused)  # the page again, the form as they left it
        return _plan_page(child, carers=carers), refused.status
    back = "actions.carers_record" if carers else "actions.plan"
    return redirect(url_for(back, child_id=child.id, _anchor=f"plan-action-{action_id}"),
                    code=303)

@bp.get("/children/<int:child_id>/plan.csv")
@staff_required
def plan_csv(child_id):
    child = _child(child_id)
    return Response(export.csv_stream(child), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="childs-plan-{child.id}.csv"',
        "Cache-Control": "no-store"})

@bp.get("/children/<int:child_id>/plan.json")
@staff_required
def plan_json(child_id):
    child = _child(child_id)
    return Response(export.json_stream(child), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="childs-plan-{child.id}.json"',
        "Cache-Control": "no-store"})
