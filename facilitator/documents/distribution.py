"""Who gets a meeting's documents, and how (seed 001, 5.9): internal attendees (staff) in the
app with a link; external attendees by email with the PDF; and the meeting type's fixed
recipients (data: `rules.distribution.fixed`). The deadline is the type's
`rules.distribution.within_working_days` after the meeting (seed 003: 2 working days)."""
from datetime import time

from facilitator import clock
from facilitator.documents.models import APOLOGIES, EMAIL, IN_APP
from facilitator.meetings.models import IN_ADVANCE

END_OF_DAY = time(23, 59)
DEFAULT_WITHIN = 2


def _rules(meeting):
    return meeting.type.rules.get("distribution") or {}


def recipients(meeting):
    """[{name, channel, address, user_id, how}], in the order the minutes list them."""
    from facilitator.documents.draft import attendance_of, attendees

    result = []
    for person in attendees(meeting.id):
        if person.user_id is not None:
            result.append({"name": person.name, "channel": IN_APP, "address": None,
                           "user_id": person.user_id, "how": "In the app (link)"})
        elif person.email:
            result.append({"name": person.name, "channel": EMAIL, "address": person.email,
                           "user_id": None, "how": f"By email to {person.email}"})
        elif person.status != IN_ADVANCE and attendance_of(person) != APOLOGIES:
            result.append({"name": person.name, "channel": None, "address": None,
                           "user_id": None, "how": "No email address given"})
    for fixed in _rules(meeting).get("fixed", []):
        result.append({"name": fixed["name"], "channel": EMAIL, "address": fixed["email"],
                       "user_id": None, "how": f"By email to {fixed['email']}"})
    return result


def deadline(meeting):
    """The end of the working day by which the documents must be out (UTC)."""
    within = _rules(meeting).get("within_working_days", DEFAULT_WITHIN)
    day = clock.add_working_days(clock.to_london(meeting.scheduled_at).date(), within)
    return clock.from_london(day, END_OF_DAY)


def deadline_view(meeting, first_issued_at):
    """The deadline and whether it was missed: issued late, or not issued and now past it."""
    due = deadline(meeting)
    at = first_issued_at or clock.utcnow()
    return {"due": due, "missed": at > due, "issued": first_issued_at is not None,
            "within": _rules(meeting).get("within_working_days", DEFAULT_WITHIN)}
