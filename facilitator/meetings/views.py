from io import BytesIO

import segno
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from facilitator.accounts.views import staff_required
from facilitator.clock import from_london
from facilitator.errors import Refused, beside_field
from facilitator.extensions import db, limiter
from facilitator.live.http import posted_change
from facilitator.live.sections import page_context
from facilitator.meetings import services
from facilitator.meetings.access import (
    meeting_for_projector,
    remember_seat,
    seat_for,
)
from facilitator.meetings.forms import JoinCodeForm, JoinForm, NewMeetingForm
from facilitator.meetings.models import ADMITTED, LOBBY, Meeting, MeetingType
from facilitator.meetings.services import join_url
from facilitator.paging import page_number, page_of
from facilitator.stability import services as stability

bp = Blueprint("meetings", __name__, cli_group=None)


@bp.route("/")
def index():
    if g.user is None:
        return render_template("meetings/start.html", form=JoinCodeForm())
    seats = page_of(services.seats_of(g.user), page_number(request.args.get("page")))
    return render_template("meetings/index.html", seats=seats)


@bp.route("/meetings/new", methods=["GET", "POST"])
@staff_required
def new():
    types = db.session.scalars(db.select(MeetingType).order_by(MeetingType.name)).all()
    form = NewMeetingForm().for_types(types)
    from_concern = _from_concern(form)
    error = None
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(
                g.user, case_reference=form.case_reference.data, child_name=form.child_name.data,
                scheduled_at=from_london(form.day.data, form.time.data),
                location=form.location.data, type_code=form.type_code.data,
                immediate_risk={"yes": True, "no": False}.get(form.immediate_risk.data),
                **(from_concern["create"] if from_concern else {}))
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
        except Refused as refused:
            error = beside_field(form, refused)
    status = 400 if error or form.errors else 200
    return render_template("meetings/new.html", form=form, error=error,
                           from_concern=from_concern and from_concern["prefill"]), status


def _from_concern(form):
    """A meeting called from a stability concern (?concern=id) starts with the concern's child,
    the meeting type its route names and the immediate risk, and lists the suggested attendees;
    creating it links the concern and counts the due date from when the concern was raised."""
    concern_id = request.values.get("concern", type=int)
    if concern_id is None:
        return None
    prefill = stability.meeting_prefill(stability.concern_by_id(concern_id))
    if request.method == "GET":
        for name in ("type_code", "case_reference", "child_name", "immediate_risk"):
            form[name].data = prefill[name]
    return {"prefill": prefill,
            "create": {"link": stability.link_meeting(g.user, concern_id),
                       "due_from": stability.due_from(concern_id)}}


def _meeting(meeting_id):
    # Its type and child with it: every section of its pages reads them.
    meeting = db.session.get(Meeting, meeting_id,
                             options=[joinedload(Meeting.type), joinedload(Meeting.child)])
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/meetings/<int:meeting_id>")
def show(meeting_id):
    """The board as this person sees it: the chair's controls, or the participant's page."""
    seat = seat_for(meeting_id)
    if seat is None:
        raise Refused("You are not in that meeting. Join it with the code on the screen.", 404)
    meeting = _meeting(meeting_id)
    if not meeting.is_open and seat.user_id is None:  # a guest's access ends at the close
        return render_template("documents/closed.html", meeting=meeting, seat=seat), 410
    if seat.status == LOBBY:
        return render_template("meetings/lobby.html", meeting=meeting, seat=seat)
    if seat.status != ADMITTED:
        return render_template("meetings/left.html", meeting=meeting, seat=seat), 403
    return render_template("meetings/board.html", seat=seat,
                           **_board_context(meeting, seat.audience, seat))


def _board_context(meeting, audience, seat=None):
    """What every view of the board needs: the sections the domains put on it
    (live/sections.py). The sequence number is read before the content, so a client replaying
    from it can only see a change twice (harmless), never miss one."""
    seq = meeting.last_seq
    return dict(meeting=meeting, meeting_id=meeting.id, seq=seq, audience=audience,
                fragment=False, **page_context(meeting, audience, seat))


@bp.route("/meetings/<int:meeting_id>/projector/<token>")
def projector(meeting_id, token):
    meeting = meeting_for_projector(meeting_id, token)
    return render_template("meetings/projector.html", token=token,
                           **_board_context(meeting, "projector"))


@bp.route("/meetings/<int:meeting_id>/projector/<token>/qr.svg")
def projector_qr(meeting_id, token):
    meeting = meeting_for_projector(meeting_id, token)
    # A file of its own needs the SVG namespace, which svg_inline leaves out: <img> refuses it.
    svg = BytesIO()
    segno.make(join_url(meeting), error="m").save(svg, kind="svg", xmldecl=False, scale=8,
                                                  dark="#0b0c0c", light="#ffffff")
    return Response(svg.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.route("/join", methods=["GET", "POST"])
def join_by_code():
    form = JoinCodeForm()
    if form.validate_on_submit():
        code = services.normalise_code(form.code.data)
        return redirect(url_for("meetings.join", code=code), code=303)
    return render_template("meetings/join_code.html", form=form), 400 if form.errors else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
# Only wrong codes count, so a room of phones behind one address is never held up, while
# guessing one of 31^6 (about 887 million) codes at 20 tries per 10 minutes gets nowhere.
@limiter.limit("20 per 10 minutes", deduct_when=lambda response: response.status_code == 404,
               error_message="Too many codes that did not match a meeting. Wait 10 minutes, "
                             "then check the code on the screen and try again.")
def join(code):
    try:
        meeting = services.meeting_by_code(code)
    except Refused as refused:
        form = JoinCodeForm(code=code)
        return render_template("meetings/join_code.html", form=form,
                               error=beside_field(form, refused)), 404
    existing = seat_for(meeting.id)
    if existing is not None and existing.status in (LOBBY, ADMITTED):
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    form = JoinForm(name=g.user.name if g.user and request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            seat = services.join_meeting(meeting, name=form.name.data,
                                         attends_as=form.attends_as.data, user=g.user)
            remember_seat(seat)
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
        except Refused as refused:
            error = beside_field(form, refused)
    status = 400 if error or form.errors else 200
    return render_template("meetings/join.html", form=form, meeting=meeting,
                           error=error), status


@bp.post("/meetings/<int:meeting_id>/people/<int:participant_id>/admit")
def admit(meeting_id, participant_id):
    return posted_change(meeting_id,
                         lambda chair: services.admit(meeting_id, chair, participant_id))


@bp.post("/meetings/<int:meeting_id>/people/<int:participant_id>/decline")
def decline(meeting_id, participant_id):
    return posted_change(meeting_id,
                         lambda chair: services.decline(meeting_id, chair, participant_id))


@bp.post("/meetings/<int:meeting_id>/people/<int:participant_id>/remove")
def remove(meeting_id, participant_id):
    return posted_change(meeting_id,
                         lambda chair: services.remove(meeting_id, chair, participant_id))


@bp.post("/meetings/<int:meeting_id>/people/<int:participant_id>/minute-taker")
def minute_taker(meeting_id, participant_id):
    on = request.form.get("on") == "1"
    return posted_change(meeting_id, lambda chair: services.set_minute_taker(
        meeting_id, chair, participant_id, on))
