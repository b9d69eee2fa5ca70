"""The administrator's pages for meeting types: what each type brings, and its agenda."""
from itertools import zip_longest

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from facilitator.accounts.views import admin_required
from facilitator.agenda.phases import agenda_choices, entry_value
from facilitator.errors import Refused
from facilitator.meetings import types

bp = Blueprint("meeting_types", __name__)


@bp.route("/admin/meeting-types")
@admin_required
def index():
    return render_template("meetings/types.html", meeting_types=types.all_types())


@bp.route("/admin/meeting-types/<code>", methods=["GET", "POST"])
@admin_required
def agenda(code):
    found = types.meeting_type(code)
    refused = None
    rows = [(i["title"], i["minutes"], entry_value(i)) for i in found.agenda]
    if request.method == "POST":
        rows = list(zip_longest(request.form.getlist("title"), request.form.getlist("minutes"),
                                request.form.getlist("kind")))
        try:
            types.set_agenda(g.user, code, rows)
            flash(f"The {found.name} agenda is saved. New meetings of this type will use it.",
                  "success")
            return redirect(url_for("meeting_types.agenda", code=code), code=303)
        except Refused as refusal:
            refused = refusal
    status = 400 if refused else 200
    return render_template("meetings/type_agenda.html", meeting_type=found, rows=rows,
                           spare=3, refused=refused, kinds=agenda_choices(found)), status
