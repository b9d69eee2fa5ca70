"""The stability forms posted without JavaScript (the actions, the child's views, the agencies'
offers, the decision and its ticks), refused by the service: the meeting page comes back with
the GOV.UK error summary at the top linking to the field, the message beside that field (or at
the top of the form, when it is about no one field), the field marked invalid, and the form
filled again with what the person posted. Nothing is changed and nobody else hears of it.

Through Flask's test client, as a browser without JavaScript posts: the CSRF token of the page
and the form's own id (form_id)."""
import re
from datetime import datetime

import pytest

from facilitator.actions import services as actions
from facilitator.actions.models import Action
from facilitator.decisions import services as decisions
from facilitator.decisions.models import AgencyOffer, ChildView
from facilitator.extensions import db
from tests import test_actions as base
from tests.conftest import sign_in
from tests.test_actions import meeting_on
from tests.test_error_messages import Page, assert_problem, board_post, page_of
from tests.test_scaling_sockets import last_seq, seated

# The action tests' fixtures: the clock at 09:00 on Tuesday 1 December 2026, and a Placement
# Stability Meeting at 10:00 that day with a carer, a minute taker and a supervising social worker.
at, room = base.at, base.room

MULTI_AGENCY = "multi_agency_stability_support"


@pytest.fixture
def chair(client, chair_user, room):
    sign_in(client, chair_user.email)
    return client


@pytest.fixture
def carer(app, room):
    """Pat Jones's browser, as after she joined and the chair admitted her."""
    return seated(app, room["carer"])


def page_of_html(html):
    return Page(html)


def html_of(answer):
    return answer.get_data(as_text=True)


def opening_tag(html, element_id):
    """The whole opening tag of the element with this id."""
    match = re.search(r'<[a-z]+\b[^>]*\bid="%s"[^>]*>' % re.escape(element_id), html)
    assert match, f"no element #{element_id}"
    return match.group(0)


def details_open(html, form_id):
    """Whether the <details> the form is in is drawn open."""
    at_form = html.index(f'id="{form_id}"')
    start = html.rindex("<details", 0, at_form)
    return " open" in html[start:html.index(">", start)]


def checked(page, element_id):
    return "checked" in page.ids[element_id]["attrs"]


def selected(html, select_id):
    """The values of the options chosen in a select."""
    start = html.index(f'id="{select_id}"')
    options = html[start:html.index("</select>", start)]
    return re.findall(r'<option value="([^"]*)" selected>', options)


def the_actions(meeting):
    db.session.expire_all()
    return db.session.scalars(db.select(Action).filter_by(meeting_id=meeting.id)).all()


# ---- Proposing an action ---------------------------------------------------------------------

PROPOSAL = {"form_id": "action-propose-form", "what": "Book a respite weekend",
            "owner": "other", "owner_name": "The Family Hub", "timescale": "working_days",
            "timescale_number": "5", "due_date": "", "destination": "other_agency",
            "agency": "Virtual School", "for_iro": "1"}


