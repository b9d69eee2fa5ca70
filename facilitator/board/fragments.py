"""How board events look to each audience. A card's author is named as the room names them
(meetings.labels): by their role on the projector, in its cards and in what it announces."""
from flask import render_template

from facilitator.board.services import CARD_LIMIT, board_cards
from facilitator.extensions import db
from facilitator.live.render import Update, once_per_event, renders
from facilitator.meetings.labels import room_now
from facilitator.meetings.models import Meeting

ANNOUNCE_CHARS = 140


def render_card(meeting_id, card, audience, columns):
    return render_template("board/_card.html", card=card, audience=audience, columns=columns,
                           meeting_id=meeting_id, card_limit=CARD_LIMIT, fragment=True)


def _columns(event):
    return once_per_event(event, "columns",
                          lambda: db.session.get(Meeting, event.meeting_id).type.columns)


def _question(columns, key):
    return next((c["question"] for c in columns if c["key"] == key), key)


def _short(text):
    return text if len(text) <= ANNOUNCE_CHARS else text[:ANNOUNCE_CHARS - 1] + "…"


@renders("card.added", "card.edited", "card.moved")
def card_changed(event, audience):
    card, columns = event.payload["card"], _columns(event)
    html = render_card(event.meeting_id, card, audience, columns)
    update = Update().upsert(f"column-{card['column']}", html)
    for column, ids in event.payload.get("order", {}).items():
        update.order(f"column-{column}", [f"card-{i}" for i in ids])
    where = _question(columns, card["column"])
    author = room_now(event.meeting_id)[card["author_id"]].for_audience(audience)
    update.announce = {
        "card.added": f"New card from {author} in {where}: {_short(card['text'])}",
        "card.edited": f"Card changed in {where}: {_short(card['text'])}",
        "card.moved": f"Card moved to {where}: {_short(card['text'])}",
    }[event.type]
    return update


@renders("card.removed")
def card_removed(event, audience):
    card = event.payload["card"]
    where = _question(_columns(event), card["column"])
    return Update(announce=f"A card was removed from {where}.").remove(f"card-{card['id']}")


@renders("scaling.scored")
def author_renamed(event, audience):
    """A young person chose, as they scored, how what they add is shown: their cards say so
    on every page at once (the projector names roles, so it has nothing to change)."""
    if not event.payload.get("renamed") or audience == "projector":
        return None
    meeting = db.session.get(Meeting, event.meeting_id)
    author = event.payload["participant"]
    update = Update()
    for column, cards in board_cards(meeting).items():
        for card in cards:
            if card["author_id"] == author:
                update.upsert(f"column-{column}",
                              render_card(meeting.id, card, audience, meeting.type.columns))
    return update
