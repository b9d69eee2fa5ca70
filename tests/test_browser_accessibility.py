"""Accessibility in a real headless Chromium against a real server process (`flask serve`).

axe-core audits every page and state of the service against WCAG 2.2 A and AA; a whole meeting
is run by keyboard alone; screen readers hear live changes through one polite region; and the
pages a participant uses work on a 360 px phone. Each page's counts are printed as a table and
kept in test-artifacts/accessibility/axe-results.json.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitator import clock
from facilitator.accounts.models import User
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import OBSERVER, Participant
from facilitator.panels import services as panels
from facilitator.panels.models import Locality
from tests import test_browser_board as board
from tests.browser_checks import (
    AxeAudit,
    accessible_name,
    choose_by_arrows,
    expect_focus_visible,
    keyboard_to,
    press_on,
    sideways_scroll,
    small_targets,
)
from tests.conftest import ARTIFACTS, PASSWORD
from tests.test_browser_agenda import shorten_items, timer
from tests.test_browser_board import (
    LAPTOP,
    PROJECTOR,
    RECONNECT,
    SMALL_PHONE,
    add_card,
    ask_to_join,
    chair_page,
    expect_up_to_date,
    join,
    let_in,
    projector_page,
)

# The board tests' fixtures: each person's own browser context, the chair's account and meeting,
# and Playwright's longer wait for live changes.
devices, room, live_timeout = board.devices, board.room, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

RESULTS = ARTIFACTS / "accessibility" / "axe-results.json"
OVERRUN_ITEM, WARNING_ITEM = 3, 125   # seconds planned for the first two agenda items


@pytest.fixture(scope="module")
def axe():
    """One audit for the module's tests: printed as a table and written as JSON at the end."""
    audit = AxeAudit()
    yield audit
    print("\naxe-core (WCAG 2.2 A and AA) violations by page and impact; review: rules axe could"
          " not decide (SVG text, symbol-only marks), checked by hand; passed: rules passed")
    print(audit.table())
    audit.write(RESULTS)


def expect_no_serious_problems(axe, names):
    serious = {name: found for name, found in axe.serious().items() if name in names}
    assert serious == {}, f"serious or critical accessibility problems: {serious}"


class Audited:
    """The pages one test audits: each recorded under its name, checked at the end together."""

    def __init__(self, axe):
        self.axe, self.names = axe, []

    def __call__(self, page, name):
        expect(page.locator("body")).to_be_visible()
        self.axe.record(page, name)
        self.names.append(name)

    def expect_none_serious(self):
        expect_no_serious_problems(self.axe, self.names)


def signed_in(devices, server, email="chair@example.org", viewport=LAPTOP):
    page = devices.open(viewport)
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    return page


def phone(devices):
    return devices.open(SMALL_PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def make_admin(email="chair@example.org"):
    user = db.session.scalar(db.select(User).filter_by(email=email))
    user.is_admin = True
    db.session.commit()


# ---- Pages outside a meeting ---------------------------------------------------------------

STAFF_PAGES = (
    ("/documents", "your documents"), ("/stability/", "stability overview"),
    ("/stability/concerns/new", "stability concern form"),
    ("/stability/monitoring", "stability monitoring"),
    ("/stability/moves/new", "placement move form"),
    ("/panels", "panels"), ("/admin/meeting-types", "admin: meeting types"),
    ("/admin/meeting-types/placement_stability", "admin: a meeting type"),
    ("/admin/accounts", "admin: accounts"), ("/admin/meetings", "admin: all meetings"),
    ("/admin/audit", "admin: audit trail"))


def audit_visitor_pages(visitor, server, meeting, audit):
    """What anyone sees before signing in or joining, and the error pages."""
    visitor.goto(f"{server.url}/")
    audit(visitor, "start page (not signed in)")
    visitor.goto(f"{server.url}/sign-in")
    audit(visitor, "sign-in")
    visitor.get_by_label("Email address").fill("chair@example.org")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.locator(".govuk-error-summary")).to_be_visible()
    audit(visitor, "sign-in, wrong password")
    visitor.goto(f"{server.url}/join")
    audit(visitor, "join by code")
    visitor.get_by_label(re.compile("code", re.I)).first.fill("ZZZZZZ")
    visitor.get_by_role("button", name="Continue").click()
    expect(visitor.locator(".govuk-error-summary")).to_be_visible()
    audit(visitor, "join by code, no such meeting")
    visitor.goto(f"{server.url}/no-such-page")
    expect(visitor.get_by_role("heading", name="Page not found")).to_be_visible()
    audit(visitor, "error: page not found (404)")
    visitor.goto(f"{server.url}/meetings/{meeting.id}")
    expect(visitor.get_by_role("heading", name="Sorry, you cannot see this")).to_be_visible()
    audit(visitor, "error: refused (not in the meeting)")
    if visitor.goto(f"{server.url}/accessibility").ok:
        audit(visitor, "accessibility statement")


