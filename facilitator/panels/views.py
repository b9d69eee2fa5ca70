"""Panels over HTTP: the staff page of series and dates, and a panel's case changes as plain
form posts (for a browser without the live connection; the page normally sends them over the
socket, see panels.sockets)."""
from flask import Blueprint, g, redirect, render_template, request, url_for

from facilitator.accounts.views import staff_required
from facilitator.errors import Refused, beside_field
from facilitator.live.http import form_key, posted_change
from facilitator.panels import services
from facilitator.panels.forms import SeriesForm, SetUpPanelForm
from facilitator.templating import template_values

bp = Blueprint("panels", __name__)


@template_values(bp)
def panel_helpers():
    return {"name_limit": services.NAME_LIMIT,
            "rationale_limit": services.RATIONALE_LIMIT,
            "disagreement_limit": services.DISAGREEMENT_LIMIT}


def _series_form():
    rules = services.panel_type_rules()
    return SeriesForm().for_localities(services.localities(), services.describe_rule(rules))


def _index(form=None, error=None, status=200):
    return render_template("panels/index.html", overview=services.overview(g.user),
                           form=form or _series_form(), set_up=SetUpPanelForm(), error=error,
                           describe=services.describe_series), status


@bp.get("/panels")
@staff_required
def index():
    return _index()


@bp.post("/panels/series")
@staff_required
def create_series():
    form = _series_form()
    if not form.validate_on_submit():
        return _index(form, status=400)
    try:
        series = services.create_series(g.user, locality_id=form.locality_id(),
                                        first_date=form.first_date.data)
    except Refused as refused:
        return _index(form, beside_field(form, refused), refused.status)
    return redirect(url_for("panels.index", _anchor=f"series-{series.id}"), code=303)


@bp.post("/panels/series/<int:series_id>/meetings")
@staff_required
def set_up(series_id):
    form = SetUpPanelForm()
    if not form.validate_on_submit():
        return _index(error=next(iter(form.errors.values()))[0], status=400)
    try:
        meeting = services.set_up_panel(g.user, series_id, form.panel_date.data)
    except Refused as refused:
        return _index(error=refused.message, status=refused.status)
    return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)


@bp.post("/meetings/<int:meeting_id>/panel/cases")
def add_case(meeting_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.add_case(
        meeting_id, seat, case_reference=form.get("case_reference"),
        child_name=form.get("child_name"), direction=form.get("direction"),
        presenting_worker=form.get("presenting_worker"), lead_person=form.get("lead_person"),
        papers_received_at=form.get("papers_received_at") or None, key=form_key()))


@bp.post("/meetings/<int:meeting_id>/panel/cases/<int:slot_id>/criteria")
def criterion(meeting_id, slot_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.set_criterion(
        meeting_id, seat, slot_id, form.get("criterion"), form.get("met"), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/panel/cases/<int:slot_id>/outcome")
def outcome(meeting_id, slot_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.record_outcome(
        meeting_id, seat, slot_id, form.get("outcome"), form.get("rationale"), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/panel/cases/<int:slot_id>/disagreements")
def disagree(meeting_id, slot_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.record_disagreement(
        meeting_id, seat, slot_id, form.get("who"), form.get("what"), key=form_key()))
