"""No one but its author learns a score before its round is revealed, on any path.

Walks every GET route in the app's route map (pages and exports: CSV, JSON, PDF) with every set
of parameters the world has, as each of the nine kinds of person in the access matrix, and reads
every socket message each of them receives or replays (the projector's too). Each score's reason
carries a marker naming whose it is; a person may find only their own markers and the ones a
reveal showed. After the reveal the shown markers must be found where the reveal shows them (the
boards, the projector, the trails, the minutes), so the walk cannot pass by showing nothing. A
route added later is walked without a line here; a route parameter the walk does not know fails.
"""
import io
import itertools
import json
import re

import pytest
from flask import url_for
from pypdf import PdfReader

from facilitator.accounts.models import User
from facilitator.documents import services as documents
from facilitator.documents.models import KINDS, Document
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import CHAIR, IN_ADVANCE, Meeting, Participant
from facilitator.scaling import services as scaling
from facilitator.scaling.models import ScaleRound
from facilitator.stability.models import StabilityConcern
from tests.conftest import (
    IsolatedSocketClient,
    build_app,
    drop_database,
    fresh_database,
    guest,
    new_meeting,
    sign_in,
)
from tests.test_access_matrix import ROLES, STAFF, build_world

STAFF_EMAILS = {"chair": "chair@example.org", "other_staff": "other@example.org",
                "admin": "admin@example.org"}
MARKER = re.compile(r"Qz[a-z]+[A-H]")
MEMBERS = ("participant", "minute_taker", "chair")
# Pages that also take a query naming a meeting: walked with each meeting's too.
MEETING_QUERIES = {"audit.everything": "meeting"}


class Markers:
    """Each marker and whose it is: a role of the matrix, or None for someone outside it (a
    person sending a score in advance, a guest later removed, another meeting's carer)."""

    def __init__(self):
        self.owner = {}
        self.shown = set()

    def reason(self, owner, name):
        taken = sum(1 for marker in self.owner if marker[2:-1] == name)
        marker = f"Qz{name}{'ABCDEFGH'[taken]}"
        self.owner[marker] = owner
        return f"{marker} is why I gave that score."

    def forbidden_to(self, role):
        return {m for m, owner in self.owner.items() if owner != role and m not in self.shown}


# ---- The world: the access matrix's people, scoring ---------------------------------------------

@pytest.fixture
def world(tmp_path):
    url = fresh_database(tmp_path, "privacy")
    app = build_app(url)
    with app.app_context():
        build_world()
        yield app
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


def the_meeting():
    """The access matrix's stability meeting, where every kind of person has a place."""
    return db.session.scalar(db.select(Meeting).where(
        Meeting.child.has(case_reference="CASE-0042")).order_by(Meeting.id).limit(1))


def seat(meeting, **filters):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id, **filters))


def people(app, meeting):
    """Each kind of person's Flask client: staff signed in, guests holding their seats."""
    guests = {role: {} for role in ROLES}
    for person in db.session.scalars(db.select(Participant).filter(
            Participant.user_id.is_(None))):
        role = {"Pat Jones": "participant", "Morgan Reid": "minute_taker",
                "Lee Wait": "lobby_guest", "Ray Gone": "removed",
                "Gus Other": "other_guest"}.get(person.name)
        if role:
            guests[role][str(person.meeting_id)] = person.token
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role in STAFF:
            assert sign_in(client, STAFF_EMAILS[role]).status_code == 302
        elif role != "anonymous":
            with client.session_transaction() as session:
                session["seats"] = guests[role]
        clients[role] = client
    return clients


def score(meeting, person, round_id, value, reason):
    scaling.submit_score(meeting.id, person, round_id, value, reason)


def unrevealed_round_elsewhere(markers):
    """Another chair's meeting whose round is never revealed: its guest's marker is theirs (the
    matrix's "other guest") and nobody else's, ever."""
    other = db.session.scalar(db.select(Meeting).where(
        Meeting.child.has(case_reference="CASE-0099")))
    opened = scaling.open_round(other.id, seat(other, meeting_role=CHAIR))
    score(other, seat(other, name="Gus Other"), opened.payload["round"], 2,
          markers.reason("other_guest", "other"))


