"""Every form's problems, as a person meets them (issue 11, point 7): bad input posted to each
form through Flask's test client comes back with the GOV.UK error summary at the top of the page
(an alert, focused when the page loads, each message a link to its field) and the same message
beside the field, "Error:" read out first, in words that say how to put it right. Success is a
green notification banner, never "There is a problem". Over the live connection a refusal
carries the same words."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

import facilitator.clock
from facilitator.accounts.services import create_user
from facilitator.board import services as board
from facilitator.documents import services as documents
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.panels.models import Locality
from facilitator.stability import monitoring
from tests.conftest import PASSWORD, csrf_from, guest, sign_in, socket_client
from tests.test_scaling_sockets import last_seq, seated
from tests.test_stability_pages import NOW, confirmed_concern, post_form, record

# Messages that say something is wrong without saying what to do about it.
UNHELPFUL = re.compile(r"invalid|not a valid|this field is required|field must|cannot be "
                       r"longer|please", re.IGNORECASE)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """What a person finds on the page: the error summary (its links and where they go), the
    messages shown at fields, the notification banners, and every element with an id."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.open, self.order = [], 0
        self.ids, self.messages, self.banners = {}, {}, []
        self.summary, self.summary_at, self.h1_at = None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.order += 1
        classes = (attrs.get("class") or "").split()
        if "govuk-error-summary" in classes:
            self.summary = {"role": attrs.get("role"), "module": attrs.get("data-module"),
                            "links": [], "items": []}
            self.summary_at = self.order
        if tag == "h1" and self.h1_at is None:
            self.h1_at = self.order
        if "govuk-notification-banner" in classes:
            self.banners.append({"classes": classes, "role": attrs.get("role"), "text": ""})
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, "attrs": attrs,
                                     "around": [a for _, a, _ in self.open]}
        if tag not in VOID:
            self.open.append((tag, attrs, []))

    def handle_data(self, data):
        for _, _, text in self.open:
            text.append(data)

    def handle_endtag(self, tag):
        while self.open:
            name, attrs, text = self.open.pop()
            self._closed(name, attrs, " ".join("".join(text).split()))
            if name == tag:
                break

    def _closed(self, tag, attrs, text):
        classes = (attrs.get("class") or "").split()
        inside = [(a.get("class") or "").split() for _, a, _ in self.open]
        if "govuk-error-message" in classes:
            self.messages[attrs.get("id")] = text
        if "govuk-notification-banner" in classes:
            self.banners[-1]["text"] = text
        if not any("govuk-error-summary" in c for c in inside):
            return
        if tag == "a":
            self.summary["links"].append((attrs.get("href"), text))
        elif tag == "li" and text not in [t for _, t in self.summary["links"]]:
            self.summary["items"].append(text)

    def messages_at(self, field_id):
        """The messages a screen reader reads with the field: its own aria-describedby and
        its fieldset's (a group of radios)."""
        element = self.ids[field_id]
        described = [element["attrs"].get("aria-describedby") or ""] + [
            a.get("aria-describedby") or "" for a in element["around"] if a is not None]
        return [self.messages[i] for d in described for i in d.split() if i in self.messages]


def page_of(response):
    return Page(response.get_data(as_text=True))


def assert_problem(response, field_id, message):
    """At the top, the summary links to the field; at the field, the same message."""
    page = page_of(response)
    assert response.status_code >= 400, response.status_code
    summary = page.summary
    assert summary, "no error summary on the page"
    assert summary["role"] == "alert" and summary["module"] == "govuk-error-summary"
    assert page.h1_at is None or page.summary_at < page.h1_at, "the summary is not at the top"
    assert (f"#{field_id}", message) in summary["links"], summary
    assert field_id in page.ids, f"the summary links to #{field_id}, which is not on the page"
    assert f"Error: {message}" in page.messages_at(field_id), page.messages_at(field_id)
    for _, said in summary["links"]:
        assert not UNHELPFUL.search(said), said
    return page


