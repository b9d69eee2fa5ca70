"""Every kind of fragment the server pushes, changed on one device and found on the others
without a reload, in a real headless Chromium against one real server process.

One stability meeting (the chair's laptop, Pat's phone, the projector) and one panel (the
chair, a social worker's laptop, the projector) serve every case, so the pages stay open from
case to case as they do in a meeting: each case also checks that none of them reloaded. "Seen"
means the new words are in the element, and the element is on the page and visible.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitator import clock
from facilitator.accounts.models import User
from facilitator.accounts.services import create_user
from facilitator.actions import services as actions
from facilitator.extensions import db
from facilitator.meetings.models import Participant
from facilitator.panels import services as panels
from facilitator.panels.models import Locality
from tests.conftest import PASSWORD, LiveServer, drop_database, new_meeting
from tests.test_browser_board import (
    LIVE,
    PROJECTOR,
    SMALL_PHONE,
    Devices,
    add_card,
    ask_to_join,
    card,
    expect_up_to_date,
    let_in,
    signed_in,
)

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHAIR_SCREEN = {"width": 1366, "height": 768}
CHILD = "Jordan Lee Taylor"
EARLIER_ACTION = "Ask the school about a mentor"


@pytest.fixture(scope="module", autouse=True)
def live_timeout():
    expect.set_options(timeout=LIVE)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for every case in this file."""
    server = LiveServer(tmp_path_factory.mktemp("live-fragments"))
    with server.app.app_context():
        create_user("chair@example.org", "Alex Morgan", PASSWORD, "Team Manager")
        yield server.start()
        server.stop()
        db.session.remove()
        db.engine.dispose()
    drop_database(server.database_url)


@pytest.fixture(scope="module")
def devices(browser):
    devices = Devices(browser)
    yield devices
    devices.close()


def mark(*pages):
    """A mark a reload would wipe out."""
    for page in pages:
        page.evaluate("() => { window.__marker = 'not reloaded'; }")


def expect_not_reloaded(*pages):
    for page in pages:
        assert page.evaluate("() => window.__marker") == "not reloaded", f"{page.url} reloaded"


def seen(page, selector, text):
    """`text` is in the element, and the element is on the page and visible."""
    element = page.locator(selector)
    expect(element).to_be_attached()
    expect(element).to_contain_text(text)
    expect(element).to_be_visible()
    return element


def on_screen(room, value, section=None):
    """The chair puts a section on the projector ("Show on screen"), which shows one at a time."""
    room.chair.locator("#on-screen").select_option(value)
    room.chair.locator("#screen-button").click()
    expect(room.projector.locator("#meeting")).to_have_attribute("data-screen", section or value)


def open_page(page, url):
    page.goto(url)
    expect_up_to_date(page)
    return page


class Room:
    """A meeting and the pages open on it."""

    def __init__(self, meeting, chair, projector, other):
        self.meeting, self.chair, self.projector, self.other = meeting, chair, projector, other

    @property
    def pages(self):
        return (self.chair, self.other, self.projector)

    def still_open(self):
        expect_not_reloaded(*self.pages)


@pytest.fixture(scope="module")
def stability(server, devices):
    """A Placement Stability Meeting with one action already proposed; the chair's laptop,
    the projector and Pat's phone (a carer), open before anything below happens."""
    user = db.session.scalar(db.select(User).filter_by(email="chair@example.org"))
    meeting = new_meeting(user, child=CHILD)
    chair_seat = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                                     user_id=user.id))
    actions.propose(meeting.id, chair_seat, {"what": EARLIER_ACTION, "owner": "other",
                                             "owner_name": "Head of year", "timescale": "weeks",
                                             "timescale_number": "2",
                                             "destination": "childs_plan"})
    chair = open_page(signed_in(devices, server, viewport=CHAIR_SCREEN),
                      f"{server.url}/meetings/{meeting.id}")
    projector = open_page(devices.open(PROJECTOR),
                          f"{server.url}/meetings/{meeting.id}/projector/"
                          f"{meeting.projector_token}")
    pat = let_in(chair, ask_to_join(devices, server, meeting, "Pat Jones", attends_as="Carer",
                                    viewport=SMALL_PHONE), "Pat Jones")
    room = Room(meeting, chair, projector, pat)
    mark(*room.pages)
    return room


# ---- The stability meeting -----------------------------------------------------------------

