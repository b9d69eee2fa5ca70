"""Scaling over HTTP: the chair's and members' forms without a live connection, a person's
own score form, and the personal link for a score sent in advance."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from facilitator.errors import Refused, beside_field
from facilitator.extensions import db
from facilitator.live.http import form_key, posted_change
from facilitator.meetings import services as meetings
from facilitator.meetings.access import admitted_seat
from facilitator.meetings.models import CHAIR, IN_ADVANCE, Participant
from facilitator.scaling import services
from facilitator.scaling.forms import AdvanceScoreForm
from facilitator.scaling.fragments import render_my_score
from facilitator.scaling.models import ScaleRound
from facilitator.templating import template_values

bp = Blueprint("scaling", __name__)


@template_values(bp)
def limits():
    return {"reason_limit": services.REASON_LIMIT, "question_limit": services.QUESTION_LIMIT}


@bp.post("/meetings/<int:meeting_id>/scaling/rounds")
def open_round(meeting_id):
    return posted_change(meeting_id, lambda seat: services.open_round(
        meeting_id, seat, request.form.get("question", ""), key=form_key()))


@bp.post("/meetings/<int:meeting_id>/scaling/rounds/<int:round_id>/reveal")
def reveal(meeting_id, round_id):
    return posted_change(meeting_id, lambda seat: services.reveal_round(
        meeting_id, seat, round_id, key=form_key()))


@bp.post("/meetings/<int:meeting_id>/scaling/rounds/<int:round_id>/reopen")
def reopen(meeting_id, round_id):
    return posted_change(meeting_id, lambda seat: services.reopen_round(
        meeting_id, seat, round_id, key=form_key()))


@bp.post("/meetings/<int:meeting_id>/scaling/rounds/<int:round_id>/score")
def score(meeting_id, round_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: services.submit_score(
        meeting_id, seat, round_id, form.get("value"), form.get("reason"),
        show_name=form.get("show_name") == "1", key=form_key()))


@bp.get("/meetings/<int:meeting_id>/scaling/rounds/<int:round_id>/mine")
def mine(meeting_id, round_id):
    """The person's own score form, fetched by their page when a round opens or reopens."""
    seat = admitted_seat(meeting_id)
    round_ = db.session.get(ScaleRound, round_id)
    if round_ is None or round_.meeting_id != meeting_id:
        abort(404)
    return render_my_score(round_, seat)


@bp.post("/meetings/<int:meeting_id>/scaling/in-advance")
def invite(meeting_id):
    form = request.form
    return posted_change(meeting_id, lambda seat: meetings.invite_in_advance(
        meeting_id, seat, name=form.get("name"), attends_as=form.get("attends_as"),
        key=form_key()))


@bp.get("/meetings/<int:meeting_id>/scaling/in-advance/<int:participant_id>/link")
def advance_link(meeting_id, participant_id):
    """The personal link, shown to the chair alone when they ask for it."""
    seat = admitted_seat(meeting_id)
    if seat.meeting_role != CHAIR:
        raise Refused("Only the chair can see personal links.", 403)
    person = db.session.get(Participant, participant_id)
    if person is None or person.meeting_id != meeting_id or person.status != IN_ADVANCE:
        abort(404)
    link = url_for("scaling.in_advance", meeting_id=meeting_id, token=person.token,
                   _external=True)
    return render_template("scaling/_advance_link.html", person=person, link=link)


@bp.route("/meetings/<int:meeting_id>/in-advance/<token>", methods=["GET", "POST"])
def in_advance(meeting_id, token):
    """The personal link: says when a score was sent, never what (the chair can open it too),
    and lets its holder send a new one until the reveal."""
    person = meetings.in_advance_seat(meeting_id, token)
    meeting = person.meeting
    first = services.first_round(meeting_id)
    scale = first.scale if first else services.meeting_scale(meeting)
    form = AdvanceScoreForm().for_scale(scale)
    error = closed = None
    if first is not None and not first.is_open:
        closed = ("The meeting has already revealed its scores, so a score can no longer be "
                  "sent. Please give your view to the chair.")
    elif form.validate_on_submit():
        try:
            services.send_in_advance(meeting_id, person.id, form.value.data, form.reason.data)
            flash("Thank you. Your score and reason are sent.", "success")
            return redirect(request.path, code=303)
        except Refused as refused:
            error = beside_field(form, refused)
    return render_template("scaling/in_advance.html", meeting=meeting, person=person, form=form,
                           scale=scale, question=first.question if first else scale.question,
                           sent_at=services.advance_sent_at(person), error=error,
                           closed=closed), 400 if error or form.errors else 200
