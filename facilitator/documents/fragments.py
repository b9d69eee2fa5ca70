"""How closing a meeting and issuing a document reach the meeting's open pages."""
from facilitator.live.render import Update, renders


@renders("meeting.closed")
def closed(event, audience):
    # Guests' pages are also told through their seat (documents.services.close_meeting) and
    # reload into the "meeting has closed" page; staff pages stay, and can no longer change.
    return Update(announce="The chair has closed the meeting. Nothing more can be added.")


@renders("document.issued")
def issued(event, audience):
    if audience != "chair":
        return None
    payload = event.payload
    return Update(announce=f"{payload['title']}, version {payload['version']}, was issued.")