def test_a_card_reaches_the_chair_and_the_projector(stability):
    on_screen(stability, "board")
    add_card(stability.other, "working_well", "Walks the dog with her carer every evening")
    for page in (stability.chair, stability.projector):
        shown = card(page, "working_well", "Walks the dog with her carer every evening")
        expect(shown).to_be_visible()
        # The room sees what Pat attends as, never Pat's name.
        expect(shown.locator(".app-card__author")).to_have_text(
            "Carer" if page is stability.projector else "Pat Jones, Carer")
    stability.still_open()


def test_the_agenda_moving_on_reaches_every_page(stability):
    # The first item's title, read before the start marks it "Now:" for screen readers.
    first = stability.chair.locator("#agenda .app-agenda__title").first.text_content()
    stability.chair.locator("#agenda").get_by_role("button", name="Start the agenda").click()
    for page in (stability.other, stability.projector):
        seen(page, "#agenda [data-timer]", f"Now: {first}")
    stability.still_open()


def test_a_scaling_round_opens_is_scored_and_revealed_live(stability):
    chair, pat, projector = stability.chair, stability.other, stability.projector
    chair.locator("#open-round-form").get_by_role("button", name=re.compile(
        "^Open scaling round")).click()
    seen(chair, "#scaling-controls", "is open")
    round_id = chair.locator("#scaling-rounds > .app-round").first.get_attribute(
        "id").removeprefix("round-")
    tally = f"#round-{round_id}-tally .app-tally__count"
    for page in (pat, projector):
        seen(page, tally, "0 of")
    form = seen(pat, f"#score-form-{round_id}", "Your reason")
    form.locator(f"label[for=score-{round_id}-7]").click()
    form.get_by_label("Your reason").fill("She is settled at school")
    form.get_by_role("button", name="Save my score").click()
    for page in (chair, projector):
        seen(page, tally, "1 of")
    chair.locator(f"#round-{round_id}").get_by_role("button", name="Reveal scores").click()
    for page in (pat, projector):
        seen(page, f"#round-{round_id}", "Scores revealed")
        seen(page, f"#round-{round_id}", "She is settled at school")
    stability.still_open()


def test_the_childs_views_reach_the_chair_and_the_projector(stability):
    on_screen(stability, "childs_views")
    form = stability.other.locator("#child-view-form")
    form.get_by_label("As told by the child or young person").check()
    form.get_by_label("The child's views").fill("I want to stay at my school")
    form.get_by_role("button", name="Add the child's views").click()
    for page in (stability.chair, stability.projector):
        seen(page, "#child-views-list", "I want to stay at my school")
    stability.still_open()


def test_an_agency_offer_reaches_the_chair_and_the_projector(stability):
    on_screen(stability, "offers")
    form = stability.other.locator("#offer-form")
    form.get_by_label("Agency or family").fill("Placement support team")
    form.get_by_label("What support it can provide").fill("A weekly visit until half term")
    form.get_by_role("button", name="Save the agency's support").click()
    for page in (stability.chair, stability.projector):
        seen(page, "#offers-list", "A weekly visit until half term")
    stability.still_open()


def open_proposal(page):
    details = page.locator("details.app-action-add")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def propose(page, what, owner, button):
    open_proposal(page)
    form = page.locator("#action-propose-form")
    form.get_by_label("What needs to happen").fill(what)
    form.get_by_label("Who will do it").select_option(label=owner)
    form.get_by_label("Ongoing").check()
    form.get_by_label("Recorded on").select_option(label="Child's Plan")
    form.get_by_role("button", name=button).click()


def test_an_action_proposed_on_a_phone_and_confirmed_by_the_chair_reaches_everyone(stability):
    chair, pat, projector = stability.chair, stability.other, stability.projector
    on_screen(stability, "actions")
    propose(pat, "Book a driving lesson", "Pat Jones (Carer)", "Propose the action")
    for page in (chair, projector):
        seen(page, "#actions-list", "Book a driving lesson")
    proposed = chair.locator("#actions-list > li", has_text="Book a driving lesson")
    expect(proposed.locator(".app-status")).to_have_text("Proposed")
    proposed.get_by_role("button", name=re.compile("^Confirm")).click()
    for page in (pat, projector):
        shown = page.locator("#actions-list > li", has_text="Book a driving lesson")
        expect(shown.locator(".app-status")).to_have_text("Open")
        expect(shown).to_be_visible()
    stability.still_open()


def owners(page, select):
    return page.locator(f"{select} option")