@pytest.mark.parametrize("changes, field_id, message", [
    ({"what": "   "}, "new-action-what", "Enter what needs to happen."),
    ({"what": "x" * 501}, "new-action-what",
     "What needs to happen must be 500 characters or fewer (this has 501)."),
    ({"owner": ""}, "new-action-owner",
     "Choose who will do it, or name someone not in the meeting."),
    ({"owner": "99999"}, "new-action-owner",
     "That person is not in this meeting. Choose someone who is, or name them under someone "
     "else."),
    ({"owner_name": " "}, "new-action-owner-name",
     "Enter the name of the person or agency who will do it."),
    ({"timescale": ""}, "new-action-timescale-date", "Choose a timescale for the action."),
    ({"timescale_number": "0"}, "new-action-number",
     "Enter the number of working days as a whole number from 1 to 130."),
    ({"timescale": "weeks", "timescale_number": "two"}, "new-action-number",
     "Enter the number of weeks as a whole number from 1 to 52."),
    ({"timescale": "date", "due_date": ""}, "new-action-date", "Enter the date the action is due."),
    ({"timescale": "date", "due_date": "14/12/2026"}, "new-action-date",
     "Enter the date it is due as a real date, for example 14/12/2026."),
    # A date typed that has passed is the date box's problem; a worked-out one the timescale's.
    ({"timescale": "date", "due_date": "2026-11-30"}, "new-action-date",
     "That timescale makes the action due on 30 November 2026, which has passed. Choose a "
     "later date or a longer timescale."),
    ({"timescale": "before_review"}, "new-action-timescale-date",
     "Set the review date first (under Decision and review), or choose another timescale."),
    ({"destination": ""}, "new-action-destination", "Choose where the action is recorded."),
    ({"agency": ""}, "new-action-agency", "Enter the other agency's name."),
])
def test_a_refused_proposal_shows_the_problem_at_its_field(carer, room, changes, field_id,
                                                           message):
    meeting = room["meeting"]
    before = last_seq(meeting.id)
    answer = board_post(carer, meeting, "/actions", {**PROPOSAL, **changes})
    assert answer.status_code == 400
    page = assert_problem(answer, field_id, message)
    assert page.ids[field_id]["tag"] in ("input", "textarea", "select")
    html = html_of(answer)
    assert details_open(html, "action-propose-form")  # the form is on show, not folded away
    assert the_actions(meeting) == [] and last_seq(meeting.id) == before


def test_a_refused_proposal_comes_back_as_the_person_left_it(carer, room):
    meeting = room["meeting"]
    answer = board_post(carer, meeting, "/actions", {**PROPOSAL, "owner_name": ""})
    page = assert_problem(answer, "new-action-owner-name",
                          "Enter the name of the person or agency who will do it.")
    html = html_of(answer)
    owner_name = page.ids["new-action-owner-name"]["attrs"]
    assert owner_name["aria-invalid"] == "true"
    assert owner_name["aria-describedby"] == "new-action-owner-name-error"
    group = page.ids["new-action-owner-name"]["around"][-1]
    assert "govuk-form-group--error" in group["class"].split()
    assert ">Book a respite weekend</textarea>" in html
    assert selected(html, "new-action-owner") == ["other"]
    assert checked(page, "new-action-timescale-working_days")
    assert not checked(page, "new-action-timescale-date")
    assert page.ids["new-action-number"]["attrs"]["value"] == "5"
    assert selected(html, "new-action-destination") == ["other_agency"]
    assert page.ids["new-action-agency"]["attrs"]["value"] == "Virtual School"
    assert checked(page, "new-action-iro")
    # Only the field it is about is marked; the others are as they always are.
    for other in ("new-action-what", "new-action-owner", "new-action-agency"):
        assert "aria-invalid" not in page.ids[other]["attrs"], other
    assert "aria-invalid" not in opening_tag(html, "new-action-timescale-hint")


def test_a_timescale_problem_is_read_out_with_the_radios(carer, room):
    answer = board_post(carer, room["meeting"], "/actions", {**PROPOSAL, "timescale": ""})
    page = assert_problem(answer, "new-action-timescale-date", "Choose a timescale for the action.")
    fieldset = page.ids["new-action-timescale-date"]["around"][-3]
    assert "govuk-fieldset" in fieldset["class"].split()
    assert fieldset["aria-invalid"] == "true"
    # The hint is still read out, after the message.
    assert fieldset["aria-describedby"] == ("new-action-timescale-date-error "
                                            "new-action-timescale-hint")
    assert not any(checked(page, f"new-action-timescale-{value}")
                   for value in base.actions.TIMESCALES)


def test_the_forms_are_drawn_as_always_when_nothing_was_refused(carer, room):
    html = carer.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    assert page_of_html(html).summary is None
    assert not details_open(html, "action-propose-form")
    for form_id in ("action-propose-form", "child-view-form", "offer-form"):
        assert f'<input type="hidden" name="form_id" value="{form_id}">' in html
        box = opening_tag(html, f"{form_id}-error")
        assert "app-form-error" in box and " hidden" in box
    assert "aria-invalid" not in html
    assert 'aria-describedby="new-action-timescale-hint"' in html


