"""How changes to a meeting's people look to each audience."""
from flask import render_template

from facilitator.live.render import Update, renders


@renders("participant.waiting")
def waiting(event, audience):
    person = event.payload["participant"]
    if audience != "chair":
        return None
    return Update(announce=f"{person['name']} ({person['attends_as_label']}) is waiting to join."
                  ).upsert("lobby-list", render_template("meetings/_lobby_entry.html", person=person, fragment=True))


@renders("participant.admitted", "participant.role_changed")
def admitted(event, audience):
    person = event.payload["participant"]
    update = Update(announce=f"{person['name']} ({person['attends_as_label']}) joined the meeting."
                    if event.type == "participant.admitted" else "")
    if audience == "chair":
        update.remove(f"lobby-{person['id']}")
        update.upsert("people-list", render_template("meetings/_person.html", person=person, fragment=True))
    return update


@renders("participant.declined", "participant.removed")
def left(event, audience):
    person = event.payload["participant"]
    if audience != "chair":
        return Update(announce=f"{person['name']} left the meeting."
                      if event.type == "participant.removed" else "")
    return (Update().remove(f"lobby-{person['id']}").remove(f"person-{person['id']}"))