def test_who_will_do_it_and_here_now_follow_admissions_and_removals(
        stability, server, devices, screenshots):
    """Dee is let in after every page loaded: "Here now", the people and "Who will do it" show
    her at once, an action can be given to her, and once removed she is gone from them."""
    chair, pat, projector = stability.chair, stability.other, stability.projector
    earlier = chair.locator("#actions-list > li", has_text=EARLIER_ACTION)
    edit_owner = f"#edit-{earlier.get_attribute('id').removeprefix('action-')}-owner"
    dee_label = "Dee Khan (School)"
    for page, select in ((chair, "#new-action-owner"), (chair, edit_owner),
                         (pat, "#new-action-owner")):
        expect(owners(page, select).filter(has_text=dee_label)).to_have_count(0)
    # Pat has started a proposal: the choice Pat made stays when the list is redrawn.
    open_proposal(pat)
    pat.get_by_label("Who will do it").select_option(label="Pat Jones (Carer)")

    dee = ask_to_join(devices, server, stability.meeting, "Dee Khan", attends_as="School")
    seen(chair, "#lobby-list", "Dee Khan")
    let_in(chair, dee, "Dee Khan")
    seen(chair, "#people-list", "Dee Khan")
    seen(pat, "#presence-list", "Dee Khan")
    on_screen(stability, "welcome")
    seen(projector, "#presence-list", "School")
    for page, select in ((chair, "#new-action-owner"), (chair, edit_owner),
                         (pat, "#new-action-owner")):
        expect(owners(page, select).filter(has_text=dee_label)).to_have_count(1)
    expect(pat.get_by_label("Who will do it")).to_have_value(re.compile(r"^\d+$"))
    expect(pat.get_by_label("Who will do it").locator("option:checked")).to_have_text(
        "Pat Jones (Carer)")
    dee_id = dee.evaluate("() => document.getElementById('meeting').dataset.seat")

    # The chair gives a new action to Dee, and the earlier one too, through its edit form.
    propose(chair, "Send the reading plan home", dee_label, "Add the action")
    given = "#actions-list > li:has-text('Send the reading plan home')"
    on_screen(stability, "actions")
    # The room sees what Dee attends as, never her name.
    for page in (chair, pat, projector):
        seen(page, given, "School" if page is projector else "Dee Khan")
    expect(projector.locator(given)).not_to_contain_text("Dee Khan")
    earlier.locator("summary", has_text="Edit").click()
    earlier.get_by_label("Who will do it").select_option(value=dee_id)
    earlier.get_by_role("button", name="Save changes").click()
    for page in (pat, projector):
        seen(page, f"#actions-list > li:has-text('{EARLIER_ACTION}')",
             "School" if page is projector else "Dee Khan")
    # Agreed as the chair added it, and Dee's: her own page offers her its status form.
    expect(dee.locator(given).locator("summary", has_text="Mark done or not done")
           ).to_be_visible()
    # The people list offers "Make minute taker" for Dee (school), not for Pat (a carer).
    people = chair.locator("#people-list")
    expect(people.locator("li", has_text="Dee Khan").get_by_role(
        "button", name="Make minute taker (for Dee Khan)")).to_be_visible()
    expect(people.locator("li", has_text="Pat Jones").get_by_role(
        "button", name=re.compile("minute taker"))).to_have_count(0)
    people.screenshot(path=screenshots / "live-people-chair.png")
    chair.locator("#actions").screenshot(path=screenshots / "live-owner-list-chair.png")
    pat.locator("#actions").screenshot(path=screenshots / "live-owner-list-phone.png")

    # The chair removes Dee: she leaves "Who will do it" and "Here now" everywhere.
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator("#people-list li", has_text="Dee Khan").get_by_role(
        "button", name="Remove Dee Khan").click()
    expect(chair.locator("#people-list")).not_to_contain_text("Dee Khan")
    for page in (pat, projector):
        expect(page.locator("#presence-list")).not_to_contain_text(
            "Dee Khan" if page is pat else "School")
    for page, select in ((chair, "#new-action-owner"), (pat, "#new-action-owner")):
        expect(owners(page, select).filter(has_text=dee_label)).to_have_count(0)
    expect(owners(chair, edit_owner).filter(has_text=dee_label)).to_have_count(0)
    expect(pat.get_by_label("Who will do it").locator("option:checked")).to_have_text(
        "Pat Jones (Carer)")
    stability.still_open()