def test_a_refusal_of_one_form_leaves_the_others_alone(carer, room):
    answer = board_post(carer, room["meeting"], "/child-views",
                        {"form_id": "child-view-form", "source": "child", "words": ""})
    page = assert_problem(answer, "view-words", "Enter the child's views.")
    html = html_of(answer)
    assert not details_open(html, "action-propose-form")
    for other in ("offer-agency", "offer-words", "new-action-what"):
        assert "aria-invalid" not in page.ids[other]["attrs"], other
    assert len(page.summary["links"]) == 1 and page.summary["items"] == []


# ---- The chair changes and confirms an action --------------------------------------------------

@pytest.fixture
def proposed(room):
    """Pat's proposal, waiting for the chair."""
    event = actions.propose(room["meeting"].id, room["carer"], base.fields(
        room["carer"], what="Ring school about the trip"))
    return db.session.get(Action, event.payload["action"])


def edit_form(action, **changes):
    return {"form_id": f"action-{action.id}-edit", "action": str(action.id),
            "what": "Ring school about the trip on Friday", "owner": "other",
            "owner_name": "Head of Year 7", "timescale": "weeks", "timescale_number": "2",
            "due_date": "", "destination": "childs_plan", "agency": "", **changes}


@pytest.mark.parametrize("changes, field, message", [
    ({"what": ""}, "what", "Enter what needs to happen."),
    ({"owner_name": ""}, "owner-name", "Enter the name of the person or agency who will do it."),
    ({"timescale": "date", "due_date": "2026-11-02"}, "date",
     "That timescale makes the action due on 2 November 2026, which has passed. Choose a "
     "later date or a longer timescale."),
    ({"timescale_number": "53"}, "number",
     "Enter the number of weeks as a whole number from 1 to 52."),
    ({"destination": "fridge"}, "destination", "Choose where the action is recorded."),
])
def test_a_refused_edit_stays_open_with_the_problem_and_the_changes(chair, room, proposed,
                                                                    changes, field, message):
    meeting = room["meeting"]
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/actions/{proposed.id}/edit",
                        {**edit_form(proposed, **changes), "confirm": "1"})
    page = assert_problem(answer, f"edit-{proposed.id}-{field}", message)
    html = html_of(answer)
    assert details_open(html, f"action-{proposed.id}-edit")
    # Their changes come back, not the action as it was saved.
    what = changes.get("what", "Ring school about the trip on Friday")
    assert f">{what}</textarea>" in html
    assert selected(html, f"edit-{proposed.id}-owner") == ["other"]
    assert checked(page, f"edit-{proposed.id}-timescale-{changes.get('timescale', 'weeks')}")
    # Nothing was saved, confirmed or told to anyone.
    (action,) = the_actions(meeting)
    assert (action.what, action.status, action.owner_name) == (
        "Ring school about the trip", "proposed", None)
    assert last_seq(meeting.id) == before
    # The propose form is as it always is.
    assert not details_open(html, "action-propose-form")
    assert "aria-invalid" not in page.ids["new-action-what"]["attrs"]


def test_an_action_confirmed_twice_says_so_at_the_top(chair, room, proposed):
    meeting = room["meeting"]
    data = {"form_id": f"action-{proposed.id}-confirm", "action": str(proposed.id)}
    token_page = chair.get(f"/meetings/{meeting.id}")  # the page with the Confirm button
    assert f'id="action-{proposed.id}-confirm"' in token_page.get_data(as_text=True)
    assert board_post(chair, meeting, f"/actions/{proposed.id}/confirm", data).status_code == 303
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/actions/{proposed.id}/confirm", data)
    assert answer.status_code == 409
    page = page_of(answer)
    # The button has gone (the action is confirmed), so the summary says it on its own.
    assert page.summary["items"] == ["That action is already confirmed."]
    assert page.summary["links"] == []
    assert last_seq(meeting.id) == before


def test_only_the_chair_confirms_and_the_carer_is_told_so(carer, room, proposed):
    meeting = room["meeting"]
    answer = board_post(carer, meeting, f"/actions/{proposed.id}/confirm",
                        {"form_id": f"action-{proposed.id}-confirm", "action": str(proposed.id)})
    assert answer.status_code == 403
    assert page_of(answer).summary["items"] == [
        "Only the chair or the minute taker can confirm or change an action."]
    assert the_actions(meeting)[0].status == "proposed"