def form_post(client, url, data, page=None):
    """Post a form as the browser would: with the CSRF token of the page that shows it."""
    token = csrf_from((client.get(page or url)).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def admin(client):
    create_user("admin@example.org", "Ada Admin", PASSWORD, is_admin=True)
    sign_in(client, "admin@example.org")
    return client


@pytest.fixture
def chair(client, chair_user):
    sign_in(client, chair_user.email)
    return client


# ---- Signing in and joining ---------------------------------------------------------------

def test_signing_in_says_what_is_missing_and_when_the_password_is_wrong(client, chair_user):
    empty = form_post(client, "/sign-in", {})
    assert_problem(empty, "email", "Enter your email address.")
    assert_problem(empty, "password", "Enter your password.")
    wrong = form_post(client, "/sign-in", {"email": chair_user.email, "password": "nope"})
    assert_problem(wrong, "email", "The email address or password is not right. Check both "
                                   "and try again.")


def test_a_form_left_open_too_long_says_to_try_again(client, chair_user):
    stale = client.post("/sign-in", data={"email": chair_user.email, "password": PASSWORD})
    assert stale.status_code == 400
    text = stale.get_data(as_text=True)
    assert "The page was open too long" in text and "reload the page and try again" in text
    assert "CSRF token" not in text  # not the framework's words


def test_joining_by_code_says_to_enter_or_check_the_code(client):
    assert_problem(form_post(client, "/join", {}), "code", "Enter the meeting code.")
    unknown = client.get("/join/ZZZZZZ")
    assert unknown.status_code == 404
    assert_problem(unknown, "code", "There is no open meeting with that code. Check the code "
                                    "on the screen in the room, or ask the chair.")


def test_a_guest_is_asked_for_their_name_and_who_they_are(client, meeting):
    url = f"/join/{meeting.join_code}"
    empty = form_post(client, url, {})
    assert_problem(empty, "name", "Enter your name.")
    assert_problem(empty, "attends_as", "Choose who you are in this meeting.")
    forged = form_post(client, url, {"name": "Pat", "attends_as": "chair"})
    assert_problem(forged, "attends_as", "Choose who you are in this meeting.")
    too_long = form_post(client, url, {"name": "P" * 81, "attends_as": "carer"})
    assert_problem(too_long, "name", "Your name must be 80 characters or fewer.")


# ---- Setting up a meeting -----------------------------------------------------------------

MEETING = {"type_code": "placement_stability", "immediate_risk": "no",
           "case_reference": "CASE-0042", "child_name": "Jordan Lee Taylor",
           "day": "2026-12-14", "time": "10:00", "location": "Room 2"}


def test_setting_up_a_meeting_says_what_each_missing_answer_is(chair):
    empty = form_post(chair, "/meetings/new", {})
    for field, message in [("case_reference", "Enter the child's case reference."),
                           ("child_name", "Enter the child's name."),
                           ("day", "Enter the date of the meeting."),
                           ("time", "Enter the start time."),
                           ("location", "Enter where the meeting is.")]:
        assert_problem(empty, field, message)
    not_a_day = form_post(chair, "/meetings/new", {**MEETING, "day": "2026-02-31"})
    assert_problem(not_a_day, "day", "Enter the date of the meeting as a real date, for "
                                     "example 24/11/2026.")
    no_type = form_post(chair, "/meetings/new", {**MEETING, "type_code": "tea_party"})
    assert_problem(no_type, "type_code", "Choose a type of meeting.")
    no_risk = form_post(chair, "/meetings/new", {**MEETING, "immediate_risk": ""})
    assert_problem(no_risk, "immediate_risk",
                   "Say whether the placement is at immediate risk of breaking down.")


def test_a_case_reference_already_used_for_another_child_is_shown_at_the_reference(
        chair, chair_user, meeting):
    other = form_post(chair, "/meetings/new", {**MEETING, "child_name": "Casey Brown"})
    assert_problem(other, "case_reference", "That case reference is already recorded with a "
                                            "different name. Check the reference and the "
                                            "child's name.")


# ---- The live forms' words, and the no-JavaScript fallback ---------------------------------

@pytest.fixture
def carer_socket(app, meeting, chair_seat):
    pat = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    sio = socket_client(app, seated(app, pat))
    assert sio.emit("meeting.join", {"meeting": meeting.id, "since": last_seq(meeting.id)},
                    callback=True)["ok"]
    return sio


@pytest.mark.parametrize("event, data, message", [
    ("card.add", {"column": "worried", "text": "   "}, "Enter what you want to say."),
    ("decisions.view", {"source": "child", "words": ""}, "Enter the child's views."),
    ("decisions.offer", {"agency": "CAMHS", "offer": ""},
     "Enter the support the agency can provide."),
    ("actions.propose", {"what": "Book respite", "owner": "other", "owner_name": "",
                         "timescale": "ongoing", "destination": "childs_plan"},
     "Enter the name of the person or agency who will do it."),
])
def test_a_live_form_refusal_says_how_to_put_it_right(carer_socket, meeting, event, data,
                                                      message):
    reply = carer_socket.emit(event, {"meeting": meeting.id, **data}, callback=True)
    assert reply["ok"] is False and reply["error"] == message


def test_a_live_refusal_names_the_field_so_the_page_shows_it_there(carer_socket, meeting):
    reply = carer_socket.emit("actions.propose", {
        "meeting": meeting.id, "what": "Book respite", "owner": "other", "owner_name": "",
        "timescale": "ongoing", "destination": "childs_plan"}, callback=True)
    assert reply.get("field") == "owner_name"


def test_every_live_check_names_its_field_in_words_that_say_what_to_do(chair, meeting):
    """The page's own checks (data-required) run before sending: the message the script shows
    beside each field."""
    html = chair.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    messages = re.findall(r'data-required="([^"]+)"', html)
    assert len(messages) >= 8, messages
    for message in messages:
        assert message.endswith(".") and not UNHELPFUL.search(message), message
        assert message.split()[0] in ("Enter", "Choose", "Say", "Give"), message


# ---- The board's forms, posted without JavaScript --------------------------------------------

def board_post(client, meeting, path, data):
    """A board form posted as a browser without JavaScript posts it: the form's own id with it."""
    return form_post(client, f"/meetings/{meeting.id}{path}", data, f"/meetings/{meeting.id}")


def test_without_javascript_a_refused_card_comes_back_beside_its_box_with_the_words(
        chair, meeting):
    long = "Bedtimes end in shouting. " * 20
    answer = board_post(chair, meeting, "/cards", {
        "form_id": "new-card-worried-form", "column": "worried", "text": long})
    page = assert_problem(answer, "new-card-worried", "What you want to say must be 500 "
                          "characters or fewer (this has 519).")
    box = page.ids["new-card-worried"]["attrs"]
    assert box["aria-invalid"] == "true"
    assert "new-card-worried-limit" in box["aria-describedby"]   # the limit is still read out
    assert long.strip() in answer.get_data(as_text=True)  # their words are kept
    assert "aria-invalid" not in page.ids["new-card-working_well"]["attrs"]  # only the one refused
    assert board.board_cards(meeting)["worried"] == []                # and nothing was added


def test_without_javascript_an_empty_card_is_asked_for_at_its_box(chair, meeting):
    answer = board_post(chair, meeting, "/cards", {
        "form_id": "new-card-needs_to_happen-form", "column": "needs_to_happen", "text": "  "})
    assert_problem(answer, "new-card-needs_to_happen", "Enter what you want to say.")


def test_without_javascript_a_card_edit_stays_open_with_the_problem(chair, meeting, chair_seat):
    card = board.add_card(meeting.id, chair_seat, "worried", "School moves").payload["card"]
    answer = board_post(chair, meeting, f"/cards/{card['id']}/edit", {
        "form_id": f"card-{card['id']}-edit-form", "card": card["id"],
        "version": card["version"], "text": ""})
    page = assert_problem(answer, f"edit-{card['id']}", "Enter the card's text.")
    html = answer.get_data(as_text=True)
    assert re.search(r'<details class="app-card__edit" open>', html)
    assert "aria-invalid" in page.ids[f"edit-{card['id']}"]["attrs"]


def test_without_javascript_a_problem_with_no_one_field_is_at_the_top_of_its_form(
        chair, meeting, chair_seat):
    card = board.add_card(meeting.id, chair_seat, "worried", "School moves").payload["card"]
    board.edit_card(meeting.id, chair_seat, card["id"], "School moves again")
    answer = board_post(chair, meeting, f"/cards/{card['id']}/edit", {
        "form_id": f"card-{card['id']}-edit-form", "card": card["id"],
        "version": card["version"], "text": "My older words"})
    assert answer.status_code == 409
    page = page_of(answer)
    said = page.messages[f"card-{card['id']}-edit-form-error"]
    assert said.startswith("Error: Someone changed this card"), said
    assert said[len("Error: "):] in page.summary["items"]
    assert "My older words" in answer.get_data(as_text=True)


def test_without_javascript_a_refused_form_changes_nothing_for_others(chair, meeting):
    before = last_seq(meeting.id)
    board_post(chair, meeting, "/cards", {"form_id": "new-card-worried-form",
                                          "column": "worried", "text": ""})
    assert last_seq(meeting.id) == before


# ---- Success is not a problem ---------------------------------------------------------------

def test_a_saved_agenda_is_a_success_banner_and_a_bad_one_a_problem(admin):
    url = "/admin/meeting-types/placement_stability"
    bad = form_post(admin, url, {"title": ["Welcome", "Worries"], "minutes": ["5", "0"]})
    assert_problem(bad, "minutes-2", "Give item 2 a whole number of minutes from 1 to 180.")
    empty = form_post(admin, url, {"title": [""], "minutes": [""]})
    assert_problem(empty, "title-1", "Enter at least one agenda item: a title and its minutes.")
    saved = form_post(admin, url, {"title": ["Welcome"], "minutes": ["5"]})
    page = page_of(admin.get(saved.headers["Location"]))
    assert page.summary is None  # never "There is a problem" for good news
    (banner,) = page.banners
    assert "govuk-notification-banner--success" in banner["classes"]
    assert banner["role"] == "alert"
    assert "Success" in banner["text"] and "agenda is saved" in banner["text"]


# ---- Administration --------------------------------------------------------------------------

ACCOUNT = {"email": "new@example.org", "name": "Nia New", "password": "long enough password"}


def test_setting_up_an_account_shows_each_problem_at_its_field(admin):
    url = "/admin/accounts"
    not_an_address = form_post(admin, url, {**ACCOUNT, "email": "nia"})
    assert_problem(not_an_address, "email", "Enter an email address in the correct format, "
                                            "like name@example.org.")
    short = form_post(admin, url, {**ACCOUNT, "password": "short"})
    assert_problem(short, "password", "The password must be at least 10 characters.")
    form_post(admin, url, ACCOUNT)
    twice = form_post(admin, url, ACCOUNT)
    assert_problem(twice, "email", "There is already an account with that email address. "
                                   "Check the address, or reactivate their account in the list.")
    empty = form_post(admin, url, {})
    assert_problem(empty, "name", "Enter their name.")
    assert_problem(empty, "password", "Enter a first password.")


def test_deleting_a_meeting_asks_why(admin, meeting):
    answer = form_post(admin, f"/admin/meetings/{meeting.id}/delete", {"reason": " "},
                       "/admin/meetings")
    assert_problem(answer, f"reason-{meeting.id}", "Enter why the meeting is being deleted.")


# ---- Panels ---------------------------------------------------------------------------------

def test_starting_a_panel_series_says_which_day_it_meets(chair):
    empty = form_post(chair, "/panels/series", {}, "/panels")
    assert_problem(empty, "locality", "Choose a locality.")
    assert_problem(empty, "first_date", "Enter the date of the first panel.")
    north = db.session.scalar(db.select(Locality).filter_by(name="North"))
    tuesday = date(2026, 12, 8)
    wrong_day = form_post(chair, "/panels/series", {"locality": str(north.id),
                                                    "first_date": tuesday.isoformat()},
                          "/panels")
    assert_problem(wrong_day, "first_date", "Choose a Wednesday: this panel meets on "
                                            "Wednesdays.")


# ---- Stability pages ------------------------------------------------------------------------

@pytest.fixture
def officer(monkeypatch, chair):
    monkeypatch.setattr(facilitator.clock, "utcnow", lambda: NOW)
    return chair


def test_a_stability_concern_shows_each_answer_to_give(officer):
    assert_problem(record(officer, raised_by=""), "raised_by", "Enter who raised the concern.")
    assert_problem(record(officer, scale="6"), "scale",
                   "Choose a number on the scale, from 1 to 5.")
    assert_problem(record(officer, raised_on="2026-12-02"), "raised_on",
                   "The date and time the concern was raised cannot be in the future.")
    assert_problem(record(officer, raised_time="25:00"), "raised_time",
                   "Enter the time the concern was raised as a time of day, for example 14:30.")
    assert_problem(record(officer, involvement="camhs", involvement_worker=""),
                   "involvement_worker", "Enter the name of the AST or CAMHS worker.")


def test_choosing_another_route_asks_for_the_reason_at_the_reason(officer):
    record(officer)
    from facilitator.stability.models import StabilityConcern

    concern = db.session.scalar(db.select(StabilityConcern))
    url = f"/stability/concerns/{concern.id}"
    answer = post_form(officer, f"{url}/route", {"route": "support_not_involved"}, url)
    assert_problem(answer, "reason", "Enter the reason for choosing a different route.")


def test_a_call_and_the_end_of_monitoring_show_their_problems_at_that_placement(officer):
    placement = monitoring.active_placement(confirmed_concern(officer, scale="2").id)
    calls = f"/stability/monitoring/{placement.id}/calls"
    future = post_form(officer, calls, {"called_on": "2026-12-01", "called_time": "10:30",
                                        "scale": "2", "note": "Fine."}, "/stability/monitoring")
    assert_problem(future, f"p{placement.id}-called_on",
                   "The date and time of the call cannot be in the future.")
    no_note = post_form(officer, calls, {"called_on": "2026-12-01", "called_time": "09:30",
                                         "scale": "2", "note": ""}, "/stability/monitoring")
    assert_problem(no_note, f"p{placement.id}-note", "Enter a note of the call.")
    end = post_form(officer, f"/stability/monitoring/{placement.id}/end", {"reason": ""},
                    "/stability/monitoring")
    assert_problem(end, f"p{placement.id}-end-reason", "Enter why monitoring is ending.")


def test_a_placement_move_needs_a_real_date_in_the_past(officer):
    move = {"case_reference": "CASE-0042", "child_name": "Jordan Lee Taylor",
            "from_placement": "Pat Jones", "to_placement": "Sam Ray", "reason": "Notice given."}
    url = "/stability/moves/new"
    future = post_form(officer, url, {**move, "moved_on": "2026-12-02"})
    assert_problem(future, "moved_on", "The date of the move cannot be in the future.")
    not_a_day = post_form(officer, url, {**move, "moved_on": "2026-13-01"})
    assert_problem(not_a_day, "moved_on", "Enter the date of the move as a real date, for "
                                          "example 24/11/2026.")
    no_reason = post_form(officer, url, {**move, "moved_on": "2026-11-30", "reason": ""})
    assert_problem(no_reason, "reason", "Enter the reason for the move.")


# ---- Scores sent in advance -----------------------------------------------------------------

def test_a_score_sent_in_advance_asks_for_the_score_and_the_reason(client, meeting, chair_seat):
    event = meetings.invite_in_advance(meeting.id, chair_seat, name="Dr Ola Ade",
                                       attends_as="camhs")
    away = db.session.get(meetings.Participant, event.payload["participant"]["id"])
    url = f"/meetings/{meeting.id}/in-advance/{away.token}"
    empty = form_post(client, url, {})
    assert_problem(empty, "value-0", "Choose a score from 0 to 10.")
    assert_problem(empty, "reason", "Give a reason for your score.")
    out_of_range = form_post(client, url, {"value": "12", "reason": "Calmer."})
    assert_problem(out_of_range, "value-0", "Choose a score from 0 to 10.")


# ---- Documents ------------------------------------------------------------------------------

@pytest.fixture
def closed(meeting, chair_seat):
    card = board.add_card(meeting.id, chair_seat, "worried", "Nights are hard")
    card = card.payload["card"]["id"]
    documents.close_meeting(meeting.id, chair_seat)
    return {"meeting": meeting, "card": card}


def test_a_correction_shows_its_problem_beside_the_text(chair, closed):
    meeting_id, card = closed["meeting"].id, closed["card"]
    url = f"/meetings/{meeting_id}/documents/minutes"
    answer = form_post(chair, f"{url}/corrections", {f"text:card-{card}": ""}, f"{url}/draft")
    page = assert_problem(answer, f"text-card-{card}", "Enter a correction for Card 1 under "
                                                       "“What are we worried about?”.")
    assert page.ids[f"text-card-{card}"]["tag"] == "textarea"


def test_issuing_a_correction_asks_why_at_the_reason(chair, chair_user, closed):
    meeting_id = closed["meeting"].id
    documents.issue(meeting_id, chair_user, "minutes", 1)
    url = f"/meetings/{meeting_id}/documents/minutes"
    answer = form_post(chair, f"{url}/issue", {"version": "2", "reason": ""}, f"{url}/draft")
    assert_problem(answer, "reason", "Enter the reason for the correction.")


def test_closing_the_meeting_checks_each_email_address(chair, meeting, chair_seat):
    pat = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    url = f"/meetings/{meeting.id}/close"
    answer = form_post(chair, url, {f"email-{pat.id}": "pat at home"})
    assert_problem(answer, f"email-{pat.id}", "Enter Pat Jones's email address in the right "
                                              "format, like name@example.org.")


def test_an_action_due_date_in_the_past_says_what_to_choose(carer_socket, meeting):
    yesterday = (facilitator.clock.london_today() - timedelta(days=1)).isoformat()
    reply = carer_socket.emit("actions.propose", {
        "meeting": meeting.id, "what": "Book respite", "owner": "other", "owner_name": "Hub",
        "timescale": "date", "due_date": yesterday, "destination": "childs_plan"},
        callback=True)
    assert reply["ok"] is False
    assert "which has passed. Choose a later date or a longer timescale." in reply["error"]
