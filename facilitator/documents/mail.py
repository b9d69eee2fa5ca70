"""Email with the PDF attached, over SMTP (settings from the environment: facilitator.config),
and the calendar invitation (ICS) for the review meeting."""
import smtplib
import ssl
from datetime import timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from facilitator import clock


def new_message_id():
    return make_msgid(domain="facilitator.invalid")


def review_invitation(meeting, review_date, organiser_email, attendee):
    """An all-day event on the review date: METHOD:REQUEST, so mail programs offer to add it.
    Its UID is the meeting's, so a later version updates the same entry."""
    calendar = Calendar()
    calendar.add("prodid", "-//Facilitator//Stability review//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"review-{meeting.id}@facilitator.invalid")
    event.add("dtstamp", clock.utcnow().replace(tzinfo=timezone.utc))
    event.add("dtstart", review_date)
    event.add("dtend", review_date + timedelta(days=1))
    # The case reference and initials only: calendars are synced to many places.
    event.add("summary", f"Review: {meeting.type.name} ({meeting.child.case_reference}, "
                         f"{meeting.child.initials})")
    event.add("description", "The review of the placement stability meeting held on "
                             f"{clock.london_format(meeting.scheduled_at, '%-d %B %Y')}. "
                             "The chair will confirm the time and place.")
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText("Facilitator")
    event["organizer"] = organiser
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def compose(delivery, document, pdf, invitation=None):
    settings = current_app.config
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = delivery.address
    # The subject names the case by its reference only: subjects travel further than bodies.
    meeting = document.meeting
    message["Subject"] = (f"OFFICIAL-SENSITIVE: {document.kind_label}, {meeting.type.name}, "
                          f"{meeting.child.case_reference} (version {document.version})")
    message["Message-ID"] = delivery.message_id
    lines = [f"Dear {delivery.name},", "",
             f"Attached is {document.title}, version {document.version}, issued "
             f"{clock.london_format(document.issued_at)}.",
             f"SHA-256 of the attached PDF: {document.sha256}"]
    if document.reason:
        lines += ["", f"This version corrects an earlier one: {document.reason}"]
    if invitation:
        lines += ["", "The invitation to the review meeting is attached."]
    lines += ["", "This email and its attachment are OFFICIAL-SENSITIVE: do not forward them."]
    message.set_content("\n".join(lines))
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=document.filename)
    if invitation:
        message.add_attachment(invitation, maintype="text", subtype="calendar",
                               filename="review.ics", params={"method": "REQUEST"})
    return message


def send(message):
    """Hand one message to the SMTP server; raises on any failure (the caller records it)."""
    settings = current_app.config
    if not settings["SMTP_HOST"]:
        raise RuntimeError("Email is not set up on this server (FACILITATOR_SMTP_HOST).")
    kind = smtplib.SMTP_SSL if settings["SMTP_SSL"] else smtplib.SMTP
    extra = {"context": ssl.create_default_context()} if settings["SMTP_SSL"] else {}
    with kind(settings["SMTP_HOST"], settings["SMTP_PORT"], timeout=settings["SMTP_TIMEOUT"],
              **extra) as smtp:
        if settings["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if settings["SMTP_USERNAME"]:
            smtp.login(settings["SMTP_USERNAME"], settings["SMTP_PASSWORD"])
        smtp.send_message(message)
