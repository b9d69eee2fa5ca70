"""What a page that reconnects is sent: every event it missed, drawn for its audience, with the
operations a later one makes pointless left out (docs/live-protocol.md, "Replay").

The page applies the events one by one (static/js/meeting.js): each `seq` must come, in order,
so every missed event is in the answer; but an event whose every operation is redone later has
empty `ops`, and only the last three announcements are kept (the page's live region keeps
three). The page ends exactly as if it had applied every event as drawn: the rules below say
when leaving an operation out cannot change what the page ends with, whatever the page held
before (it may or may not already have each element; its element ids are unique, as HTML
requires and every drawing keeps them). tests/test_replay.py checks them against every kind of
page.

- An upsert of an element into the same block as an earlier upsert of it takes the earlier one's
  place: the element ends where the first put it, drawn as the last one drew it. Only when
  nothing in between touched the element, anything inside either drawing, or the block itself
  (replaced, removed, moved); something added beside it in the block is no matter.
- A removal drops the upsert of the element before it, on the same condition.
- An `order` of a block drops the block's previous `order` when it names every element that one
  named, unless something in between redrew the block or put a named element inside another.
- `attributes` on an element drop its previous `attributes` (the same names or fewer), unless
  the element was redrawn in between.
- A `reload` is a wall: nothing is folded across it.

Events whose operations are foreseen from their payload (a card added, edited or moved: the
upsert of the card into its column, drawn from the payload alone, and a move's orders) are
drawn only when their drawing is what the page ends with, so a card edited 400 times is drawn
once, not 400 times; the foreseen shape is checked against the card's drawings, and all of a
card's events are drawn if one differs.
"""
import re
from html import unescape

from facilitator.live.render import message

ANNOUNCEMENTS_KEPT = 3  # the page's live region keeps its last three lines (meeting.js announce)
_FIRST_TAG = re.compile(r"\s*(?:<!--.*?-->\s*)*<[A-Za-z][^>]*>", re.S)
_ID = re.compile(r"""\sid=["']([^"']*)["']""")
_DETAILS_ID = re.compile(r"""<details\s[^>]*?\bid=["']([^"']*)["']""")
_NEVER = -1


def _foreseen(event):
    """The operations of a card added, edited or moved (board.fragments.card_changed) known
    from the payload: the upsert of the card into its column, undrawn (None for its html), then
    the columns' orders; None for an event that must be drawn to be known."""
    if event.type not in ("card.added", "card.edited", "card.moved"):
        return None
    payload = event.payload if isinstance(event.payload, dict) else {}
    card, order = payload.get("card"), payload.get("order", {})
    if not isinstance(card, dict) or "id" not in card or "column" not in card \
            or not isinstance(order, dict):
        return None
    return [{"op": "upsert", "into": f"column-{card['column']}", "id": f"card-{card['id']}",
             "html": None}] + [{"op": "order", "into": f"column-{column}",
                                "ids": [f"card-{i}" for i in ids]} for column, ids in order.items()]


def _shape(ops):
    """What an event's operations do, without the drawings."""
    return [(op.get("op"), op.get("into"), op.get("id") if op.get("html") is None else
             _root_id(op["html"]), tuple(op.get("ids") or ())) for op in ops]


def _root_id(html):
    """The id of a fragment's first element, which the page upserts (meeting.js fragment)."""
    tag = _FIRST_TAG.match(html or "")
    found = tag and _ID.search(tag.group(0))
    return unescape(found.group(1)) if found else ""


def _ids(html):
    return frozenset(unescape(found) for found in _ID.findall(html or ""))


def _details(html):
    return frozenset(unescape(found) for found in _DETAILS_ID.findall(html or ""))


