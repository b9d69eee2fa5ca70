"""Who may reach what: every HTTP route and every socket event, for every kind of person.

The routes come from the app's own route map and the events from Socket.IO's own registry: a
route or event without a line in ROUTES or EVENTS fails the suite, so nothing new goes
unchecked. Every cell is tried for real, against a copy of one seeded world (so a change one
cell makes, a removal or a close, never leaks into the next):

  anonymous       nobody signed in, no seat
  other_guest     an admitted guest of another meeting
  lobby_guest     a guest of this meeting still in the lobby
  removed         a guest the chair took out of this meeting
  participant     an admitted guest (a carer)
  minute_taker    an admitted guest made minute taker
  chair           the member of staff who chairs this meeting
  other_staff     a member of staff who chairs another meeting
  admin           an administrator, not in this meeting

A cell is "let through" unless the answer is a refusal of who the person is: 401, 403, 404 or
410, or a redirect to sign in (for a socket event: a refused connection, or an error answer
with one of those statuses). Input that the service then refuses (400, 409) still counts as let
through: the access check came first.
"""
import shutil
from datetime import date

import pytest
from flask import current_app

from facilitator import clock
from facilitator.accounts.services import create_user
from facilitator.actions import services as actions
from facilitator.board import services as board
from facilitator.documents import services as documents
from facilitator.extensions import db, socketio
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Participant
from facilitator.panels import services as panels
from facilitator.scaling import services as scaling
from facilitator.stability import monitoring
from facilitator.stability import services as stability
from facilitator.stability.models import RouteTask, StabilityNotice
from tests.conftest import (
    PASSWORD,
    build_app,
    csrf_from,
    guest,
    new_meeting,
    sign_in,
    socket_client,
)

ROLES = ("anonymous", "other_guest", "lobby_guest", "removed", "participant", "minute_taker",
         "chair", "other_staff", "admin")
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"chair", "other_staff", "admin"})
ADMIN = frozenset({"admin"})
MEMBERS = frozenset({"participant", "minute_taker", "chair"})
RUNS = frozenset({"minute_taker", "chair"})
CHAIR = frozenset({"chair"})
SEATED = MEMBERS | {"lobby_guest"}
NOBODY = frozenset()
DENIED = {401, 403, 404, 410}
# The destructive go last, so a cell that removes, closes or deletes cannot spoil the others of
# its route (each route gets its own copy of the world anyway).
ORDER = ("anonymous", "other_guest", "lobby_guest", "removed", "other_staff", "participant",
         "minute_taker", "admin", "chair")

