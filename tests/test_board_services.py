"""Every board operation and its permission rules, at the service level."""
import re

import pytest

from facilitator.board import services as board
from facilitator.board.models import Card
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.meetings import services as meetings
from tests.conftest import guest, new_meeting, sign_in
from tests.test_scaling_sockets import seated


def events(meeting):
    return db.session.scalars(db.select(MeetingEvent).filter_by(meeting_id=meeting.id)
                              .order_by(MeetingEvent.seq)).all()


def column_texts(meeting, column):
    return [c["text"] for c in board.board_cards(meeting)[column]]


@pytest.fixture
def carer(meeting, chair_seat):
    return guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)


@pytest.fixture
def young_person(meeting, chair_seat):
    return guest(meeting, "Jordan", "young_person", admit_by=chair_seat)


def test_adding_a_card_records_an_event_with_the_next_sequence_number(meeting, carer):
    before = meeting.last_seq
    event = board.add_card(meeting.id, carer, "worried", "  Bedtimes end in shouting  ")
    assert event.seq == before + 1
    assert event.type == "card.added" and event.actor_id == carer.id
    assert event.payload["card"]["text"] == "Bedtimes end in shouting"
    assert column_texts(meeting, "worried") == ["Bedtimes end in shouting"]
    assert [e.seq for e in events(meeting)] == list(range(1, event.seq + 1))


def test_cards_keep_the_order_they_were_added_in(meeting, carer, young_person):
    for text in ("first", "second", "third"):
        board.add_card(meeting.id, carer if text != "second" else young_person,
                       "working_well", text)
    assert column_texts(meeting, "working_well") == ["first", "second", "third"]


@pytest.mark.parametrize("text, message", [
    ("", "Enter what you want to say."),
    ("   \n\t ", "Enter what you want to say."),
    ("x" * 501, "must be 500 characters or fewer (this has 501)"),
    (None, "Enter what you want to say."),
])
def test_a_bad_card_is_refused_with_a_clear_message_and_changes_nothing(
        meeting, carer, text, message):
    seq = meeting.last_seq
    with pytest.raises(Refused) as refused:
        board.add_card(meeting.id, carer, "worried", text)
    assert message in refused.value.message
    db.session.refresh(meeting)
    assert meeting.last_seq == seq and db.session.scalar(db.select(db.func.count(Card.id))) == 0


def test_a_card_of_exactly_the_limit_is_accepted(meeting, carer):
    board.add_card(meeting.id, carer, "worried", "x" * board.CARD_LIMIT)
    assert len(column_texts(meeting, "worried")[0]) == board.CARD_LIMIT


def test_control_characters_are_dropped_but_line_breaks_kept(meeting, carer):
    board.add_card(meeting.id, carer, "worried", "School\x00 calls\x1b[31m\r\nevery day")
    assert column_texts(meeting, "worried") == ["School calls[31m\nevery day"]


def test_markup_is_stored_as_typed_and_never_rendered_as_markup(client, meeting, carer,
                                                                 chair_user):
    from tests.conftest import sign_in

    board.add_card(meeting.id, carer, "worried", '<script>alert("x")</script><b>bold</b>')
    assert column_texts(meeting, "worried") == ['<script>alert("x")</script><b>bold</b>']
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page


def test_unknown_column_is_refused(meeting, carer):
    with pytest.raises(Refused, match="Choose one of the board's columns"):
        board.add_card(meeting.id, carer, "gossip", "hello")


def test_someone_in_the_lobby_cannot_add_cards(meeting):
    waiting = guest(meeting, "Lee", "school")
    with pytest.raises(Refused) as refused:
        board.add_card(meeting.id, waiting, "worried", "hello")
    assert refused.value.status == 403


def test_a_participant_of_one_meeting_cannot_write_to_another(chair_user, meeting, carer):
    other = new_meeting(chair_user, reference="CASE-0099", child="Sam Smith")
    with pytest.raises(Refused, match="not in that meeting"):
        board.add_card(other.id, carer, "worried", "wrong room")
    assert board.board_cards(other)["worried"] == []


