"""The N+1 guard: a staff page makes as many SQL statements for a big authority as for a small one.

Two worlds from the sample authority generator (the same seed; the second ten times the first),
every GET route of the staff area from the app's route map (pages and exports: the Child's Plan
CSV and JSON, the audit CSVs), each requested signed in, through the real sign-in form, as a
team manager and as an administrator, with its parameters filled from the world: the meeting,
child, concern and document with the most records. The statements each request makes are
counted on the engine (`before_cursor_execute`); a count that grows with the world is a query
per row. Deterministic: statements are counted, nothing is timed.
"""
import re

import pytest
from flask import url_for
from sqlalchemy import text

from facilitator.extensions import db
from tests.conftest import build_app, counted_statements, sign_in

SEED = "7"
SMALL, LARGE = 0.05, 0.5  # the team size: 19 and 188 meetings, 3 and 25 children in care
USERS = ("team_manager", "administrator")

# Each GET route of the staff area, and the world's values for its URL parameters.
ROUTES = {
    "meetings.index": {},
    "meetings.new": {},
    "meetings.show": {"meeting_id": "meeting"},
    "accounts.accounts": {},
    "meeting_types.index": {},
    "meeting_types.agenda": {"code": "type_code"},
    "audit.everything": {},
    "audit.everything_csv": {},
    "audit.meetings": {},
    "audit.meeting_trail": {"meeting_id": "meeting"},
    "audit.meeting_trail_csv": {"meeting_id": "meeting"},
    "actions.plan": {"child_id": "child"},
    "actions.plan_csv": {"child_id": "child"},
    "actions.plan_json": {"child_id": "child"},
    "actions.carers_record": {"child_id": "child"},
    "documents.close_page": {"meeting_id": "meeting"},
    "documents.index": {"meeting_id": "meeting"},
    "documents.preview": {"meeting_id": "meeting", "kind": "kind"},
    "documents.download": {"document_id": "document"},
    "documents.mine": {},
    "panels.index": {},
    "scaling.mine": {"meeting_id": "meeting", "round_id": "round"},
    "scaling.advance_link": {"meeting_id": "advance_meeting", "participant_id": "advance_seat"},
    "stability.index": {},
    "stability.new_concern": {},
    "stability.concern": {"concern_id": "concern"},
    "stability.contact_list": {},
    "stability.new_move": {},
    "stability.child": {"child_id": "child"},
}
# GET routes that are not the staff area's, and why.
EXCLUDED = {
    "static": "files from static/, no database",
    "accounts.sign_in_page": "the sign-in form, before anyone is signed in",
    "accounts.sign_in_sso": "single sign-on: a redirect to the authority's provider",
    "accounts.sso_callback": "single sign-on: the provider's answer",
    "pages.accessibility": "the accessibility statement, the same words for everyone",
    "meetings.join_by_code": "guests: typing a join code",
    "meetings.join": "guests: joining a meeting by its link",
    "meetings.projector": "the projector in the room, by its secret link",
    "meetings.projector_qr": "the projector's QR code, by its secret link",
    "scaling.in_advance": "a guest's personal link to send a score in advance",
}