# endpoint -> who is let through. "token" routes are reached with the link's secret; the
# secret itself is the right (a wrong one is tested in test_meetings and test_scaling_*).
ROUTES = {
    "meetings.index": EVERYONE,
    "pages.accessibility": EVERYONE,      # the accessibility statement, for anyone
    "accounts.sign_in_page": EVERYONE,
    "accounts.sign_in_sso": NOBODY,        # 404 everywhere until single sign-on is set up
    "accounts.sso_callback": NOBODY,
    "accounts.sign_out": EVERYONE,
    "accounts.accounts": ADMIN,
    "accounts.create_account": ADMIN,
    "accounts.set_active": ADMIN,
    "accounts.set_admin": ADMIN,
    "meeting_types.index": ADMIN,
    "meeting_types.agenda": ADMIN,
    "audit.everything": ADMIN,
    "audit.everything_csv": ADMIN,
    "audit.meetings": ADMIN,
    "audit.delete_meeting": ADMIN,
    "audit.meeting_trail": CHAIR,
    "audit.meeting_trail_csv": CHAIR,
    "meetings.new": STAFF,
    "meetings.join_by_code": EVERYONE,
    "meetings.join": EVERYONE,            # a seated person is sent on to their page
    "meetings.show": SEATED,
    "meetings.projector": EVERYONE,       # token
    "meetings.projector_qr": EVERYONE,    # token
    "meetings.admit": CHAIR,
    "meetings.decline": CHAIR,
    "meetings.remove": CHAIR,
    "meetings.minute_taker": CHAIR,
    "board.add": MEMBERS,
    "board.edit": MEMBERS,                # the author (the participant) and those who run it
    "board.move": RUNS,
    "board.remove": MEMBERS,
    "agenda.move": CHAIR,
    "agenda.extend": CHAIR,
    "agenda.show_on_screen": CHAIR,
    "scaling.open_round": CHAIR,
    "scaling.reveal": CHAIR,
    "scaling.reopen": CHAIR,
    "scaling.score": MEMBERS,
    "scaling.mine": MEMBERS,
    "scaling.invite": CHAIR,
    "scaling.advance_link": CHAIR,
    "scaling.in_advance": EVERYONE,       # token
    "panels.index": STAFF,
    "panels.create_series": STAFF,
    "panels.set_up": STAFF,
    "panels.add_case": RUNS,
    "panels.criterion": CHAIR,
    "panels.outcome": CHAIR,
    "panels.disagree": MEMBERS,
    "actions.propose": MEMBERS,
    "actions.confirm": RUNS,
    "actions.edit": RUNS,
    "actions.status": {"participant", "chair"},  # the action's owner (the carer) and the chair
    "actions.plan": STAFF,                        # any member of staff: the child's plan
    "actions.plan_csv": STAFF,
    "actions.plan_json": STAFF,
    "actions.carers_record": STAFF,
    "actions.plan_status": CHAIR,                 # the owner is a guest: from staff, the chair
    "decisions.record": CHAIR,
    "decisions.notified": RUNS,
    "decisions.add_view": MEMBERS,
    "decisions.save_offer": MEMBERS,
    # Documents: a closed meeting that only the chair (staff) is in; guests' access ended at
    # the close, and other staff were never in it.
    "documents.close_page": CHAIR,
    "documents.close": CHAIR,
    "documents.index": CHAIR,
    "documents.preview": CHAIR,
    "documents.correct": CHAIR,
    "documents.issue": CHAIR,
    "documents.retry": CHAIR,
    "documents.download": CHAIR,
    "documents.mine": STAFF,
    # Between meetings: any member of staff, nobody else.
    "stability.index": STAFF,
    "stability.new_concern": STAFF,
    "stability.concern": STAFF,
    "stability.confirm_route": STAFF,
    "stability.close_concern": STAFF,
    "stability.task_done": STAFF,
    "stability.contact_list": STAFF,
    "stability.log_call": STAFF,
    "stability.end_monitoring": STAFF,
    "stability.new_move": STAFF,
    "stability.child": STAFF,
    "stability.read_notice": {"other_staff"},     # a notice is read by the worker it is for
}

