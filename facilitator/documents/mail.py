"""Email with the PDF attached, over SMTP (settings from the environment: facilitator.config),
and the calendar invitation (ICS) for the review meeting. A failure is told to the chair in
plain words (`failure_for_chair`); its technical detail goes to the server's log only."""
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


ASK = ("Try again later. If it keeps failing, ask the service's administrator (your IT team) "
       "to check the email settings.")
NOT_SET_UP = ("Email is not set up on this server, so it was not sent. Ask the service's "
              "administrator (your IT team) to set up email, then press “Try again”.")


class NotSetUp(Exception):
    """No mail server is configured (FACILITATOR_SMTP_HOST is empty)."""

    def __str__(self):
        return "FACILITATOR_SMTP_HOST is not set: no mail server is configured"


def is_set_up():
    return bool(current_app.config["SMTP_HOST"])


# What happened, by the kind of failure (first match); an SMTP error is also an OSError.
CAUSES = (
    (smtplib.SMTPAuthenticationError,
     "The mail server did not accept this service's sign-in, so it was not sent."),
    (smtplib.SMTPRecipientsRefused,
     "The mail server would not take the email address, so it was not sent. Check the address "
     "with the person."),
    (TimeoutError, "The mail server did not answer in time, so it may not have been sent."),
    (ssl.SSLError,
     "The service could not make a secure connection to the mail server, so it was not sent."),
    (smtplib.SMTPResponseException, "The mail server turned the email down, so it was not sent."),
    (OSError, "The service could not reach the mail server, so it was not sent."),
)


def failure_for_chair(error):
    """What happened, what to do and whom to ask, in words for the chair: never the exception
    or a setting's name."""
    if isinstance(error, NotSetUp):
        return NOT_SET_UP
    # smtplib reports a timeout as the server disconnecting, with the timeout as its context.
    chain = [error, error.__cause__ or error.__context__]
    happened = next((words for kind, words in CAUSES
                     if any(isinstance(link, kind) for link in chain)),
                    "The email could not be sent.")
    return f"{happened} {ASK}"


def detail(error):
    """A failure for the server's log: a refused recipient by its SMTP code, not its address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipient refused with " + ", ".join(
            str(code) for code, _ in error.recipients.values())
    return str(error)


def send(message):
    """Hand one message to the SMTP server; raises on any failure (the caller records it)."""
    if not is_set_up():
        raise NotSetUp()
    settings = current_app.config
    kind = smtplib.SMTP_SSL if settings["SMTP_SSL"] else smtplib.SMTP
    extra = {"context": ssl.create_default_context()} if settings["SMTP_SSL"] else {}
    with kind(settings["SMTP_HOST"], settings["SMTP_PORT"], timeout=settings["SMTP_TIMEOUT"],
              **extra) as smtp:
        if settings["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if settings["SMTP_USERNAME"]:
            smtp.login(settings["SMTP_USERNAME"], settings["SMTP_PASSWORD"])
        smtp.send_message(message)