def test_a_card_on_another_meeting_cannot_be_touched(chair_user, meeting, chair_seat, carer):
    other = new_meeting(chair_user, reference="CASE-0099", child="Sam Smith")
    from facilitator.meetings.models import Participant

    other_chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=other.id))
    card_id = board.add_card(other.id, other_chair, "worried", "theirs").payload["card"]["id"]
    with pytest.raises(Refused, match="no longer on the board"):
        board.edit_card(meeting.id, chair_seat, card_id, "mine now")


def test_authors_edit_their_own_cards_and_the_version_goes_up(meeting, carer):
    card = board.add_card(meeting.id, carer, "worried", "draft").payload["card"]
    event = board.edit_card(meeting.id, carer, card["id"], "final", version=1)
    assert event.payload["card"]["text"] == "final"
    assert event.payload["card"]["version"] == 2


def test_others_cannot_edit_or_remove_a_card(meeting, carer, young_person):
    card = board.add_card(meeting.id, carer, "worried", "mine").payload["card"]
    with pytest.raises(Refused, match="Only the card's author"):
        board.edit_card(meeting.id, young_person, card["id"], "changed")
    with pytest.raises(Refused, match="Only the card's author"):
        board.remove_card(meeting.id, young_person, card["id"])
    assert column_texts(meeting, "worried") == ["mine"]


def test_a_stale_edit_is_refused_so_nobody_overwrites_another_unseen(meeting, carer, chair_seat):
    card = board.add_card(meeting.id, carer, "worried", "first").payload["card"]
    board.edit_card(meeting.id, chair_seat, card["id"], "tidied by the chair", version=1)
    with pytest.raises(Refused, match="Someone changed this card"):
        board.edit_card(meeting.id, carer, card["id"], "my late edit", version=1)
    assert column_texts(meeting, "worried") == ["tidied by the chair"]


def test_removal_is_soft_and_kept_in_the_audit_trail(meeting, carer, chair_seat):
    card = board.add_card(meeting.id, carer, "worried", "to go").payload["card"]
    event = board.remove_card(meeting.id, chair_seat, card["id"])
    assert column_texts(meeting, "worried") == []
    kept = db.session.get(Card, card["id"])
    assert kept.text == "to go" and kept.removed_by_id == chair_seat.id and kept.removed_at
    assert event.type == "card.removed" and event.actor_id == chair_seat.id
    with pytest.raises(Refused, match="no longer on the board"):
        board.edit_card(meeting.id, carer, card["id"], "back?")


def test_the_chair_and_the_minute_taker_tidy_any_card(meeting, chair_seat, young_person):
    card = board.add_card(meeting.id, young_person, "worried", "messy").payload["card"]
    board.edit_card(meeting.id, chair_seat, card["id"], "tidy")
    worker = guest(meeting, "Sam Okafor", "childs_social_worker", admit_by=chair_seat)
    meetings.set_minute_taker(meeting.id, chair_seat, worker.id, True)  # a carer may not
    board.edit_card(meeting.id, worker, card["id"], "tidier")
    board.move_card(meeting.id, worker, card["id"], column="needs_to_happen")
    assert column_texts(meeting, "needs_to_happen") == ["tidier"]


def test_only_the_chair_or_minute_taker_moves_cards(meeting, carer):
    card = board.add_card(meeting.id, carer, "worried", "stay").payload["card"]
    with pytest.raises(Refused, match="Only the chair or the minute taker"):
        board.move_card(meeting.id, carer, card["id"], column="working_well")