# ---- Marking an action done or not done ----------------------------------------------------

@pytest.fixture
def confirmed(room, proposed):
    actions.confirm(room["meeting"].id, room["chair"], proposed.id)
    return proposed


@pytest.mark.parametrize("status, field, message", [
    ("done", "note", "Enter a note on what happened."),
    ("maybe", "status-open", "Choose done, not done or open."),
])
def test_a_refused_status_is_shown_at_its_answer(chair, room, confirmed, status, field,
                                                 message):
    meeting = room["meeting"]
    form_id = f"action-{confirmed.id}-status"
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, f"/actions/{confirmed.id}/status", {
        "form_id": form_id, "action": str(confirmed.id), "status": status, "note": " "})
    assert answer.status_code == 400
    ids = f"action-{confirmed.id}-{meeting.id}"
    page = assert_problem(answer, f"{ids}-{field}", message)
    assert "hidden" in page.ids[f"{form_id}-error"]["attrs"]   # not also at the top of the form
    assert details_open(html_of(answer), form_id)
    assert checked(page, f"{ids}-status-done") == (status == "done")  # as they chose
    assert not checked(page, f"{ids}-status-open")
    assert the_actions(meeting)[0].status == "open" and last_seq(meeting.id) == before


def test_a_status_note_comes_back_when_the_status_is_refused(chair, room, confirmed):
    meeting = room["meeting"]
    form_id = f"action-{confirmed.id}-status"
    answer = board_post(chair, meeting, f"/actions/{confirmed.id}/status", {
        "form_id": form_id, "action": str(confirmed.id), "status": "", "note": "School rang"})
    assert answer.status_code == 400
    assert ">School rang</textarea>" in html_of(answer)
    assert the_actions(meeting)[0].status_note is None


def test_the_owner_marks_their_action_done_without_the_script(carer, room, confirmed):
    """The status form is drawn for its owner on their own page (meeting.js shows it on a live
    update), so a carer whose browser does not run the script can still use it."""
    meeting = room["meeting"]
    html = carer.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    status = re.search(r'<details class="app-card__edit app-action__status-form"([^>]*)>', html)
    assert "hidden" not in status.group(1) and "data-own-only" in status.group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    done = carer.post(f"/meetings/{meeting.id}/actions/{confirmed.id}/status", data={
        "csrf_token": token, "form_id": f"action-{confirmed.id}-status",
        "action": str(confirmed.id), "status": "done", "note": "School rang back"})
    assert done.status_code == 303
    assert the_actions(meeting)[0].status == "done"


# ---- The child's views and the agencies' offers ---------------------------------------------

def first_source():
    return next(iter(decisions.VIEW_SOURCES))


def test_the_childs_views_without_how_they_were_given(carer, room):
    meeting = room["meeting"]
    before = last_seq(meeting.id)
    answer = board_post(carer, meeting, "/child-views", {
        "form_id": "child-view-form", "source": "", "words": "I want to stay with Pat."})
    target = f"view-source-{first_source()}"
    page = assert_problem(answer, target, "Choose how the child's views were given.")
    fieldset = page.ids[target]["around"][-3]
    assert fieldset["aria-invalid"] == "true" and fieldset["data-field"] == "source"
    assert ">I want to stay with Pat.</textarea>" in html_of(answer)  # their words are kept
    assert db.session.scalar(db.select(db.func.count(ChildView.id))) == 0
    assert last_seq(meeting.id) == before


@pytest.mark.parametrize("words, message", [
    ("  ", "Enter the child's views."),
    ("x" * (decisions.VIEW_LIMIT + 1),
     f"The child's views must be {decisions.VIEW_LIMIT} characters or fewer "
     f"(this has {decisions.VIEW_LIMIT + 1})."),
])
def test_the_childs_views_left_empty_or_too_long(carer, room, words, message):
    answer = board_post(carer, room["meeting"], "/child-views", {
        "form_id": "child-view-form", "source": "advocate", "words": words})
    page = assert_problem(answer, "view-words", message)
    assert page.ids["view-words"]["attrs"]["aria-invalid"] == "true"
    assert checked(page, "view-source-advocate")  # the choice made is made again
    assert db.session.scalar(db.select(db.func.count(ChildView.id))) == 0


