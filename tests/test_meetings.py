"""Staff sign-in, setting up a meeting, joining through the lobby, the three views, and the
socket handlers at unit level (Flask test client and Flask-SocketIO's test client)."""
from datetime import date, time

import pytest

from facilitator.accounts.models import User
from facilitator.clock import from_london
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Child, Meeting, Participant
from tests.conftest import PASSWORD, csrf_from, guest, sign_in, socket_client

# ---- Staff accounts ------------------------------------------------------------------------------

def test_create_user_command_stores_an_argon2_hash(app, runner):
    result = runner.invoke(args=["create-user", "--email", "Manager@Example.org", "--name",
                                 "Kim Lee", "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email="manager@example.org"))
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash


def test_create_user_command_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["create-user", "--email", "a@example.org", "--name", "A",
                                 "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_sign_in_with_the_wrong_password_says_so_and_signs_nobody_in(client, chair_user):
    response = sign_in(client, chair_user.email, "wrong password")
    assert response.status_code == 401
    assert "The email address or password is not right." in response.get_data(as_text=True)
    assert client.get("/meetings/new").status_code == 302  # still signed out


def test_sign_in_and_out(client, chair_user):
    assert sign_in(client, chair_user.email).headers["Location"] == "/"
    assert "Your meetings" in client.get("/").get_data(as_text=True)
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/sign-out", data={"csrf_token": token})
    assert "Join a meeting" in client.get("/").get_data(as_text=True)


def test_sign_in_never_redirects_off_site(client, chair_user):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in?next=//evil.example/x", data={
        "csrf_token": token, "email": chair_user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_forms_without_a_csrf_token_are_rejected(client, chair_user):
    sign_in(client, chair_user.email)
    response = client.post("/meetings/new", data={"case_reference": "X", "child_name": "Y"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 0


# ---- Setting up a meeting ------------------------------------------------------------------------

def test_staff_set_up_a_meeting_and_become_its_chair(client, chair_user):
    sign_in(client, chair_user.email)
    token = csrf_from(client.get("/meetings/new").get_data(as_text=True))
    response = client.post("/meetings/new", data={
        "csrf_token": token, "type_code": "placement_stability", "immediate_risk": "no",
        "case_reference": "CR-77",
        "child_name": "Jordan Lee-Smith", "day": "2026-07-01", "time": "10:30",
        "location": "Room 4"})
    assert response.status_code == 303
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.child.initials == "J.L."
    assert meeting.scheduled_at == from_london(date(2026, 7, 1), time(10, 30))
    assert meeting.scheduled_at.hour == 9  # 10:30 BST is 09:30 UTC
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id))
    assert (chair.user_id, chair.meeting_role, chair.status) == (chair_user.id, "chair", "admitted")
    board = client.get(response.headers["Location"]).get_data(as_text=True)
    for question in ("What are we worried about?", "What is working well?",
                     "What needs to happen?"):
        assert question in board
    assert meeting.join_code in board


def test_the_meeting_type_sets_the_board_and_the_scale(client, chair_user):
    sign_in(client, chair_user.email)
    form = client.get("/meetings/new").get_data(as_text=True)
    assert "Multi-Agency Stability Support Meeting" in form
    response = client.post("/meetings/new", data={
        "csrf_token": csrf_from(form), "type_code": "multi_agency_stability_support",
        "case_reference": "CR-78", "child_name": "Kai Brown", "day": "2026-07-01",
        "time": "14:00", "location": "Online"})
    board = client.get(response.headers["Location"]).get_data(as_text=True)
    for question in ("What is causing stress to the placement?",
                     "What are the strengths and support networks?",
                     "What will support stability?"):
        assert question in board
    assert "What are we worried about?" not in board
    assert "Placement Stability Scale, 1 to 5" in board  # the chair's scaling question
    unknown = client.post("/meetings/new", data={
        "csrf_token": csrf_from(form), "type_code": "made_up", "case_reference": "CR-79",
        "child_name": "Kai Brown", "day": "2026-07-01", "time": "14:00", "location": "Online"})
    assert "Choose a type of meeting." in unknown.get_data(as_text=True)


def test_missing_fields_are_named_in_the_error_summary(client, chair_user):
    sign_in(client, chair_user.email)
    token = csrf_from(client.get("/meetings/new").get_data(as_text=True))
    page = client.post("/meetings/new", data={"csrf_token": token}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter the child&#39;s case reference." in page
    assert "Enter the date of the meeting." in page


def test_a_case_reference_cannot_be_reused_for_a_different_child(chair_user, meeting):
    from facilitator.errors import Refused
    from tests.conftest import new_meeting

    with pytest.raises(Refused, match="different name"):
        new_meeting(chair_user, reference=meeting.child.case_reference, child="Someone Else")
    again = new_meeting(chair_user, reference=meeting.child.case_reference,
                        child=meeting.child.name.upper())
    assert again.child_id == meeting.child_id  # the same child's next meeting


@pytest.mark.parametrize("name, initials", [
    ("Jordan Taylor", "J.T."), ("jordan", "J."), ("Mary Ann  O'Neil", "M.O."), ("  ", "")])
def test_initials(name, initials):
    assert Child(case_reference="x", name=name).initials == initials


def test_join_codes_are_short_unambiguous_and_unique(chair_user):
    from tests.conftest import new_meeting

    codes = {new_meeting(chair_user, reference=f"R{i}", child=f"Child {i}").join_code
             for i in range(30)}
    assert len(codes) == 30
    assert all(len(c) == 6 and not set(c) & set("01IOL") for c in codes)


# ---- Joining through the lobby -------------------------------------------------------------------

def join(client, meeting, name="Pat Jones", attends_as="carer"):
    page = client.get(f"/join/{meeting.join_code.lower()}")
    return client.post(f"/join/{meeting.join_code}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "name": name,
        "attends_as": attends_as})


def test_a_guest_waits_in_the_lobby_until_the_chair_admits_them(app, client, meeting, chair_seat):
    card_text = "A worry only people in the meeting may read"
    from facilitator.board.services import add_card

    add_card(meeting.id, chair_seat, "worried", card_text)
    response = join(client, meeting)
    assert response.status_code == 303
    lobby = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Waiting for the chair to let you in" in lobby and card_text not in lobby
    seat = db.session.scalar(db.select(Participant).filter_by(name="Pat Jones"))
    assert seat.status == "lobby" and seat.user_id is None
    meetings.admit(meeting.id, chair_seat, seat.id)
    board = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert card_text in board and "Pat Jones (Carer)" in board


def test_asking_twice_does_not_make_two_lobby_entries(client, meeting):
    join(client, meeting)
    assert client.get(f"/join/{meeting.join_code}").status_code == 302  # straight to the lobby
    assert db.session.scalar(db.select(db.func.count(Participant.id))
                             .filter_by(status="lobby")) == 1


def test_the_join_form_needs_a_name_and_a_role(client, meeting):
    page = client.get(f"/join/{meeting.join_code}").get_data(as_text=True)
    response = client.post(f"/join/{meeting.join_code}", data={"csrf_token": csrf_from(page)})
    text = response.get_data(as_text=True)
    assert "Enter your name." in text and "Choose who you are in this meeting." in text
    forged = client.post(f"/join/{meeting.join_code}", data={
        "csrf_token": csrf_from(page), "name": "X", "attends_as": "chair"})
    assert forged.status_code == 400
    assert "Choose who you are in this meeting." in forged.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Participant.id))) == 1  # the chair only


