"""The audit trail: every change with who, when and each value before and after; the chair's
view of their meeting's trail, the administrator's of everything, the CSV export, and an
administrator deleting a meeting, of which one entry survives."""
import csv
import io

import pytest
from flask_migrate import downgrade, upgrade

from facilitator.accounts.services import create_user
from facilitator.audit.models import AuditEvent
from facilitator.audit.trail import PRIVATE
from facilitator.board import services as board
from facilitator.board.models import Card
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings.models import Meeting, Participant
from facilitator.scaling import services as scaling
from facilitator.scaling.models import Score
from tests.conftest import PASSWORD, csrf_from, guest, new_meeting, sign_in


def trail(meeting, subject=None):
    query = db.select(AuditEvent).filter_by(meeting_id=meeting.id).order_by(AuditEvent.id)
    if subject:
        query = query.filter_by(subject=subject)
    return db.session.scalars(query).all()


@pytest.fixture
def carer(meeting, chair_seat):
    return guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)


@pytest.fixture
def admin(app):
    return create_user("admin@example.org", "Robin Admin", PASSWORD, "Business Support",
                       is_admin=True)


def test_a_card_is_traced_from_its_adding_through_every_edit_to_its_removal(meeting, carer):
    event = board.add_card(meeting.id, carer, "worried", "Bedtimes end in shouting")
    card_id = event.payload["card"]["id"]
    board.edit_card(meeting.id, carer, card_id, "Bedtimes end in tears")
    board.remove_card(meeting.id, carer, card_id)

    entries = trail(meeting, "cards")
    assert [e.action for e in entries] == ["created", "changed", "changed"]
    assert {e.actor for e in entries} == {"Pat Jones (Carer)"}
    assert {e.actor_participant_id for e in entries} == {carer.id}
    assert {e.subject_id for e in entries} == {str(card_id)}
    created, edited, removed = (e.changes for e in entries)
    assert created["text"] == [None, "Bedtimes end in shouting"]
    assert created["column"] == [None, "worried"]
    assert edited["text"] == ["Bedtimes end in shouting", "Bedtimes end in tears"]
    assert edited["version"] == [1, 2]
    assert removed["removed_at"][0] is None and removed["removed_at"][1].startswith("20")
    # Each entry was written in the change's own transaction, with the time it happened.
    assert all(e.at is not None for e in entries)


def test_a_refused_change_leaves_no_trace(meeting, carer):
    before = len(trail(meeting))
    with pytest.raises(Exception):
        board.add_card(meeting.id, carer, "worried", "x" * 501)
    assert len(trail(meeting)) == before


def test_staff_changes_outside_a_meeting_name_the_member_of_staff_and_hide_secrets(
        app, client, admin):
    sign_in(client, admin.email)
    token = csrf_from(client.get("/admin/accounts").get_data(as_text=True))
    client.post("/admin/accounts", data={"csrf_token": token, "email": "kit@example.org",
                                         "name": "Kit Lane", "password": "a long password"})
    entry = db.session.scalar(db.select(AuditEvent).filter_by(subject="users", action="created")
                              .order_by(AuditEvent.id.desc()))
    assert entry.actor == "Robin Admin (staff)" and entry.actor_user_id == admin.id
    assert entry.changes["email"] == [None, "kit@example.org"]
    assert entry.changes["password_hash"] == [None, "(not recorded)"]
    # A guest's secret token is never written into the trail either.
    seat_entry = db.session.scalar(db.select(AuditEvent).filter_by(subject="participants"))
    assert seat_entry is None or "(not recorded)" in str(seat_entry.changes.get("token"))
    assert "argon2" not in str([e.changes for e in db.session.scalars(
        db.select(AuditEvent))])


