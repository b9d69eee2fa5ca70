"""Closing a meeting, correcting its drafts, issuing documents and delivering them.

Closing and issuing are changes to the meeting, so each is one `record_change`
(docs/architecture.md, "One write path"). An issued document is never changed: a correction is
the next version, with its reason, and the earlier versions stay. The PDF is rendered in a
separate process before the write transaction (docs/architecture.md, "Heavy work off the live
path"). Emails go out in a background task once the issue is committed, so the mail server
never keeps the chair waiting. A delivery is claimed before it is sent, so a retry, or
two at once, can never email the same person twice.
"""
import hashlib
import re
from concurrent.futures.process import BrokenProcessPool

from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from facilitator import clock
from facilitator.agenda.models import AgendaItem
from facilitator.decisions.services import decision_for
from facilitator.documents import draft as drafts
from facilitator.documents import mail, render
from facilitator.documents.distribution import deadline_view, recipients
from facilitator.documents.models import (
    ATTENDANCE,
    EMAIL,
    FAILED,
    IN_APP,
    KINDS,
    PANEL_AGENDA,
    PENDING,
    SENDING,
    SENDING_LIMIT,
    SENT,
    Delivery,
    Document,
    DocumentDownload,
    DocumentDraft,
    MeetingClosure,
)
from facilitator.documents.people import attendees, seats
from facilitator.errors import Refused
from facilitator.extensions import db, socketio
from facilitator.live.broadcast import notify_seat
from facilitator.live.events import record_change
from facilitator.live.presence import disconnect_participant
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import (
    ADMITTED,
    CHAIR,
    CLOSED,
    DECLINED,
    IN_ADVANCE,
    LOBBY,
    MINUTE_TAKER,
    REMOVED,
    Meeting,
    Participant,
)
from facilitator.text import clean_text

CORRECTION_LIMIT = 2000
REASON_LIMIT = 1000
EMAIL_LIMIT = 254
EMAIL_SHAPE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")
ERROR_LIMIT = 500


# ---- Who may -------------------------------------------------------------------------------

def staff_seat(meeting_id, user, roles=(CHAIR,)):
    """A member of staff's seat in the meeting, if they run it in one of `roles`."""
    seat = user and db.session.scalar(db.select(Participant).filter_by(
        meeting_id=meeting_id, user_id=user.id))
    if seat is None or seat.status != ADMITTED:
        raise Refused("You are not in that meeting.", 403)
    if seat.meeting_role not in roles:
        raise Refused("Only the chair can do that." if roles == (CHAIR,)
                      else "Only the chair or the minute taker can do that.", 403)
    return seat


def _meeting(meeting_id):
    # Its type and child with it: which documents it issues, and every draft's header.
    meeting = db.session.get(Meeting, meeting_id,
                             options=[joinedload(Meeting.type), joinedload(Meeting.child)])
    if meeting is None:
        raise Refused("That meeting could not be found.", 404)
    return meeting


# ---- Closing -------------------------------------------------------------------------------

def close_meeting(meeting_id, actor, attendance=None, emails=None, key=None):
    """The chair closes the meeting, saying how each person took part and where an external
    attendee's copy goes. Guests' access ends: their pages are told and disconnected."""
    attendance, emails = attendance or {}, emails or {}

    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        if seat.meeting_role != CHAIR:
            raise Refused("Only the chair can close the meeting.", 403)
        people = {p.id: p for p in db.session.scalars(db.select(Participant).filter_by(
            meeting_id=meeting_id))}
        _apply_attendance(people, attendance, emails)
        _end_current_item(meeting)
        meeting.status = CLOSED
        db.session.add(MeetingClosure(meeting_id=meeting_id, closed_by_id=seat.id))
        return {"closed_by": seat.name}

    event = record_change(meeting_id, "meeting.closed", change, actor=actor, key=key)
    for guest in _guests(meeting_id):
        notify_seat(guest.id, CLOSED, "The meeting has closed.")
        disconnect_participant(guest.id)
    return event


def _apply_attendance(people, attendance, emails):
    for pid, value in attendance.items():
        person = people.get(pid)
        if person is None:
            raise Refused("That person is not in this meeting.")
        if value not in ATTENDANCE:
            raise Refused(f"Choose how {person.name} took part.")
        person.attendance = value
    for pid, value in emails.items():
        person = people.get(pid)
        if person is None:
            raise Refused("That person is not in this meeting.")
        person.email = clean_email(value, person.name)


