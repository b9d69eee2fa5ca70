"""What the room is doing now (docs/architecture.md, The agenda drives the room).

Each agenda item has a kind, data on the meeting type's agenda (copied to the meeting's items):
the kind names the page section every screen puts first while the item runs. Before the agenda
starts the room is at its welcome, and at its close once the agenda is finished. The chair may
put another section on the projector for a while ("Show on screen"); moving the agenda on goes
back to following it.
"""
from dataclasses import dataclass

from facilitator.errors import Refused

# Each kind: what the administrator and the chair read, the page section it puts first, and
# what a person in the room can do while it runs (the first words on their phone).
KINDS = {
    "welcome": {"label": "Welcome: who is here and how to join", "section": "welcome",
                "you": "The meeting is starting. When the chair moves on, what you can do "
                       "comes to the top of this page."},
    "column": {"label": "One board column", "section": "board",
               "you": "Add what you think below. It goes on the screen for everyone."},
    "board": {"label": "The whole board", "section": "board",
              "you": "Add to any of the board's questions below."},
    "childs_views": {"label": "The child's views, wishes and feelings",
                     "section": "childs_views",
                     "you": "Add the child's views, wishes and feelings below."},
    "offers": {"label": "What support each agency can provide", "section": "offers",
               "you": "Say what support your agency or family can provide."},
    "scaling": {"label": "Scaling", "section": "scaling",
                "you": "When the chair opens scoring, give your score and your reason."},
    "carried": {"label": "Progress on the earlier Stability Actions", "section": "carried",
                "you": "The meeting goes through what was agreed last time."},
    "actions": {"label": "Stability Actions", "section": "actions",
                "you": "Propose an action: what, who will do it and by when."},
    "decision": {"label": "Decision and review", "section": "decision",
                 "you": "The chair records the decision and the review date."},
    "close": {"label": "Close: the Stability Actions agreed", "section": "actions",
              "you": "The meeting is closing. The Stability Actions agreed are below."},
    "case": {"label": "The panel's cases", "section": "panel",
             "you": "The panel is discussing a case."},
}
FALLBACK_SECTION = "board"   # a kind whose section this meeting does not have shows the board


@dataclass(frozen=True)
class Phase:
    kind: str
    column: str | None = None

    @property
    def value(self):
        """How a form names it: the kind, or "column:<key>" for one board column."""
        return f"column:{self.column}" if self.kind == "column" else self.kind

    def section(self, present):
        section = KINDS[self.kind]["section"]
        return section if section in present else FALLBACK_SECTION


def item_kind(entry, columns):
    """An agenda entry's kind and column, checked against the type's columns."""
    kind = entry.get("kind", "board")
    column = entry.get("column") if kind == "column" else None
    if kind not in KINDS or (kind == "column" and column not in {c["key"] for c in columns}):
        return "board", None
    return kind, column


def agenda_phase(meeting, current, finished):
    """The phase the agenda puts the room in: its current item's kind."""
    if current is not None:
        return Phase(current.kind, current.board_column)
    return Phase("close" if finished else "welcome")


def parse(value, meeting_type, *, allowed=None, refusal="Choose what to show on the screen.",
          field="on_screen"):
    """A phase from a form's value ("scaling", "column:worried"), or Refused. `allowed`: the
    kinds a bare value may name (by default what "Show on screen" offers)."""
    kind, _, column = (value or "").partition(":")
    if kind == "column" and meeting_type.column(column) is not None:
        return Phase("column", column)
    allowed = allowed or set(KINDS) - {"column", "close"}
    if kind in allowed and kind != "column" and not column:
        return Phase(kind)
    raise Refused(refusal, field=field)


def agenda_choices(meeting_type):
    """What an administrator can make an agenda item of this type show: [(value, words)]."""
    found = [("welcome", KINDS["welcome"]["label"])]
    found += [(f"column:{c['key']}", f"The board column: {c['question']}")
              for c in meeting_type.columns]
    found += [(kind, entry["label"]) for kind, entry in KINDS.items()
              if kind not in ("welcome", "column", "case")]
    return found


def entry_value(entry):
    """An agenda entry's kind as a form names it."""
    kind = entry.get("kind", "board")
    return f"column:{entry.get('column')}" if kind == "column" else kind


def screen_phase(meeting, agenda_phase_now):
    """What the projector shows: what the chair put there, or the agenda's phase."""
    if meeting.on_screen:
        try:
            return parse(meeting.on_screen, meeting.type)
        except Refused:  # a column since removed from the type: follow the agenda
            pass
    return agenda_phase_now


def choices(meeting_type, present):
    """What the chair can put on the screen in this meeting: [(value, words)]."""
    found = [("welcome", "Welcome: who is here and how to join")]
    found += [(f"column:{c['key']}", c["question"]) for c in meeting_type.columns]
    for kind in ("board", "childs_views", "offers", "scaling", "carried", "actions", "decision",
                 "case"):
        if KINDS[kind]["section"] in present:
            found.append((kind, KINDS[kind]["label"]))
    return found


def attributes(phase, screen, present):
    """The data attributes the meeting's pages carry, which the styles and scripts read."""
    return {"data-phase": phase.section(present), "data-phase-kind": phase.kind,
            "data-phase-column": phase.column or "",
            "data-screen": screen.section(present), "data-screen-column": screen.column or ""}