def audit_staff_pages(chair, server, meeting, audit):
    """An administrator's pages between meetings, with the forms' error states."""
    audit(chair, "meeting list")
    chair.goto(f"{server.url}/meetings/new")
    audit(chair, "create meeting")
    chair.get_by_role("button", name="Create the meeting").click()
    expect(chair.locator(".govuk-error-summary")).to_be_visible()
    audit(chair, "create meeting, errors shown")
    for path, name in (*STAFF_PAGES, (f"/meetings/{meeting.id}/trail", "meeting's audit trail")):
        assert chair.goto(server.url + path).ok, path
        audit(chair, name)
    chair.goto(f"{server.url}/stability/concerns/new")
    chair.get_by_role("button", name="Record the concern").click()
    expect(chair.locator(".govuk-error-summary")).to_be_visible()
    audit(chair, "stability concern form, errors shown")


def test_pages_outside_a_meeting_pass_axe(live_server, room, devices, axe):
    audit = Audited(axe)
    audit_visitor_pages(devices.open(LAPTOP), live_server, room, audit)
    make_admin()
    chair = signed_in(devices, live_server)
    audit_staff_pages(chair, live_server, room, audit)
    # Every choice on the panels page is labelled: its label picks it (no id is used twice).
    chair.goto(f"{live_server.url}/panels")
    chair.locator("label", has_text=re.compile(r"^\s*South")).click()
    expect(chair.get_by_role("radio", name=re.compile("^South"))).to_be_checked()
    audit.expect_none_serious()
    devices.expect_no_script_errors()


# ---- A meeting, for each person and in each state -------------------------------------------

def minute_taker(devices, server, meeting, chair, name):
    page = join(devices, server, meeting, chair, name, attends_as="Child's social worker")
    seat = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id, name=name))
    # The button says whom it is for, read as one phrase (no stray space before punctuation).
    assert accessible_name(chair, f"#person-{seat.id} button") == \
        f"Make minute taker (for {name})"
    chair.locator("#people-list li", has_text=name).get_by_role(
        "button", name=re.compile("^Make minute taker")).click()
    expect(page.locator("#meeting")).to_contain_text("minute taker")
    expect_up_to_date(page)
    return page


def observer(devices, server, meeting, chair, name):
    page = join(devices, server, meeting, chair, name, attends_as="Other")
    seat = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id, name=name))
    seat.meeting_role = OBSERVER
    db.session.commit()
    page.reload()
    expect_up_to_date(page)
    return page


def open_round(chair):
    """The chair opens the next scaling round; its id."""
    chair.locator("#open-round-form").get_by_role("button", name=re.compile("^Open scaling")
                                                  ).click()
    expect(chair.locator("#scaling-controls")).to_contain_text("is open")
    return chair.locator("#scaling-rounds > .app-round").first.get_attribute("id").removeprefix(
        "round-")


def score(page, round_id, value, reason):
    page.locator(f"label[for=score-{round_id}-{value}]").click()
    page.locator(f"#reason-{round_id}").fill(reason)
    page.get_by_role("button", name="Save my score").click()
    expect(page.locator(f"#round-{round_id}-mine")).to_contain_text(f"You gave {value}.")


class People:
    """Everyone's page in one meeting: the chair, the projector and four people let in."""

    def __init__(self, devices, server, meeting, chair, pat):
        self.chair, self.pat = chair, pat
        self.projector = projector_page(devices, server, meeting)
        self.young = join(devices, server, meeting, chair, "Jordan", attends_as="Young person",
                          viewport=SMALL_PHONE)
        self.sam = minute_taker(devices, server, meeting, chair, "Sam Okafor")
        self.dee = observer(devices, server, meeting, chair, "Dee Khan")

    def all(self):
        return (self.chair, self.projector, self.pat, self.young, self.sam, self.dee)


def audit_joining(devices, server, meeting, chair, audit):
    """The join page (and its errors) and the lobby on Pat's phone; Pat is let in."""
    audit(chair, "board: chair, nobody here yet")
    pat = phone(devices)
    pat.goto(f"{server.url}/join/{meeting.join_code}")
    audit(pat, "join page")
    pat.get_by_role("button", name="Ask to join").click()
    expect(pat.locator(".govuk-error-summary")).to_be_visible()
    audit(pat, "join page, errors shown")
    pat.close()
    pat = ask_to_join(devices, server, meeting, "Pat Jones", viewport=SMALL_PHONE)
    audit(pat, "lobby (guest waiting)")
    expect(chair.locator("#lobby-list")).to_contain_text("Pat Jones")
    audit(chair, "board: chair, a guest waiting")
    return let_in(chair, pat, "Pat Jones")