def clean_email(value, name):
    text = clean_text(value, label=f"{name}'s email address", limit=EMAIL_LIMIT,
                      required=False)
    if text and not EMAIL_SHAPE.match(text):
        raise Refused(f"Enter {name}'s email address in the right format, like "
                      "name@example.org.")
    return text or None


def _end_current_item(meeting):
    """The agenda's current item ends when the meeting does, so the minutes have its times."""
    item = meeting.current_item_id and db.session.get(AgendaItem, meeting.current_item_id)
    now = clock.utcnow()
    if item and item.started_at and not item.ended_at:
        if item.paused_at is not None:
            item.paused_seconds += (now - item.paused_at).total_seconds()
            item.paused_at = None
        item.ended_at = now
    meeting.current_item_id = None


def _guests(meeting_id):
    return db.session.scalars(db.select(Participant).filter(
        Participant.meeting_id == meeting_id, Participant.user_id.is_(None),
        Participant.status.in_((ADMITTED, LOBBY, IN_ADVANCE)))).all()


def closure_of(meeting_id):
    return db.session.get(MeetingClosure, meeting_id)


def close_form_people(meeting_id):
    """Everyone the close form asks about: attendees and those who sent views in advance."""
    return attendees(seats(meeting_id))


# ---- Drafts and corrections ----------------------------------------------------------------

def _check_kind(meeting, kind):
    if kind not in drafts.kinds_for(meeting):
        raise Refused("That document is not one this meeting issues.", 404)
    if kind != PANEL_AGENDA and meeting.is_open:
        raise Refused("Close the meeting first: the minutes are drafted from what it recorded.",
                      409)


def corrections_of(meeting_id, kind):
    row = db.session.scalar(db.select(DocumentDraft).filter_by(meeting_id=meeting_id,
                                                                kind=kind))
    return dict(row.corrections) if row else {}


def draft_for(meeting_id, kind):
    meeting = _meeting(meeting_id)
    _check_kind(meeting, kind)
    return drafts.build(meeting, kind, corrections_of(meeting_id, kind))


def save_corrections(meeting_id, user, kind, texts):
    """The chair or minute taker corrects texts of the draft. `texts` is {text id: text}; a
    text set back to the record's own words stops being a correction."""
    meeting = _meeting(meeting_id)
    seat = staff_seat(meeting_id, user, (CHAIR, MINUTE_TAKER))
    _check_kind(meeting, kind)
    current = corrections_of(meeting_id, kind)
    originals = {e["id"]: e for e in drafts.build(meeting, kind, current)["texts"]}
    for text_id, value in texts.items():
        entry = originals.get(text_id)
        if entry is None:
            raise Refused("That part of the draft could not be found. Reload the page.")
        text = clean_text(value, label=f"a correction for {entry['label']}",
                          limit=CORRECTION_LIMIT,
                          required=bool(entry["original"]), field=f"text-{text_id}")
        if text == entry["original"]:
            current.pop(text_id, None)
        else:
            current[text_id] = text
    row = db.session.scalar(db.select(DocumentDraft).filter_by(meeting_id=meeting_id,
                                                                kind=kind))
    if row is None:
        row = DocumentDraft(meeting_id=meeting_id, kind=kind)
        db.session.add(row)
    row.corrections = current
    row.updated_at = clock.utcnow()
    row.updated_by_id = seat.id
    db.session.commit()
    return current


# ---- Issuing -------------------------------------------------------------------------------

def versions_of(meeting_id, kind=None):
    query = db.select(Document).filter_by(meeting_id=meeting_id)
    if kind:
        query = query.filter_by(kind=kind)
    return db.session.scalars(query.order_by(Document.kind, Document.version)).all()


def next_version(meeting_id, kind):
    latest = db.session.scalar(db.select(db.func.max(Document.version)).filter_by(
        meeting_id=meeting_id, kind=kind))
    return (latest or 0) + 1