def test_the_chair_reads_and_exports_their_meetings_trail(app, client, meeting, carer,
                                                          chair_user):
    board.add_card(meeting.id, carer, "worried", "=HYPERLINK(\"http://x\") <b>loud</b>")
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/trail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pat Jones (Carer)" in html
    assert "&lt;b&gt;loud&lt;/b&gt;" in html and "<b>loud</b>" not in html
    assert f"/meetings/{meeting.id}/trail" in client.get(
        f"/meetings/{meeting.id}").get_data(as_text=True)

    export = client.get(f"/meetings/{meeting.id}/trail.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    text_row = next(r for r in rows if r["subject"] == "cards" and r["field"] == "text")
    assert text_row["after"] == "'=HYPERLINK(\"http://x\") <b>loud</b>"
    assert text_row["actor"] == "Pat Jones (Carer)" and text_row["meeting_id"] == str(meeting.id)
    assert {r["meeting_id"] for r in rows} == {str(meeting.id)}


def test_only_the_chair_and_an_administrator_read_a_meetings_trail(
        app, meeting, carer, chair_user, other_staff, admin):
    board.add_card(meeting.id, carer, "worried", "Bedtimes")
    other_meeting = new_meeting(other_staff, reference="CASE-0099", child="Sky Brown")
    path = f"/meetings/{meeting.id}/trail"
    assert app.test_client().get(path).status_code == 302   # to sign in
    staff = app.test_client()
    sign_in(staff, other_staff.email)
    assert staff.get(path).status_code == 403
    assert staff.get(path + ".csv").status_code == 403
    assert staff.get("/admin/audit").status_code == 403
    admin_client = app.test_client()
    sign_in(admin_client, admin.email)
    everything = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Bedtimes" in everything and "Sky Brown" in everything
    only_one = admin_client.get(f"/admin/audit?meeting={other_meeting.id}").get_data(
        as_text=True)
    assert f"created meetings {other_meeting.id}" in only_one and "Bedtimes" not in only_one
    assert "Bedtimes" in admin_client.get("/admin/audit.csv").get_data(as_text=True)


def test_an_administrator_deletes_a_meeting_and_one_entry_survives(
        app, client, meeting, carer, chair_user, other_staff, admin):
    board.add_card(meeting.id, carer, "worried", "Bedtimes end in shouting")
    kept = new_meeting(other_staff, reference="CASE-0099", child="Sky Brown")
    board.add_card(kept.id, db.session.scalar(db.select(Participant).filter_by(
        meeting_id=kept.id)), "worried", "School is hard")
    gone_id = meeting.id
    sign_in(client, admin.email)
    page = client.get("/admin/meetings").get_data(as_text=True)
    token = csrf_from(page)

    refused = client.post(f"/admin/meetings/{gone_id}/delete", data={"csrf_token": token,
                                                                     "reason": "  "})
    assert refused.status_code == 400
    assert "Enter why the meeting is being deleted." in refused.get_data(as_text=True)
    assert db.session.get(Meeting, gone_id) is not None

    response = client.post(f"/admin/meetings/{gone_id}/delete", data={
        "csrf_token": token, "reason": "Set up for the wrong child"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, gone_id) is None
    for model in (Card, Participant, MeetingEvent):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)
                                 .filter_by(meeting_id=gone_id)) == 0
    left = db.session.scalars(db.select(AuditEvent).filter_by(meeting_id=gone_id)).all()
    assert [(e.action, e.actor) for e in left] == [("deleted meeting",
                                                    "Robin Admin (administrator)")]
    assert left[0].changes["reason"][0] == "Set up for the wrong child"
    assert "Bedtimes" not in str(left[0].changes)
    # The other meeting and its trail are untouched.
    assert db.session.get(Meeting, kept.id) is not None
    assert [c.text for c in db.session.scalars(db.select(Card).filter_by(meeting_id=kept.id))] \
        == ["School is hard"]
    assert trail(kept, "cards")