# What a form sends (valid as far as it can be without knowing who sends it), so that what
# decides is who the person is, not what they typed.
FORMS = {
    "accounts.create_account": {"email": "new@example.org", "name": "New Person",
                                "password": "a long first password"},
    "accounts.set_active": {"active": "0"},
    "accounts.set_admin": {"admin": "1"},
    "audit.delete_meeting": {"reason": "Set up in error"},
    "board.add": {"column": "worried", "text": "Mornings"},
    "board.edit": {"text": "Nights are harder", "version": "1"},
    "board.move": {"column": "working_well", "direction": "up"},
    "agenda.move": {"action": "start"},
    "agenda.extend": {"minutes": "5", "reason": "More to say"},
    "agenda.show_on_screen": {"on_screen": "scaling"},
    "scaling.score": {"value": "6", "reason": "Settling"},
    "scaling.invite": {"name": "Ivy Two", "attends_as": "iro"},
    "panels.add_case": {"case_reference": "CASE-7001", "child_name": "Jo Bloggs",
                        "direction": "up", "presenting_worker": "Sam Patel"},
    "panels.criterion": {"criterion": "chronology", "met": "1"},
    "panels.outcome": {"outcome": "deferred", "rationale": "Papers"},
    "panels.disagree": {"who": "A Person", "what": "Too soon"},
    "panels.create_series": {"locality": "1", "first_date": "2030-01-02"},
    "panels.set_up": {"panel_date": "2030-01-02"},
    "meetings.minute_taker": {"on": "1"},
    "actions.propose": {"what": "Respite weekend", "owner": "other", "owner_name": "CAMHS",
                        "timescale": "ongoing", "destination": "childs_plan"},
    "actions.edit": {"what": "Respite weekend", "owner": "other", "owner_name": "CAMHS",
                     "timescale": "ongoing", "destination": "childs_plan"},
    "actions.status": {"status": "done", "note": "Booked"},
    "actions.plan_status": {"status": "done", "note": "Booked"},
    "decisions.record": {"outcome": "maintain", "rationale": "Settling"},
    "decisions.notified": {"kind": "iro"},
    "decisions.add_view": {"source": "told", "text": "I like my room"},
    "decisions.save_offer": {"agency": "School", "offer": "A mentor"},
    "documents.correct": {"text": "x"},
    "documents.issue": {"version": "2", "reason": "Corrected"},
    "stability.confirm_route": {"route": "monitoring"},
    "stability.log_call": {"scale": "2", "note": "Calmer", "day": "2026-11-30",
                           "time": "10:00"},
    "stability.end_monitoring": {"reason": "Stable"},
}

EVENTS = {
    "meeting.join": MEMBERS,
    "lobby.wait": SEATED | {"removed"},   # a seat hears the chair's answer, whatever it is
    "card.add": MEMBERS,
    "card.edit": MEMBERS,
    "card.move": RUNS,
    "card.remove": MEMBERS,
    "agenda.move": CHAIR,
    "agenda.extend": CHAIR,
    "screen.show": CHAIR,
    "scaling.open": CHAIR,
    "scaling.reveal": CHAIR,
    "scaling.reopen": CHAIR,
    "scaling.score": MEMBERS,
    "scaling.invite": CHAIR,
    "panel.case_add": RUNS,
    "panel.criterion": CHAIR,
    "panel.outcome": CHAIR,
    "panel.disagree": MEMBERS,
    "actions.propose": MEMBERS,
    "actions.confirm": RUNS,
    "actions.edit": RUNS,
    "actions.status": {"participant", "chair"},
    "decisions.record": CHAIR,
    "decisions.notified": RUNS,
    "decisions.view": MEMBERS,
    "decisions.offer": MEMBERS,
}


# ---- The world ----------------------------------------------------------------------------------

def seat_of(meeting, user_id):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=user_id))


def cast(meeting, chair_seat):
    """A guest of every kind in `meeting`: admitted, minute taker, waiting, taken out."""
    seats = {
        "participant": guest(meeting, "Pat Jones", "carer", admit_by=chair_seat),
        "minute_taker": guest(meeting, "Morgan Reid", "other", admit_by=chair_seat),
        "lobby_guest": guest(meeting, "Lee Wait", "school"),
        "removed": guest(meeting, "Ray Gone", "other", admit_by=chair_seat),
    }
    meetings.set_minute_taker(meeting.id, chair_seat, seats["minute_taker"].id, True)
    meetings.remove(meeting.id, chair_seat, seats["removed"].id)
    return seats


