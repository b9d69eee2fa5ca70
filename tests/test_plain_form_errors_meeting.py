"""The meeting's scaling, agenda and panel forms, posted by a browser without JavaScript and
refused by the service: the board comes back with the refusal's status, the GOV.UK error summary
at the top linking to the field, the message beside the field (inside its group, with the red
bar, read with it through aria-describedby, the field marked aria-invalid), the form filled in
again as the person left it, and nothing changed for anyone. A refusal about no one field is
shown in the form's own box at the top of the form."""
import html
import re

import pytest

from facilitator.agenda import services as agenda
from facilitator.agenda.models import AgendaExtension
from facilitator.extensions import db
from facilitator.meetings.models import Participant
from facilitator.panels import services as panels
from facilitator.panels.models import CaseSlot, Disagreement
from facilitator.scaling import services as scaling
from facilitator.scaling.models import ScaleRound, Score
from tests.conftest import guest, sign_in
from tests.test_documents import north_panel_with_a_case
from tests.test_error_messages import assert_problem, board_post, page_of
from tests.test_scaling_sockets import last_seq, seated


@pytest.fixture
def chair(client, chair_user):
    sign_in(client, chair_user.email)
    return client


def textarea(answer, field_id):
    """What a textarea on the page holds, as the person will see it."""
    match = re.search(rf'<textarea[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</textarea>',
                      answer.get_data(as_text=True), re.DOTALL)
    assert match, f"no textarea #{field_id}"
    return html.unescape(match.group(1))


def attrs(page, field_id):
    return page.ids[field_id]["attrs"]


def in_group_with_error(page, field_id):
    """The field sits in a govuk-form-group with GOV.UK's red bar."""
    return any("govuk-form-group--error" in (a.get("class") or "").split()
               for a in page.ids[field_id]["around"] if a is not None)


def selected(answer, select_id):
    """The values of the chosen options of a select."""
    body = re.search(rf'<select[^>]*\bid="{re.escape(select_id)}"[^>]*>(.*?)</select>',
                     answer.get_data(as_text=True), re.DOTALL).group(1)
    return re.findall(r'<option value="([^"]*)" selected>', body)


def form_box(page, form_id):
    """The message in a form's own box (about no one field), and whether it sits in that form."""
    box = page.ids[f"{form_id}-error"]
    assert form_id in [a.get("id") for a in box["around"] if a is not None], \
        f"#{form_id}-error is not inside #{form_id}"
    return page.messages.get(f"{form_id}-error")


def assert_at_top_of_form(answer, form_id, message, status=409):
    """A refusal about no one field: in the form's own box, and in the summary (no link)."""
    assert answer.status_code == status, answer.status_code
    page = page_of(answer)
    assert form_box(page, form_id) == f"Error: {message}"
    assert page.summary and page.summary["role"] == "alert"
    assert message in page.summary["items"], page.summary
    assert page.h1_at is None or page.summary_at < page.h1_at
    return page


# ---- Scaling: a person's own score ------------------------------------------------------------

@pytest.fixture
def scoring(app, meeting, chair_seat):
    """An open round, and Pat (a carer) at the board in their own browser."""
    event = scaling.open_round(meeting.id, chair_seat)
    round_ = db.session.get(ScaleRound, event.payload["round"])
    pat = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    return {"round": round_, "pat": seated(app, pat), "seat": pat, "scale": round_.scale}


def post_score(meeting, scoring, client=None, **data):
    round_id = scoring["round"].id
    return board_post(client or scoring["pat"], meeting, f"/scaling/rounds/{round_id}/score",
                      {"form_id": f"score-form-{round_id}", "round": round_id, **data})


def scores(meeting):
    db.session.expire_all()
    return db.session.scalars(db.select(Score).filter_by(meeting_id=meeting.id)).all()


