"""Board operations: add, edit, remove, move. Each is one recorded change (live.record_change).

Who may do what: anyone admitted adds cards; authors edit and remove their own; the chair and
the minute taker edit, remove and move any card.
"""
from sqlalchemy.orm import joinedload

from facilitator.board.models import Card
from facilitator.clock import utcnow
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.meetings.access import acting_seat
from facilitator.meetings.models import OBSERVER
from facilitator.text import clean_text

CARD_LIMIT = 500  # characters; a flipchart note, not a report (documented in README)


def card_payload(card):
    return {"id": card.id, "column": card.column, "position": card.position, "text": card.text,
            "version": card.version, "author_id": card.author_id,
            "author_name": card.author.name, "author_role": card.author.attends_as_label}


def board_cards(meeting):
    """The cards on a meeting's board as {column key: [card payload, ...]}, in order: one
    query, each card with its author."""
    cards = db.session.scalars(
        db.select(Card).filter_by(meeting_id=meeting.id, removed_at=None)
        .options(joinedload(Card.author)).order_by(Card.position, Card.id)).all()
    columns = {column["key"]: [] for column in meeting.type.columns}
    for card in cards:
        columns.setdefault(card.column, []).append(card_payload(card))
    return columns


def _column(meeting, key):
    column = meeting.type.column(key) if isinstance(key, str) else None
    if column is None:
        raise Refused("Choose one of the board's columns.")
    return column["key"]


def _card(meeting_id, card_id):
    card = db.session.get(Card, card_id) if isinstance(card_id, int) else None
    if card is None or card.meeting_id != meeting_id or card.removed_at is not None:
        raise Refused("That card is no longer on the board.", 404)
    return card


def _may_change(seat, card):
    if not (seat.runs_meeting or card.author_id == seat.id):
        raise Refused("Only the card's author, the chair or the minute taker can change it.", 403)


def _column_order(meeting_id, column):
    return list(db.session.scalars(
        db.select(Card.id).filter_by(meeting_id=meeting_id, column=column, removed_at=None)
        .order_by(Card.position, Card.id)))


def add_card(meeting_id, actor, column, text, key=None):
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        if seat.meeting_role == OBSERVER:
            raise Refused("Observers cannot add cards.", 403)
        key_ = _column(meeting, column)
        body = clean_text(text, label="what you want to say", limit=CARD_LIMIT, field="text")
        last = db.session.scalar(db.select(db.func.max(Card.position))
                                 .filter_by(meeting_id=meeting_id, column=key_))
        card = Card(meeting_id=meeting_id, column=key_, text=body, author_id=seat.id,
                    position=(last or 0) + 1)
        db.session.add(card)
        db.session.flush()
        return {"card": card_payload(card)}
    return record_change(meeting_id, "card.added", change, actor=actor, key=key)


def edit_card(meeting_id, actor, card_id, text, version=None, key=None):
    def change():
        _, seat = acting_seat(meeting_id, actor)
        card = _card(meeting_id, card_id)
        _may_change(seat, card)
        body = clean_text(text, label="the card's text", limit=CARD_LIMIT, field="text")
        if version is not None and version != card.version:
            raise Refused("Someone changed this card while you were editing it. "
                          "Your words are still in the box: check the card and save again.", 409)
        card.text, card.version, card.updated_at = body, card.version + 1, utcnow()
        return {"card": card_payload(card)}
    return record_change(meeting_id, "card.edited", change, actor=actor, key=key)


def remove_card(meeting_id, actor, card_id, key=None):
    def change():
        _, seat = acting_seat(meeting_id, actor)
        card = _card(meeting_id, card_id)
        _may_change(seat, card)
        card.removed_at, card.removed_by_id = utcnow(), seat.id
        return {"card": card_payload(card), "removed_by": seat.id}
    return record_change(meeting_id, "card.removed", change, actor=actor, key=key)


def move_card(meeting_id, actor, card_id, column=None, step=0, key=None):
    """The chair or minute taker moves a card to another column (to its end) or up/down one."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        if not seat.runs_meeting:
            raise Refused("Only the chair or the minute taker can move cards.", 403)
        card = _card(meeting_id, card_id)
        source = card.column
        target = _column(meeting, column) if column is not None else source
        order = [i for i in _column_order(meeting_id, target) if i != card.id]
        if target == source:
            if step not in (-1, 1):
                raise Refused("Choose where to move the card.")
            index = _column_order(meeting_id, source).index(card.id) + step
            order.insert(max(0, min(index, len(order))), card.id)
        else:
            order.append(card.id)
        card.column = target
        _renumber(order)
        payload = {"card": card_payload(card), "order": {target: order}}
        if source != target:
            payload["order"][source] = _column_order(meeting_id, source)
        return payload
    return record_change(meeting_id, "card.moved", change, actor=actor, key=key)


def _renumber(card_ids):
    for position, card_id in enumerate(card_ids, start=1):
        db.session.get(Card, card_id).position = position
    db.session.flush()
