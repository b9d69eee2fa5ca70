"""The trail for the chair of a meeting and for an administrator; deleting a meeting."""
from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from facilitator.accounts.views import admin_required, staff_required
from facilitator.audit import services
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.access import seat_for
from facilitator.meetings.models import CHAIR, Meeting

bp = Blueprint("audit", __name__)


def _chaired(meeting_id):
    """The meeting, if the signed-in member of staff chairs it."""
    seat = seat_for(meeting_id)
    if seat is None or seat.meeting_role != CHAIR or seat.user_id != g.user.id:
        raise Refused("Only the chair of this meeting can see its audit trail.", 403)
    return db.session.get(Meeting, meeting_id)


def _page_from():
    value = request.args.get("before", "")
    return int(value) if value.isdigit() else None


def _csv(text, name):
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/meetings/<int:meeting_id>/trail")
@staff_required
def meeting_trail(meeting_id):
    meeting = _chaired(meeting_id)
    return render_template("audit/trail.html", meeting=meeting,
                           entries=services.entries(meeting_id, _page_from()))


@bp.get("/meetings/<int:meeting_id>/trail.csv")
@staff_required
def meeting_trail_csv(meeting_id):
    _chaired(meeting_id)
    return _csv(services.to_csv(meeting_id), f"meeting-{meeting_id}-audit-trail.csv")


@bp.get("/admin/audit")
@admin_required
def everything():
    meeting = request.args.get("meeting", "")
    meeting_id = int(meeting) if meeting.isdigit() else None
    return render_template("audit/trail.html", meeting=None, meeting_filter=meeting_id,
                           entries=services.entries(meeting_id, _page_from()))


@bp.get("/admin/audit.csv")
@admin_required
def everything_csv():
    return _csv(services.to_csv(), "audit-trail.csv")


@bp.get("/admin/meetings")
@admin_required
def meetings():
    return render_template("audit/meetings.html", meetings=services.all_meetings())


@bp.post("/admin/meetings/<int:meeting_id>/delete")
@admin_required
def delete_meeting(meeting_id):
    try:
        services.delete_meeting(g.user, meeting_id, request.form.get("reason"))
    except Refused as refused:
        return render_template("audit/meetings.html", meetings=services.all_meetings(),
                               error=refused.message, failed=meeting_id), refused.status
    return redirect(url_for("audit.meetings"), code=303)