def closed_meeting_with_rounds(markers):
    """A meeting the chair closed with one round revealed and a second never revealed, its
    minutes issued: the first round's reason is in the minutes, the second's nowhere."""
    chair_user = db.session.scalar(db.select(User).filter_by(email="chair@example.org"))
    meeting = new_meeting(chair_user, reference="CASE-0555", child="Dee Shown")
    chair = seat(meeting, meeting_role=CHAIR)
    carer = guest(meeting, "Cara Dee", "carer", admit_by=chair)
    first = scaling.open_round(meeting.id, chair).payload["round"]
    score(meeting, carer, first, 7, markers.reason(None, "deeshown"))
    scaling.reveal_round(meeting.id, chair, first)
    markers.shown.add("QzdeeshownA")
    second = scaling.open_round(meeting.id, chair).payload["round"]
    score(meeting, carer, second, 3, markers.reason(None, "deehidden"))
    documents.close_meeting(meeting.id, chair, {carer.id: "present"}, {})
    documents.issue(meeting.id, chair_user, "minutes", 1)


def everyone_scores(meeting, round_id, markers):
    """Every member scores, the carer changes theirs, a score arrives in advance, and a guest
    who scored is then taken out of the meeting (their score never counts)."""
    chair = seat(meeting, meeting_role=CHAIR)
    carer = seat(meeting, name="Pat Jones")
    score(meeting, carer, round_id, 3, markers.reason("participant", "part"))
    score(meeting, carer, round_id, 4, markers.reason("participant", "part"))
    score(meeting, seat(meeting, name="Morgan Reid"), round_id, 5,
          markers.reason("minute_taker", "minute"))
    score(meeting, chair, round_id, 6, markers.reason("chair", "chair"))
    away = seat(meeting, status=IN_ADVANCE)
    scaling.send_in_advance(meeting.id, away.id, 5, markers.reason(None, "advance"))
    gone = guest(meeting, "Rex Gone", "school", admit_by=chair)
    score(meeting, gone, round_id, 1, markers.reason(None, "gone"))
    meetings.remove(meeting.id, chair, gone.id)


# ---- Walking every route ------------------------------------------------------------------------

def candidates(endpoint, meeting):
    """The values each route parameter takes for one meeting (and what any meeting shares)."""
    invitees = db.session.scalars(db.select(Participant).filter_by(
        meeting_id=meeting.id, status=IN_ADVANCE)).all()
    return {
        "meeting_id": [meeting.id],
        "round_id": list(db.session.scalars(db.select(ScaleRound.id).filter_by(
            meeting_id=meeting.id))),
        "participant_id": [p.id for p in invitees],
        "token": [p.token for p in invitees] if endpoint == "scaling.in_advance"
        else [meeting.projector_token],
        "code": [meeting.type_code] if endpoint == "meeting_types.agenda"
        else [meeting.join_code],
        "kind": list(KINDS),
        "child_id": [meeting.child_id],
        "document_id": list(db.session.scalars(db.select(Document.id).filter_by(
            meeting_id=meeting.id))),
        "concern_id": list(db.session.scalars(db.select(StabilityConcern.id))),
    }


def every_get_url(app):
    """(endpoint, url) for every GET route and every set of parameters the world has."""
    found = set()
    all_meetings = db.session.scalars(db.select(Meeting)).all()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for meeting in all_meetings:
            values = candidates(rule.endpoint, meeting)
            unknown = set(rule.arguments) - set(values)
            assert not unknown, f"{rule.endpoint}: give the walk values for {unknown}"
            names = sorted(rule.arguments)
            query = MEETING_QUERIES.get(rule.endpoint)
            for combination in itertools.product(*(values[name] for name in names)):
                arguments = dict(zip(names, combination))
                with app.test_request_context():
                    found.add((rule.endpoint, url_for(rule.endpoint, **arguments)))
                    if query:
                        found.add((rule.endpoint, url_for(rule.endpoint, **arguments,
                                                          **{query: meeting.id})))
    return sorted(found)


def text_of(response):
    """What a person reads in an answer: a PDF's text, or the page, CSV or JSON as sent."""
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)
                                                                     ).pages)
    return response.get_data(as_text=True)