def test_no_score_chosen_is_asked_for_at_the_scale_and_the_reason_is_kept(meeting, scoring):
    rid, scale = scoring["round"].id, scoring["scale"]
    before = last_seq(meeting.id)
    reason = "Contact with dad went well; school's \"settled\" <b>report</b>."
    answer = post_score(meeting, scoring, reason=reason)
    first = f"score-{rid}-{scale.minimum}"
    page = assert_problem(answer, first, f"Choose a score from {scale.minimum} to "
                                         f"{scale.maximum}.")
    assert answer.status_code == 400
    fieldset = attrs(page, f"score-{rid}")
    assert fieldset["aria-invalid"] == "true"
    assert f"{first}-error" in fieldset["aria-describedby"].split()
    assert in_group_with_error(page, f"score-{rid}")
    assert textarea(answer, f"reason-{rid}") == reason            # their words are kept
    assert not any("checked" in attrs(page, f"score-{rid}-{v}") for v in scale.values)
    assert "aria-invalid" not in attrs(page, f"reason-{rid}")    # only the one refused
    assert scores(meeting) == [] and last_seq(meeting.id) == before


def test_no_reason_is_asked_for_at_the_reason_with_the_chosen_score_kept(meeting, scoring):
    rid = scoring["round"].id
    before = last_seq(meeting.id)
    answer = post_score(meeting, scoring, value="7", reason="   ")
    page = assert_problem(answer, f"reason-{rid}", "Enter a reason for your score.")
    box = attrs(page, f"reason-{rid}")
    assert box["aria-invalid"] == "true"
    assert box["aria-describedby"].split() == [f"reason-{rid}-error", f"reason-{rid}-hint"]
    assert in_group_with_error(page, f"reason-{rid}")
    assert "checked" in attrs(page, f"score-{rid}-7")            # the score they chose
    assert [v for v in scoring["scale"].values
            if "checked" in attrs(page, f"score-{rid}-{v}")] == [7]
    assert "aria-invalid" not in attrs(page, f"score-{rid}")
    assert scores(meeting) == [] and last_seq(meeting.id) == before


def test_a_reason_too_long_comes_back_with_the_score_and_the_words(meeting, scoring):
    rid = scoring["round"].id
    long = "She is settling in and sleeping better. " * 30
    answer = post_score(meeting, scoring, value="3", reason=long)
    assert_problem(answer, f"reason-{rid}", "A reason for your score must be 1000 characters "
                   f"or fewer (this has {len(long.strip())}).")
    assert textarea(answer, f"reason-{rid}") == long
    assert "checked" in attrs(page_of(answer), f"score-{rid}-3")
    assert scores(meeting) == []


def test_a_changed_score_refused_shows_what_was_posted_not_what_was_saved(meeting, scoring):
    rid = scoring["round"].id
    scaling.submit_score(meeting.id, scoring["seat"], rid, 8, "Going well.")
    before = last_seq(meeting.id)
    answer = post_score(meeting, scoring, value="2", reason="")
    page = assert_problem(answer, f"reason-{rid}", "Enter a reason for your score.")
    assert "checked" in attrs(page, f"score-{rid}-2")
    assert "checked" not in attrs(page, f"score-{rid}-8")
    assert textarea(answer, f"reason-{rid}") == ""
    (saved,) = scores(meeting)
    assert (saved.value, saved.reason) == (8, "Going well.") and last_seq(meeting.id) == before


def test_a_young_persons_choice_of_name_is_kept(app, meeting, chair_seat, scoring):
    rid = scoring["round"].id
    riley = seated(app, guest(meeting, "Riley", "young_person", admit_by=chair_seat))
    answer = post_score(meeting, scoring, client=riley, value="9", reason="", show_name="1")
    page = assert_problem(answer, f"reason-{rid}", "Enter a reason for your score.")
    assert "checked" in attrs(page, f"show-name-{rid}")
    assert "checked" not in attrs(page, f"show-name-{rid}-2")
    assert "checked" in attrs(page, f"score-{rid}-9")


def test_the_score_form_is_drawn_as_usual_when_another_form_was_refused(chair, meeting,
                                                                        scoring):
    rid = scoring["round"].id
    answer = board_post(chair, meeting, "/scaling/in-advance", {
        "form_id": "invite-form", "name": "", "attends_as": "camhs"})
    page = assert_problem(answer, "invite-name", "Enter their name.")
    assert "aria-invalid" not in attrs(page, f"score-{rid}")
    assert "hidden" in attrs(page, f"score-form-{rid}-error")
    assert attrs(page, f"reason-{rid}")["aria-describedby"] == f"reason-{rid}-hint"