def audit_the_board(people, audit):
    """The board with cards for each person, while editing a card, and offline."""
    add_card(people.pat, "working_well", "Settles well after school and enjoys football")
    add_card(people.chair, "worried", "Contact with birth family has been unsettled")
    add_card(people.young, "needs_to_happen", "More time with my sister")
    for page in people.all():
        expect(page.locator(".app-card:not(.app-card--pending)")).to_have_count(3)
    for page, name in zip(people.all(), ("board: chair", "projector", "board: carer",
                                         "board: young person", "board: minute taker",
                                         "board: observer")):
        audit(page, name)
    pat = people.pat
    edit = pat.locator(".app-card", has_text="Settles well").locator("summary", has_text="Edit")
    edit.click()
    audit(pat, "board: carer, editing a card")
    edit.click()
    pat.context.set_offline(True)
    add_card(pat, "worried", "Bedtimes are hard")
    expect(pat.locator("#connection-status")).to_have_attribute("data-state", "offline")
    audit(pat, "board: carer, offline with a card waiting")
    pat.context.set_offline(False)
    expect_up_to_date(pat, timeout=RECONNECT)


def audit_scaling(people, audit):
    """A round open (with a refused score), scored, and revealed."""
    chair, pat, young, projector = people.chair, people.pat, people.young, people.projector
    round_id = open_round(chair)
    for page in (pat, young):
        expect(page.locator(f"#score-form-{round_id}")).to_be_visible()
    audit(chair, "scaling open: chair")
    audit(pat, "scaling open: carer's score form")
    audit(young, "scaling open: young person's score form")
    audit(people.dee, "scaling open: observer")
    pat.get_by_role("button", name="Save my score").click()
    expect(pat.locator(f"#score-form-{round_id} .app-form-error")).to_be_visible()
    audit(pat, "scaling open: score form, error shown")
    score(pat, round_id, 7, "Settled at home and school most weeks")
    score(young, round_id, 3, "I like my room but I miss my sister")
    tally = projector.locator(f"#round-{round_id}-tally")   # Dee only observes
    expect(tally).to_contain_text("2 of 4 have scored")
    audit(projector, "scaling before reveal: projector")
    audit(pat, "scaling before reveal: carer, scored")
    chair.locator(f"#round-{round_id}").get_by_role("button", name=re.compile("^Reveal")).click()
    for page in (chair, pat, projector):
        expect(page.locator(f"#round-{round_id}-results")).to_be_visible()
    audit(chair, "scaling revealed: chair")
    audit(pat, "scaling revealed: carer")
    audit(projector, "scaling revealed: projector")


def audit_the_agenda(people, audit):
    """The first item over time (3 seconds planned), then the second's 2-minute warning."""
    for button, phase, words in (("Start the agenda", "overrun", "agenda overrun"),
                                 ("Next item", "warning", "agenda 2-minute warning")):
        people.chair.locator("#agenda").get_by_role("button", name=button).click()
        for page, who in ((people.chair, "chair"), (people.projector, "projector"),
                          (people.pat, "carer")):
            expect(timer(page)).to_have_class(re.compile(rf"\bapp-timer--{phase}\b"))
            audit(page, f"{words}: {who}")


def audit_actions(people, audit):
    """Pat proposes a Stability Action (refused once), the chair confirms it."""
    chair, pat = people.chair, people.pat
    pat.locator(".app-action-add summary").click()
    form = pat.locator("#action-propose-form")
    audit(pat, "actions: carer's form open")
    form.get_by_role("button", name="Propose the action").click()
    expect(form.locator(".app-form-error")).to_be_visible()
    audit(pat, "actions: carer's form, error shown")
    form.get_by_label("What needs to happen").fill("Ring school about the trip")
    form.get_by_label("Who will do it").select_option(label="Pat Jones (Carer)")
    form.get_by_label("Ongoing", exact=True).check()  # the meeting's own day has passed
    form.get_by_label("Recorded on").select_option(label="Child's Plan")
    form.get_by_role("button", name="Propose the action").click()
    proposed = chair.locator("#actions-list > li", has_text="Ring school about the trip")
    expect(proposed.locator(".app-status")).to_have_text("Proposed")
    audit(chair, "actions: chair, one proposed")
    proposed.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(pat.locator("#actions-list > li", has_text="Ring school")).to_contain_text("Open")
    audit(pat, "actions: carer, confirmed")
    audit(people.projector, "actions: projector")


def in_advance_page(devices, server, meeting):
    """The personal link of someone who cannot come, opened on their phone."""
    seat = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                              meeting_role="chair"))
    invited = meetings.invite_in_advance(meeting.id, seat, name="Chris Doe", attends_as="camhs")
    token = db.session.get(Participant, invited.payload["participant"]["id"]).token
    chris = phone(devices)
    chris.goto(f"{server.url}/meetings/{meeting.id}/in-advance/{token}")
    expect(chris.get_by_role("button", name=re.compile("score", re.I))).to_be_visible()
    return chris