def test_an_unknown_code_says_what_to_do(client):
    response = client.get("/join/ZZZZZZ")
    assert response.status_code == 404
    assert "There is no open meeting with that code" in response.get_data(as_text=True)


def test_declined_and_removed_people_see_no_board(client, meeting, chair_seat):
    join(client, meeting)
    seat = db.session.scalar(db.select(Participant).filter_by(name="Pat Jones"))
    meetings.decline(meeting.id, chair_seat, seat.id)
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 403
    assert "The chair has not let you into this meeting." in response.get_data(as_text=True)


def test_only_the_chair_admits(app, meeting, chair_seat):
    waiting = guest(meeting, "Lee", "school")
    carer = guest(meeting, "Pat", "carer", admit_by=chair_seat)
    from facilitator.errors import Refused

    with pytest.raises(Refused, match="Only the chair"):
        meetings.admit(meeting.id, carer, waiting.id)
    with pytest.raises(Refused, match="Only the chair"):
        meetings.remove(meeting.id, carer, chair_seat.id)


def test_the_chair_admits_over_htmx_with_the_csrf_header(client, chair_user, meeting):
    waiting = guest(meeting, "Lee", "school")
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'id="lobby-{waiting.id}"' in page
    url = f"/meetings/{meeting.id}/people/{waiting.id}/admit"
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 400  # no token
    response = client.post(url, headers={"HX-Request": "true", "X-CSRFToken": csrf_from(page)})
    assert response.status_code == 204
    db.session.refresh(waiting)
    assert waiting.status == "admitted"


