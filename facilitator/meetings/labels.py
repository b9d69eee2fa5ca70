"""What a meeting calls each person: their room label and their shown name.

The room sees roles, never names (docs/architecture.md, rule 11). A person's **room label** is
what they attend as ("Carer", "Child's social worker"), numbered where two or more people of the
meeting attend as the same ("Carer 1", "Carer 2"); the projector draws every person by it, and
every view uses the same number. Elsewhere a person is drawn by their **shown name**: their name,
or their room label when they chose not to be named (a young person's "Young person", which
applies to everything they add). The audit trail keeps who it was.

`Room` is the one place: it works a meeting's names out in two queries, however many people a
page draws (`.labels()` is {participant id: room label}). `room_now(meeting_id)` gives it as the
meeting stands; pages and fragments reach it through the `meetings_named(meeting_id,
participant_id)` template value.
"""
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g

from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings.models import ADMITTED, IN_ADVANCE, Meeting, Participant

PROJECTOR = "projector"
# How someone comes into a meeting, in its event log: let in from the lobby, or asked to send
# their views in advance.
ARRIVALS = ("participant.admitted", "participant.invited")


@dataclass(frozen=True)
class Named:
    label: str  # what the room calls them: "Carer 2"
    shown: str  # their name, or their label if they chose not to be named

    def for_audience(self, audience):
        return self.label if audience == PROJECTOR else self.shown

    def byline(self, audience):
        """Who added something: "Pat Jones, Carer 2"; "Carer 2" on the projector; and
        "Young person" once, never "Young person, Young person"."""
        if audience == PROJECTOR or self.shown == self.label:
            return self.label
        return f"{self.shown}, {self.label}"


SOMEONE = Named("Someone", "Someone")


class Room:
    """Everyone of one meeting as the meeting names them."""

    def __init__(self, meeting_id):
        people = db.session.scalars(db.select(Participant).filter_by(meeting_id=meeting_id)
                                    .order_by(Participant.id)).all()
        labels = _numbered(people, _arrival_order(meeting_id))
        self.people = {p.id: Named(labels[p.id], p.name if p.show_name else labels[p.id])
                       for p in people}

    def __getitem__(self, participant_id):
        return self.people.get(participant_id, SOMEONE)

    def labels(self):
        """{participant id: room label} for everyone of the meeting."""
        return {pid: named.label for pid, named in self.people.items()}


def room_now(meeting_id):
    """The meeting's names as it stands. What is drawn in one request, or for one broadcast's
    three audiences, shares them; any change to the meeting bumps its sequence number
    (live.events), so they are worked out again after it."""
    rooms = g.setdefault("meetings_rooms", {})
    if g.get("meetings_unchanging") == meeting_id and meeting_id in rooms:
        return rooms[meeting_id][1]
    seq = db.session.scalar(db.select(Meeting.last_seq).filter_by(id=meeting_id))
    if meeting_id not in rooms or rooms[meeting_id][0] != seq:
        rooms[meeting_id] = (seq, Room(meeting_id))
    return rooms[meeting_id][1]


@contextmanager
def unchanging(meeting_id):
    """Inside, nothing changes the meeting (a reconnecting page's replay, which only reads):
    its names are worked out once, not checked against its sequence number for each of the
    hundreds of fragments drawn."""
    g.meetings_unchanging = meeting_id
    try:
        yield
    finally:
        g.meetings_unchanging = None


def _arrival_order(meeting_id):
    """{participant id: 0, 1, 2…} in the order people came into the meeting."""
    order = {}
    for payload in db.session.scalars(
            db.select(MeetingEvent.payload).filter(MeetingEvent.meeting_id == meeting_id,
                                                   MeetingEvent.type.in_(ARRIVALS))
            .order_by(MeetingEvent.seq)):
        order.setdefault(payload["participant"]["id"], len(order))
    return order


def _numbered(people, arrived):
    # Numbered in the order let in (or invited), the removed still counted: never renumbered.
    counted = sorted((p for p in people if p.id in arrived or p.status in (ADMITTED, IN_ADVANCE)),
                     key=lambda p: (p.id in arrived, arrived.get(p.id, 0), p.id))
    labels = {p.id: p.attends_as_label for p in people}
    groups = {}
    for person in counted:
        groups.setdefault(person.attends_as, []).append(person.id)
    for ids in groups.values():
        if len(ids) > 1:
            for number, pid in enumerate(ids, start=1):
                labels[pid] = f"{labels[pid]} {number}"
    return labels


class Names:
    """Room names for one page or fragment (a template value): each meeting's worked out once,
    when the template first draws one of its people."""

    def __init__(self):
        self._rooms = {}

    def __call__(self, meeting_id, participant_id):
        if meeting_id not in self._rooms:
            self._rooms[meeting_id] = room_now(meeting_id)
        return self._rooms[meeting_id][participant_id]
