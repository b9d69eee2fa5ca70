"""The same changes over plain HTTP: htmx buttons, and forms in a browser without a live
connection. Views stay thin: find the person's seat, call the service, answer."""
from flask import Response, current_app, g, make_response, redirect, request, url_for
from markupsafe import Markup

from facilitator.errors import Refused
from facilitator.meetings.access import admitted_seat


def posted_change(meeting_id, operation):
    """Apply `operation(seat)` for the person posting; not in the meeting: the Refused page.

    htmx gets 204 (the live event updates every page, this one too) or the refusal as plain
    text. A plain form gets the meeting page back: after a change, by redirect; when refused,
    drawn at once with that form as the person left it and the message beside its field.
    """
    seat = admitted_seat(meeting_id)
    try:
        operation(seat)
    except Refused as refused:
        if request.htmx:
            return Response(refused.message, status=refused.status, mimetype="text/plain")
        return board_with_refusal(meeting_id, refused)
    if request.htmx:
        return Response(status=204)
    return redirect(url_for("meetings.show", meeting_id=meeting_id), code=303)


def board_with_refusal(meeting_id, refused):
    hold_refused_form(refused)
    response = make_response(current_app.view_functions["meetings.show"](meeting_id=meeting_id))
    response.status_code = refused.status
    return response


def hold_refused_form(refused):
    """Keep the posted form's refusal for the page drawn in answer (its templates ask
    `refusal_for`, its summary `page_refusal`)."""
    g.form_refusal = FormRefusal(request.form.get("form_id"), refused, request.form)


class FormRefusal:
    """A board form as its template draws it, and, when it was posted without JavaScript and
    refused, drawn again as the person left it: what they entered, the message beside the field
    it is about (or at the top of the form when it is about no one field), and the error
    summary's link to that field. The server-side twin of meeting.js's `refused`.

    A template asks for its form's with `refusal_for(form id)`, gives the form that id and
    `hidden_id()`, and asks the same questions of it whether or not it was refused."""

    def __init__(self, form_id, refused=None, posted=None):
        self.form_id = form_id
        self.message = refused.message if refused else None
        self.field = refused.field if refused else None
        self.posted = posted
        self.target = None  # the id of the field the message was put beside

    def __bool__(self):
        return self.message is not None

    def hidden_id(self):
        """Tells the server which form was posted (meeting.js leaves it out of live changes)."""
        return Markup('<input type="hidden" name="form_id" value="{0}">').format(self.form_id)

    def about(self, name):
        return bool(self) and self.field == name

    def value(self, name, default=""):
        """What the person entered, where this form was refused; otherwise `default`."""
        return self.posted.get(name, "") if self else default

    def chose(self, name, value, default=False):
        """Whether a radio, tick box or option is chosen: as posted, where this form was
        refused; otherwise `default`."""
        return str(value) in self.posted.getlist(name) if self else default

    def group(self, name):
        """The class that gives the field's group GOV.UK's red bar."""
        return " govuk-form-group--error" if self.about(name) else ""

    def beside(self, name, target):
        """The message above field `name`, whose id is `target`, when it is about that field."""
        if not self.about(name):
            return ""
        self.target = target
        return _forms().field_error(target, self.message)

    def marks(self, name, target, described=""):
        """The field's aria-describedby (its hint and, when refused, the message) and
        aria-invalid, which also gives it the red border (static/css/facilitator.css)."""
        if self.about(name):
            return Markup(' aria-invalid="true" aria-describedby="{0}"').format(
                " ".join(filter(None, [f"{target}-error", described])))
        return Markup(' aria-describedby="{0}"').format(described) if described else ""

    def form_box(self):
        """The form's own message box, `<form id>-error`: a message about no one field is
        shown there, and meeting.js shows a live refusal in it."""
        if self and not self.field:
            return Markup('<div class="govuk-error-message app-form-error" id="{0}-error"><span '
                          'class="govuk-visually-hidden">Error:</span> {1}</div>').format(
                              self.form_id, self.message)
        return Markup('<div class="govuk-error-message app-form-error" id="{0}-error" hidden>'
                      '</div>').format(self.form_id)


def _forms():
    """The form furniture macros (templates/_forms.html), so a message here is drawn as every
    other page draws one."""
    return current_app.jinja_env.get_template("_forms.html").module


def refusal_for(form_id):
    """The refusal of this request's posted form, if `form_id` is that form; else one of
    nothing, which draws the form as it always is."""
    refusal = g.get("form_refusal")
    if refusal is not None and refusal.form_id == form_id:
        return refusal
    return FormRefusal(form_id)


def page_refusal():
    """The refused form this page is drawn for, if any, for the error summary at the top."""
    return g.get("form_refusal")


def form_int(name):
    value = request.form.get(name, "")
    return int(value) if value.lstrip("-").isdigit() else None


def form_key():
    """The idempotency key a form may carry; a plain form without one is simply not deduplicated."""
    return request.form.get("key") or None