def test_a_refused_htmx_action_answers_a_sentence_for_the_chair(client, chair_user, meeting,
                                                                 chair_seat):
    carer = guest(meeting, "Pat", "carer", admit_by=chair_seat)
    sign_in(client, chair_user.email)
    token = csrf_from(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    response = client.post(f"/meetings/{meeting.id}/people/{carer.id}/admit",
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 409 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "Pat cannot be changed that way now."


# ---- The minute taker ------------------------------------------------------------------------

def minute_taker_post(client, meeting, person, token):
    return client.post(f"/meetings/{meeting.id}/people/{person.id}/minute-taker",
                       data={"on": "1"}, headers={"HX-Request": "true", "X-CSRFToken": token})


def test_a_carer_or_the_young_person_cannot_be_made_minute_taker(client, chair_user, meeting,
                                                                  chair_seat):
    carer = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    young = guest(meeting, "Riley Taylor", "young_person", admit_by=chair_seat)
    sign_in(client, chair_user.email)
    token = csrf_from(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    before = meeting.last_seq
    with pytest.raises(Refused) as refused:
        meetings.set_minute_taker(meeting.id, chair_seat, young.id, True)
    assert refused.value.message == ("Riley Taylor attends as young person, so cannot take the "
                                     "minutes. Choose a member of staff or a professional.")
    response = minute_taker_post(client, meeting, carer, token)
    assert response.status_code == 409 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "Pat Jones attends as carer, so cannot take the minutes. Choose a member of staff or a "
        "professional.")
    for person in (carer, young, meeting):
        db.session.refresh(person)
    assert carer.meeting_role == young.meeting_role == "participant"
    assert meeting.last_seq == before   # nothing recorded, nobody told


def test_a_professional_or_other_guest_can_be_made_minute_taker(client, chair_user, meeting,
                                                                chair_seat):
    worker = guest(meeting, "Dee Khan", "camhs", admit_by=chair_seat)
    helper = guest(meeting, "Morgan Reid", "other", admit_by=chair_seat)
    sign_in(client, chair_user.email)
    token = csrf_from(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert minute_taker_post(client, meeting, worker, token).status_code == 204
    db.session.refresh(worker)
    assert worker.meeting_role == "minute_taker"
    meetings.set_minute_taker(meeting.id, chair_seat, worker.id, False)
    meetings.set_minute_taker(meeting.id, chair_seat, helper.id, True)
    db.session.refresh(helper)
    assert helper.meeting_role == "minute_taker"


def test_the_chairs_list_offers_make_minute_taker_only_where_allowed(app, client, chair_user,
                                                                      meeting, chair_seat):
    people = {kind: guest(meeting, name, kind, admit_by=chair_seat) for kind, name in (
        ("carer", "Pat Jones"), ("young_person", "Riley Taylor"),
        ("supervising_social_worker", "Sam Okafor"), ("school", "Lee Brown"),
        ("other", "Morgan Reid"))}
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)

    def offered(html, person):
        start = html.index(f'id="person-{person.id}"')
        return f"Make minute taker<span class=\"govuk-visually-hidden\"> (for {person.name})" \
            in html[start:html.index("</li>", start)]

    allowed = {"supervising_social_worker", "school", "other"}
    assert {kind for kind, person in people.items() if offered(page, person)} == allowed
    assert f'id="person-{people["carer"].id}"' in page   # still listed, and can be removed
    # The chair's list drawn live, as each person was let in, offers the same.
    admitted = {event.payload["participant"]["id"]: event for event in db.session.scalars(
        db.select(MeetingEvent).filter_by(meeting_id=meeting.id, type="participant.admitted"))}
    for kind, person in people.items():
        with app.test_request_context():
            ops = message(admitted[person.id], "chair")["ops"]
        assert offered("".join(op.get("html", "") for op in ops), person) == (kind in allowed)


def test_people_outside_the_meeting_get_nothing(client, other_staff, meeting):
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    sign_in(client, other_staff.email)
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 404 and meeting.child.name not in response.get_data(as_text=True)


# ---- The projector -------------------------------------------------------------------------------

def test_the_projector_shows_initials_the_code_and_no_controls(client, meeting, chair_seat):
    from facilitator.board.services import add_card

    add_card(meeting.id, chair_seat, "working_well", "Jordan loves football training")
    page = client.get(f"/meetings/{meeting.id}/projector/{meeting.projector_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "J.T." in html and meeting.child.name not in html
    assert meeting.child.case_reference not in html
    assert meeting.join_code in html and "Jordan loves football training" in html
    assert "<textarea" not in html and "data-live" not in html
    qr = client.get(f"/meetings/{meeting.id}/projector/{meeting.projector_token}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_a_wrong_projector_token_shows_nothing(client, meeting):
    response = client.get(f"/meetings/{meeting.id}/projector/not-the-token")
    assert response.status_code == 404 and meeting.child.initials not in response.get_data(
        as_text=True)


# ---- Headers -------------------------------------------------------------------------------------

def test_pages_forbid_inline_script_and_framing(client):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


# ---- Socket handlers (Flask-SocketIO test client) ------------------------------------------------

def test_a_socket_without_a_session_is_refused(app, client):
    sio = socket_client(app, client)
    assert not sio.is_connected()


def test_a_lobby_guest_cannot_join_the_meeting_room(app, client, meeting):
    join(client, meeting)
    sio = socket_client(app, client)
    reply = sio.emit("meeting.join", {"meeting": meeting.id, "since": 0}, callback=True)
    assert reply == {"ok": False, "error": "You are not in that meeting.", "status": 403}
    assert sio.emit("lobby.wait", {"meeting": meeting.id}, callback=True) == {
        "ok": True, "status": "lobby"}


def test_cards_added_over_the_socket_reach_the_room(app, client, chair_user, meeting, chair_seat):
    from flask import Flask  # noqa: F401  (the two clients are two browsers)

    guest_http = app.test_client()
    join(guest_http, meeting)
    seat = db.session.scalar(db.select(Participant).filter_by(name="Pat Jones"))
    meetings.admit(meeting.id, chair_seat, seat.id)
    sign_in(client, chair_user.email)
    chair_sio, guest_sio = socket_client(app, client), socket_client(app, guest_http)
    assert chair_sio.emit("meeting.join", {"meeting": meeting.id, "since": meeting.last_seq},
                          callback=True)["audience"] == "chair"
    joined = guest_sio.emit("meeting.join", {"meeting": meeting.id, "since": 0}, callback=True)
    assert joined["audience"] == "participant"
    assert [e["seq"] for e in joined["events"]] == list(range(1, meeting.last_seq + 1))
    chair_sio.get_received()
    reply = guest_sio.emit("card.add", {"meeting": meeting.id, "column": "worried",
                                        "text": "<i>sleep</i>", "key": "abc"}, callback=True)
    assert reply["ok"]
    received = [m for m in chair_sio.get_received() if m["name"] == "meeting.event"]
    assert len(received) == 1
    html = received[0]["args"][0]["ops"][0]["html"]
    assert "&lt;i&gt;sleep&lt;/i&gt;" in html and "<i>sleep" not in html
    assert 'data-live="card.move"' in html  # the chair's rendering has the chair's controls


@pytest.mark.parametrize("payload, error, status, field", [
    ("not a dict", "That message could not be read.", 400, None),
    ({"meeting": "abc", "column": "worried", "text": "x"}, "That meeting could not be found.", 404,
     None),
    ({"meeting": True, "column": "worried", "text": "x"}, "That meeting could not be found.", 404,
     None),
    ({"meeting": 1, "column": "worried", "text": ""}, "Enter what you want to say.", 400, "text"),
])
def test_malformed_socket_messages_get_a_clear_answer(app, client, chair_user, meeting, payload,
                                                      error, status, field):
    sign_in(client, chair_user.email)
    sio = socket_client(app, client)
    reply = sio.emit("card.add", payload, callback=True)
    # "field": the page shows the message beside the box it is about.
    assert reply == {"ok": False, "error": error, "status": status,
                     **({"field": field} if field else {})}


def test_demo_command_prints_the_urls_and_can_run_twice(app, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    meeting = db.session.scalar(db.select(Meeting))
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 1
    for text in ("/sign-in", "chair@example.org", f"/meetings/{meeting.id}/projector/",
                 f"/join/{meeting.join_code}"):
        assert text in second.output
