"""Who gets a meeting's documents, and how (seed 001, 5.9): internal attendees (staff) in the
app with a link; external attendees by email with the PDF; and the meeting type's fixed
recipients (data: `rules.distribution.fixed`). The deadline is the type's
`rules.distribution.within_working_days` after the meeting (seed 003: 2 working days)."""
from datetime import time

from facilitator import clock
from facilitator.documents.models import APOLOGIES, EMAIL, IN_APP
from facilitator.documents.people import attendance_of, attendees, role_of
from facilitator.meetings.models import IN_ADVANCE

END_OF_DAY = time(23, 59)
DEFAULT_WITHIN = 2
# How each copy goes, as the documents print it: never the address, which every recipient
# would read (the addresses are in the delivery record, on the chair's documents page).
HOW = {IN_APP: "In the app (link)", EMAIL: "By email", None: "No email address given"}


def _rules(meeting):
    return meeting.type.rules.get("distribution") or {}


def recipients(meeting, people):
    """[{name, role, channel, address, user_id, how}], in the order the minutes list them;
    `people` are the meeting's seats (people.seats)."""
    result = []
    for person in attendees(people):
        if person.user_id is not None:
            channel, address = IN_APP, None
        elif person.email:
            channel, address = EMAIL, person.email
        elif person.status != IN_ADVANCE and attendance_of(person) != APOLOGIES:
            channel, address = None, None
        else:
            continue
        result.append({"name": person.name, "role": role_of(person), "channel": channel,
                       "address": address, "user_id": person.user_id, "how": HOW[channel]})
    for fixed in _rules(meeting).get("fixed", []):
        result.append({"name": fixed["name"], "role": "", "channel": EMAIL,
                       "address": fixed["email"], "user_id": None, "how": HOW[EMAIL]})
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
