"""How closing a meeting and issuing a document reach the meeting's open pages."""
from facilitator.live.render import Update, renders


@renders("meeting.closed")
def closed(event, audience):
    # Closed means closed on every page: the projector stops offering a way to join, a staff
    # board becomes the record. Guests' pages are also told through their seat
    # (documents.services.close_meeting) and reload into the "meeting has closed" page.
    return Update(announce="The chair has closed the meeting. Nothing more can be added."
                  ).reload()


@renders("document.issued")
def issued(event, audience):
    if audience != "chair":
        return None
    payload = event.payload
    return Update(announce=f"{payload['title']}, version {payload['version']}, was issued.")
