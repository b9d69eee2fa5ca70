"""Input checks shared by the concern and the call forms: a bad value is refused with a
sentence for the person, never clamped or guessed."""
from datetime import datetime

from facilitator import clock
from facilitator.errors import Refused


def whole_number(value, scale):
    """A value on the authority's scale (the forms' field "scale")."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not scale.minimum <= number <= scale.maximum:
        raise Refused(f"Choose a number on the scale, from {scale.minimum} to {scale.maximum}.",
                      field="scale")
    return number


def not_in_future(moment, what, field=None):
    """A moment (naive UTC) that has already happened: `what` is "of the call" and the like;
    `field` the form's date field, where the message is shown."""
    if not isinstance(moment, datetime):
        raise Refused(f"Enter the date and time {what}.", field=field)
    if moment > clock.utcnow():
        raise Refused(f"The date and time {what} cannot be in the future.", field=field)
    return moment