def build_world():
    """A stability meeting and a panel with a person of every kind, another meeting, and what
    their routes need. Returns the URL parameters, the socket fields that reach real rows, and
    each guest's seats ({meeting id: token})."""
    chair = create_user("chair@example.org", "Alex Morgan", PASSWORD, "Team Manager")
    other = create_user("other@example.org", "Sam Patel", PASSWORD, "Social Worker")
    create_user("admin@example.org", "Robin Admin", PASSWORD, "Support", is_admin=True)
    meeting = new_meeting(chair)
    chair_seat = seat_of(meeting, chair.id)
    other_meeting = new_meeting(other, reference="CASE-0099", child="Sky Brown")
    series = panels.create_series(chair, locality_id=1, first_date=date(2030, 1, 2))
    panel = panels.set_up_panel(chair, series.id, date(2030, 1, 2))
    panel_chair = seat_of(panel, chair.id)

    seats = cast(meeting, chair_seat)
    panel_seats = cast(panel, panel_chair)
    outsider = guest(other_meeting, "Gus Other", "carer",
                     admit_by=seat_of(other_meeting, other.id))
    tokens = {role: {str(meeting.id): seats[role].token, str(panel.id): panel_seats[role].token}
              for role in seats}
    tokens["other_guest"] = {str(other_meeting.id): outsider.token}

    invited = meetings.invite_in_advance(meeting.id, chair_seat, name="Ivy Away",
                                         attends_as="iro")
    invited = db.session.get(Participant, invited.payload["participant"]["id"])
    card = board.add_card(meeting.id, seats["participant"], "worried", "Nights are hard")
    opened = scaling.open_round(meeting.id, chair_seat)
    case = panels.add_case(panel.id, panel_chair, case_reference="CASE-7001",
                           child_name="Jo Bloggs", direction="up", presenting_worker="Sam Patel")
    panels.record_outcome(panel.id, panel_chair, case.payload["slot"], "deferred", "Papers")
    action = actions.propose(meeting.id, seats["participant"], {
        "what": "Arrange a respite weekend", "owner": str(seats["participant"].id),
        "timescale": "ongoing", "destination": "childs_plan"})  # never past, whatever today is
    actions.confirm(meeting.id, chair_seat, action.payload["action"])
    closed, document, delivery = closed_meeting_with_minutes(chair)
    placement, task, notice = monitored_placement(chair, other)

    params = {"meeting_id": meeting.id, "card_id": card.payload["card"]["id"],
              "round_id": opened.payload["round"], "participant_id": seats["lobby_guest"].id,
              "user_id": other.id, "child_id": meeting.child_id, "series_id": series.id,
              "slot_id": case.payload["slot"], "action_id": action.payload["action"],
              "document_id": document.id, "delivery_id": delivery.id, "kind": "minutes",
              "concern_id": placement.concern_id, "placement_id": placement.id,
              "task_id": task.id, "notice_id": notice.id}
    special = {  # parameters whose meaning depends on the route
        ("meetings.projector", "token"): meeting.projector_token,
        ("meetings.projector_qr", "token"): meeting.projector_token,
        ("scaling.in_advance", "token"): invited.token,
        ("scaling.advance_link", "participant_id"): invited.id,
        ("meetings.join", "code"): meeting.join_code,
        ("meeting_types.agenda", "code"): meeting.type_code,
    }
    for endpoint in ("panels.add_case", "panels.criterion", "panels.outcome",
                     "panels.disagree"):
        special[(endpoint, "meeting_id")] = panel.id
    for endpoint in DOCUMENT_ROUTES:
        special[(endpoint, "meeting_id")] = closed.id
    fields = {"meeting": meeting.id, "card": params["card_id"], "round": params["round_id"],
              "slot": params["slot_id"], "action": params["action_id"]}
    return params, special, fields, tokens, panel.id


DOCUMENT_ROUTES = ("documents.close_page", "documents.close", "documents.index",
                   "documents.preview", "documents.correct", "documents.issue",
                   "documents.retry")


def closed_meeting_with_minutes(chair):
    """A meeting the chair has closed, with its minutes issued and an email that failed."""
    meeting = new_meeting(chair, reference="CASE-0077", child="Dee Closed")
    chair_seat = seat_of(meeting, chair.id)
    carer = guest(meeting, "Cal Carer", "carer", admit_by=chair_seat)
    documents.close_meeting(meeting.id, chair_seat, {carer.id: "present"},
                            {carer.id: "cal@example.org"})
    current_app.config["SMTP_HOST"] = ""  # no mail server: the email fails, to be retried
    document = documents.issue(meeting.id, chair, "minutes", 1)
    delivery = next(d for d in document.deliveries if d.channel == "email")
    return meeting, document, delivery