def audit_the_childs_records(chair, server, meeting, audit):
    for path, name in (("/children/{}/plan", "Child's Plan"),
                       ("/children/{}/carers-record", "carer's supervision record"),
                       ("/stability/children/{}", "child's placement history")):
        assert chair.goto(server.url + path.format(meeting.child_id)).ok, path
        audit(chair, name)
    chair.goto(f"{server.url}/children/{meeting.child_id}/plan")
    expect(chair.locator("body")).to_contain_text("Ring school about the trip")


def audit_closing_and_the_minutes(people, server, meeting, audit):
    """Closing (with an address refused), the documents, the preview, the issue."""
    chair, email = people.chair, "Email address for Pat Jones's copy (optional)"
    chair.goto(f"{server.url}/meetings/{meeting.id}/close")
    audit(chair, "close the meeting")
    chair.get_by_label(email).fill("not an address")
    chair.get_by_role("button", name="Close the meeting").click()
    expect(chair.locator(".govuk-error-summary")).to_be_visible()
    audit(chair, "close the meeting, errors shown")
    chair.get_by_label(email).fill("pat@example.org")
    chair.get_by_role("button", name="Close the meeting").click()
    expect(chair.get_by_role("heading", name="Documents")).to_be_visible()
    audit(chair, "documents")
    expect(people.pat.get_by_role("heading", name="The meeting has closed")).to_be_visible()
    audit(people.pat, "meeting closed (guest)")
    chair.get_by_role("link", name=re.compile("Preview, correct and issue the draft")).first.click()
    expect(chair.get_by_role("heading", name=re.compile("Check the draft"))).to_be_visible()
    audit(chair, "minutes preview")
    chair.locator("#section-board").get_by_text("Correct this section").click()
    audit(chair, "minutes preview, correcting a section")
    chair.get_by_role("button", name="Issue version 1").click()
    expect(chair.get_by_text("The document is issued")).to_be_visible()
    audit(chair, "documents, minutes issued")


def test_a_meeting_passes_axe_for_every_person_and_state(live_server, room, devices, axe):
    server, meeting, audit = live_server, room, Audited(axe)
    shorten_items(meeting.id, OVERRUN_ITEM, WARNING_ITEM)
    chair = chair_page(devices, server, meeting)
    pat = audit_joining(devices, server, meeting, chair, audit)
    people = People(devices, server, meeting, chair, pat)
    audit_the_board(people, audit)
    audit(in_advance_page(devices, server, meeting), "score sent in advance")
    audit_scaling(people, audit)
    audit_the_agenda(people, audit)
    audit_actions(people, audit)
    audit_the_childs_records(chair, server, meeting, audit)
    audit_closing_and_the_minutes(people, server, meeting, audit)
    audit.expect_none_serious()
    devices.expect_no_script_errors()


def test_without_its_script_a_refused_card_comes_back_beside_its_box(live_server, room,
                                                                     devices, axe):
    """A council laptop whose browser does not run the board's script (blocked or failed to
    load): its forms post as plain forms, and one the service refuses comes back with the
    summary at the top linking to the box, the message beside it, and the words kept."""
    audit = Audited(axe)
    chair = signed_in(devices, live_server)
    chair.route(re.compile(r"/static/js/meeting\.js"), lambda route: route.abort())
    chair.goto(f"{live_server.url}/meetings/{room.id}")
    box = chair.locator("#new-card-worried")
    box.fill("   ")
    chair.locator("#new-card-worried-form").get_by_role("button").click()
    summary = chair.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(chair.locator("#new-card-worried-error")).to_have_text(
        "Error: Enter what you want to say.")
    expect(box).to_have_attribute("aria-invalid", "true")
    audit(chair, "board without its script: a card refused")
    summary.get_by_role("link", name="Enter what you want to say.").click()
    expect(box).to_be_focused()
    box.fill("Bedtimes end in shouting")
    chair.locator("#new-card-worried-form").get_by_role("button").click()
    expect(chair.locator("#column-worried")).to_contain_text("Bedtimes end in shouting")
    expect(chair.locator(".govuk-error-summary")).to_have_count(0)
    audit.expect_none_serious()