def test_moving_between_columns_and_up_and_down(meeting, chair_seat, carer):
    ids = [board.add_card(meeting.id, carer, "worried", t).payload["card"]["id"]
           for t in ("a", "b", "c")]
    board.move_card(meeting.id, chair_seat, ids[2], step=-1)
    assert column_texts(meeting, "worried") == ["a", "c", "b"]
    board.move_card(meeting.id, chair_seat, ids[0], step=1)
    assert column_texts(meeting, "worried") == ["c", "a", "b"]
    board.move_card(meeting.id, chair_seat, ids[1], step=1)  # already last: stays last
    assert column_texts(meeting, "worried") == ["c", "a", "b"]
    event = board.move_card(meeting.id, chair_seat, ids[0], column="working_well")
    assert column_texts(meeting, "worried") == ["c", "b"]
    assert column_texts(meeting, "working_well") == ["a"]
    assert event.payload["order"] == {"working_well": [ids[0]], "worried": [ids[2], ids[1]]}


def test_a_repeated_idempotency_key_is_applied_once(meeting, carer):
    first = board.add_card(meeting.id, carer, "worried", "once", key="k-123")
    again = board.add_card(meeting.id, carer, "worried", "once", key="k-123")
    assert again.seq == first.seq
    assert column_texts(meeting, "worried") == ["once"]


def test_a_malformed_idempotency_key_is_refused(meeting, carer):
    with pytest.raises(Refused):
        board.add_card(meeting.id, carer, "worried", "x", key="k" * 65)


def test_a_removed_participant_can_change_nothing(meeting, chair_seat, carer):
    card = board.add_card(meeting.id, carer, "worried", "mine").payload["card"]
    meetings.remove(meeting.id, chair_seat, carer.id)
    with pytest.raises(Refused, match="not in that meeting"):
        board.add_card(meeting.id, carer, "worried", "still here?")
    with pytest.raises(Refused, match="not in that meeting"):
        board.edit_card(meeting.id, carer, card["id"], "changed")


def test_an_observer_reads_but_does_not_add(meeting, carer):
    carer.meeting_role = "observer"
    db.session.commit()
    with pytest.raises(Refused, match="Observers cannot add cards"):
        board.add_card(meeting.id, carer, "worried", "hello")


def test_an_observers_board_offers_no_card_form_the_service_would_refuse(app, meeting, carer):
    carer.meeting_role = "observer"
    db.session.commit()
    page = seated(app, carer).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'data-live="card.add"' not in page
    assert page.count("Observers read the board; they do not add cards.") == 3  # each column


def test_an_unknown_meeting_is_refused(carer):
    with pytest.raises(Refused) as refused:
        board.add_card(9999, carer, "worried", "nowhere")
    assert refused.value.status == 404


def test_a_carer_without_the_script_can_change_their_own_card_and_no_one_elses(
        app, meeting, chair_seat, carer):
    own = board.add_card(meeting.id, carer, "worried", "Bedtimes").payload["card"]
    other = board.add_card(meeting.id, chair_seat, "worried", "School").payload["card"]
    page = seated(app, carer).get(f"/meetings/{meeting.id}").get_data(as_text=True)

    def controls(card):
        start = page.index(f'id="card-{card["id"]}"')
        return re.search(r'<div class="app-card__controls"([^>]*)>', page[start:]).group(1)
    assert "hidden" not in controls(own) and "hidden" in controls(other)


def test_a_minute_taker_without_the_script_is_not_offered_the_chairs_own_controls(
        app, client, chair_user, meeting, carer):
    """The minute taker shares the chair's view; what only the chair does (opening a round,
    running the agenda) is drawn hidden on their page, as meeting.js hides it on a live one."""
    carer.meeting_role = "minute_taker"
    db.session.commit()
    minute_taker = seated(app, carer).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    sign_in(client, chair_user.email)
    chair = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    controls = re.compile(r'<div id="scaling-controls" class="app-scaling-controls"([^>]*)>')
    assert controls.search(minute_taker).group(1).startswith(" data-chair-only hidden")
    assert "hidden" not in controls.search(chair).group(1)
    assert 'name="text"' in minute_taker   # the minute taker still adds and edits cards