def test_the_decision_reaches_every_page_and_the_chair_is_told_it_is_recorded(
        stability, screenshots):
    chair, pat, projector = stability.chair, stability.other, stability.projector
    on_screen(stability, "decision")
    form = chair.locator("#decision-form")
    outcome = form.locator("input[name=outcome]").first
    outcome_label = chair.locator(f"label[for={outcome.get_attribute('id')}]").inner_text()
    outcome.check()
    review = clock.london_today() + timedelta(days=21)
    form.get_by_label("Review date").fill(review.isoformat())
    form.get_by_role("button", name="Record the decision").click()
    for page in (chair, pat, projector):
        seen(page, "#decision #decision-summary", outcome_label)
        seen(page, "#decision #decision-summary", f"{review:%-d %B %Y}")
    # The chair's own page says it is done, beside the button they pressed.
    seen(chair, "#decision-form .app-form-saved", "The decision is recorded")
    expect(chair.locator("#live-announcer")).to_contain_text("The chair recorded the decision")
    expect_up_to_date(chair)
    chair.screenshot(path=screenshots / "decision-chair.png", full_page=True)
    chair.locator("#decision").screenshot(path=screenshots / "decision-chair-section.png")
    projector.screenshot(path=screenshots / "decision-projector.png", full_page=True)
    pat.locator("#decision").screenshot(path=screenshots / "decision-phone-section.png")
    stability.still_open()


def test_no_script_errors_on_the_meeting_pages(stability, devices):
    devices.expect_no_script_errors()


# ---- The panel -------------------------------------------------------------------------------

def next_wednesday():
    today = clock.london_today()
    return today + timedelta(days=(2 - today.weekday()) % 7)


@pytest.fixture(scope="module")
def panel(server, devices, stability):
    """A North panel, with the chair's laptop (the same signed-in browser as the meeting's),
    the projector and Sam's laptop (a social worker) open on it."""
    user = db.session.scalar(db.select(User).filter_by(email="chair@example.org"))
    north = db.session.scalar(db.select(Locality).filter_by(name="North"))
    series = panels.create_series(user, locality_id=north.id, first_date=next_wednesday())
    meeting = panels.set_up_panel(user, series.id, next_wednesday())
    chair = stability.chair.context.new_page()
    chair.js_errors = []
    chair.on("pageerror", lambda error: chair.js_errors.append(str(error)))
    devices.pages.append(chair)
    open_page(chair, f"{server.url}/meetings/{meeting.id}")
    projector = open_page(devices.open(PROJECTOR), f"{server.url}/meetings/{meeting.id}/"
                                                   f"projector/{meeting.projector_token}")
    sam = ask_to_join(devices, server, meeting, "Sam Patel", attends_as="Child's social worker",
                      viewport=CHAIR_SCREEN)
    chair.locator("#lobby-list li", has_text="Sam Patel").get_by_role(
        "button", name="Let in Sam Patel").click()
    expect(sam).to_have_url(re.compile(r"/meetings/\d+$"))
    expect_up_to_date(sam)
    room = Room(meeting, chair, projector, sam)
    mark(*room.pages)
    return room


def test_a_panel_case_booked_ticked_and_decided_reaches_every_page(panel):
    chair, sam, projector = panel.chair, panel.other, panel.projector
    on_screen(panel, "case", "panel")
    form = chair.locator("#case-add-form")
    form.get_by_label("Child's case reference").fill("CASE-7101")
    form.get_by_label("Child's name").fill("Riley Ann Brooks")
    form.get_by_label("Step up", exact=True).check()
    form.get_by_label("Presenting worker").fill("Sam Patel")
    form.get_by_role("button", name="Add the case").click()
    seen(sam, "#cases-list .app-case__summary", "Riley Ann Brooks")
    summary = seen(projector, "#cases-list .app-case__summary", "R.B.")
    seen(sam, "#agenda", "Case 1: R.B., step up")
    expect(summary.locator(".app-case__missing")).to_contain_text("Missing 7 of 7")

    chair.locator("#cases-list .app-case__summary").get_by_role(
        "button", name=re.compile("^Mark as met")).first.click()
    for page in (sam, projector):
        seen(page, "#cases-list .app-case__missing", "Missing 6 of 7")

    outcome = chair.locator("#cases-list form[data-live='panel.outcome']")
    outcome.get_by_label("Step up agreed").check()
    outcome.get_by_label("Rationale").fill("The worries at home have grown.")
    outcome.get_by_role("button", name="Record the decision").click()
    for page in (sam, projector):
        seen(page, "#cases-list .app-case__summary", "Decision: Step up agreed")
    panel.still_open()


def test_no_script_errors_on_the_panel_pages(panel, devices):
    devices.expect_no_script_errors()
