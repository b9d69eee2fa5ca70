"""Turning an event into what each audience sees: DOM operations carrying server-rendered HTML.

Domains register renderers per event type; several domains may render the same event (the
scaling tally changes when someone is admitted). A renderer gets the event and an audience
("chair", "participant" or "projector") and returns an Update or None. Rendering happens once per
audience, never once per client; per-person affordances come from data attributes.
"""
from dataclasses import dataclass, field

from jinja2 import pass_context
from markupsafe import Markup

AUDIENCES = ("chair", "participant", "projector")
_renderers = {}


@dataclass
class Update:
    ops: list = field(default_factory=list)
    announce: str = ""

    def upsert(self, into, html):
        """Insert or replace the element in `html` (by its id) inside the container `into`."""
        self.ops.append({"op": "upsert", "into": into, "html": html})
        return self

    def remove(self, element_id):
        self.ops.append({"op": "remove", "id": element_id})
        return self

    def extend(self, other):
        self.ops.extend(other.ops)
        self.announce = " ".join(text for text in (self.announce, other.announce) if text)
        return self

    def order(self, into, ids):
        """Put the children of `into` in this order of element ids."""
        self.ops.append({"op": "order", "into": into, "ids": ids})
        return self

    def attributes(self, element_id, values):
        """Set data attributes on one element (what the room is doing, on #meeting)."""
        self.ops.append({"op": "attributes", "id": element_id, "values": values})
        return self

    def reload(self):
        """Have the page drawn afresh: what it is has changed, not one piece of it."""
        self.ops.append({"op": "reload"})
        return self


def renders(*event_types):
    def register(function):
        for event_type in event_types:
            _renderers.setdefault(event_type, []).append(function)
        return function
    return register


def once_per_event(event, name, compute):
    """A value every audience's renderer needs, computed once per event (not per audience):
    broadcasting renders the same event three times, one after the other."""
    cache = event.__dict__.setdefault("_shared_render_values", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def update_for(event, audience):
    update = Update()
    for renderer in _renderers.get(event.type, ()):
        update.extend(renderer(event, audience) or Update())
    return update


def message(event, audience):
    """The wire form of one event for one audience (see docs/live-protocol.md)."""
    update = update_for(event, audience)
    return {"meeting": event.meeting_id, "seq": event.seq, "type": event.type,
            "ops": update.ops, "announce": update.announce}


# Controls for one person. A live update is drawn once for an audience, so there meeting.js
# shows or hides them for each page; a page drawn for one seat is drawn right by the server,
# so it works without the script too.

def _drawn_for(context):
    """The seat a page is drawn for; None for a live update or a page for no one seat."""
    return None if context.get("fragment") else context.get("seat")


@pass_context
def chair_only(context):
    """Marks a control only the chair uses (the chair's view also goes to the minute taker)."""
    seat = _drawn_for(context)
    hidden = seat is not None and seat.meeting_role != "chair"
    return Markup(" data-chair-only" + (" hidden" if hidden else ""))


@pass_context
def own_only(context, owner_id):
    """Marks a control only `owner_id`'s seat uses (their card, the action they own)."""
    seat = _drawn_for(context)
    mine = seat is not None and owner_id is not None and owner_id == seat.id
    return Markup(("" if mine else " hidden") + " data-own-only")