def world_values(manager_email, type_code=None):
    """The records with the most in them, for the URL parameters: the closed meeting (of
    `type_code`, so both worlds show the same kind of page; a panel's pages are another kind)
    with the most events that the team manager chairs, so its pages open for them."""
    def one(sql):
        return db.session.scalar(text(sql))

    manager = one(f"SELECT id FROM users WHERE email = '{manager_email}'")
    of_type = f"= '{type_code}'" if type_code else "!= 'step_up_step_down'"
    meeting = one(f"SELECT m.id FROM meetings m JOIN participants p ON p.meeting_id = m.id "
                  f"WHERE p.user_id = {manager} AND p.meeting_role = 'chair' AND m.status = "
                  f"'closed' AND m.type_code {of_type} ORDER BY m.last_seq DESC, m.id")
    advance = (f"SELECT p.id FROM participants p JOIN participants c ON c.meeting_id = "
               f"p.meeting_id AND c.user_id = {manager} AND c.meeting_role = 'chair' WHERE "
               f"p.status = 'in_advance' ORDER BY p.meeting_id = {meeting} DESC, p.id")
    return {
        "meeting": meeting,
        "type_code": one(f"SELECT type_code FROM meetings WHERE id = {meeting}"),
        "round": one(f"SELECT id FROM scale_rounds WHERE meeting_id = {meeting}"),
        # Someone invited to send a score in advance, in a meeting the manager chairs.
        "advance_meeting": one(advance.replace("p.id", "p.meeting_id")),
        "advance_seat": one(advance),
        "child": one("SELECT c.id FROM children c ORDER BY (SELECT count(*) FROM actions a "
                     "WHERE a.child_id = c.id) + (SELECT count(*) FROM stability_concerns s "
                     "WHERE s.child_id = c.id) + (SELECT count(*) FROM placement_moves v "
                     "WHERE v.child_id = c.id) DESC, c.id"),
        "concern": one("SELECT s.id FROM stability_concerns s ORDER BY (SELECT count(*) FROM "
                       "route_tasks t WHERE t.concern_id = s.id) + (SELECT count(*) FROM "
                       "monitoring_calls c JOIN monitored_placements p ON p.id = "
                       "c.placement_id WHERE p.concern_id = s.id) DESC, s.id"),
        "document": one(f"SELECT d.id FROM documents d JOIN meetings m ON m.id = d.meeting_id "
                        f"JOIN participants p ON p.meeting_id = m.id AND p.meeting_role = "
                        f"'chair' WHERE p.user_id = {manager} ORDER BY (SELECT count(*) FROM "
                        f"deliveries v WHERE v.document_id = d.id) DESC, d.id"),
        "kind": "minutes",
    }


def make_world(folder, scale, type_code=None):
    app = build_app(f"sqlite:///{folder / f'world-{scale}.db'}")
    result = app.test_cli_runner().invoke(args=["sample-authority", "--size", "team",
                                                "--scale", str(scale), "--seed", SEED])
    assert result.exit_code == 0, result.output
    output = result.output
    password = re.search(r"password:\s+(\S+)", output).group(1)
    emails = {"team_manager": re.search(r"Team manager signs in as\s+(\S+)", output).group(1),
              "administrator": re.search(r"Administrator signs in as\s+(\S+)", output).group(1)}
    with app.app_context():
        values = world_values(emails["team_manager"], type_code)
    missing = sorted(key for key, value in values.items() if value is None)
    assert not missing, f"the world at scale {scale} has no {missing}: choose another SEED"
    clients = {}
    for user, email in emails.items():
        client = app.test_client()
        response = sign_in(client, email, password)
        assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]
        clients[user] = client
    return {"app": app, "values": values, "clients": clients}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("query-counts")
    small = make_world(folder, SMALL)
    built = {"small": small,
             "large": make_world(folder, LARGE, small["values"]["type_code"])}
    yield built
    for world in built.values():
        with world["app"].app_context():
            db.session.remove()
            db.engine.dispose()


def url_for_route(app, endpoint, values):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    params = {name: values[source] for name, source in ROUTES[endpoint].items()}
    assert set(params) == set(rule.arguments), f"{endpoint} takes {sorted(rule.arguments)}"
    with app.test_request_context():
        return url_for(endpoint, **params)


def statements(world, user, endpoint):
    url = url_for_route(world["app"], endpoint, world["values"])
    with world["app"].app_context():
        engine = db.engine
    with counted_statements(engine) as seen:
        response = world["clients"][user].get(url)
        response.get_data()  # a streamed export runs its queries as it is read
        response.close()
    return len(seen), response.status_code, url


def test_every_get_route_is_counted_or_excluded_with_a_reason(worlds):
    app = worlds["small"]["app"]
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert sorted(gets - set(ROUTES) - set(EXCLUDED)) == [], \
        "a new GET route: add it to ROUTES (with its parameters) or to EXCLUDED with a reason"
    assert sorted((set(ROUTES) | set(EXCLUDED)) - gets) == [], "no longer a GET route"
    assert set(ROUTES).isdisjoint(EXCLUDED)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_statements_do_not_grow_with_the_authority(worlds, endpoint, user):
    small, small_status, small_url = statements(worlds["small"], user, endpoint)
    large, large_status, large_url = statements(worlds["large"], user, endpoint)
    assert small_status == large_status, (
        f"{endpoint} as the {user}: {small_url} answered {small_status}, {large_url} "
        f"answered {large_status}")
    assert small == large, (
        f"{endpoint} as the {user} (HTTP {small_status}): {small} SQL statements in the small "
        f"world ({small_url}), {large} in the one ten times larger ({large_url})")