def messages(events, audience):
    """The events as this audience's page replays them: one message per event, in order."""
    foreseen = {i: f for i, e in enumerate(events) if (f := _foreseen(e)) is not None}
    drawn = {}

    def draw(index):
        if index not in drawn:
            drawn[index] = message(events[index], audience)
        return drawn[index]

    def element_of(index):
        return foreseen[index][0]["id"]

    # The last three announcements are drawn whatever is left out, and every event that is not
    # foreseen; of the foreseen, each card's last, which says what its drawings look like.
    announced = []
    for index in reversed(range(len(events))):
        if len(announced) == ANNOUNCEMENTS_KEPT:
            break
        if draw(index)["announce"]:
            announced.append(index)
    for index in range(len(events)):
        if index not in foreseen:
            draw(index)
    looks, kept = {}, None
    while True:
        for index in {element_of(i): i for i in sorted(foreseen)}.values():
            draw(index)
        mistaken = set()
        for index in [i for i in sorted(drawn) if i in foreseen]:
            ops, element = drawn[index]["ops"], element_of(index)
            if _shape(ops) != _shape(foreseen[index]) or \
                    looks.setdefault(element, _look(ops[0])) != _look(ops[0]):
                mistaken.add(element)
        if mistaken:  # not as foreseen: every event of that card is drawn, and folded as drawn
            for index in [i for i in foreseen if element_of(i) in mistaken]:
                del foreseen[index]
                draw(index)
            kept = None
            continue
        if kept is None:
            kept = _Folding().fold(_operations(events, drawn, foreseen, looks))
        undrawn = [op.source for op in kept if op.kind == "upsert" and op.drawing is None
                   and op.source not in drawn]
        if not undrawn:
            break
        for index in undrawn:  # the page ends with a drawing only foreseen so far
            draw(index)
    ops_of = {}
    for op in kept:
        ops_of.setdefault(op.event, []).append(op.wire(drawn))
    return [{"meeting": e.meeting_id, "seq": e.seq, "type": e.type, "ops": ops_of.get(i, []),
             "announce": drawn[i]["announce"] if i in announced else ""}
            for i, e in enumerate(events)]


def _operations(events, drawn, foreseen, looks):
    """Every event's operations in order: as drawn, or as foreseen (an upsert not yet drawn,
    looking as the card's other drawings do)."""
    flat = []
    for index in range(len(events)):
        if index in drawn:
            flat += [_Op.drawn(index, op) for op in drawn[index]["ops"]]
        else:
            upsert, *orders = foreseen[index]
            flat.append(_Op.foreseen(index, upsert["into"], upsert["id"], *looks[upsert["id"]]))
            flat += [_Op.drawn(index, op) for op in orders]
    return flat


def _look(upsert):
    return _ids(upsert["html"]), _details(upsert["html"])


class _Op:
    """One operation of the replay, with what it touches on the page. An upsert sends the
    `drawing` of event `source` (a later one's, once folded); `op` and `drawing` are None for
    an upsert only foreseen (drawn once the fold finds the page ends with it)."""

    __slots__ = ("event", "op", "kind", "into", "element", "ids", "details", "source",
                 "drawing", "template")

    @classmethod
    def drawn(cls, event, op):
        self = cls()
        self.event, self.op, self.kind, self.into = event, op, op.get("op"), op.get("into")
        self.element, self.ids, self.details = op.get("id"), frozenset(), frozenset()
        self.source, self.drawing, self.template = event, op, False
        if self.kind == "upsert":
            html = op.get("html") or ""
            self.element, self.ids, self.details = _root_id(html), _ids(html), _details(html)
            self.template = _is_template(html)
        elif self.kind == "order":
            self.ids = frozenset(op.get("ids") or ())
        return self

    @classmethod
    def foreseen(cls, event, into, element, ids, details):
        self = cls()
        self.event, self.op, self.kind, self.into, self.element = (event, None, "upsert", into,
                                                                   element)
        self.ids, self.details, self.template = ids, details, False
        self.source, self.drawing = event, None
        return self

    def wire(self, drawn):
        """The operation as sent: an upsert carries the drawing that took its place."""
        if self.kind != "upsert" or self.drawing is not None and self.drawing is self.op:
            return self.op
        drawing = self.drawing or drawn[self.source]["ops"][0]
        return {"op": "upsert", "into": self.into, "html": drawing["html"]}


