"""How board events look to each audience."""
from flask import render_template

from facilitator.board.services import CARD_LIMIT
from facilitator.extensions import db
from facilitator.live.render import Update, once_per_event, renders
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
    update.announce = {
        "card.added": f"New card from {card['author_name']} in {where}: {_short(card['text'])}",
        "card.edited": f"Card changed in {where}: {_short(card['text'])}",
        "card.moved": f"Card moved to {where}: {_short(card['text'])}",
    }[event.type]
    return update


@renders("card.removed")
def card_removed(event, audience):
    card = event.payload["card"]
    where = _question(_columns(event), card["column"])
    return Update(announce=f"A card was removed from {where}.").remove(f"card-{card['id']}")
