"""Meeting types as data: the administrator adjusts a type's agenda and timeboxes for the
authority. A change applies to meetings set up afterwards; a meeting keeps the agenda it
was created with (agenda.services.create_agenda copies it)."""
from facilitator.agenda import phases
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings.models import MeetingType
from facilitator.text import clean_text

TITLE_LIMIT = 200
MAX_MINUTES = 180
MAX_ITEMS = 30


def all_types():
    return db.session.scalars(db.select(MeetingType).order_by(MeetingType.name)).all()


def meeting_type(code):
    found = db.session.get(MeetingType, code)
    if found is None:
        raise Refused("There is no such type of meeting.", 404)
    return found


def set_agenda(user, code, rows):
    """Replace a type's agenda with `rows` [(title, minutes, kind)]; blank rows are dropped.
    The kind is what the room's screens put first during the item (agenda.phases); none given
    is the whole board."""
    if not user.is_admin:
        raise Refused("Only an administrator can do that.", 403)
    found = meeting_type(code)
    items = []
    kinds = set(phases.KINDS) - {"column", "case"}
    for number, (title, minutes, kind) in enumerate(rows, start=1):
        if not (title or "").strip() and not str(minutes or "").strip():
            continue
        text = clean_text(title, label=f"a title for item {number}", limit=TITLE_LIMIT,
                          field=f"title-{number}")
        shows = phases.parse(kind or "board", found, allowed=kinds, field=f"kind-{number}",
                             refusal=f"Choose what the screens show during item {number}.")
        items.append({"key": _key(text, items), "title": text,
                      "minutes": _minutes(minutes, number), "kind": shows.kind,
                      **({"column": shows.column} if shows.column else {})})
    if not items:
        raise Refused("Enter at least one agenda item: a title and its minutes.",
                      field="title-1")
    if len(items) > MAX_ITEMS:
        raise Refused(f"An agenda can have up to {MAX_ITEMS} items. Leave the rest empty.")
    found.agenda = items
    db.session.commit()
    return found


def _minutes(value, number):
    text = str(value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_MINUTES:
        raise Refused(f"Give item {number} a whole number of minutes from 1 to {MAX_MINUTES}.",
                      field=f"minutes-{number}")
    return int(text)


def _key(title, items):
    base = "".join(ch if ch.isalnum() else "_" for ch in title.lower()).strip("_")[:40] or "item"
    taken = {item["key"] for item in items}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key
