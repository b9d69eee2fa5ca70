"""Issue 19, point 3: the room sees roles, never names.

On the projector no person's name appears anywhere, on the page or in any live message: cards,
the child's views, actions, scores and presence say what people attend as, numbered where two
share a role ("Carer 1", "Carer 2"), the same number on every view. A young person who chose
to be shown as "Young person" is shown so on everything they add, on every view and in the
minutes; the audit trail keeps who it was.
"""
import json
import re
from datetime import timedelta
from html import unescape

import pytest

from facilitator import clock
from facilitator.accounts.services import create_user
from facilitator.actions import services as actions
from facilitator.audit.models import AuditEvent
from facilitator.board import services as board
from facilitator.board.models import Card
from facilitator.decisions import services as decisions
from facilitator.documents import render
from facilitator.documents import services as documents
from facilitator.documents.models import MINUTES
from facilitator.extensions import db
from facilitator.live.broadcast import messages_for
from facilitator.live.models import MeetingEvent
from facilitator.meetings import services as meetings
from facilitator.meetings.labels import Room
from facilitator.meetings.models import CHAIR, Participant
from facilitator.scaling import services as scaling
from tests.conftest import PASSWORD, IsolatedSocketClient, guest, new_meeting, sign_in
from tests.test_documents import flat, pdf_text
from tests.test_scaling_sockets import seated

CHAIR_NAME = "Cornelius Ashdown"
# Names no page would say by chance: any word of one on the projector is a name shown.
GUESTS = {
    "carer_one": ("Pemberton Quill", "carer"),
    "carer_two": ("Lysander Oakhurst", "carer"),
    "young": ("Rowena Thistlewood", "young_person"),
    "worker": ("Desmond Ironbridge", "childs_social_worker"),
    "gone": ("Rexford Gallowglass", "school"),
}
ADVANCE = ("Ottoline Fairweather", "camhs")
WAITING = ("Lucian Waitwell", "carer")      # still in the lobby: takes no number
TURNED_AWAY = ("Barnaby Crumplehorn", "carer")
OWNER_TYPED = "Augusta Brambleby"          # an action's owner who is not in the meeting
EVERY_NAME = [CHAIR_NAME, *(name for name, _ in GUESTS.values()), ADVANCE[0], WAITING[0],
              TURNED_AWAY[0], OWNER_TYPED]
YOUNG_REASON = "I feel safe with my carers"


def names_in(text):
    """Every word of anyone's name found in `text`."""
    words = {word for name in EVERY_NAME for word in name.split()}
    return sorted(word for word in words if re.search(rf"\b{word}\b", text))


def projector_page(app, meeting):
    return app.test_client().get(
        f"/meetings/{meeting.id}/projector/{meeting.projector_token}").get_data(as_text=True)


def seat_page(app, seat):
    return seated(app, seat).get(f"/meetings/{seat.meeting_id}").get_data(as_text=True)


def chair_page(app, chair_seat):
    client = app.test_client()
    assert sign_in(client, "chair@example.org").status_code == 302
    return client.get(f"/meetings/{chair_seat.meeting_id}").get_data(as_text=True)