@pytest.mark.parametrize("agency, offer, field_id, message", [
    ("", "A weekly session.", "offer-agency", "Enter the agency's name."),
    ("CAMHS", "", "offer-words", "Enter the support the agency can provide."),
    ("C" * (decisions.AGENCY_LIMIT + 1), "A weekly session.", "offer-agency",
     f"The agency's name must be {decisions.AGENCY_LIMIT} characters or fewer "
     f"(this has {decisions.AGENCY_LIMIT + 1})."),
])
def test_a_refused_offer_shows_the_problem_at_its_field(carer, room, agency, offer, field_id,
                                                        message):
    meeting = room["meeting"]
    before = last_seq(meeting.id)
    answer = board_post(carer, meeting, "/agency-offers",
                        {"form_id": "offer-form", "agency": agency, "offer": offer})
    page = assert_problem(answer, field_id, message)
    assert page.ids["offer-agency"]["attrs"]["value"] == agency
    assert f">{offer}</textarea>" in html_of(answer)
    assert db.session.scalar(db.select(db.func.count(AgencyOffer.id))) == 0
    assert last_seq(meeting.id) == before


# ---- The decision ------------------------------------------------------------------------------

DECISION = {"form_id": "decision-form", "outcome": "maintain", "rationale": "Pat wants to go on.",
            "review_date": "2026-12-29", "notify_iro": "1"}


def first_of(choices, prefix):
    return f"{prefix}-{next(iter(choices))}"


@pytest.mark.parametrize("changes, field_id, message", [
    ({"outcome": ""}, "outcome", "Choose the decision about the placement."),
    ({"outcome": "planned_move"}, "approval",
     "A planned move needs approval: choose who approves it."),
    ({"review_date": ""}, "decision-review", "Enter the review date."),
    ({"review_date": "2026-11-30"}, "decision-review",
     "The review date cannot be before the meeting."),
    ({"review_date": "29/12/2026"}, "decision-review",
     "Enter the review date as a real date, for example 14/12/2026."),
    ({"rationale": "x" * (decisions.RATIONALE_LIMIT + 1)}, "decision-rationale",
     f"The reasons must be {decisions.RATIONALE_LIMIT} characters or fewer "
     f"(this has {decisions.RATIONALE_LIMIT + 1})."),
])
def test_a_refused_decision_shows_the_problem_at_its_field(chair, room, changes, field_id,
                                                           message):
    meeting = room["meeting"]
    if field_id == "outcome":
        field_id = first_of(decisions.outcomes(meeting.type), "decision-outcome")
    elif field_id == "approval":
        field_id = first_of(decisions.approvers(meeting.type), "decision-approval")
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/decision", {**DECISION, **changes})
    assert answer.status_code == 400
    page = assert_problem(answer, field_id, message)
    html = html_of(answer)
    assert details_open(html, "decision-form")
    assert checked(page, "decision-notify-iro") and not checked(page, "decision-notify-cafcass")
    assert page.ids["decision-review"]["attrs"]["value"] == changes.get("review_date",
                                                                        "2026-12-29")
    assert decisions.decision_for(meeting.id) is None and last_seq(meeting.id) == before


def test_the_review_date_hint_is_still_read_out_with_the_problem(chair, room):
    answer = board_post(chair, room["meeting"], "/decision", {**DECISION, "review_date": ""})
    page = assert_problem(answer, "decision-review", "Enter the review date.")
    review = page.ids["decision-review"]["attrs"]
    assert review["aria-invalid"] == "true"
    assert review["aria-describedby"].split() == ["decision-review-error", "decision-review-hint"]
    # Drawn as always, the hint alone.
    html = chair.get(f"/meetings/{room['meeting'].id}").get_data(as_text=True)
    assert 'aria-describedby="decision-review-hint"' in opening_tag(html, "decision-review")


