"""The trail for the chair of a meeting and for an administrator; deleting a meeting."""
from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from facilitator.accounts.views import admin_required, staff_required
from facilitator.audit import services
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.access import seat_for
from facilitator.meetings.models import CHAIR, Meeting
from facilitator.paging import page_number, page_of

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


def _csv(meeting_id, name, page):
    """The trail as CSV between the days asked (streamed: audit.services.csv_stream); dates
    that cannot be read answer the trail's page with what is wrong, at 400."""
    days, errors = services.export_days(request.args)
    if errors:
        return page(errors), 400
    first, last = (request.args.get(n, "").strip() for n in ("from", "to"))
    if first or last:
        name = f"{name}-{first or 'start'}-to-{last or 'now'}"
    return Response(services.csv_stream(meeting_id, days), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _page(meeting=None, meeting_filter=None, export_errors=None):
    meeting_id = meeting.id if meeting is not None else meeting_filter
    return render_template("audit/trail.html", meeting=meeting, meeting_filter=meeting_filter,
                           entries=services.entries(meeting_id, _page_from()),
                           export=request.args,
                           export_errors=export_errors or {})


@bp.get("/meetings/<int:meeting_id>/trail")
@staff_required
def meeting_trail(meeting_id):
    return _page(_chaired(meeting_id))


@bp.get("/meetings/<int:meeting_id>/trail.csv")
@staff_required
def meeting_trail_csv(meeting_id):
    meeting = _chaired(meeting_id)
    return _csv(meeting_id, f"meeting-{meeting_id}-audit-trail",
                lambda errors: _page(meeting, export_errors=errors))


@bp.get("/admin/audit")
@admin_required
def everything():
    meeting = request.args.get("meeting", "")
    return _page(meeting_filter=int(meeting) if meeting.isdigit() else None)


@bp.get("/admin/audit.csv")
@admin_required
def everything_csv():
    return _csv(None, "audit-trail", lambda errors: _page(export_errors=errors))


def _all_meetings(**shown):
    reference = request.args.get("case_reference", "")
    meetings = page_of(services.all_meetings(reference), page_number(request.args.get("page")))
    return render_template("audit/meetings.html", meetings=meetings, case_reference=reference,
                           **shown)


@bp.get("/admin/meetings")
@admin_required
def meetings():
    return _all_meetings()


@bp.post("/admin/meetings/<int:meeting_id>/delete")
@admin_required
def delete_meeting(meeting_id):
    try:
        services.delete_meeting(g.user, meeting_id, request.form.get("reason"))
    except Refused as refused:
        return _all_meetings(error=refused.message, failed=meeting_id), refused.status
    return redirect(url_for("audit.meetings"), code=303)
