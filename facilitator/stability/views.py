"""The stability pages, for signed-in staff only: the overview, recording a concern, its route
and tasks, the telephone contact list and calls, placement moves and a child's history. Thin:
each reads the form and calls a service; a refusal re-shows the page with its message."""
from flask import Blueprint, g, redirect, render_template, request, url_for
from wtforms import SelectChoice

from facilitator import clock
from facilitator.accounts.views import staff_required
from facilitator.errors import Refused, beside_field
from facilitator.paging import page_number, page_of
from facilitator.panels.services import localities
from facilitator.stability import monitoring, overview, services
from facilitator.stability.forms import (
    CallForm,
    ConcernForm,
    EndMonitoringForm,
    FilterForm,
    MoveForm,
    RouteForm,
    number,
    scale_choices,
    yes_no,
)
from facilitator.stability.scope import Scope
from facilitator.templating import template_values

bp = Blueprint("stability", __name__, url_prefix="/stability")


@template_values(bp)
def stability_helpers():
    return {"task_is_late": services.task_is_late, "next_call_due": monitoring.next_due}


def _when(day_field, time_field):
    if day_field.data is None or time_field.data is None:
        return None
    return clock.from_london(day_field.data, time_field.data)


# ---- The overview ---------------------------------------------------------------------------

def _scope():
    """Whose children the list shows: the filters asked for, or the person's own team."""
    return Scope.for_person(g.user, request.args, _arg_id)


def _arg_id(name):
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _filters(scope):
    form = FilterForm(formdata=None, team=str(scope.team_id or ""),
                      locality=str(scope.locality_id or ""), worker=str(scope.worker_id or ""))
    form.team.choices = [("", "All teams")] + [(str(t.id), t.name) for t in services.teams()]
    form.locality.choices = [("", "All localities")] + [(str(p.id), p.name)
                                                         for p in localities()]
    form.worker.choices = [("", "All workers")] + [
        (str(u.id), u.name) for u in services.staff(team_id=scope.team_id)]
    return form


def _page(name="page"):
    return page_number(request.args.get(name))


@bp.get("/")
@staff_required
def index():
    scope = _scope()
    view = overview.overview(g.user, scope, {section: _page(f"{section}_page")
                                             for section in overview.SECTIONS})
    return render_template("stability/overview.html", filters=_filters(scope), **view)


@bp.post("/notices/<int:notice_id>/read")
@staff_required
def read_notice(notice_id):
    monitoring.read_notice(g.user, notice_id)
    return redirect(url_for("stability.index"), code=303)


# ---- Concerns -------------------------------------------------------------------------------

def _concern_form(authority):
    return ConcernForm().for_authority(authority, services.teams(), services.staff())


@bp.route("/concerns/new", methods=["GET", "POST"])
@staff_required
def new_concern():
    authority = services.authority()
    form = _concern_form(authority)
    error = None
    if request.method == "GET":
        now = clock.to_london(clock.utcnow())
        form.raised_on.data, form.raised_time.data = now.date(), now.time().replace(
            second=0, microsecond=0)
    elif form.validate_on_submit():
        try:
            record = services.record_concern(
                g.user, case_reference=form.case_reference.data,
                child_name=form.child_name.data, team_id=number(form.team),
                raised_by=form.raised_by.data, relationship=form.relationship.data,
                raised_at=_when(form.raised_on, form.raised_time), concern=form.concern.data,
                involvement=form.involvement.data,
                involvement_worker=form.involvement_worker.data,
                first_consultation=yes_no(form.first_consultation),
                earlier_consultations=form.earlier_consultations.data,
                notice_given=yes_no(form.notice_given),
                immediate_risk=yes_no(form.immediate_risk), scale=form.scale.data,
                outcome=form.outcome.data, sent_to=form.sent_to.data,
                named_worker_id=number(form.named_worker), authority_code=authority.code)
            return redirect(url_for("stability.concern", concern_id=record.id), code=303)
        except Refused as refused:
            error = beside_field(form, refused)
    status = 400 if (error or form.errors) else 200
    return render_template("stability/new_concern.html", form=form, error=error,
                           authority=authority), status


def _concern_page(record, form=None, error=None, status=200):
    if form is None:
        form = RouteForm(route=record.proposed_route,
                         call_who=monitoring.default_call_who(record))
    form.route.choices = [SelectChoice(r["key"], r["route"]) for r in record.authority.rules]
    placement = monitoring.active_placement(record.id)
    return render_template("stability/concern.html", record=record, form=form, error=error,
                           escalation=monitoring.escalation_of(
                               record, request.args.get("escalated", type=int)),
                           proposed=record.authority.rule(record.proposed_route),
                           involvement=services.involvement_label(record),
                           placement=placement,
                           can_call_meeting=record.route is not None
                           and services.can_call_meeting(record),
                           meeting_type=services.meeting_type_for(record)), status


@bp.get("/concerns/<int:concern_id>")
@staff_required
def concern(concern_id):
    return _concern_page(services.concern_by_id(concern_id))


