"""How changes to a meeting's people look to each audience."""
from flask import render_template

from facilitator.live.render import Update, renders


def _who(person):
    return f"{person['name']} ({person['attends_as_label']})"


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
    update = Update(announce=f"{_who(person)} joined the meeting." if joined else "")
    if audience == "chair":
        update.remove(f"lobby-{person['id']}")
        update.upsert("people-list", _render("meetings/_person.html", person))
    return update


@renders("participant.declined", "participant.removed")
def left(event, audience):
    person = event.payload["participant"]
    if audience != "chair":
        removed = event.type == "participant.removed"
        return Update(announce=f"{person['name']} left the meeting." if removed else "")
    return Update().remove(f"lobby-{person['id']}").remove(f"person-{person['id']}")