def monitored_placement(chair, worker):
    """A concern whose route puts the placement on the contact list, with a call at 5 that
    tells the named worker (other staff) and a task of the route."""
    record = stability.record_concern(
        chair, case_reference="CASE-0042", child_name="Jordan Lee Taylor", raised_by="Pat Jones",
        relationship="Foster carer", raised_at=clock.utcnow(), concern="Rows about phones.",
        scale=2, involvement="ast", involvement_worker="Chris Doe", first_consultation=True,
        named_worker_id=worker.id)
    stability.confirm_route(chair, record.id, record.proposed_route)
    placement = monitoring.active_placement(record.id)
    monitoring.log_call(chair, placement.id, called_at=clock.utcnow(), scale=5,
                        note="Carer asking for the child to move.")
    task = db.session.scalars(db.select(RouteTask).filter_by(concern_id=record.id)).first()
    notice = db.session.scalar(db.select(StabilityNotice).filter_by(user_id=worker.id))
    return placement, task, notice


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The seeded database file and every person's session cookie, made once per module."""
    folder = tmp_path_factory.mktemp("world")
    app = build_app(f"sqlite:///{folder / 'world.db'}")
    with app.app_context():
        params, special, fields, tokens, panel_id = build_world()
        cookies = {}
        for role in ROLES:
            client = app.test_client()
            if role in STAFF:
                email = {"chair": "chair@example.org", "other_staff": "other@example.org",
                         "admin": "admin@example.org"}[role]
                assert sign_in(client, email).status_code == 302
            elif role != "anonymous":
                with client.session_transaction() as session:
                    session["seats"] = tokens[role]
            csrf_from(client.get("/sign-in").get_data(as_text=True))  # a CSRF token in session
            cookies[role] = client.get_cookie("session").value
        db.session.remove()
        db.engine.dispose()
    return {"file": folder / "world.db", "params": params, "special": special,
            "fields": fields, "cookies": cookies, "panel": panel_id}


@pytest.fixture
def fresh(world, tmp_path):
    """A copy of the world for one route or event: its own database file and app."""
    copy = world["copy"] = tmp_path / "copy.db"
    shutil.copy(world["file"], copy)
    app = build_app(f"sqlite:///{copy}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def client_for(app, world, role):
    client = app.test_client()
    client.set_cookie("session", world["cookies"][role])
    return client


# ---- Every route and event has a line --------------------------------------------------------

def all_endpoints(app):
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if rule.endpoint != "static"})


def all_events():
    return sorted(set(socketio.server.handlers["/"]) - {"connect", "disconnect"})


def test_every_route_and_event_has_a_line_in_the_matrix(app):
    assert [e for e in all_endpoints(app) if e not in ROUTES] == [], \
        "a route with no line in ROUTES: say who may reach it"
    assert [e for e in all_events() if e not in EVENTS] == [], \
        "a socket event with no line in EVENTS: say who may send it"
    assert [e for e in ROUTES if e not in all_endpoints(app)] == []
    assert [e for e in EVENTS if e not in all_events()] == []


# ---- Every cell ---------------------------------------------------------------------------------

def denied(response, endpoint):
    if response.status_code in DENIED:
        return True
    to_sign_in = response.status_code in (301, 302, 303) and \
        "/sign-in" in response.headers.get("Location", "")
    return to_sign_in and endpoint != "accounts.sign_out"  # signing out always ends there


def url_of(app, world, endpoint):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: world["special"].get((endpoint, name), world["params"].get(name))
              for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(endpoint, **values), sorted(rule.methods - {"HEAD", "OPTIONS"})


