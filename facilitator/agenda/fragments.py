"""How agenda changes look to each audience: the whole agenda, drawn as it stands now."""
from flask import render_template

from facilitator.agenda import services
from facilitator.agenda.models import AgendaItem
from facilitator.clock import minutes_seconds
from facilitator.extensions import db
from facilitator.live.render import Update, renders
from facilitator.meetings.models import Meeting


def render_agenda(meeting_id, audience):
    return render_template("agenda/_agenda.html", agenda=services.agenda_view(meeting_id),
                           meeting=db.session.get(Meeting, meeting_id), audience=audience,
                           fragment=True)


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
    view = services.agenda_view(event.meeting_id)
    return Update(announce=_announce(event, view)).upsert(
        "agenda-area", render_agenda(event.meeting_id, audience))