# ---- Scaling: the chair's forms ---------------------------------------------------------------

def rounds(meeting):
    db.session.expire_all()
    return db.session.scalars(db.select(ScaleRound).filter_by(meeting_id=meeting.id)).all()


def test_an_empty_scaling_question_is_asked_for(chair, meeting):
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/scaling/rounds",
                        {"form_id": "open-round-form", "question": "  "})
    page = assert_problem(answer, "round-question", "Enter the scaling question.")
    box = attrs(page, "round-question")
    assert box["aria-invalid"] == "true"
    assert box["aria-describedby"].split() == ["round-question-error", "round-question-hint"]
    assert in_group_with_error(page, "round-question")
    assert rounds(meeting) == [] and last_seq(meeting.id) == before


def test_a_scaling_question_too_long_comes_back_with_its_words(chair, meeting):
    question = "On a scale of 0 to 10, how settled is the placement? " * 12
    answer = board_post(chair, meeting, "/scaling/rounds",
                        {"form_id": "open-round-form", "question": question})
    assert_problem(answer, "round-question", "The scaling question must be 600 characters or "
                   f"fewer (this has {len(question.strip())}).")
    assert textarea(answer, "round-question") == question
    assert rounds(meeting) == []


def test_the_open_round_form_offers_the_types_question_when_not_refused(chair, meeting):
    page = chair.get(f"/meetings/{meeting.id}")
    assert textarea(page, "round-question") == meeting.type.scale["question"]
    assert page_of(page).summary is None


def test_an_invite_without_a_name_keeps_who_they_are(chair, meeting):
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/scaling/in-advance", {
        "form_id": "invite-form", "name": " ", "attends_as": "camhs"})
    page = assert_problem(answer, "invite-name", "Enter their name.")
    assert attrs(page, "invite-name")["aria-invalid"] == "true"
    assert in_group_with_error(page, "invite-name")
    assert selected(answer, "invite-role") == ["camhs"]
    assert last_seq(meeting.id) == before
    assert db.session.scalar(db.select(db.func.count(Participant.id)).filter_by(
        meeting_id=meeting.id, status="in_advance")) == 0


def test_an_invite_with_a_name_too_long_or_no_role_keeps_the_name(chair, meeting):
    long = "Dr Olamide Adeyemi-Fitzgerald of the Child and Adolescent Mental Health Service"
    answer = board_post(chair, meeting, "/scaling/in-advance", {
        "form_id": "invite-form", "name": long + " team", "attends_as": "school"})
    page = assert_problem(answer, "invite-name", "Their name must be 80 characters or fewer "
                          f"(this has {len(long) + 5}).")
    assert attrs(page, "invite-name")["value"] == long + " team"
    assert selected(answer, "invite-role") == ["school"]

    answer = board_post(chair, meeting, "/scaling/in-advance", {
        "form_id": "invite-form", "name": "Dr Ola Ade", "attends_as": "chair"})
    page = assert_problem(answer, "invite-role", "Choose who they are in this meeting.")
    assert attrs(page, "invite-role")["aria-invalid"] == "true"
    assert attrs(page, "invite-name")["value"] == "Dr Ola Ade"
    assert "aria-invalid" not in attrs(page, "invite-name")


def test_a_reveal_with_no_scores_is_refused_in_the_reveal_forms_box(chair, meeting,
                                                                   chair_seat):
    event = scaling.open_round(meeting.id, chair_seat)
    rid = event.payload["round"]
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/scaling/rounds/{rid}/reveal",
                        {"form_id": f"reveal-form-{rid}", "round": rid})
    assert_at_top_of_form(answer, f"reveal-form-{rid}",
                          "Nobody has scored yet, so there is nothing to reveal.")
    assert rounds(meeting)[0].is_open and last_seq(meeting.id) == before


