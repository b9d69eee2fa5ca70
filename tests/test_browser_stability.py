"""Between meetings in a real headless Chromium against a real server process: an officer
records a scale-5 concern, accepts the proposed route, creates the Multi-Agency Stability
Support Meeting from it, and the stability overview shows the meeting as due against its
deadline. The overview is checked with axe and saved as a screenshot."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitator import clock
from facilitator.accounts.services import create_user
from tests import test_browser_board as board
from tests.browser_checks import accessibility_problems
from tests.conftest import PASSWORD
from tests.test_browser_board import (
    PHONE,
    expect_no_sideways_scroll,
    signed_in,
)

devices, live_timeout = board.devices, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHILD, REFERENCE = "Jordan Lee Taylor", "CASE-5005"


@pytest.fixture
def officer(live_server):
    return create_user("officer@example.org", "Robin Ellis", PASSWORD,
                       "Placement Stability Officer")


def group(page, name):
    return page.get_by_role("group", name=name)


def test_a_scale_5_concern_becomes_a_meeting_that_the_overview_shows_as_due(
        live_server, officer, devices, screenshots):
    page = signed_in(devices, live_server, "officer@example.org")
    page.get_by_role("link", name="Stability", exact=True).click()
    expect(page.get_by_role("heading", name="Stability overview")).to_be_visible()
    page.get_by_role("link", name="Record a concern").click()

    # The consultation record, as the officer fills it in during the call.
    page.get_by_label("Child's case reference").fill(REFERENCE)
    page.get_by_label("Child's name").fill(CHILD)
    page.get_by_label("Child's team").select_option(label="Children in Care North")
    page.get_by_label("Who raised the concern").fill("Pat Jones")
    page.get_by_label("Their relationship to the child").fill("Foster carer")
    page.get_by_label("The issue or concern").fill("Jordan has not been home two nights this "
                                                   "week and says he wants to leave.")
    group(page, "Current involvement with the Adolescent Support Team or CAMHS").get_by_label(
        "Adolescent Support Team").check()
    page.get_by_label("Name and contact details of the AST or CAMHS worker").fill(
        "Chris Doe, AST, 0151 000 0000")
    group(page, "Is this the first consultation about this placement?").get_by_label(
        "Yes").check()
    page.get_by_label("5 – Stability at serious risk of breakdown").check()
    assert accessibility_problems(page) == [], "the consultation record form"
    page.get_by_role("button", name="Record the concern").click()

    # The proposed route, accepted as it is.
    expect(page.get_by_role("heading", name=f"Stability concern: {CHILD}")).to_be_visible()
    proposed = page.locator("#proposed-route")
    expect(proposed).to_contain_text("Multi-Agency Stability Support Meeting")
    expect(proposed).to_contain_text("Risk Rota")
    page.get_by_role("button", name="Confirm the route").click()
    tasks = page.locator("#tasks .app-task")
    expect(tasks).to_have_count(5)
    expect(tasks.nth(1)).to_contain_text("within 24 hours")
    expect(tasks.nth(4)).to_contain_text("within 10 working days")

    # The meeting, called from the concern: child, type and suggested attendees carried across.
    page.get_by_role("link", name="Create the Multi-Agency Stability Support Meeting").click()
    expect(page.get_by_role("heading", name="Set up a meeting")).to_be_visible()
    expect(page.get_by_label("Child's case reference")).to_have_value(REFERENCE)
    expect(page.get_by_label("Child's name")).to_have_value(CHILD)
    expect(page.get_by_label("Multi-Agency Stability Support Meeting")).to_be_checked()
    attendees = page.locator("#suggested-attendees")
    expect(attendees).to_contain_text("Pat Jones (Foster carer)")
    expect(attendees).to_contain_text("Chris Doe, AST, 0151 000 0000 (Adolescent Support Team)")
    meeting_day = clock.london_today() + timedelta(days=3)
    page.get_by_label("Date").fill(meeting_day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Where").fill("Room 4, Wallasey Town Hall")
    page.get_by_role("button", name="Create the meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))

    # The overview: the child's open concern at 5, and the meeting due against its deadline.
    page.goto(f"{live_server.url}/stability/")
    concerns = page.locator("#open-concerns")
    expect(concerns).to_contain_text(CHILD)
    expect(concerns).to_contain_text("5 – Stability at serious risk of breakdown")
    due = page.locator("#meetings-due tbody tr", has_text=CHILD)
    expect(due).to_have_count(1)
    expect(due).to_contain_text("Multi-Agency Stability Support Meeting")
    expect(due).to_contain_text("Set up in time")
    assert accessibility_problems(page) == [], "the stability overview"
    page.screenshot(path=screenshots / "stability-overview.png", full_page=True)

    # Each row links to the child's history, which shows the concern on the chart.
    concerns.get_by_role("link", name=CHILD, exact=True).click()
    expect(page.get_by_role("heading", name=f"Placement history: {CHILD}")).to_be_visible()
    expect(page.locator("#history-chart-caption")).to_contain_text("concern 5")

    # The overview works on a phone too, without sideways scrolling.
    phone = signed_in(devices, live_server, "officer@example.org", PHONE)
    phone.goto(f"{live_server.url}/stability/")
    expect(phone.locator("#meetings-due")).to_contain_text(CHILD)
    expect_no_sideways_scroll(phone)
    phone.screenshot(path=screenshots / "stability-overview-phone.png", full_page=True)
    devices.expect_no_script_errors()
