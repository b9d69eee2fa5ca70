"""The agenda drives the room: each agenda item's kind (data on the meeting type) decides what
every page puts first and what the projector shows; the chair can put another section on the
screen for a while. Pages are composed of sections the domains register (live/sections.py).

Service and page level, with the Flask test client and Socket.IO test client; the screens
themselves are measured in Chromium by tests/test_browser_room*.py.
"""
import ast
import re
from pathlib import Path

import pytest
from flask import current_app

from facilitator.agenda import phases
from facilitator.agenda import services as agenda
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.live.render import message
from facilitator.live.sections import present, sections_for
from facilitator.meetings.models import Meeting, MeetingType
from facilitator.scaling import services as scaling
from tests.conftest import guest, new_meeting, sign_in, socket_client

ROOT = Path(__file__).resolve().parent.parent
PSM_KINDS = ["welcome", "column:worried", "column:working_well", "childs_views", "offers",
             "scaling", "actions", "decision"]


def phase_attributes(html):
    """The room's data attributes on a page's #meeting element."""
    tag = re.search(r'<div id="meeting"[^>]*>', html).group(0)
    return dict(re.findall(r'(data-(?:phase|phase-kind|phase-column|screen|screen-column))="'
                           r'([^"]*)"', tag))


def section_order(html):
    return re.findall(r'<div id="section-(\w+)" class="app-section', html)


def last_message(meeting_id, audience):
    """The latest event as this audience receives it over the socket."""
    event = db.session.scalars(db.select(MeetingEvent).filter_by(meeting_id=meeting_id)
                               .order_by(MeetingEvent.seq.desc()).limit(1)).one()
    with current_app.test_request_context():
        return message(event, audience)


def attributes_op(wire):
    return next(op["values"] for op in wire["ops"] if op["op"] == "attributes")


def test_every_seeded_type_says_what_each_agenda_item_shows(app):
    types = {t.code: t for t in db.session.scalars(db.select(MeetingType))}
    assert [phases.entry_value(e) for e in types["placement_stability"].agenda] == PSM_KINDS
    for meeting_type in types.values():
        for entry in meeting_type.agenda:
            kind, column = phases.item_kind(entry, meeting_type.columns)
            assert (kind, column) == (entry["kind"], entry.get("column")), entry
        # Every type opens with its welcome; the multi-agency type's items are its columns.
        assert meeting_type.agenda[0]["kind"] == "welcome"
    assert [e.get("column") for e in types["multi_agency_stability_support"].agenda[1:4]] == [
        "stress_factors", "strengths", "solutions"]
    assert types["stability_review"].agenda[1]["kind"] == "carried"


def test_a_meeting_copies_the_kinds_and_its_pages_follow_the_agenda(
        client, chair_user, meeting, chair_seat):
    sign_in(client, chair_user.email)
    board = client.get(f"/meetings/{meeting.id}").text
    assert phase_attributes(board)["data-phase"] == "welcome"
    assert section_order(board)[0] == "welcome"
    assert [phases.Phase(i.kind, i.board_column).value
            for i in agenda.items_of(meeting.id)] == PSM_KINDS

    agenda.move(meeting.id, chair_seat, "start")
    agenda.move(meeting.id, chair_seat, "next")          # "What are we worried about?"
    board = client.get(f"/meetings/{meeting.id}").text
    assert phase_attributes(board) == {
        "data-phase": "board", "data-phase-kind": "column", "data-phase-column": "worried",
        "data-screen": "board", "data-screen-column": "worried"}
    assert section_order(board)[0] == "board"
    assert 'app-column app-column--worried app-column--now' in board

    for _ in range(4):                                   # on to scaling
        agenda.move(meeting.id, chair_seat, "next")
    board = client.get(f"/meetings/{meeting.id}").text
    assert phase_attributes(board)["data-phase"] == "scaling"
    assert section_order(board)[0] == "scaling"


def test_a_participants_phone_puts_the_current_column_first_with_its_box_above_the_cards(
        app, meeting, chair_seat):
    carer = guest(meeting, admit_by=chair_seat)
    agenda.move(meeting.id, chair_seat, "start")
    agenda.move(meeting.id, chair_seat, "next")
    agenda.move(meeting.id, chair_seat, "next")          # "What is working well?"
    phone = app.test_client()
    with phone.session_transaction() as session:
        session["seats"] = {str(meeting.id): carer.token}
    page = phone.get(f"/meetings/{meeting.id}").text
    assert "Now: <strong>What is working well?</strong>" in page
    assert "Add what you think below" in page
    assert re.findall(r'data-column="(\w+)"', page) == ["working_well", "worried",
                                                        "needs_to_happen"]
    form = page.index('id="new-card-working_well"')
    assert form < page.index('id="column-working_well"')