def test_only_an_administrator_deletes_a_meeting(app, client, meeting, chair_user):
    sign_in(client, chair_user.email)
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post(f"/admin/meetings/{meeting.id}/delete",
                           data={"csrf_token": token, "reason": "tidying"})
    assert response.status_code == 403
    assert db.session.get(Meeting, meeting.id) is not None


def test_a_score_is_traced_by_who_and_when_and_its_value_only_as_the_reveal_shows_it(
        app, client, meeting, chair_seat, carer, chair_user):
    round_id = scaling.open_round(meeting.id, chair_seat).payload["round"]
    scaling.submit_score(meeting.id, carer, round_id, 3, "FIRST-THOUGHT nights are long")
    scaling.submit_score(meeting.id, carer, round_id, 5, "SECOND-THOUGHT calmer at school")
    given, changed = trail(meeting, "scores")
    assert (given.action, changed.action) == ("created", "changed")
    assert given.actor == changed.actor == "Pat Jones (Carer)" and given.at and changed.at
    assert given.changes["participant_id"] == [None, carer.id]
    assert given.changes["value"] == given.changes["reason"] == [None, PRIVATE]
    assert changed.changes["value"] == changed.changes["reason"] == [PRIVATE, PRIVATE]
    sign_in(client, chair_user.email)
    before = client.get(f"/meetings/{meeting.id}/trail").get_data(as_text=True)
    assert "THOUGHT" not in before and "Pat Jones (Carer)" in before and "changed scores" in before

    scaling.reveal_round(meeting.id, chair_seat, round_id)
    revealed = trail(meeting, "scores")[-1]
    assert (revealed.action, revealed.actor) == ("revealed", "Alex Morgan (Chair)")
    assert revealed.changes == {"value": [None, 5],
                                "reason": [None, "SECOND-THOUGHT calmer at school"]}
    after = client.get(f"/meetings/{meeting.id}/trail.csv").get_data(as_text=True)
    assert "SECOND-THOUGHT" in after and "FIRST-THOUGHT" not in after

    scaling.reopen_round(meeting.id, chair_seat, round_id)
    scaling.submit_score(meeting.id, carer, round_id, 8, "THIRD-THOUGHT after the reopening")
    assert "THIRD-THOUGHT" not in client.get(f"/meetings/{meeting.id}/trail.csv").get_data(
        as_text=True)


def test_the_upgrade_takes_scores_out_of_a_trail_written_before_and_keeps_what_was_shown(
        app, meeting, chair_seat, carer):
    shown = scaling.open_round(meeting.id, chair_seat).payload["round"]
    scaling.submit_score(meeting.id, carer, shown, 6, "SHOWN-REASON settled")
    scaling.reveal_round(meeting.id, chair_seat, shown)
    hidden = scaling.open_round(meeting.id, chair_seat).payload["round"]
    scaling.submit_score(meeting.id, carer, hidden, 9, "HIDDEN-REASON never revealed")
    # The trail as the code before the upgrade wrote it: every value as typed, no reveals.
    db.session.execute(db.delete(AuditEvent).filter_by(subject="scores"))
    for score in db.session.scalars(db.select(Score)):
        db.session.add(AuditEvent(actor="Pat Jones (Carer)", meeting_id=meeting.id,
                                  action="created", subject="scores", subject_id=str(score.id),
                                  changes={"value": [None, score.value],
                                           "reason": [None, score.reason],
                                           "round_id": [None, score.round_id]}))
    db.session.commit()

    downgrade(revision="0010")
    upgrade()
    db.session.expire_all()
    entries = trail(meeting, "scores")
    assert "HIDDEN-REASON" not in str([e.changes for e in entries])
    created = [e for e in entries if e.action == "created"]
    assert [e.changes["value"] for e in created] == [[None, PRIVATE]] * 2
    assert {e.changes["round_id"][1] for e in created} == {shown, hidden}  # the rest is kept
    (revealed,) = [e for e in entries if e.action == "revealed"]
    assert revealed.changes == {"value": [None, 6], "reason": [None, "SHOWN-REASON settled"]}