def test_changing_a_decision_comes_back_open_with_the_change_not_the_decision(chair, room):
    meeting = room["meeting"]
    decisions.record_decision(meeting.id, room["chair"], {
        "outcome": "maintain", "review_date": "2026-12-29", "rationale": "Settled."})
    html = chair.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert not details_open(html, "decision-form")  # a decision recorded: the form is folded
    before = last_seq(meeting.id)
    answer = board_post(chair, meeting, "/decision", {
        **DECISION, "outcome": "planned_move", "rationale": "Pat has given notice.",
        "notify_cafcass": "1"})
    page = assert_problem(answer, first_of(decisions.approvers(meeting.type),
                                           "decision-approval"),
                          "A planned move needs approval: choose who approves it.")
    html = html_of(answer)
    assert details_open(html, "decision-form")
    assert checked(page, "decision-outcome-planned_move")
    assert not checked(page, "decision-outcome-maintain")
    assert ">Pat has given notice.</textarea>" in html
    assert checked(page, "decision-notify-cafcass")
    decision = decisions.decision_for(meeting.id)
    assert (decision.outcome, decision.rationale) == ("maintain", "Settled.")
    assert last_seq(meeting.id) == before


def test_a_multi_agency_decision_asks_how_often_to_monitor(client, chair_user, at):
    at(datetime(2026, 12, 1, 9, 0))
    meeting = meeting_on(chair_user, datetime(2026, 12, 1, 10, 0), type_code=MULTI_AGENCY)
    sign_in(client, chair_user.email)
    answer = board_post(client, meeting, "/decision", {
        "form_id": "decision-form", "outcome": "maintain", "review_date": "2027-01-12",
        "monitoring_days": ""})
    page = assert_problem(answer, "decision-monitoring",
                          "Choose how often the placement is monitored by telephone.")
    assert page.ids["decision-monitoring"]["attrs"]["aria-invalid"] == "true"
    assert checked(page, "decision-outcome-maintain")
    assert decisions.decision_for(meeting.id) is None
    # A review date beyond six weeks is allowed (a warning once saved), never refused.
    answer = board_post(client, meeting, "/decision", {
        "form_id": "decision-form", "outcome": "maintain", "review_date": "2027-03-01",
        "monitoring_days": "7"})
    assert answer.status_code == 303
    assert decisions.decision_view(meeting)["warning"].startswith(
        "The review date is more than 6 weeks after the meeting")


def test_only_the_chair_records_the_decision_and_the_minute_taker_is_told(app, room):
    taker = seated(app, room["minute_taker"])
    answer = board_post(taker, room["meeting"], "/decision", DECISION)
    assert answer.status_code == 403
    assert page_of(answer).summary["items"] == ["Only the chair can record the decision."]
    assert decisions.decision_for(room["meeting"].id) is None


# ---- Ticking who has been told ----------------------------------------------------------------

@pytest.fixture
def decided(room):
    decisions.record_decision(room["meeting"].id, room["chair"], {
        "outcome": "maintain", "review_date": "2026-12-29", "notify_iro": "1"})
    return room["meeting"]


def test_a_tick_for_someone_already_told_says_so_at_the_top(chair, decided):
    data = {"form_id": "notify-iro-form", "kind": "iro"}
    assert board_post(chair, decided, "/decision/notified", data).status_code == 303
    before = last_seq(decided.id)
    answer = board_post(chair, decided, "/decision/notified", data)
    assert answer.status_code == 409
    page = page_of(answer)
    # The tick button has gone (they are told), so the summary says it on its own.
    assert page.summary["items"] == [
        "The Independent Reviewing Officer (IRO) is already ticked as told."]
    assert "notify-iro-form" not in page.ids
    assert last_seq(decided.id) == before


def test_a_refused_tick_is_said_in_its_form(chair, decided):
    before = last_seq(decided.id)
    answer = board_post(chair, decided, "/decision/notified",
                        {"form_id": "notify-iro-form", "kind": "police"})
    assert answer.status_code == 409
    page = page_of(answer)
    assert page.messages["notify-iro-form-error"] == (
        "Error: Record the decision and who must be told first.")
    assert page.ids["notify-iro-form-error"]["around"][-1]["id"] == "notify-iro-form"
    assert page.summary["items"] == ["Record the decision and who must be told first."]
    assert last_seq(decided.id) == before
    assert decisions.decision_for(decided.id).notifications["iro"]["done_at"] is None