def issue(meeting_id, user, kind, version, reason=None):
    """The chair issues `version` of a document (the next one; an issued version is refused).
    A version after the first needs the reason for the correction."""
    meeting = _meeting(meeting_id)
    seat = staff_seat(meeting_id, user)
    _check_kind(meeting, kind)
    if not isinstance(version, int) or version < 1:
        raise Refused("That version could not be read. Reload the page and try again.")
    _check_version(meeting_id, kind, version)
    reason = clean_text(reason, label="the reason for the correction", limit=REASON_LIMIT,
                        field="reason") if version > 1 else None
    draft = drafts.build(meeting, kind, corrections_of(meeting_id, kind))
    issued_at = clock.utcnow()
    draft.update(version=version, issued=clock.london_format(issued_at),
                 issuer=user.name, reason=reason or "")
    people, user_id = recipients(meeting, seats(meeting_id)), user.id
    filename = _filename(meeting, kind, version)
    db.session.rollback()  # hold no database transaction open while the worker renders
    pdf = _render(draft)
    digest = hashlib.sha256(pdf).hexdigest()
    document = Document(meeting_id=meeting_id, kind=kind, version=version, title=draft["title"],
                        filename=filename, pdf=pdf, sha256=digest,
                        size=len(pdf), reason=reason, issued_at=issued_at, issued_by_id=user_id)

    def change():
        _check_version(meeting_id, kind, version)  # again, under the meeting's write lock
        db.session.add(document)
        db.session.flush()
        _add_deliveries(document, people)
        return {"document_id": document.id, "kind": kind, "version": version,
                "sha256": digest, "title": document.title}

    try:
        record_change(meeting_id, "document.issued", change, actor=seat)
    except IntegrityError:
        raise Refused(f"Version {version} has already been issued.", 409) from None
    send_in_background(document.id)
    return db.session.get(Document, document.id)


def _check_version(meeting_id, kind, version):
    expected = next_version(meeting_id, kind)
    if version < expected:
        raise Refused(f"Version {version} of the {KINDS[kind].lower()} has already been "
                      "issued. Issue a correction as a new version instead.", 409)
    if version > expected:
        raise Refused("That version could not be read. Reload the page and try again.")


def _render(draft):
    try:
        return render.pdf_of(draft)
    except BrokenProcessPool:
        render.reset_worker()
        raise Refused("The document could not be made just now. Try again.", 503) from None


def _filename(meeting, kind, version):
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", meeting.child.case_reference).strip("-")
    day = clock.london_format(meeting.scheduled_at, "%Y-%m-%d")
    return f"{reference}-{day}-{kind.replace('_', '-')}-v{version}.pdf"


def _add_deliveries(document, people):
    now = clock.utcnow()
    for person in people:
        if person["channel"] == IN_APP:
            db.session.add(Delivery(document_id=document.id, channel=IN_APP, name=person["name"],
                                    user_id=person["user_id"], status=SENT, attempts=1,
                                    sent_at=now))
        elif person["channel"] == EMAIL:
            db.session.add(Delivery(document_id=document.id, channel=EMAIL, name=person["name"],
                                    address=person["address"], status=PENDING,
                                    message_id=mail.new_message_id()))


# ---- Delivering ----------------------------------------------------------------------------

def send_in_background(document_id):
    """Email the document after the chair's request has answered, so a slow or unreachable
    mail server never keeps the chair waiting. The task has its own app context (and so its
    own database session); the documents page shows each email's progress, and one the task
    never finished can be sent again (Delivery.may_retry)."""
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            try:
                send_pending(document_id)
            except Exception:  # the emails stay pending or failed, shown to the chair
                app.logger.exception("Sending document %s failed", document_id)
            finally:
                db.session.remove()

    return socketio.start_background_task(send)


def send_pending(document_id):
    for delivery_id in db.session.scalars(db.select(Delivery.id).filter_by(
            document_id=document_id, channel=EMAIL, status=PENDING)).all():
        deliver(delivery_id)


def retry(meeting_id, user, delivery_id):
    """The chair sends a failed email again. One that was sent, or is being sent, is not."""
    staff_seat(meeting_id, user)
    delivery = db.session.get(Delivery, delivery_id) if isinstance(delivery_id, int) else None
    if delivery is None or delivery.document.meeting_id != meeting_id \
            or delivery.channel != EMAIL:
        raise Refused("That delivery could not be found.", 404)
    if delivery.status == SENT:
        raise Refused(f"The email to {delivery.name} has already been sent.", 409)
    if not deliver(delivery_id):
        raise Refused(f"The email to {delivery.name} is being sent already.", 409)
    return db.session.get(Delivery, delivery_id)


def _claim(delivery_id):
    """Take the delivery for this attempt: only one attempt can move it out of pending or
    failed, so a double click or two retries at once send one email. One left "sending" by a
    process that stopped mid-send can be taken again once SENDING_LIMIT has passed."""
    now = clock.utcnow()
    stuck = (Delivery.status == SENDING) & or_(Delivery.claimed_at.is_(None),
                                                Delivery.claimed_at < now - SENDING_LIMIT)
    claimed = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id,
                               Delivery.status.in_((PENDING, FAILED)) | stuck)
        .values(status=SENDING, attempts=Delivery.attempts + 1, claimed_at=now),
        execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return claimed == 1