def test_reopening_a_round_while_another_is_open_is_refused_in_its_box(chair, meeting,
                                                                      chair_seat):
    first = scaling.open_round(meeting.id, chair_seat).payload["round"]
    scaling.submit_score(meeting.id, chair_seat, first, 6, "Steady.")
    scaling.reveal_round(meeting.id, chair_seat, first)
    scaling.open_round(meeting.id, chair_seat)
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/scaling/rounds/{first}/reopen",
                        {"form_id": f"reopen-form-{first}", "round": first})
    page = assert_at_top_of_form(answer, f"reopen-form-{first}",
                                 "Round 2 is open. Reveal it before reopening round 1.")
    assert not page.summary["links"]
    assert last_seq(meeting.id) == before


# ---- The agenda -------------------------------------------------------------------------------

@pytest.fixture
def running(meeting, chair_seat):
    agenda.move(meeting.id, chair_seat, "start")
    return agenda.agenda_view(meeting.id)["current"]


def extensions():
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(AgendaExtension.id)))


def test_more_time_without_a_reason_keeps_the_minutes_chosen(chair, meeting, running):
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/agenda/extend",
                        {"form_id": "agenda-extend", "minutes": "5", "reason": " "})
    page = assert_problem(answer, "extend-reason", "Enter the reason for more time.")
    assert attrs(page, "extend-reason")["aria-invalid"] == "true"
    assert in_group_with_error(page, "extend-reason")
    assert selected(answer, "extend-minutes") == ["5"]
    assert "aria-invalid" not in attrs(page, "extend-minutes")
    assert extensions() == 0 and last_seq(meeting.id) == before


def test_more_time_with_a_reason_too_long_keeps_the_words(chair, meeting, running):
    reason = "The carer's account of the weekend needs hearing in full. " * 6
    answer = board_post(chair, meeting, "/agenda/extend",
                        {"form_id": "agenda-extend", "minutes": "10", "reason": reason})
    page = assert_problem(answer, "extend-reason", "The reason for more time must be 300 "
                          f"characters or fewer (this has {len(reason.strip())}).")
    assert attrs(page, "extend-reason")["value"] == reason
    assert selected(answer, "extend-minutes") == ["10"]
    assert extensions() == 0


def test_more_time_than_the_agenda_allows_is_refused_at_the_minutes(chair, meeting, running):
    answer = board_post(chair, meeting, "/agenda/extend",
                        {"form_id": "agenda-extend", "minutes": "45", "reason": "Long story."})
    page = assert_problem(answer, "extend-minutes", "Choose from 1 to 30 more minutes.")
    assert attrs(page, "extend-minutes")["aria-invalid"] == "true"
    assert attrs(page, "extend-reason")["value"] == "Long story."
    assert extensions() == 0


def test_going_back_from_the_first_item_is_refused_in_the_back_forms_box(chair, meeting,
                                                                       running):
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/agenda/move",
                        {"form_id": "agenda-back", "action": "back"})
    page = assert_at_top_of_form(answer, "agenda-back", "This is the first item.")
    assert "hidden" in attrs(page, "agenda-next-error")  # only the one refused
    assert agenda.agenda_view(meeting.id)["current"].id == running.id
    assert last_seq(meeting.id) == before


# ---- A Step Up / Step Down panel ---------------------------------------------------------------

CASE = {"form_id": "case-add-form", "case_reference": "CASE-7100", "child_name": "Kai O'Brien",
        "direction": "down", "presenting_worker": "Sam Patel", "lead_person": "Lee Early Help",
        "papers_received_at": ""}


@pytest.fixture
def panel(chair, chair_user):
    meeting, chair_seat, event = north_panel_with_a_case(chair_user)
    slot = db.session.get(CaseSlot, event.payload["slot"])
    return {"meeting": meeting, "chair": chair_seat, "slot": slot}


def slots(meeting):
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(CaseSlot.id)).filter_by(
        meeting_id=meeting.id))


def add_case(chair, panel, **changes):
    return board_post(chair, panel["meeting"], "/panel/cases", {**CASE, **changes})