def text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def element(html, element_id, tag="li"):
    """The text of one element (by id) of a page."""
    match = re.search(rf'<{tag} id="{element_id}"[^>]*>(.*?)</{tag}>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return text(match.group(1))


def card_author(html, card_id):
    match = re.search(rf'<li id="card-{card_id}".*?<p class="app-card__author">(.*?)</p>',
                      html, re.S)
    assert match, f"no card {card_id} on the page"
    return text(match.group(1))


def score_of(html, reason):
    """Who a revealed score is shown as, found by its reason."""
    match = re.search(r'<span class="app-score__who">([^<]*)</span>(?:(?!app-score__who).)*?'
                      rf'<p class="app-score__reason">{re.escape(reason)}</p>', html, re.S)
    assert match, f"no score with the reason {reason!r} on the page"
    return unescape(match.group(1))


def action_owner(html, action_id):
    block = re.search(rf'<li id="action-{action_id}".*?<dt>Who</dt><dd>(.*?)</dd>', html, re.S)
    assert block, f"no action {action_id} on the page"
    return text(block.group(1))


def one_card(seat, text_):
    return db.session.scalar(db.select(Card.id).filter_by(author_id=seat.id, text=text_))


# ---- A meeting with everything a person can add -------------------------------------------------

@pytest.fixture
def room(app):
    user = create_user("chair@example.org", CHAIR_NAME, PASSWORD, "Team Manager")
    meeting = new_meeting(user)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               meeting_role=CHAIR))
    projector = IsolatedSocketClient(app, app.test_client(), auth={
        "meeting": meeting.id, "projector": meeting.projector_token})
    assert projector.is_connected()
    assert projector.emit("meeting.join", {"meeting": meeting.id, "since": meeting.last_seq},
                          callback=True)["ok"]

    invited = meetings.invite_in_advance(meeting.id, chair, name=ADVANCE[0],
                                         attends_as=ADVANCE[1])
    away = db.session.get(Participant, invited.payload["participant"]["id"])
    people = {"chair": chair, "away": away}
    for key, (name, attends_as) in GUESTS.items():
        people[key] = guest(meeting, name, attends_as, admit_by=chair)
    people["waiting"] = guest(meeting, *WAITING)
    turned_away = guest(meeting, *TURNED_AWAY)
    meetings.decline(meeting.id, chair, turned_away.id)

    columns = [c["key"] for c in meeting.type.columns]
    cards = {}
    for n, key in enumerate(("chair", "carer_one", "carer_two", "young", "worker", "gone")):
        words = f"Card from the {key.replace('_', ' ')}"
        board.add_card(meeting.id, people[key], columns[n % len(columns)], words)
        cards[key] = one_card(people[key], words)
    board.edit_card(meeting.id, people["chair"], cards["carer_one"], "Card from carer one, tidied")
    board.move_card(meeting.id, people["chair"], cards["carer_two"], column=columns[0])

    decisions.add_view(meeting.id, people["young"], "child", "I want to stay")
    decisions.add_view(meeting.id, people["carer_one"], "observed", "Settled at tea time")
    decisions.save_offer(meeting.id, people["worker"], "CAMHS", "Weekly sessions")

    def action(proposer, owner, **fields):
        event = actions.propose(meeting.id, people[proposer], {
            "what": f"Action owned by {owner}", "timescale": "working_days",
            "timescale_number": "5", "destination": "childs_plan",
            "owner": str(people[owner].id) if owner in people else "other", **fields})
        if proposer != "chair":  # what the chair proposes is agreed at once
            actions.confirm(meeting.id, chair, event.payload["action"])
        return event.payload["action"]

    owned = {"carer_two": action("carer_one", "carer_two"), "young": action("chair", "young"),
             "typed": action("worker", "typed", owner_name=OWNER_TYPED)}
    actions.set_status(meeting.id, chair, owned["carer_two"], "done", "Booked")

    review = (clock.london_today() + timedelta(days=14)).isoformat()
    decisions.record_decision(meeting.id, chair, {"outcome": "maintain", "review_date": review,
                                                  "notify_iro": "1", "rationale": "Holding"})
    decisions.mark_notified(meeting.id, chair, "iro")

    first = scaling.open_round(meeting.id, chair).payload["round"]
    scaling.send_in_advance(meeting.id, away.id, 4, "Sent before the meeting")
    for key, value in (("chair", 6), ("carer_one", 7), ("carer_two", 5), ("worker", 3),
                       ("gone", 2)):
        scaling.submit_score(meeting.id, people[key], first, value, f"Reason of the {key}")
    scaling.submit_score(meeting.id, people["young"], first, 8, YOUNG_REASON, show_name=False)
    meetings.remove(meeting.id, chair, people["gone"].id)
    scaling.reveal_round(meeting.id, chair, first)
    second = scaling.open_round(meeting.id, chair).payload["round"]
    scaling.submit_score(meeting.id, people["carer_two"], second, 6, "Second thoughts")
    for person in people.values():
        db.session.refresh(person)
    return {"meeting": meeting, "user": user, "people": people, "cards": cards,
            "actions": owned, "projector": projector, "rounds": (first, second)}


# ---- Room labels ---------------------------------------------------------------------------------

def test_each_person_has_one_room_label_numbered_where_a_role_is_shared(room):
    people = room["people"]
    labels = Room(room["meeting"].id).labels()
    assert {key: labels[seat.id] for key, seat in people.items()} == {
        "chair": "Chair", "away": "CAMHS", "carer_one": "Carer 1", "carer_two": "Carer 2",
        "young": "Young person", "worker": "Child's social worker", "gone": "School",
        "waiting": "Carer"}  # someone still waiting to be let in takes no number