def test_a_form_sent_before_the_script_ran_then_works_live(live_server, room, devices):
    """On a slow phone the chair sends a form before the board's script has loaded, and it is
    refused. The board that comes back runs the script: its address is the board's (a reload
    does not send the form again), and once the corrected form is saved live it is emptied,
    not refilled with the answers the refusal gave back."""
    chair = signed_in(devices, live_server)
    chair.route(re.compile(r"/static/js/meeting\.js"), lambda route: route.abort(), times=1)
    chair.goto(f"{live_server.url}/meetings/{room.id}")
    chair.locator(".app-action-add summary").click()
    form = chair.locator("#action-propose-form")
    form.get_by_label("What needs to happen").fill("Ring school about the trip")
    form.get_by_label("Who will do it").select_option(index=1)
    form.get_by_label("Ongoing", exact=True).check()
    form.get_by_role("button", name="Add the action").click()     # no "Recorded on" chosen
    expect(chair.locator("#new-action-destination-error")).to_have_text(
        "Error: Choose where the action is recorded.")
    expect_up_to_date(chair)                                        # the script is running
    assert chair.url == f"{live_server.url}/meetings/{room.id}"
    form.get_by_label("Recorded on").select_option(label="Child's Plan")
    form.get_by_role("button", name="Add the action").click()
    expect(chair.locator("#actions-list > li", has_text="Ring school about the trip")
           ).to_have_count(1)
    expect(form.get_by_label("What needs to happen")).to_have_value("")
    expect(form.get_by_label("Ongoing", exact=True)).not_to_be_checked()
    devices.expect_no_script_errors()


# ---- A Step Up / Step Down panel ----------------------------------------------------------

def panel_meeting(user):
    day = clock.london_today() + timedelta(days=(2 - clock.london_today().weekday()) % 7)
    north = db.session.scalar(db.select(Locality).order_by(Locality.id))
    series = panels.create_series(user, locality_id=north.id, first_date=day)
    meeting = panels.set_up_panel(user, series.id, day)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=user.id))
    for number, (reference, name, direction) in enumerate((
            ("CASE-7101", "Jordan Lee Taylor", "up"),
            ("CASE-7102", "Riley Ann Brooks", "down")), 1):
        panels.add_case(meeting.id, chair, case_reference=reference, child_name=name,
                        direction=direction, presenting_worker="Sam Patel")
    return meeting


def test_a_panel_passes_axe(live_server, room, devices, axe):
    server, audit = live_server, Audited(axe)
    meeting = panel_meeting(db.session.scalar(db.select(User).filter_by(
        email="chair@example.org")))
    chair = chair_page(devices, server, meeting)
    projector = projector_page(devices, server, meeting)
    expect(chair.locator("#cases-list .app-case")).to_have_count(2)
    # A screen reader names each criterion's button with the criterion, without stray spaces.
    toggle = "#cases-list .app-criterion__toggle"
    assert accessible_name(chair, toggle) == \
        "Mark as met: Early help open for at least three months, case 1"
    audit(chair, "panel board: chair")
    audit(projector, "panel board: projector")
    chair.locator("#agenda").get_by_role("button", name="Start the agenda").click()
    chair.locator("#agenda").get_by_role("button", name="Next item").click()
    expect(timer(projector)).to_contain_text("Now: Case 1")
    audit(chair, "panel board: chair, a case's slot running")
    audit(projector, "panel board: projector, a case's slot running")
    worker = ask_to_join(devices, server, meeting, "Dee Khan", attends_as="Other")
    chair.get_by_role("button", name="Let in Dee Khan").click()
    expect(worker.locator("#cases-list .app-case")).to_have_count(2)
    audit(worker, "panel board: participant")
    audit.expect_none_serious()
    devices.expect_no_script_errors()


# ---- A whole meeting by keyboard alone ------------------------------------------------------

def keyboard_sign_in(devices, server):
    page = devices.open(LAPTOP)
    page.goto(f"{server.url}/sign-in")
    keyboard_to(page, "input[name=email]")
    page.keyboard.type("chair@example.org")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    return page