def assert_case_kept(page, **changes):
    """Every box of the add-a-case form holds what was posted."""
    posted = {**CASE, **changes}
    for name, field_id in (("case_reference", "case-reference"), ("child_name", "case-child"),
                           ("presenting_worker", "case-worker"), ("lead_person", "case-lead"),
                           ("papers_received_at", "case-papers")):
        assert attrs(page, field_id)["value"] == posted[name], name
    for direction in ("up", "down"):
        assert ("checked" in attrs(page, f"case-direction-{direction}")) == (
            posted["direction"] == direction)


@pytest.mark.parametrize("field, value, field_id, message", [
    ("case_reference", " ", "case-reference", "Enter the child's case reference."),
    ("child_name", "", "case-child", "Enter the child's name."),
    ("presenting_worker", "", "case-worker", "Enter the presenting worker."),
    ("lead_person", "L" * 121, "case-lead", "The lead person must be 120 characters or fewer "
                                             "(this has 121)."),
    ("papers_received_at", "last Tuesday", "case-papers", "Enter when the papers came in as a "
                                                          "date and time, for example "
                                                          "18/11/2026 15:30."),
])
def test_a_case_refused_at_a_box_keeps_everything_typed(chair, panel, field, value, field_id,
                                                        message):
    meeting = panel["meeting"]
    before, count = last_seq(meeting.id), slots(meeting)
    answer = add_case(chair, panel, **{field: value})
    page = assert_problem(answer, field_id, message)
    assert attrs(page, field_id)["aria-invalid"] == "true"
    assert in_group_with_error(page, field_id)
    assert_case_kept(page, **{field: value})
    assert slots(meeting) == count and last_seq(meeting.id) == before


def test_a_case_name_keeps_its_hint_when_refused(chair, panel):
    answer = add_case(chair, panel, child_name="")
    page = assert_problem(answer, "case-child", "Enter the child's name.")
    assert attrs(page, "case-child")["aria-describedby"].split() == [
        "case-child-error", "case-child-hint"]
    assert attrs(page, "case-papers")["aria-describedby"] == "case-papers-hint"


def test_a_case_without_a_direction_is_asked_for_at_the_choice(chair, panel):
    data = {**CASE}
    del data["direction"]
    answer = board_post(chair, panel["meeting"], "/panel/cases", data)
    page = assert_problem(answer, "case-direction-up", "Choose step up or step down.")
    fieldset = page.ids["case-direction-up"]["around"]
    assert any(a and a.get("aria-invalid") == "true" for a in fieldset)
    assert not any("checked" in attrs(page, f"case-direction-{d}") for d in ("up", "down"))
    assert attrs(page, "case-child")["value"] == "Kai O'Brien"


def test_a_case_reference_known_by_another_name_is_refused_at_the_reference(chair, panel):
    answer = add_case(chair, panel, case_reference="CASE-7001", child_name="Casey Brown")
    page = assert_problem(answer, "case-reference", "That case reference is already recorded "
                          "with a different name. Check the reference and the child's name.")
    assert_case_kept(page, case_reference="CASE-7001", child_name="Casey Brown")
    assert slots(panel["meeting"]) == 1


def decision_choice(panel):
    rules = panel["meeting"].type.rules
    return next(iter(panels.outcome_choices(rules, panel["slot"].direction)))


def test_a_decision_without_a_rationale_keeps_the_decision_chosen(chair, panel):
    slot, meeting = panel["slot"], panel["meeting"]
    choice = decision_choice(panel)
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/panel/cases/{slot.id}/outcome", {
        "form_id": f"slot-{slot.id}-outcome-form", "slot": slot.id, "outcome": choice,
        "rationale": "  "})
    page = assert_problem(answer, f"slot-{slot.id}-rationale",
                          "Enter the rationale for the decision.")
    assert attrs(page, f"slot-{slot.id}-rationale")["aria-invalid"] == "true"
    assert in_group_with_error(page, f"slot-{slot.id}-rationale")
    assert "checked" in attrs(page, f"slot-{slot.id}-outcome-{choice}")
    db.session.expire_all()
    assert db.session.get(CaseSlot, slot.id).outcome is None
    assert last_seq(meeting.id) == before


