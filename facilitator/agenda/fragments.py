"""How the agenda looks to each audience, and what it makes the room do: the whole agenda drawn
as it stands now, the phase every page carries (agenda.phases), the chair's "Show on screen"
and a participant's "Now" words."""
from flask import render_template

from facilitator.agenda.models import AgendaItem
from facilitator.agenda.sections import agenda_values
from facilitator.clock import minutes_seconds
from facilitator.extensions import db
from facilitator.live.render import Update, once_per_event, renders
from facilitator.meetings.models import Meeting


def _context(meeting_id, audience, values=None):
    meeting = db.session.get(Meeting, meeting_id)
    return {**(values or agenda_values(meeting, audience, None)), "meeting": meeting,
            "audience": audience, "fragment": True}


def _event_context(event, audience):
    """The agenda and the room as they stand, worked out once for the event's three renders."""
    values = once_per_event(event, "agenda", lambda: agenda_values(
        db.session.get(Meeting, event.meeting_id), audience, None))
    return _context(event.meeting_id, audience, values)


def render_agenda(meeting_id, audience):
    return render_template("agenda/_agenda.html", **_context(meeting_id, audience))


def _minutes(count):
    return f"{count} minute{'' if count == 1 else 's'}"


def _sentence(text):
    return text if text.endswith((".", "?", "!")) else text + "."


def _time_left(item, now):
    remaining = item.remaining(now)
    if remaining <= 0:
        return f"over time by {minutes_seconds(-remaining)}"
    if remaining < 60:
        return "less than a minute left"
    return f"{_minutes(round(remaining / 60))} left"


def _announce(event, view):
    """What a screen reader hears. An event may be replayed long after it happened (a page
    catching up), so it names the event's own item, and its time only while it is current."""
    payload, current = event.payload, view["current"]
    item = db.session.get(AgendaItem, payload["item"]) if payload.get("item") else None
    action = payload["action"]
    if action == "pause":
        return "The timer is paused."
    if item is None:
        return "The agenda is finished."
    if action == "extend":
        more = payload["minutes"]
        return _sentence(f"{more} more minute{'' if more == 1 else 's'} for {item.title}")
    if current is None or current.id != item.id:
        return _sentence(f"Now: {item.title}")
    if action == "resume":
        return _sentence(f"The timer is running again: {_time_left(item, view['now'])} for "
                         f"{item.title}")
    return f"{_sentence(f'Now: {item.title}')} {_time_left(item, view['now']).capitalize()}."


@renders("agenda.changed")
def agenda_changed(event, audience):
    context = _event_context(event, audience)
    return (Update(announce=_announce(event, context["agenda"]))
            .upsert("agenda-area", render_template("agenda/_agenda.html", **context))
            .extend(_room_changed(context)))


@renders("screen.changed", "scaling.round_opened")
def screen_changed(event, audience):
    """The chair chose what the screen shows, or opening scoring put scaling there."""
    context = _event_context(event, audience)
    update = _room_changed(context)
    if audience == "chair" and event.type == "screen.changed":
        chosen = dict(context["room"]["choices"]).get(event.payload["on_screen"])
        update.announce = (f"The screen shows: {chosen}." if chosen
                           else "The screen follows the agenda again.")
    return update


def _room_changed(context):
    """The page's phase attributes, and the pieces whose words follow the phase."""
    update = Update().attributes("meeting", context["room"]["attributes"])
    if context["audience"] == "chair":
        update.upsert("screen-console", render_template("agenda/_screen.html", **context))
    elif context["audience"] == "participant":
        update.upsert("room-now", render_template("agenda/_now.html", **context))
    return update
