"""The same changes over plain HTTP: htmx buttons, and forms in a browser without a live
connection. Views stay thin: find the person's seat, call the service, answer."""
from flask import Response, flash, redirect, request, url_for

from facilitator.errors import Refused
from facilitator.meetings.access import admitted_seat


def posted_change(meeting_id, operation):
    """Apply `operation(seat)` for the person posting; not in the meeting: the Refused page.

    htmx gets 204 (the live event updates every page, this one too) or the refusal as plain
    text; a plain form gets the meeting page back, with the refusal as a message.
    """
    seat = admitted_seat(meeting_id)
    try:
        operation(seat)
    except Refused as refused:
        if request.htmx:
            return Response(refused.message, status=refused.status, mimetype="text/plain")
        flash(refused.message, "error")
    if request.htmx:
        return Response(status=204)
    return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)


def form_int(name):
    value = request.form.get(name, "")
    return int(value) if value.lstrip("-").isdigit() else None


def form_key():
    """The idempotency key a form may carry; a plain form without one is simply not deduplicated."""
    return request.form.get("key") or None