def keyboard_join(devices, server, meeting, name):
    """A guest types the code from the screen, their name and who they are, and asks to join."""
    page = devices.open(LAPTOP)
    page.goto(f"{server.url}/join")
    keyboard_to(page, "input[name=code]")
    page.keyboard.type(meeting.join_code.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Join the meeting")).to_be_visible()
    keyboard_to(page, "input[name=name]")
    page.keyboard.type(name)
    page.keyboard.press("Tab")        # into who they are: the first choice, Carer
    expect_focus_visible(page, "the first choice of who they are")
    page.keyboard.press("Space")
    expect(page.get_by_label("Carer", exact=True)).to_be_checked()
    press_on(page, "button[type=submit]")
    expect(page.get_by_role("heading", name="Waiting for the chair to let you in")).to_be_visible()
    expect(page.locator("#lobby-status")).to_contain_text("You are connected")
    return page


def keyboard_add_card(page, column, text):
    keyboard_to(page, f"#new-card-{column}")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.locator(f"form:has(#new-card-{column}) button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")


def expect_focus_kept(page, selector, value, where):
    expect(page.locator(selector)).to_be_focused()
    expect(page.locator(selector)).to_have_value(value)
    expect_focus_visible(page, where)


def let_in_by_keyboard(chair, pat):
    expect(chair.locator("#lobby-list")).to_contain_text("Pat Jones")
    press_on(chair, "#lobby-list button[type=submit]")   # "Let in Pat Jones"
    expect(chair.locator("#people-list")).to_contain_text("Pat Jones")
    expect(pat.get_by_role("heading", name="What is working well?")).to_be_visible()
    expect_up_to_date(pat)
    expect_focus_visible(chair, "after letting Pat in")


def add_and_correct_a_card(pat, chair):
    keyboard_add_card(pat, "working_well", "Settles well after school")
    expect(board.card(chair, "working_well", "Settles well after school")).to_have_count(1)
    expect(pat.locator("#new-card-working_well")).to_have_value("")
    expect_focus_visible(pat, "after adding a card")
    press_on(pat, "#column-working_well .app-card summary", backwards=True)   # "Edit"
    mine = pat.locator("#column-working_well .app-card").first
    expect(mine.locator("details")).to_have_attribute("open", "")
    pat.keyboard.press("Tab")
    expect(mine.get_by_label("Card text")).to_be_focused()
    pat.keyboard.press("Control+End")
    pat.keyboard.type(" and enjoys football")
    pat.keyboard.press("Tab")
    pat.keyboard.press("Enter")                                          # "Save changes"
    edited = "Settles well after school and enjoys football"
    expect(board.card(chair, "working_well", edited)).to_have_count(1)
    expect(mine.locator("details")).not_to_have_attribute("open", "")
    expect(mine.locator("summary")).to_be_focused()
    expect_focus_visible(pat, "after saving the edit")


def keep_typing_as_the_chair_adds_a_card_and_starts(pat, chair):
    """Pat is half way through a card when the chair's card and the agenda arrive."""
    keyboard_to(pat, "#new-card-worried")
    pat.keyboard.type("Bedtimes are hard")
    keyboard_add_card(chair, "worried", "Contact has been unsettled since October")
    press_on(chair, "#agenda-next-button")                               # "Start the agenda"
    expect(board.card(pat, "worried", "Contact has been unsettled since October")
           ).to_have_count(1)
    expect(timer(pat)).to_be_visible()
    expect_focus_kept(pat, "#new-card-worried", "Bedtimes are hard", "as the chair's card came")
    pat.keyboard.type(" on school nights")
    pat.keyboard.press("Tab")
    pat.keyboard.press("Enter")
    expect(board.card(chair, "worried", "Bedtimes are hard on school nights")).to_have_count(1)
    expect(chair.locator("#agenda-next-button")).to_have_text("Next item")
    expect(chair.locator("#agenda-next-button")).to_be_focused()
    expect_focus_visible(chair, "after starting the agenda")


def open_a_round_and_score_by_keyboard(chair, pat):
    press_on(chair, "#open-round-form button[type=submit]")
    expect(chair.locator("#scaling-controls")).to_contain_text("Round 1 is open")
    expect_focus_visible(chair, "after opening the round")
    round_id = chair.locator("#scaling-rounds > .app-round").get_attribute("id").removeprefix(
        "round-")
    expect(pat.locator(f"#score-form-{round_id}")).to_be_visible()
    keyboard_to(pat, f"#score-{round_id} input[name=value]")
    pat.keyboard.press("Space")
    choose_by_arrows(pat, f"#score-{round_id} input[name=value]", "7")
    expect(pat.locator(f"#score-{round_id}-7")).to_be_checked()
    pat.keyboard.press("Tab")
    expect(pat.locator(f"#reason-{round_id}")).to_be_focused()
    pat.keyboard.type("Settled at home and school most weeks")
    pat.keyboard.press("Tab")
    pat.keyboard.press("Enter")
    expect(pat.locator(f"#round-{round_id}-mine")).to_contain_text("You gave 7.")
    expect(chair.locator(f"#round-{round_id}-tally")).to_contain_text("1 of 2 have scored")
    expect_focus_visible(pat, "after saving the score")
    return round_id


def propose_and_confirm_an_action_by_keyboard(pat, chair, meeting):
    press_on(pat, ".app-action-add summary")
    pat.keyboard.press("Tab")
    expect(pat.locator("#new-action-what")).to_be_focused()
    pat.keyboard.type("Ring school about the trip")
    pat.keyboard.press("Tab")
    choose_by_arrows(pat, "#new-action-owner", seat_id(meeting, "Pat Jones"))
    keyboard_to(pat, "input[name=timescale]")
    choose_by_arrows(pat, "input[name=timescale]", "ongoing")
    expect(pat.get_by_label("Ongoing", exact=True)).to_be_checked()
    keyboard_to(pat, "#new-action-destination")
    choose_by_arrows(pat, "#new-action-destination", "childs_plan")
    press_on(pat, "#action-propose-form button[type=submit]")
    proposed = chair.locator("#actions-list > li", has_text="Ring school about the trip")
    expect(proposed.locator(".app-status")).to_have_text("Proposed")
    expect_focus_visible(pat, "after proposing the action")
    press_on(chair, "#actions-list form[data-live='actions.confirm'] button")
    expect(pat.locator("#actions-list > li", has_text="Ring school").locator(".app-status")
           ).to_have_text("Open")
    expect_focus_visible(chair, "after confirming the action")


def reveal_and_finish_the_agenda_by_keyboard(chair, pat, round_id):
    press_on(chair, f"#reveal-form-{round_id} button")
    expect(pat.locator(f"#round-{round_id}-results .app-score__value")).to_have_text(["7"])
    expect_focus_visible(chair, "after revealing the scores")
    keyboard_to(chair, "#agenda-next-button")
    titles = chair.locator("#agenda .app-agenda__title").all_text_contents()
    for title in titles[1:]:         # the first is the current item's
        chair.keyboard.press("Enter")
        expect(timer(pat)).to_contain_text(f"Now: {title}")
        expect(chair.locator("#agenda-next-button")).to_be_focused()
        expect_focus_visible(chair, f"moving on to {title}")
    chair.keyboard.press("Enter")                                   # "Finish the agenda"
    expect(pat.locator("#agenda")).to_contain_text("The agenda is finished.")
    expect_focus_visible(chair, "after finishing the agenda")


def close_and_issue_the_minutes_by_keyboard(chair, pat, meeting):
    press_on(chair, f"a[href='/meetings/{meeting.id}/close']")
    expect(chair.get_by_role("heading", name="Close the meeting")).to_be_visible()
    press_on(chair, "main form button[type=submit]")
    expect(chair.get_by_role("heading", name="Documents")).to_be_visible()
    expect(pat.get_by_role("heading", name="The meeting has closed")).to_be_visible()
    press_on(chair, f"a[href='/meetings/{meeting.id}/documents/minutes/draft']")
    expect(chair.get_by_role("heading", name=re.compile("Check the draft"))).to_be_visible()
    press_on(chair, "form button[type=submit].govuk-button:not(.govuk-button--secondary)")
    expect(chair.get_by_text("The document is issued")).to_be_visible()


def test_a_whole_meeting_by_keyboard_alone(live_server, room, devices):
    """Tab, Shift+Tab, Enter, Space, the arrows in a choice, and typing: no pointer at all.
    Every stop the focus makes shows it, and live changes never take it away."""
    server, meeting = live_server, room
    chair = keyboard_sign_in(devices, server)
    press_on(chair, f"a[href='/meetings/{meeting.id}']")
    expect_up_to_date(chair)
    pat = keyboard_join(devices, server, meeting, "Pat Jones")
    let_in_by_keyboard(chair, pat)
    add_and_correct_a_card(pat, chair)
    keep_typing_as_the_chair_adds_a_card_and_starts(pat, chair)
    round_id = open_a_round_and_score_by_keyboard(chair, pat)
    propose_and_confirm_an_action_by_keyboard(pat, chair, meeting)
    reveal_and_finish_the_agenda_by_keyboard(chair, pat, round_id)
    close_and_issue_the_minutes_by_keyboard(chair, pat, meeting)
    devices.expect_no_script_errors()


def seat_id(meeting, name):
    db.session.rollback()  # a new read: the server process wrote it
    return str(db.session.scalar(db.select(Participant.id).filter_by(meeting_id=meeting.id,
                                                                     name=name)))


# ---- Screen readers: one polite region says what changed, the board is never re-read --------

LISTEN = """() => {
    window.heard = [];
    new MutationObserver(changes => changes.forEach(change => change.addedNodes.forEach(
        node => window.heard.push(node.textContent)))).observe(
        document.getElementById("live-announcer"), {childList: true, subtree: true});
}"""
LIVE_REGIONS = """() => [...document.querySelectorAll(
        "[aria-live]:not([aria-live=off]), [role=status], [role=log], [role=alert], [role=timer]")]
    .map(region => ({id: region.id, atomic: region.getAttribute("aria-atomic"),
                     live: region.getAttribute("aria-live") || region.getAttribute("role"),
                     holds: [".app-board", ".app-cards", "[data-timer]", ".app-tally", "#scaling",
                             "#actions-list"].filter(part => region.querySelector(part)
                             || region.closest(part))}))"""


def listen(page):
    """Keep everything said through the page's announcer from now on, as a screen reader does."""
    page.evaluate(LISTEN)


def expect_heard(page, text):
    """The polite region says `text`, once."""
    expect(page.locator("#live-announcer")).to_contain_text(text)
    said = page.evaluate("t => window.heard.filter(h => h.includes(t)).length", text)
    assert said == 1, f"{text!r} was said {said} times on {page.url}"


def expect_only_the_announcer_is_live(page):
    regions = {region["id"]: region for region in page.evaluate(LIVE_REGIONS)}
    announcer = regions.pop("live-announcer")
    assert announcer["live"] == "polite", announcer
    assert announcer["atomic"] != "true", "each announcement would re-read the ones before it"
    assert announcer["holds"] == []
    for region in regions.values():    # the connection line: short, and holds none of the board
        assert region["holds"] == [], f"the live region {region} would re-read the board"
    assert page.locator("#meeting").get_attribute("aria-live") is None


def test_screen_readers_hear_cards_scores_the_reveal_and_the_timer_politely(
        live_server, room, devices):
    server, meeting = live_server, room
    shorten_items(meeting.id, OVERRUN_ITEM, WARNING_ITEM)
    chair = chair_page(devices, server, meeting)
    pat = join(devices, server, meeting, chair, "Pat Jones")
    for page in (chair, pat):
        listen(page)
        expect_only_the_announcer_is_live(page)

    add_card(chair, "worried", "Contact has been unsettled")
    expect_heard(pat, "New card from Alex Morgan in What are we worried about?: "
                      "Contact has been unsettled")
    add_card(pat, "working_well", "Settles well after school")
    expect_heard(chair, "New card from Pat Jones in What is working well?: "
                        "Settles well after school")

    round_id = open_round(chair)
    expect_heard(pat, "Scaling round 1 is open. 0 of 2 have scored.")
    score(pat, round_id, 7, "Settled at home most weeks")
    expect_heard(chair, "1 of 2 have scored.")
    score(chair, round_id, 5, "Some hard weeks since October")
    expect_heard(pat, "2 of 2 have scored.")
    chair.locator(f"#round-{round_id}").get_by_role("button", name=re.compile("^Reveal")).click()
    expect_heard(pat, "Scores revealed for round 1: median 6, range 5 to 7.")

    first, second = chair.locator("#agenda .app-agenda__title").all_text_contents()[:2]
    chair.locator("#agenda").get_by_role("button", name="Start the agenda").click()
    expect_heard(pat, f"Time is up for {first}.")
    chair.locator("#agenda").get_by_role("button", name="Next item").click()
    expect_heard(pat, f"2 minutes left for {second}")
    for page in (chair, pat):
        expect_only_the_announcer_is_live(page)
    devices.expect_no_script_errors()


# ---- Phones: 360 px wide, no sideways scrolling, targets big enough to press -----------------

def expect_fits_a_small_phone(page, name, screenshots):
    assert page.viewport_size["width"] == 360
    assert sideways_scroll(page) == 0, f"{name} scrolls sideways by {sideways_scroll(page)}px"
    assert small_targets(page) == [], f"{name}: targets under 24 x 24 px: {small_targets(page)}"
    page.screenshot(path=screenshots / f"phone-360-{name}.png", full_page=True)


def joining_on_a_small_phone(devices, server, meeting, chair, screenshots):
    pat = phone(devices)
    pat.goto(f"{server.url}/join")
    expect_fits_a_small_phone(pat, "join-by-code", screenshots)
    pat.goto(f"{server.url}/join/{meeting.join_code}")
    expect_fits_a_small_phone(pat, "join", screenshots)
    pat.get_by_role("button", name="Ask to join").tap()
    expect(pat.locator(".govuk-error-summary")).to_be_visible()
    expect_fits_a_small_phone(pat, "join-errors", screenshots)
    pat.close()
    pat = ask_to_join(devices, server, meeting, "Pat Jones", viewport=SMALL_PHONE)
    expect_fits_a_small_phone(pat, "lobby", screenshots)
    return let_in(chair, pat, "Pat Jones")


def test_every_participant_page_fits_a_360px_phone(live_server, room, devices, screenshots):
    server, meeting = live_server, room
    chair = chair_page(devices, server, meeting)
    pat = joining_on_a_small_phone(devices, server, meeting, chair, screenshots)
    young = join(devices, server, meeting, chair, "Jordan", attends_as="Young person",
                 viewport=SMALL_PHONE)
    long_card = "Settles well after school and enjoys football on Saturdays with his friends"
    add_card(chair, "worried", "Contact with birth family has been unsettled since October")
    add_card(pat, "working_well", long_card)
    expect(board.card(young, "working_well", long_card)).to_have_count(1)
    expect_fits_a_small_phone(pat, "board", screenshots)
    expect_fits_a_small_phone(young, "board-young-person", screenshots)

    open_round(chair)
    for page in (pat, young):
        expect(page.locator("form[data-live='scaling.score']")).to_be_visible()
    expect_fits_a_small_phone(pat, "scaling-form", screenshots)
    expect_fits_a_small_phone(young, "scaling-form-young-person", screenshots)
    pat.locator(".app-action-add summary").tap()
    expect(pat.locator("#action-propose-form")).to_be_visible()
    expect_fits_a_small_phone(pat, "actions-form", screenshots)
    chris = in_advance_page(devices, server, meeting)
    expect_fits_a_small_phone(chris, "score-in-advance", screenshots)

    projector = projector_page(devices, server, meeting)
    assert projector.viewport_size == PROJECTOR
    assert sideways_scroll(projector) == 0
    projector.screenshot(path=screenshots / "projector-1920x1080.png")
    devices.expect_no_script_errors()