@bp.post("/concerns/<int:concern_id>/route")
@staff_required
def confirm_route(concern_id):
    record = services.concern_by_id(concern_id)
    form = RouteForm()
    if not form.validate_on_submit():
        return _concern_page(record, form, status=400)
    try:
        services.confirm_route(g.user, concern_id, form.route.data, reason=form.reason.data,
                               call_who=form.call_who.data)
    except Refused as refused:
        return _concern_page(record, form, beside_field(form, refused), refused.status)
    return redirect(url_for("stability.concern", concern_id=concern_id, _anchor="tasks"),
                    code=303)


@bp.post("/concerns/<int:concern_id>/close")
@staff_required
def close_concern(concern_id):
    services.close_concern(g.user, concern_id)
    return redirect(url_for("stability.concern", concern_id=concern_id), code=303)


@bp.post("/tasks/<int:task_id>/done")
@staff_required
def task_done(task_id):
    task = services.complete_task(g.user, task_id)
    return redirect(url_for("stability.concern", concern_id=task.concern_id, _anchor="tasks"),
                    code=303)


# ---- Telephone monitoring -------------------------------------------------------------------

def _contact_list(error=None, failed=None, status=200, ending=None):
    """A page of the list with each placement's call and end forms; `failed` and `ending` are
    the (placement id, form) sent with a problem, shown again with its messages."""
    scope = _scope()
    rows = monitoring.contact_rows(page_of(monitoring.contact_list_query(
        scope, due_only=request.args.get("due") == "1"), _page()))
    forms, end_forms = {}, {}
    for row in rows.items:
        placement = row["placement"]
        form = failed[1] if failed and failed[0] == placement.id else _call_form()
        form.scale.choices = scale_choices(placement.concern.authority.scale)
        forms[placement.id] = _prefixed(form, placement.id)
        end_form = ending[1] if ending and ending[0] == placement.id else EndMonitoringForm(
            formdata=None)
        end_forms[placement.id] = _prefixed(end_form, placement.id, "end-")
    shown = (failed and forms.get(failed[0])) or (ending and end_forms.get(ending[0]))
    return render_template("stability/monitoring.html", rows=rows, forms=forms, error=error,
                           filters=_filters(scope), scope=scope,
                           due_only=request.args.get("due") == "1",
                           failed=failed[0] if failed else None, shown=shown,
                           ending=ending[0] if ending else None,
                           end_forms=end_forms), status


def _prefixed(form, placement_id, part=""):
    """Every placement has its own forms on the one page: ids that say whose they are."""
    for field in form:
        field.id = f"p{placement_id}-{part}{field.name}"
    return form


def _call_form():
    now = clock.to_london(clock.utcnow())
    return CallForm(formdata=None, called_on=now.date(),
                    called_time=now.time().replace(second=0, microsecond=0))


@bp.get("/monitoring")
@staff_required
def contact_list():
    return _contact_list()


@bp.post("/monitoring/<int:placement_id>/calls")
@staff_required
def log_call(placement_id):
    form = CallForm()
    if not form.validate_on_submit():
        return _contact_list(None, (placement_id, form), 400)
    try:
        call = monitoring.log_call(g.user, placement_id,
                                   called_at=_when(form.called_on, form.called_time),
                                   scale=form.scale.data, note=form.note.data)
    except Refused as refused:
        return _contact_list(beside_field(form, refused), (placement_id, form), refused.status)
    if call.change == monitoring.ESCALATION:
        return redirect(url_for("stability.concern", concern_id=call.placement.concern_id,
                                escalated=call.id), code=303)
    return redirect(url_for("stability.contact_list", _anchor=f"placement-{placement_id}"),
                    code=303)


@bp.post("/monitoring/<int:placement_id>/end")
@staff_required
def end_monitoring(placement_id):
    form = EndMonitoringForm()
    try:
        placement = monitoring.end_monitoring(g.user, placement_id, form.reason.data)
    except Refused as refused:
        return _contact_list(beside_field(form, refused), status=refused.status,
                             ending=(placement_id, form))
    return redirect(url_for("stability.child", child_id=placement.child_id), code=303)


# ---- Children: moves and history ------------------------------------------------------------

@bp.route("/moves/new", methods=["GET", "POST"])
@staff_required
def new_move():
    form = MoveForm().for_teams(services.teams())
    error = None
    if request.method == "GET":
        form.case_reference.data = request.args.get("case_reference", "")
        form.child_name.data = request.args.get("child_name", "")
    elif form.validate_on_submit():
        try:
            move = services.record_move(
                g.user, case_reference=form.case_reference.data,
                child_name=form.child_name.data, team_id=number(form.team),
                moved_on=form.moved_on.data, from_placement=form.from_placement.data,
                to_placement=form.to_placement.data, reason=form.reason.data)
            return redirect(url_for("stability.child", child_id=move.child_id), code=303)
        except Refused as refused:
            error = beside_field(form, refused)
    status = 400 if (error or form.errors) else 200
    return render_template("stability/new_move.html", form=form, error=error), status


@bp.get("/children/<int:child_id>")
@staff_required
def child(child_id):
    found = services.child_by_id(child_id)
    return render_template("stability/child.html", **overview.history(found))
