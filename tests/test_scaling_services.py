"""The scaling round at service and page level: both scales, privacy before the reveal, the
reveal rules, movement between rounds and meetings, scores sent in advance, and every refusal."""
from datetime import datetime

import pytest

from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.scaling import services as scaling
from facilitator.scaling.models import ScaleRound, Score
from tests.conftest import counted_statements, csrf_from, guest, new_meeting, sign_in

MULTI_AGENCY = "multi_agency_stability_support"


@pytest.fixture
def room(meeting, chair_seat):
    """A meeting with a carer, a young person and a social worker admitted."""
    return {
        "meeting": meeting, "chair": chair_seat,
        "carer": guest(meeting, "Pat Jones", "carer", admit_by=chair_seat),
        "young": guest(meeting, "Riley", "young_person", admit_by=chair_seat),
        "worker": guest(meeting, "Dee Khan", "childs_social_worker", admit_by=chair_seat),
    }


def opened(room, question=None):
    event = scaling.open_round(room["meeting"].id, room["chair"], question)
    return db.session.get(ScaleRound, event.payload["round"])


def score(room, who, round_, value, reason="Because.", **kwargs):
    return scaling.submit_score(room["meeting"].id, room[who], round_.id, value, reason, **kwargs)


def refused(call, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value.message


def test_the_type_decides_the_scale_and_the_standard_question(room, chair_user):
    round_ = opened(room)
    assert (round_.scale.minimum, round_.scale.maximum, round_.scale.higher_is_stable) == \
        (0, 10, True)
    assert round_.question.startswith("On a scale of 0 to 10")
    assert "leave the placement now" in round_.question

    other = meetings.create_meeting(
        chair_user, case_reference="CASE-0077", child_name="Kai Brown",
        scheduled_at=datetime(2026, 11, 25, 10, 0), location="Online", type_code=MULTI_AGENCY)
    chair = db.session.scalar(db.select(meetings.Participant).filter_by(meeting_id=other.id))
    event = scaling.open_round(other.id, chair, None)
    borough = db.session.get(ScaleRound, event.payload["round"])
    scale = borough.scale
    assert (scale.minimum, scale.maximum, scale.higher_is_stable) == (1, 5, False)
    assert [scale.label(v) for v in scale.values] == [
        "Stability good", "Stability OK", "Stability begins to be questioned",
        "Stability is a concern", "Stability at serious risk of breakdown"]
    # Direction: on the 1–5 scale a fall is an improvement.
    assert scale.describe_change(-2) == "2 points towards stability"
    assert round_.scale.describe_change(-2) == "2 points away from stability"


def test_the_chair_may_change_the_question_when_opening(room):
    round_ = opened(room, "  Where is the placement today, 0 to 10?  ")
    assert round_.question == "Where is the placement today, 0 to 10?"


def test_scores_change_until_the_reveal_then_everyone_sees_them(room):
    round_ = opened(room)
    score(room, "carer", round_, 6, "Better since the new school.")
    score(room, "carer", round_, "7", "Better since school, and contact is calmer.")
    score(room, "worker", round_, 3, "Two missing episodes this month.")
    view = scaling.round_view(round_)
    assert (view["scored"], view["total"], view["results"]) == (2, 4, None)
    assert scaling.my_score(round_.id, room["carer"]).value == 7

    scaling.reveal_round(room["meeting"].id, room["chair"], round_.id)
    results = scaling.round_view(round_)["results"]
    assert [(s["value"], s["name"], s["reason"]) for s in results["scores"]] == [
        (3, "Dee Khan", "Two missing episodes this month."),
        (7, "Pat Jones", "Better since school, and contact is calmer.")]
    assert (results["median"], results["low"], results["high"]) == (5, 3, 7)
    assert "1 person scored 3; 1 person scored 7. Median 5, range 3 to 7" in \
        results["chart"]["text"]
    assert refused(score, room, "young", round_, 5) == \
        "Scoring has closed for this round: the chair has revealed the scores."


def test_every_bad_score_is_refused_and_changes_nothing(room):
    round_ = opened(room)
    mid = room["meeting"].id
    for value in (11, -1, "7.5", 7.5, "", None, "seven", True, [7]):
        assert refused(score, room, "carer", round_, value) == \
            "Choose a score from 0 to 10."
    assert refused(score, room, "carer", round_, 5, "   \n\t ") == \
        "Enter a reason for your score."
    assert refused(score, room, "carer", round_, 5, "x" * 1001) == \
        "A reason for your score must be 1000 characters or fewer (this has 1001)."
    assert refused(score, room, "carer", round_, 5, "mine", for_participant=room["young"].id) \
        == "You can only give your own score."
    assert refused(scaling.submit_score, mid, room["carer"], 999, 5, "Why") == \
        "That scaling round is not part of this meeting."
    assert db.session.scalar(db.select(db.func.count(Score.id))) == 0
    assert refused(scaling.reveal_round, mid, room["chair"], round_.id) == \
        "Nobody has scored yet, so there is nothing to reveal."


def test_only_the_chair_opens_reveals_and_reopens(room):
    mid = room["meeting"].id
    meetings.set_minute_taker(mid, room["chair"], room["worker"].id, True)
    db.session.refresh(room["worker"])
    assert refused(scaling.open_round, mid, room["carer"], None) == \
        "Only the chair can open a scaling round."
    round_ = opened(room)
    score(room, "carer", round_, 4)
    for who in ("carer", "worker"):  # a participant, and the minute taker
        assert refused(scaling.reveal_round, mid, room[who], round_.id) == \
            "Only the chair can reveal the scores."
    assert not db.session.get(ScaleRound, round_.id).is_revealed
    scaling.reveal_round(mid, room["chair"], round_.id)
    assert refused(scaling.reopen_round, mid, room["worker"], round_.id) == \
        "Only the chair can reopen scoring."
    assert refused(scaling.open_round, mid, room["chair"], "   ") == "Enter the scaling question."


def test_a_reopened_round_hides_scores_again_and_takes_changes(room):
    mid = room["meeting"].id
    round_ = opened(room)
    score(room, "carer", round_, 4)
    scaling.reveal_round(mid, room["chair"], round_.id)
    scaling.reopen_round(mid, room["chair"], round_.id)
    assert scaling.round_view(round_)["results"] is None
    score(room, "carer", round_, 5, "Thought again.")
    scaling.reveal_round(mid, room["chair"], round_.id)
    assert [s["value"] for s in scaling.round_view(round_)["results"]["scores"]] == [5]


def test_a_person_removed_from_the_meeting_no_longer_counts(room):
    mid = room["meeting"].id
    round_ = opened(room)
    score(room, "carer", round_, 2, "Someone who joined by mistake")
    score(room, "worker", round_, 6, "Steady")
    assert (scaling.round_view(round_)["scored"], scaling.round_view(round_)["total"]) == (2, 4)
    meetings.remove(mid, room["chair"], room["carer"].id)
    view = scaling.round_view(round_)
    assert (view["scored"], view["total"]) == (1, 3)
    assert "Pat Jones" not in [m["name"] for m in view["members"]]
    scaling.reveal_round(mid, room["chair"], round_.id)
    assert [s["value"] for s in scaling.round_view(round_)["results"]["scores"]] == [6]


def test_one_round_at_a_time(room):
    mid = room["meeting"].id
    first = opened(room)
    assert refused(scaling.open_round, mid, room["chair"], None) == \
        "Round 1 is still open. Reveal its scores before opening another."
    score(room, "carer", first, 4)
    scaling.reveal_round(mid, room["chair"], first.id)
    second = opened(room)
    assert refused(scaling.reopen_round, mid, room["chair"], first.id) == \
        "Round 2 is open. Reveal it before reopening round 1."
    assert second.number == 2


def test_movement_between_rounds_follows_the_scale_direction(room):
    mid = room["meeting"].id
    start = opened(room)
    score(room, "carer", start, 3)
    score(room, "worker", start, 5)
    scaling.reveal_round(mid, room["chair"], start.id)
    end = opened(room)
    score(room, "carer", end, 6)
    score(room, "worker", end, 6)
    scaling.reveal_round(mid, room["chair"], end.id)
    results = scaling.round_view(end)["results"]
    assert results["movement"] == {"number": 1, "median": 4, "change": 2,
                                   "words": "2 points towards stability"}
    assert {s["name"]: s["was"] for s in results["scores"]} == {"Pat Jones": 3, "Dee Khan": 5}


def test_a_meetings_rounds_are_read_together_however_many(room):
    """The meeting's page and its minutes draw every round (issue 20): what the rounds share is
    read once, so three rounds take the statements one does, and each is drawn as alone."""
    mid = room["meeting"].id
    rounds = []
    for carer, worker in ((3, 5), (6, 6), (7, 8)):
        round_ = opened(room)
        score(room, "carer", round_, carer)
        score(room, "worker", round_, worker)
        scaling.reveal_round(mid, room["chair"], round_.id)
        rounds.append(round_)
    alone = [scaling.round_view(r) for r in rounds]
    with counted_statements() as one:
        scaling.round_views(rounds[1:2])
    with counted_statements() as three:
        together = scaling.round_views(rounds)
    assert len(three) == len(one)
    assert [(v["members"], v["results"]) for v in together] == \
        [(v["members"], v["results"]) for v in alone]
    assert [v["results"]["movement"]["number"] for v in together[1:]] == [1, 2]


def test_a_review_meeting_shows_the_previous_meetings_result(room, chair_user):
    mid = room["meeting"].id
    first = opened(room)
    score(room, "carer", first, 2)
    score(room, "worker", first, 4)
    scaling.reveal_round(mid, room["chair"], first.id)
    review = meetings.create_meeting(
        chair_user, case_reference="CASE-0042", child_name="Jordan Lee Taylor",
        scheduled_at=datetime(2026, 12, 8, 10, 0), location="Room 2, County Hall",
        immediate_risk=False)
    previous = scaling.previous_result(review)
    assert (previous["meeting"].id, previous["median"], previous["low"], previous["high"]) == \
        (mid, 3, 2, 4)
    unrelated = new_meeting(chair_user, reference="CASE-0099", child="Sam Other")
    assert scaling.previous_result(unrelated) is None


def test_a_young_person_chooses_how_their_score_is_shown(room):
    mid = room["meeting"].id
    round_ = opened(room)
    score(room, "young", round_, 8, "I like it here.", show_name=False)
    score(room, "carer", round_, 6, "Settling.", show_name=False)  # only a young person chooses
    named = [m["name"] for m in scaling.round_view(round_)["members"] if m["scored"]]
    assert named == ["Pat Jones", "Young person"]  # the tally follows the choice too
    scaling.reveal_round(mid, room["chair"], round_.id)
    shown = {s["reason"]: s["name"] for s in scaling.round_view(round_)["results"]["scores"]}
    assert shown == {"I like it here.": "Young person", "Settling.": "Pat Jones"}


def test_a_score_sent_in_advance_counts_in_the_first_round(room):
    mid = room["meeting"].id
    event = meetings.invite_in_advance(mid, room["chair"], name="Dr Ola Ade", attends_as="camhs")
    away = db.session.get(meetings.Participant, event.payload["participant"]["id"])
    assert refused(meetings.invite_in_advance, mid, room["carer"], name="X",
                   attends_as="other") == "Only the chair can do that."
    scaling.send_in_advance(mid, away.id, 4, "Anxiety is high at bedtime.")
    scaling.send_in_advance(mid, away.id, 5, "Anxiety is high, but improving.")  # a change
    round_ = opened(room)
    view = scaling.round_view(round_)
    assert (view["scored"], view["total"]) == (1, 5)
    assert [m["in_advance"] for m in view["members"] if m["scored"]] == [True]
    score(room, "carer", round_, 7)
    scaling.reveal_round(mid, room["chair"], round_.id)
    sent = [s for s in scaling.round_view(round_)["results"]["scores"] if s["in_advance"]]
    assert [(s["name"], s["value"], s["reason"]) for s in sent] == [
        ("Dr Ola Ade", 5, "Anxiety is high, but improving.")]
    assert refused(scaling.send_in_advance, mid, away.id, 6, "Later") == (
        "The meeting has already shared its scores, so yours can no longer be added. "
        "Please give your score and reason to the chair.")


# ---- Pages: nobody's score is on anybody else's page before the reveal ------------------------

def test_pages_show_who_has_scored_but_no_score_before_the_reveal(app, client, room, chair_user):
    round_ = opened(room)
    score(room, "carer", round_, 9, "CARER-SECRET-REASON")
    sign_in(client, chair_user.email)
    chair_page = client.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    projector = client.get(f"/meetings/{room['meeting'].id}/projector/"
                           f"{room['meeting'].projector_token}").get_data(as_text=True)
    for html in (chair_page, projector):
        assert "1 of 4" in html and "CARER-SECRET-REASON" not in html
        assert 'value="9" checked' not in html
    with client.session_transaction() as session:  # now the carer's own page
        session.clear()
        session["seats"] = {str(room["meeting"].id): room["carer"].token}
    own = client.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    assert "CARER-SECRET-REASON" in own and 'value="9" checked' in own

    scaling.reveal_round(room["meeting"].id, room["chair"], round_.id)
    projector = client.get(f"/meetings/{room['meeting'].id}/projector/"
                           f"{room['meeting'].projector_token}").get_data(as_text=True)
    assert "CARER-SECRET-REASON" in projector  # the room sees the carer's role, not their name
    assert '<span class="app-score__who">Carer</span>' in projector and "Pat Jones" not in projector
    assert 'role="img"' in projector and "1 person scored 9" in projector


def test_a_personal_link_takes_a_score_and_nothing_else(client, room):
    mid = room["meeting"].id
    event = meetings.invite_in_advance(mid, room["chair"], name="Dr Ola Ade", attends_as="camhs")
    away = db.session.get(meetings.Participant, event.payload["participant"]["id"])
    url = f"/meetings/{mid}/in-advance/{away.token}"
    form = client.get(url)
    assert form.status_code == 200 and "Send your score before the meeting" in form.text
    token = csrf_from(form.text)
    blank = client.post(url, data={"csrf_token": token, "value": "4", "reason": "  "})
    assert "Give a reason for your score." in blank.text
    out_of_range = client.post(url, data={"csrf_token": token, "value": "12", "reason": "Hm"})
    assert "Choose a score from 0 to 10." in out_of_range.text
    assert scaling.advance_sent_at(away) is None
    sent = client.post(url, data={"csrf_token": token, "value": "4", "reason": "Calmer."},
                       follow_redirects=True)
    assert "Your score is sent" in sent.text
    assert db.session.scalar(db.select(Score.value).filter_by(participant_id=away.id)) == 4
    assert client.get(f"/meetings/{mid}").status_code == 404  # the link is not a seat
    assert client.get(f"/meetings/{mid}/in-advance/not-the-token").status_code == 404


def test_a_personal_link_says_when_a_score_was_sent_never_what_and_takes_a_new_one(
        client, room, chair_user):
    mid = room["meeting"].id
    event = meetings.invite_in_advance(mid, room["chair"], name="Dr Ola Ade", attends_as="camhs")
    away = db.session.get(meetings.Participant, event.payload["participant"]["id"])
    url = f"/meetings/{mid}/in-advance/{away.token}"
    scaling.send_in_advance(mid, away.id, 7, "ADVANCE-SECRET she is settling")
    sign_in(client, chair_user.email)  # the chair opens the link ("Show link")
    page = client.get(url).get_data(as_text=True)
    assert "ADVANCE-SECRET" not in page and "Your score is sent" in page
    assert "Sent " in page and "Replace my score" in page
    assert 'value="7" checked' not in page and "checked" not in page
    replaced = client.post(url, data={"csrf_token": csrf_from(page), "value": "3",
                                      "reason": "On reflection, less settled."},
                           follow_redirects=True).get_data(as_text=True)
    assert "Your score is sent" in replaced and "less settled" not in replaced
    saved = db.session.scalar(db.select(Score).filter_by(participant_id=away.id))
    assert (saved.value, saved.reason) == (3, "On reflection, less settled.")


def test_a_persons_own_form_is_theirs_alone_and_links_are_the_chairs(client, room, chair_user):
    mid = room["meeting"].id
    round_ = opened(room)
    score(room, "carer", round_, 9, "CARER-ONLY-REASON")
    sign_in(client, chair_user.email)
    mine = client.get(f"/meetings/{mid}/scaling/rounds/{round_.id}/mine")
    assert mine.status_code == 200 and "Save my score" in mine.text
    assert "CARER-ONLY-REASON" not in mine.text and "checked" not in mine.text
    event = meetings.invite_in_advance(mid, room["chair"], name="Dr Ola Ade", attends_as="camhs")
    person_id = event.payload["participant"]["id"]
    link = client.get(f"/meetings/{mid}/scaling/in-advance/{person_id}/link")
    away = db.session.get(meetings.Participant, person_id)
    assert link.status_code == 200 and away.token in link.text

    with client.session_transaction() as session:  # the carer asks for the link and their form
        session.clear()
        session["seats"] = {str(mid): room["carer"].token}
    assert client.get(f"/meetings/{mid}/scaling/in-advance/{person_id}/link").status_code == 403
    own = client.get(f"/meetings/{mid}/scaling/rounds/{round_.id}/mine").text
    assert "CARER-ONLY-REASON" in own and "You gave <strong>9</strong>" in own