def test_a_decision_not_chosen_is_refused_at_the_choices_with_the_rationale_kept(chair, panel):
    slot, meeting = panel["slot"], panel["meeting"]
    rationale = "All criteria met; the family agrees to Early Help."
    answer = board_post(chair, meeting, f"/panel/cases/{slot.id}/outcome", {
        "form_id": f"slot-{slot.id}-outcome-form", "slot": slot.id, "rationale": rationale})
    choices = panels.outcome_choices(meeting.type.rules, slot.direction)
    assert_problem(answer, f"slot-{slot.id}-outcome-{decision_choice(panel)}",
                   f"Choose the panel's decision from the list: {', '.join(choices.values())}.")
    assert textarea(answer, f"slot-{slot.id}-rationale") == rationale


@pytest.fixture
def decided(panel):
    slot = panel["slot"]
    panels.record_outcome(panel["meeting"].id, panel["chair"], slot.id, decision_choice(panel),
                          "Criteria met.")
    return panel


def disagreements():
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(Disagreement.id)))


def test_a_disagreement_without_what_it_is_keeps_who(chair, decided):
    slot, meeting = decided["slot"], decided["meeting"]
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/panel/cases/{slot.id}/disagreements", {
        "form_id": f"slot-{slot.id}-disagree-form", "slot": slot.id,
        "who": "Education representative", "what": ""})
    page = assert_problem(answer, f"slot-{slot.id}-what", "Enter what the disagreement is.")
    box = attrs(page, f"slot-{slot.id}-what")
    assert box["aria-invalid"] == "true"
    assert box["aria-describedby"].split() == [f"slot-{slot.id}-what-error",
                                               f"slot-{slot.id}-what-hint"]
    assert attrs(page, f"slot-{slot.id}-who")["value"] == "Education representative"
    assert disagreements() == 0 and last_seq(meeting.id) == before


def test_a_disagreement_with_a_name_too_long_is_refused_at_who(chair, decided):
    slot = decided["slot"]
    answer = board_post(chair, decided["meeting"], f"/panel/cases/{slot.id}/disagreements", {
        "form_id": f"slot-{slot.id}-disagree-form", "slot": slot.id, "who": "W" * 121,
        "what": "Too soon for step down."})
    page = assert_problem(answer, f"slot-{slot.id}-who",
                          "Who disagrees must be 120 characters or fewer (this has 121).")
    assert attrs(page, f"slot-{slot.id}-who")["aria-invalid"] == "true"
    assert textarea(answer, f"slot-{slot.id}-what") == "Too soon for step down."
    assert disagreements() == 0


def test_a_disagreement_before_a_decision_is_refused_at_the_top_of_the_form(chair, panel):
    slot = panel["slot"]
    answer = board_post(chair, panel["meeting"], f"/panel/cases/{slot.id}/disagreements", {
        "form_id": f"slot-{slot.id}-disagree-form", "slot": slot.id, "who": "Dee Khan",
        "what": "Too soon."})
    assert_at_top_of_form(answer, f"slot-{slot.id}-disagree-form", "The panel has not "
                          "decided this case yet, so there is no decision to disagree with.")
    assert textarea(answer, f"slot-{slot.id}-what") == "Too soon."
    assert attrs(page_of(answer), f"slot-{slot.id}-who")["value"] == "Dee Khan"
    assert disagreements() == 0


def test_a_criterion_refused_is_shown_at_its_own_form(chair, panel):
    slot, meeting = panel["slot"], panel["meeting"]
    key = meeting.type.rules["criteria"][slot.direction][0]["key"]
    other = meeting.type.rules["criteria"][slot.direction][1]["key"]
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/panel/cases/{slot.id}/criteria", {
        "form_id": f"slot-{slot.id}-crit-{key}-form", "slot": slot.id, "criterion": key,
        "met": "perhaps"})
    page = assert_at_top_of_form(answer, f"slot-{slot.id}-crit-{key}-form",
                                 "Say whether the criterion is met.", status=400)
    assert "hidden" in attrs(page, f"slot-{slot.id}-crit-{other}-form-error")
    db.session.expire_all()
    assert not db.session.get(CaseSlot, slot.id).criteria
    assert last_seq(meeting.id) == before
