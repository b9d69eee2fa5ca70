"""What the agenda puts on the meeting's pages: the agenda itself (a participant's section, the
chair's console), "Show on screen", and the phase every page carries (agenda.phases)."""
from facilitator.agenda import phases, services
from facilitator.live import sections

sections.section("agenda", "Agenda", "agenda/_area.html", 10, audiences=("participant",))
sections.console("agenda", "agenda/_area.html", 10)
sections.console("screen", "agenda/_screen.html", 20)


def room_view(meeting, agenda):
    """What the room is doing: the agenda's phase, what the projector shows, and the words
    and choices the pages give for them."""
    present = sections.present(meeting)
    phase = phases.agenda_phase(meeting, agenda["current"], agenda["finished"])
    screen = phases.screen_phase(meeting, phase)
    current = agenda["current"]
    return {"phase": phase, "screen": screen,
            "attributes": phases.attributes(phase, screen, present),
            "you": phases.KINDS[phase.kind]["you"],
            "phase_words": current.title if current else phases.KINDS[phase.kind]["label"],
            "choices": phases.choices(meeting.type, present)}


@sections.page_values
def agenda_values(meeting, audience, seat):
    agenda = services.agenda_view(meeting.id)
    return {"agenda": agenda, "room": room_view(meeting, agenda)}