def test_two_carers_are_carer_1_and_carer_2_on_every_view(app, room):
    """The projector says "Carer 1"; the other views name people as before, then the label."""
    people, cards = room["people"], room["cards"]
    projector = projector_page(app, room["meeting"])
    chair = chair_page(app, people["chair"])
    own = seat_page(app, people["carer_two"])
    for key, number in (("carer_one", 1), ("carer_two", 2)):
        name = people[key].name
        assert element(projector, f"presence-{people[key].id}").startswith(f"Carer {number} ")
        assert card_author(projector, cards[key]) == f"Carer {number}"
        for page in (chair, own):
            assert element(page, f"presence-{people[key].id}").startswith(
                f"{name} Carer {number} "), key
            assert card_author(page, cards[key]) == f"{name}, Carer {number}"
    assert score_of(projector, "Reason of the carer_one") == "Carer 1"
    assert score_of(chair, "Reason of the carer_one") == "Pemberton Quill, Carer 1"
    assert action_owner(projector, room["actions"]["carer_two"]) == "Carer 2"
    assert action_owner(own, room["actions"]["carer_two"]) == "Lysander Oakhurst"
    assert card_author(chair, cards["worker"]) == "Desmond Ironbridge, Child's social worker"
    assert "Added by Pemberton Quill." in text(chair)
    assert "Saved by Desmond Ironbridge." in text(chair)
    assert action_owner(chair, room["actions"]["typed"]) == OWNER_TYPED


def test_a_number_never_changes_during_the_meeting(app, chair_user):
    """Numbered in the order people were let in, not the order they asked: a carer let in
    late is the next number, and no one's number moves when someone leaves."""
    meeting = new_meeting(chair_user)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               meeting_role=CHAIR))
    early = guest(meeting, "Asked First", "carer")  # waits in the lobby a while
    second = guest(meeting, "Asked Second", "carer", admit_by=chair)
    assert Room(meeting.id).labels()[second.id] == "Carer"
    third = guest(meeting, "Asked Third", "carer", admit_by=chair)
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="participant.admitted").order_by(MeetingEvent.seq.desc()))
    labels = Room(meeting.id).labels()
    assert (labels[second.id], labels[third.id]) == ("Carer 1", "Carer 2")
    # The first carer became "Carer 1": the projector, which shows only labels, is redrawn.
    assert {"op": "reload"} in messages_for(event)["projector"]["ops"]
    meetings.admit(meeting.id, chair, early.id)
    meetings.remove(meeting.id, chair, second.id)
    labels = Room(meeting.id).labels()
    assert (labels[second.id], labels[third.id], labels[early.id]) == (
        "Carer 1", "Carer 2", "Carer 3")


# ---- The projector names no one -----------------------------------------------------------------

def test_no_name_on_the_projector_page_or_in_anything_sent_to_it(app, room):
    meeting = room["meeting"]
    page = projector_page(app, meeting)
    # The page really shows what everyone added: the cards, views, actions and scores.
    for shown in ("Card from the young", "I want to stay", "Action owned by typed",
                  "Reason of the carer_two", "Not in the meeting", "Carer 2", "Weekly sessions"):
        assert shown in unescape(page), shown
    assert names_in(page) == []

    sent = room["projector"].get_received()  # every message sent to it live, as it happened
    assert len(sent) > 20
    replay = room["projector"].emit("meeting.join", {"meeting": meeting.id, "since": 0},
                                    callback=True)
    assert replay["ok"] and len(replay["events"]) == meeting.last_seq
    # And every event of the meeting, as the projector is sent it now.
    events = db.session.scalars(db.select(MeetingEvent).filter_by(meeting_id=meeting.id)
                                .order_by(MeetingEvent.seq)).all()
    rendered = [messages_for(event)["projector"] for event in events]
    heard = unescape(json.dumps([sent, replay, rendered], ensure_ascii=False))
    assert names_in(heard) == []
    announced = " ".join(message["announce"] for message in rendered)
    for words in ("New card from Carer 1", "New card from Young person",
                  "Carer 2 joined the meeting", "School left the meeting",
                  "The child's views, added by Young person",
                  "from Carer 1: Action owned by carer_two"):
        assert words in announced, words


# ---- The young person's choice ------------------------------------------------------------------