def walk(app, clients, markers, phase):
    """Every URL as every person: no one finds a marker that is neither theirs nor shown.
    Returns {(role, endpoint): markers found}, for the checks of what must be found."""
    urls = every_get_url(app)
    found, leaks = {}, []
    for endpoint, url in urls:
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code < 500, (phase, role, url, response.status_code)
            here = set(MARKER.findall(text_of(response)))
            found.setdefault((role, endpoint), set()).update(here)
            leaks += [f"{phase}: {role} read {marker} (whose: {markers.owner[marker]}) at {url}"
                      for marker in sorted(here & markers.forbidden_to(role))]
    assert leaks == []
    assert len(urls) > 40  # the walk really walked
    return found


# ---- Every socket message -----------------------------------------------------------------------

def sockets(app, clients, meeting):
    """Each person's live connection (where they get one), and the projector's."""
    connected = {}
    for role in ROLES:
        sio = IsolatedSocketClient(app, clients[role])
        if sio.is_connected():
            connected[role] = sio
    projector = IsolatedSocketClient(app, app.test_client(),
                                     auth={"meeting": meeting.id,
                                           "projector": meeting.projector_token})
    assert projector.is_connected()
    connected["projector"] = projector
    return connected


def socket_leaks(connected, meeting, markers, phase):
    """What each connection was sent, and what a replay of the whole meeting gives it."""
    leaks = []
    for who, sio in connected.items():
        heard = json.dumps(sio.get_received())
        replay = sio.emit("meeting.join", {"meeting": meeting.id, "since": 0}, callback=True)
        heard += json.dumps(replay)
        role = who if who in ROLES else None
        leaks += [f"{phase}: {who}'s socket carried {marker}"
                  for marker in sorted(set(MARKER.findall(heard)) & markers.forbidden_to(role))]
    return leaks


# ---- The test -----------------------------------------------------------------------------------

def test_no_score_reaches_anyone_but_its_author_before_the_reveal_on_any_path(world):
    app = world
    markers = Markers()
    unrevealed_round_elsewhere(markers)
    closed_meeting_with_rounds(markers)
    meeting = the_meeting()
    clients = people(app, meeting)
    connected = sockets(app, clients, meeting)
    round_id = scaling.open_round_of(meeting.id).id

    # While the round is open: only one's own.
    everyone_scores(meeting, round_id, markers)
    found = walk(app, clients, markers, "open")
    assert socket_leaks(connected, meeting, markers, "open") == []
    assert "QzpartB" in found[("participant", "scaling.mine")]  # the carer sees their own
    assert "QzchairA" in found[("chair", "scaling.mine")]
    assert "QzdeeshownA" in found[("chair", "documents.download")]  # a revealed round, issued

    # The reveal shows the scores that count, as they stand: the carer's first reason, the
    # removed guest's and the other meetings' unrevealed rounds stay private.
    scaling.reveal_round(meeting.id, seat(meeting, meeting_role=CHAIR), round_id)
    markers.shown |= {"QzpartB", "QzminuteA", "QzchairA", "QzadvanceA"}
    found = walk(app, clients, markers, "revealed")
    assert socket_leaks(connected, meeting, markers, "revealed") == []
    shown = {"QzpartB", "QzminuteA", "QzchairA", "QzadvanceA"}
    for role in MEMBERS:
        assert shown <= found[(role, "meetings.show")], f"{role}'s board after the reveal"
    assert shown <= found[("anonymous", "meetings.projector")]
    for route in ("audit.meeting_trail", "audit.meeting_trail_csv"):
        assert shown <= found[("chair", route)], f"the chair's {route} after the reveal"
    for route in ("audit.everything", "audit.everything_csv"):
        assert shown <= found[("admin", route)], f"the administrator's {route}"
    assert "QzdeehiddenA" not in found[("chair", "documents.download")]

    # Reopened: what the reveal showed stays known; a change since is private again.
    chair = seat(meeting, meeting_role=CHAIR)
    scaling.reopen_round(meeting.id, chair, round_id)
    score(meeting, seat(meeting, name="Pat Jones"), round_id, 8,
          markers.reason("participant", "part"))
    found = walk(app, clients, markers, "reopened")
    assert socket_leaks(connected, meeting, markers, "reopened") == []
    assert "QzpartC" in found[("participant", "scaling.mine")]
