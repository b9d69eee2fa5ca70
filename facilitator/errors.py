"""The one exception services raise for a change that must not happen."""


class Refused(Exception):
    """A change the person may not make, or input that is not valid.

    The message is shown to the person as it is, so write it for them: say how to put it
    right ("Enter a reason for your score"), never just that it is wrong.
    `status` is the HTTP status a view answers with. `field` names the form field the message
    is about, so a form shows it beside that field and links to it from the error summary.
    """

    def __init__(self, message, status=400, field=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def beside_field(form, refused):
    """Put a refusal about one of the form's fields beside that field (the error summary then
    links to it). Returns the message for the summary alone when it is about no field."""
    if form is None or not refused.field or refused.field not in form:
        return refused.message
    field = form[refused.field]
    field.errors = [*field.errors, refused.message]
    return None