def test_young_person_is_shown_so_on_everything_they_add_on_every_view(app, room):
    people = room["people"]
    young = people["young"]
    assert young.show_name is False  # chosen with their score, for everything they add
    view_id = decisions.voices_for(room["meeting"].id)["views"][0].id
    pages = {"chair": chair_page(app, people["chair"]),
             "carer": seat_page(app, people["carer_one"]),
             "projector": projector_page(app, room["meeting"])}
    for who, page in pages.items():
        assert card_author(page, room["cards"]["young"]) == "Young person", who
        assert element(page, f"child-view-{view_id}").endswith("Added by Young person."), who
        assert score_of(page, YOUNG_REASON) == "Young person", who
        assert action_owner(page, room["actions"]["young"]) == "Young person", who
        assert element(page, f"presence-{young.id}").startswith("Young person "), who
    assert "Thistlewood" not in pages["carer"] and names_in(pages["projector"]) == []


def test_choosing_redraws_what_they_added_at_once(room):
    """A young person is "Young person" until they choose their name with a score; the choice
    reaches the pages already open at once (their card and view), never the projector."""
    young = room["people"]["young"]
    scaling.submit_score(room["meeting"].id, young, room["rounds"][1], 7, "Better now",
                         show_name=True)
    event = db.session.scalar(db.select(MeetingEvent).filter_by(
        meeting_id=room["meeting"].id, type="scaling.scored", actor_id=young.id)
        .order_by(MeetingEvent.seq.desc()).limit(1))
    assert event.payload.get("renamed") is True
    messages = messages_for(event)
    for audience in ("chair", "participant"):
        html = "".join(op.get("html", "") for op in messages[audience]["ops"])
        assert card_author(html, room["cards"]["young"]).startswith("Rowena Thistlewood"), \
            audience
        assert "Added by Rowena Thistlewood." in text(html), audience
    projector = "".join(op.get("html", "") for op in messages["projector"]["ops"])
    assert "Thistlewood" not in projector


def test_the_score_form_starts_from_the_young_persons_choice(app, chair_user):
    meeting = new_meeting(chair_user)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               meeting_role=CHAIR))
    young = guest(meeting, "Sky Named", "young_person", admit_by=chair)
    first = scaling.open_round(meeting.id, chair).payload["round"]
    scaling.submit_score(meeting.id, young, first, 7, "Fine", show_name=True)
    scaling.reveal_round(meeting.id, chair, first)
    second = scaling.open_round(meeting.id, chair).payload["round"]
    form = seated(app, young).get(f"/meetings/{meeting.id}/scaling/rounds/{second}/mine"
                                  ).get_data(as_text=True)
    chosen = re.findall(r'name="show_name" type="radio" value="(\d)" checked', form)
    assert chosen == ["1"], form  # "My name", as they chose before: not "Young person" again


def test_the_minutes_say_young_person_and_the_trail_keeps_who_it_was(room):
    meeting, people = room["meeting"], room["people"]
    documents.close_meeting(meeting.id, people["chair"], {}, {})
    draft = documents.draft_for(meeting.id, MINUTES)
    sections = {section["key"]: section for section in draft["sections"]}
    scores = [score for round_ in sections["scaling"]["rounds"] for score in round_["scores"]]
    assert [s["name"] for s in scores if s["reason"] == YOUNG_REASON] == ["Young person"]
    assert [a["owner"] for a in sections["actions"]["actions"]
            if a["what"] == "Action owned by young"] == ["Young person"]
    # The attendance records who came, by name; nothing else names them.
    assert "Rowena Thistlewood" in json.dumps(sections["attendance"])
    named = [key for key, section in sections.items() if "Thistlewood" in json.dumps(section)]
    assert set(named) <= {"attendance", "distribution"}, named
    html = text(render.document_html(draft))
    assert "Young person" in html
    issued = documents.issue(meeting.id, room["user"], MINUTES, 1)
    pdf = flat(pdf_text(issued.pdf)[1])
    expected = sum(json.dumps(sections[key]).count("Thistlewood")
                   for key in ("attendance", "distribution") if key in sections)
    assert pdf.count("Thistlewood") == expected, pdf
    assert f"Young person {YOUNG_REASON}" in pdf or f"Young person\n{YOUNG_REASON}" in pdf
    # The audit trail keeps who added what.
    young = people["young"]
    trail = db.session.scalars(db.select(AuditEvent).filter_by(
        meeting_id=meeting.id, actor_participant_id=young.id, subject="cards")).all()
    assert trail and all("Rowena Thistlewood" in entry.actor for entry in trail)
