"""How changes to a meeting's people look to each audience. The projector names people by
their room label ("Carer 2"), never by name; the other views by their shown name and room label
(meetings.labels)."""
from flask import render_template

from facilitator.live.presence import row_update
from facilitator.live.render import Update, renders
from facilitator.meetings.labels import PROJECTOR, room_now


def _who(person):
    """Someone in the lobby, for the chair: as they gave their name and role."""
    return f"{person['name']} ({person['attends_as_label']})"


def _named(event, person, audience):
    """Someone in the meeting as this audience names them: "Carer 2", "Pat Jones (Carer 2)"."""
    named = room_now(event.meeting_id)[person["id"]]
    if audience == PROJECTOR or named.shown == named.label:
        return named.label
    return f"{named.shown} ({named.label})"


def _numbered_from(event, person, audience):
    """A second person came in as what someone already attends as: the first is "Carer 1" now,
    on every view. The projector, which names people only so, is drawn afresh; the other views
    show the first person's new label in "Here now" (their cards have it when next drawn)."""
    labels = room_now(event.meeting_id).labels()
    role = person["attends_as_label"]
    if labels.get(person["id"]) != f"{role} 2":
        return Update()
    if audience == PROJECTOR:
        return Update().reload()
    update = Update()
    for pid, label in labels.items():
        if label == f"{role} 1":
            update.extend(row_update(event.meeting_id, pid, audience))
    return update


def _render(template, person):
    return render_template(template, person=person, fragment=True)


@renders("participant.waiting")
def waiting(event, audience):
    person = event.payload["participant"]
    if audience != "chair":
        return None
    return (Update(announce=f"{_who(person)} is waiting to join.")
            .upsert("lobby-list", _render("meetings/_lobby_entry.html", person)))


@renders("participant.admitted", "participant.role_changed")
def admitted(event, audience):
    person = event.payload["participant"]
    joined = event.type == "participant.admitted"
    update = Update(announce=f"{_named(event, person, audience)} joined the meeting."
                    if joined else "")
    if audience == "chair":
        update.remove(f"lobby-{person['id']}")
        update.upsert("people-list", _render("meetings/_person.html", person))
    return update.extend(_numbered_from(event, person, audience)) if joined else update


@renders("participant.invited")
def invited(event, audience):
    """Someone asked to send their views in advance is counted in the room's numbers too."""
    return _numbered_from(event, event.payload["participant"], audience)


@renders("scaling.scored")
def renamed(event, audience):
    """A young person chose how they are shown: "Here now" says so on the other views."""
    if not event.payload.get("renamed") or audience == PROJECTOR:
        return None
    return row_update(event.meeting_id, event.payload["participant"], audience)


@renders("participant.declined", "participant.removed")
def left(event, audience):
    person = event.payload["participant"]
    if audience != "chair":
        removed = event.type == "participant.removed"
        return Update(announce=f"{_named(event, person, audience)} left the meeting."
                      if removed else "")
    return Update().remove(f"lobby-{person['id']}").remove(f"person-{person['id']}")