def deliver(delivery_id):
    """One attempt at one email; its result is recorded. False when it was not ours to send."""
    if not _claim(delivery_id):
        return False
    delivery = db.session.get(Delivery, delivery_id)
    db.session.refresh(delivery)
    document = delivery.document
    try:
        message = mail.compose(delivery, document, _pdf_bytes(document.id),
                               _invitation(document, delivery))
        mail.send(message)
    except Exception as error:  # any failure is shown to the chair, who can retry
        _log_failure(delivery, error)
        delivery.status, delivery.error = FAILED, mail.failure_for_chair(error)[:ERROR_LIMIT]
    else:
        delivery.status, delivery.error, delivery.sent_at = SENT, None, clock.utcnow()
    db.session.commit()
    return True


def _log_failure(delivery, error):
    """The technical detail, for the administrator: a mail server's failure in one line (no
    recipient's address), anything else with its traceback."""
    if isinstance(error, (mail.NotSetUp, OSError)):
        current_app.logger.warning("Email %s of document %s was not sent: %s: %s", delivery.id,
                                   delivery.document_id, type(error).__name__,
                                   mail.detail(error))
    else:
        current_app.logger.exception("Email %s of document %s was not sent", delivery.id,
                                     delivery.document_id)


def _pdf_bytes(document_id):
    return db.session.scalar(db.select(Document.pdf).filter_by(id=document_id))


def review_date_of(meeting_id):
    decision = decision_for(meeting_id)
    return decision.review_date if decision is not None else None


def _invitation(document, delivery):
    if document.kind not in ("minutes", "actions"):
        return None
    review = review_date_of(document.meeting_id)
    if review is None:
        return None
    return mail.review_invitation(document.meeting, review, document.issued_by.email,
                                  delivery.address)


# ---- Reading -------------------------------------------------------------------------------

def download(document_id, user, address=None):
    """The PDF for a member of staff who was in the meeting; every download is logged."""
    document = db.session.get(Document, document_id) if isinstance(document_id, int) else None
    seat = document and user and db.session.scalar(db.select(Participant).filter_by(
        meeting_id=document.meeting_id, user_id=user.id))
    if document is None or seat is None or seat.status in (DECLINED, REMOVED, LOBBY):
        raise Refused("That document could not be found.", 404)
    db.session.add(DocumentDownload(document_id=document.id, user_id=user.id,
                                    address=(address or "")[:64] or None))
    db.session.execute(update(Delivery).where(
        Delivery.document_id == document.id, Delivery.user_id == user.id,
        Delivery.seen_at.is_(None)).values(seen_at=clock.utcnow()),
        execution_options={"synchronize_session": False})
    db.session.commit()
    return document, _pdf_bytes(document.id)


def downloads_of(documents):
    """{document id: its downloads, each with who downloaded it}, in one query for all."""
    found = {document.id: [] for document in documents}
    if found:
        for download in db.session.scalars(
                db.select(DocumentDownload).filter(DocumentDownload.document_id.in_(found))
                .options(joinedload(DocumentDownload.user)).order_by(DocumentDownload.id)):
            found[download.document_id].append(download)
    return found


def notifications_for(user):
    """The documents sent to this member of staff in the app, newest first, each with its
    document and who issued it (a query to page)."""
    return (db.select(Delivery).filter_by(user_id=user.id, channel=IN_APP)
            .options(joinedload(Delivery.document).joinedload(Document.issued_by))
            .order_by(Delivery.id.desc()))


def documents_page(meeting_id, user):
    """Everything the meeting's documents page shows to its chair or minute taker."""
    meeting = _meeting(meeting_id)
    seat = staff_seat(meeting_id, user, (CHAIR, MINUTE_TAKER))
    documents = versions_of(meeting_id)
    first = min((d.issued_at for d in documents if d.kind != PANEL_AGENDA), default=None)
    kinds = [_kind_entry(meeting, kind, [d for d in documents if d.kind == kind])
             for kind in drafts.kinds_for(meeting)]
    return {"meeting": meeting, "seat": seat, "kinds": kinds, "closure": closure_of(meeting_id),
            "deadline": deadline_view(meeting, first), "email_ready": mail.is_set_up(),
            "by_email": [r["name"] for r in recipients(meeting, seats(meeting_id))
                         if r["channel"] == EMAIL],
            "downloads": downloads_of(documents)}


def _kind_entry(meeting, kind, versions):
    """One kind of document on the page: its issued versions and the number the next takes
    (as next_version counts it, from the versions already read)."""
    return {"kind": kind, "label": KINDS[kind], "versions": versions,
            "next": max((d.version for d in versions), default=0) + 1,
            "ready": kind == PANEL_AGENDA or not meeting.is_open}
