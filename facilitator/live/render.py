"""Turning an event into what each audience sees: DOM operations carrying server-rendered HTML.

Domains register renderers per event type; several domains may render the same event (the
scaling tally changes when someone is admitted). A renderer gets the event and an audience
("chair", "participant" or "projector") and returns an Update or None. Rendering happens once per
audience, never once per client; per-person affordances come from data attributes.
"""
from dataclasses import dataclass, field

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
