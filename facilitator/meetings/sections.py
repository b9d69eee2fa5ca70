"""The welcome on the meeting's pages (how to join, who is here), and for the chair the people
waiting to join, counted in the console."""
from facilitator.live import sections
from facilitator.live.presence import presence_context
from facilitator.meetings.models import ADMITTED, ATTENDS_AS, LOBBY
from facilitator.meetings.services import join_url, participant_payload, people_of

sections.section("welcome", "Welcome", "meetings/_welcome.html", 5)
sections.console("lobby", "meetings/_console_lobby.html", 40)


@sections.page_values
def welcome_values(meeting, audience, seat):
    values = {"presence": presence_context(meeting.id), "join_url": join_url(meeting),
              "attends_as_choices": ATTENDS_AS}
    if seat is not None and seat.runs_meeting:
        people = people_of(meeting.id)
        values.update(lobby=[participant_payload(p) for p in people if p.status == LOBBY],
                      people=[participant_payload(p) for p in people if p.status == ADMITTED])
    return values