def test_show_on_screen_puts_a_section_on_the_projector_until_the_agenda_moves(
        client, chair_user, meeting, chair_seat):
    agenda.move(meeting.id, chair_seat, "start")
    agenda.show_on_screen(meeting.id, chair_seat, "scaling")
    projector = client.get(f"/meetings/{meeting.id}/projector/{meeting.projector_token}").text
    assert phase_attributes(projector)["data-phase"] == "welcome"
    assert phase_attributes(projector)["data-screen"] == "scaling"
    for audience in ("chair", "participant", "projector"):
        assert attributes_op(last_message(meeting.id, audience))["data-screen"] == "scaling"
    chair_wire = last_message(meeting.id, "chair")
    assert chair_wire["announce"] == "The screen shows: Scaling."
    assert any(op.get("into") == "screen-console" for op in chair_wire["ops"])

    agenda.show_on_screen(meeting.id, chair_seat, "column:needs_to_happen")
    assert db.session.get(Meeting, meeting.id).on_screen == "column:needs_to_happen"
    agenda.move(meeting.id, chair_seat, "next")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen is None
    wire = last_message(meeting.id, "projector")
    assert attributes_op(wire) == {
        "data-phase": "board", "data-phase-kind": "column", "data-phase-column": "worried",
        "data-screen": "board", "data-screen-column": "worried"}


@pytest.mark.parametrize("value, words", [
    ("nonsense", "Choose what to show on the screen."),
    ("column:learning", "Choose what to show on the screen."),   # not a column of this type
    ("close", "Choose what to show on the screen."),
    ("scaling:worried", "Choose what to show on the screen."),
])
def test_show_on_screen_refuses_what_is_not_a_section_and_changes_nothing(
        app, meeting, chair_seat, value, words):
    before = db.session.get(Meeting, meeting.id).last_seq
    with pytest.raises(Refused) as refused:
        agenda.show_on_screen(meeting.id, chair_seat, value)
    assert refused.value.message == words and refused.value.field == "on_screen"
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).last_seq == before
    assert db.session.get(Meeting, meeting.id).on_screen is None


def test_only_the_chair_chooses_the_screen_and_only_for_their_own_meeting(
        app, chair_user, meeting, chair_seat):
    carer = guest(meeting, admit_by=chair_seat)
    with pytest.raises(Refused) as refused:
        agenda.show_on_screen(meeting.id, carer, "scaling")
    assert refused.value.status == 403
    assert refused.value.message == "Only the chair can choose what the screen shows."
    other = new_meeting(chair_user, reference="CASE-0077", child="Dee Fox")
    with pytest.raises(Refused):
        agenda.show_on_screen(other.id, chair_seat, "scaling")   # a seat of another meeting
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen is None
    assert db.session.get(Meeting, other.id).on_screen is None


def test_the_chair_chooses_the_screen_over_the_socket_and_a_plain_form(
        app, client, chair_user, meeting):
    sign_in(client, chair_user.email)
    board = client.get(f"/meetings/{meeting.id}").text
    assert 'data-live="screen.show"' in board and "Show on screen" in board
    live = socket_client(app, client)
    answer = live.emit("screen.show", {"meeting": meeting.id, "on_screen": "offers"},
                       callback=True)
    assert answer["ok"] is True
    assert db.session.get(Meeting, meeting.id).on_screen == "offers"
    bad = live.emit("screen.show", {"meeting": meeting.id, "on_screen": "<b>x</b>"},
                    callback=True)
    assert bad["ok"] is False and bad["error"] == "Choose what to show on the screen."
    token = re.search(r'name="csrf_token" value="([^"]+)"', board).group(1)
    posted = client.post(f"/meetings/{meeting.id}/screen",
                         data={"csrf_token": token, "on_screen": ""})
    assert posted.status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen is None


def test_a_panel_has_its_cases_and_no_stability_sections(app, chair_user):
    panel_type = db.session.get(MeetingType, "step_up_step_down")
    meeting = new_meeting(chair_user, type_code=panel_type.code, reference="CASE-0101")
    keys = {s.key for s in sections_for(meeting, "participant")}
    assert {"panel", "board", "scaling", "agenda", "welcome"} <= keys
    assert not keys & {"actions", "childs_views", "offers", "decision", "carried"}
    assert present(meeting) == keys - {"agenda"}       # the projector has no agenda section
    assert phases.Phase("actions").section(present(meeting)) == "board"


def test_the_meeting_views_are_composed_not_imported():
    """The meeting's pages know no feature: each domain registers its sections."""
    tree = ast.parse((ROOT / "facilitator/meetings/views.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    features = {"board", "scaling", "agenda", "actions", "decisions", "panels", "documents"}
    assert not {m for m in imported
                if m.startswith("facilitator.") and m.split(".")[1] in features}, imported


def test_opening_scoring_puts_it_on_the_screen_until_the_agenda_moves_on(app, meeting,
                                                                          chair_seat):
    agenda.move(meeting.id, chair_seat, "start")                 # the welcome
    scaling.open_round(meeting.id, chair_seat)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen == "scaling"
    assert attributes_op(last_message(meeting.id, "projector"))["data-screen"] == "scaling"
    agenda.move(meeting.id, chair_seat, "next")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen is None


def test_opening_scoring_during_the_scaling_item_leaves_the_screen_following_the_agenda(
        app, meeting, chair_seat):
    agenda.move(meeting.id, chair_seat, "start")
    for _ in range(5):
        agenda.move(meeting.id, chair_seat, "next")
    assert agenda.agenda_view(meeting.id)["current"].kind == "scaling"
    scaling.open_round(meeting.id, chair_seat)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).on_screen is None