class _Folding:
    """One pass over the operations, in order, keeping what the page needs (see the module's
    rules). Remembers, for each element id, where the kept operations last touched it."""

    def __init__(self):
        self.kept = {}         # position -> _Op
        self.upserted = {}     # element id -> position of its last kept upsert
        self.ordered = {}      # block id -> position of its last kept order
        self.set = {}          # element id -> position of its last kept attributes
        self.replaced_at = {}  # id -> last position it was drawn (alone or inside) or removed
        self.inside_at = {}    # id -> last position it was inside another element's drawing
        self.touched_at = {}   # id -> last position of any of those, or something put into it,
        #                        or its attributes set
        self.moved_at = {}     # id -> {block it was ordered into: last position}
        self.wall = _NEVER

    def fold(self, ops):
        handlers = {"upsert": self._upsert, "remove": self._remove, "order": self._order,
                    "attributes": self._attributes}
        for position, op in enumerate(ops):
            handle = handlers.get(op.kind)
            if handle is None:  # a reload, or what this pass does not know: a wall
                self.wall = position
                self.kept[position] = op
            else:
                handle(position, op)
        return [self.kept[p] for p in sorted(self.kept)]

    @staticmethod
    def _mark(table, key, position):
        if table.get(key, _NEVER) < position:
            table[key] = position

    def _moved_after(self, key, position, allowed_block=None):
        return any(at > position and block != allowed_block
                   for block, at in self.moved_at.get(key, {}).items())

    def _untouched(self, position, element, ids, block):
        """Nothing after `position` touched the element, anything in `ids` (inside either
        drawing) or its block: so an upsert or removal of it can take that position's place."""
        if self.wall > position:
            return False
        for key in ids | {element}:
            if self.touched_at.get(key, _NEVER) > position or self._moved_after(
                    key, position, block if key == element else None):
                return False
        return block in ids or block == element or not (
            self.replaced_at.get(block, _NEVER) > position or self._moved_after(block, position))

    def _note_drawing(self, position, element, ids):
        for key in ids | {element}:
            if key != element:
                self._mark(self.inside_at, key, position)
            self._mark(self.replaced_at, key, position)
            self._mark(self.touched_at, key, position)

    def _upsert(self, position, op):
        earlier = self.upserted.get(op.element) if op.element else None
        slot = self.kept.get(earlier) if earlier is not None else None
        if slot is not None and slot.into == op.into and not op.template and not slot.template \
                and op.details <= slot.ids \
                and self._untouched(earlier, op.element, slot.ids | op.ids, op.into):
            slot.ids, slot.details, slot.source, slot.drawing = (op.ids, op.details, op.source,
                                                                 op.drawing)
            self._note_drawing(earlier, op.element, op.ids)
            return
        self.kept[position] = op
        if op.element:
            self.upserted[op.element] = position
        self._note_drawing(position, op.element, op.ids)
        if op.into:
            self._mark(self.touched_at, op.into, position)

    def _remove(self, position, op):
        earlier = self.upserted.pop(op.element, None)
        slot = self.kept.get(earlier) if earlier is not None else None
        if slot is not None and self._untouched(earlier, op.element, slot.ids, slot.into):
            del self.kept[earlier]
        self.kept[position] = op
        self._mark(self.replaced_at, op.element, position)
        self._mark(self.touched_at, op.element, position)

    def _order(self, position, op):
        block = op.into
        earlier = self.ordered.get(block)
        slot = self.kept.get(earlier) if earlier is not None else None
        if slot is not None and slot.ids <= op.ids and self.wall <= earlier \
                and not any(self.inside_at.get(key, _NEVER) > earlier for key in op.ids) \
                and self.replaced_at.get(block, _NEVER) <= earlier \
                and not self._moved_after(block, earlier):
            del self.kept[earlier]
        self.kept[position] = op
        self.ordered[block] = position
        self._mark(self.touched_at, block, position)
        for key in op.ids:
            self.moved_at.setdefault(key, {})[block] = position

    def _attributes(self, position, op):
        earlier = self.set.get(op.element)
        slot = self.kept.get(earlier) if earlier is not None else None
        if slot is not None and set(slot.op.get("values") or {}) <= set(op.op.get("values") or {}) \
                and self.wall <= earlier and self.replaced_at.get(op.element, _NEVER) <= earlier:
            del self.kept[earlier]
        self.kept[position] = op
        self.set[op.element] = position
        self._mark(self.touched_at, op.element, position)


def _is_template(html):
    """A <template> redrawn refills the lists that name it, keeping each person's choice as it
    stood (meeting.js refillChoices): every redraw counts, so none is folded."""
    return bool(re.match(r"\s*<template\b", html))
