"""Documents over HTTP: close the meeting, preview and correct a draft, issue it, download it,
retry a failed email, and a member of staff's documents. Views find the person and call a
service; the service says what may happen."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from facilitator.accounts.views import staff_required
from facilitator.documents import services
from facilitator.documents.models import ATTENDANCE
from facilitator.errors import Refused
from facilitator.paging import page_number, page_of
from facilitator.templating import template_values

bp = Blueprint("documents", __name__)


@template_values(bp)
def documents_helpers():
    return {"attendance_choices": ATTENDANCE, "correction_limit": services.CORRECTION_LIMIT,
            "reason_limit": services.REASON_LIMIT}


# ---- Closing -------------------------------------------------------------------------------

def _close_page(meeting_id, error=None, field_errors=None, status=200):
    meeting = services._meeting(meeting_id)
    return render_template("documents/close.html", meeting=meeting,
                           people=services.close_form_people(meeting_id), error=error,
                           field_errors=field_errors or {}, form=request.form), status


@bp.get("/meetings/<int:meeting_id>/close")
@staff_required
def close_page(meeting_id):
    services.staff_seat(meeting_id, g.user)
    if not services._meeting(meeting_id).is_open:
        return redirect(url_for("documents.index", meeting_id=meeting_id), code=303)
    return _close_page(meeting_id)


@bp.post("/meetings/<int:meeting_id>/close")
@staff_required
def close(meeting_id):
    seat = services.staff_seat(meeting_id, g.user)
    attendance, emails, field_errors = {}, {}, {}
    for person in services.close_form_people(meeting_id):
        if f"attendance-{person.id}" in request.form:
            attendance[person.id] = request.form[f"attendance-{person.id}"]
        if person.user_id is None and f"email-{person.id}" in request.form:
            try:
                emails[person.id] = services.clean_email(
                    request.form.get(f"email-{person.id}"), person.name) or ""
            except Refused as refused:
                field_errors[f"email-{person.id}"] = refused.message
    if field_errors:
        return _close_page(meeting_id, field_errors=field_errors, status=400)
    try:
        services.close_meeting(meeting_id, seat, attendance, emails,
                               key=request.form.get("key") or None)
    except Refused as refused:
        return _close_page(meeting_id, error=refused.message, status=refused.status)
    return redirect(url_for("documents.index", meeting_id=meeting_id, closed=1), code=303)


# ---- The documents of a meeting ------------------------------------------------------------

@bp.get("/meetings/<int:meeting_id>/documents")
@staff_required
def index(meeting_id):
    return render_template("documents/index.html", **services.documents_page(meeting_id, g.user))


@bp.get("/meetings/<int:meeting_id>/documents/<kind>/draft")
@staff_required
def preview(meeting_id, kind):
    page = services.documents_page(meeting_id, g.user)
    return _preview(page, kind)


def _preview(page, kind, refused=None, typed=None, status=200):
    """The draft with its correction forms and the issue form; after a refusal, its message
    beside the text or the reason it is about (`refused.field`, the textarea's id), and what
    the person typed in the correction form back in its boxes."""
    draft = services.draft_for(page["meeting"].id, kind)
    sections = {}
    for entry in draft["texts"]:
        sections.setdefault(entry["section"], []).append(entry)
    entry = next(k for k in page["kinds"] if k["kind"] == kind)
    return render_template("documents/preview.html", doc=draft, corrections=sections,
                           entry=entry, error=refused and refused.message,
                           error_at=refused and refused.field, typed=typed or {},
                           **page), status


@bp.post("/meetings/<int:meeting_id>/documents/<kind>/corrections")
@staff_required
def correct(meeting_id, kind):
    texts = {name.removeprefix("text:"): value for name, value in request.form.items()
             if name.startswith("text:")}
    try:
        services.save_corrections(meeting_id, g.user, kind, texts)
    except Refused as refused:
        return _preview(services.documents_page(meeting_id, g.user), kind, refused, texts,
                        refused.status)
    section = request.form.get("section", "")
    return redirect(url_for("documents.preview", meeting_id=meeting_id, kind=kind, saved=1,
                            _anchor=f"section-{section}" if section.isidentifier() else None),
                    code=303)


@bp.post("/meetings/<int:meeting_id>/documents/<kind>/issue")
@staff_required
def issue(meeting_id, kind):
    version = request.form.get("version", "")
    try:
        document = services.issue(meeting_id, g.user, kind,
                                  int(version) if version.isdigit() else None,
                                  request.form.get("reason"))
    except Refused as refused:
        return _preview(services.documents_page(meeting_id, g.user), kind, refused,
                        status=refused.status)
    return redirect(url_for("documents.index", meeting_id=meeting_id, issued=document.id,
                            _anchor=f"kind-{kind}"), code=303)


@bp.post("/meetings/<int:meeting_id>/deliveries/<int:delivery_id>/retry")
@staff_required
def retry(meeting_id, delivery_id):
    try:
        delivery = services.retry(meeting_id, g.user, delivery_id)
    except Refused as refused:
        if refused.status in (403, 404):
            raise  # not theirs to send: the refusal page, with its status
        flash(refused.message, "error")
    else:
        if delivery.status != "sent":
            flash(f"The email to {delivery.name} failed again: {delivery.error}", "error")
    return redirect(url_for("documents.index", meeting_id=meeting_id, _anchor="deliveries"),
                    code=303)


# ---- Downloads and a person's documents ----------------------------------------------------

@bp.get("/documents/<int:document_id>.pdf")
@staff_required
def download(document_id):
    document, pdf = services.download(document_id, g.user, request.remote_addr)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Document-SHA256"] = document.sha256
    return response


@bp.get("/documents")
@staff_required
def mine():
    return render_template("documents/mine.html", notifications=page_of(
        services.notifications_for(g.user), page_number(request.args.get("page"))))