def restore(app, world):
    """Put the world back as it was: the next cell must not see what this one changed."""
    db.session.remove()
    db.engine.dispose()
    shutil.copy(world["file"], world["copy"])


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_each_route_lets_through_exactly_who_it_should(fresh, world, endpoint):
    if endpoint not in all_endpoints(fresh):
        pytest.fail(f"{endpoint} is in ROUTES but not in the app")
    url, methods = url_of(fresh, world, endpoint)
    wrong = []
    for method in methods:
        for role in ORDER:
            client = client_for(fresh, world, role)
            if method == "GET":
                response = client.get(url)
            else:
                restore(fresh, world)
                token = csrf_from(client.get("/sign-in").get_data(as_text=True))
                response = client.post(url, data={"csrf_token": token,
                                                  **FORMS.get(endpoint, {})},
                                       headers={"HX-Request": "true"})
            assert response.status_code < 500, (method, url, role, response.status_code)
            let_through = not denied(response, endpoint)
            if let_through != (role in ROUTES[endpoint]):
                wrong.append(f"{method} {url} as {role}: {response.status_code} "
                             f"({'let through' if let_through else 'refused'})")
    assert wrong == []


# What a socket message carries besides the world's ids, so that who sends it is what decides.
EVENT_FIELDS = {
    "card.add": {"column": "worried", "text": "Mornings"},
    "card.edit": {"text": "Nights are harder", "version": 1},
    "card.move": {"column": "working_well", "direction": "up"},
    "agenda.move": {"action": "start"},
    "agenda.extend": {"minutes": 5, "reason": "More to say"},
    "screen.show": {"on_screen": "scaling"},
    "scaling.score": {"value": 6, "reason": "Settling"},
    "scaling.invite": {"name": "Ivy Two", "attends_as": "iro"},
    "panel.case_add": {"case_reference": "CASE-7002", "child_name": "Al Smith",
                       "direction": "up", "presenting_worker": "Sam Patel"},
    "panel.criterion": {"criterion": "chronology", "met": True},
    "panel.outcome": {"outcome": "deferred", "rationale": "Papers"},
    "panel.disagree": {"who": "A Person", "what": "Too soon"},
    "actions.propose": {"what": "Respite weekend", "owner": "other", "owner_name": "CAMHS",
                        "timescale": "ongoing", "destination": "childs_plan"},
    "actions.edit": {"what": "Respite weekend", "owner": "other", "owner_name": "CAMHS",
                     "timescale": "ongoing", "destination": "childs_plan"},
    "actions.status": {"status": "done", "note": "Booked"},
    "decisions.record": {"outcome": "maintain", "rationale": "Settling"},
    "decisions.notified": {"kind": "iro"},
    "decisions.view": {"source": "told", "text": "I like my room"},
    "decisions.offer": {"agency": "School", "offer": "A mentor"},
}
PANEL_EVENTS = {"panel.case_add", "panel.criterion", "panel.outcome", "panel.disagree"}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_each_socket_event_lets_through_exactly_who_it_should(fresh, world, event):
    if event not in all_events():
        pytest.fail(f"{event} is in EVENTS but not registered")
    data = {**world["fields"], **EVENT_FIELDS.get(event, {})}
    if event in PANEL_EVENTS:
        data["meeting"] = world["panel"]
    wrong = []
    for role in ORDER:
        restore(fresh, world)
        sio = socket_client(fresh, client_for(fresh, world, role))
        if not sio.is_connected():
            let_through, answer = False, "no connection"
        else:
            answer = sio.emit(event, dict(data), callback=True)
            assert isinstance(answer, dict) and not answer.get("retry"), (event, role, answer)
            let_through = answer["ok"] or answer.get("status") not in DENIED
            sio.disconnect()
        if let_through != (role in EVENTS[event]):
            wrong.append(f"{event} as {role}: {answer}")
    assert wrong == []
