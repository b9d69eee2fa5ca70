"""The staff lists in a real headless Chromium against a real server, on a whole team's records
(the sample authority at its `team` size: 50 children in care with years of meetings, concerns
and calls): a team manager opens the overview on their own team, turns its pages, filters the
contact list; an administrator finds an account. At the chair's laptop (1366x768) and
a phone (360x740), checked with axe; screenshots in test-artifacts/screenshots/staff-*.png."""
import re

import pytest
from playwright.sync_api import expect

from tests import test_browser_board as board
from tests.browser_checks import accessibility_problems
from tests.test_browser_board import SMALL_PHONE, expect_no_sideways_scroll

devices, live_timeout = board.devices, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHAIR_LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def team_records(live_server):
    """The sample authority's team, loaded into the live server's database."""
    result = live_server.app.test_cli_runner().invoke(
        args=["sample-authority", "--size", "team", "--seed", "1"])
    assert result.exit_code == 0, result.output
    return {"password": re.search(r"password:\s+(\S+)", result.output).group(1),
            "manager": re.search(r"Team manager signs in as\s+(\S+)", result.output).group(1),
            "admin": re.search(r"Administrator signs in as\s+(\S+)", result.output).group(1)}


def signed_in(devices, server, email, password, viewport):
    return board.signed_in(devices, server, email, viewport, password)


def test_a_team_manager_works_through_their_teams_lists(live_server, team_records, devices,
                                                        screenshots):
    page = signed_in(devices, live_server, team_records["manager"], team_records["password"],
                     CHAIR_LAPTOP)
    # Their own meetings, a page at a time.
    expect(page.get_by_role("navigation", name="Pages of your meetings")).to_be_visible()
    assert accessibility_problems(page) == [], "your meetings"
    page.screenshot(path=screenshots / "staff-your-meetings-1366.png", full_page=True)

    page.get_by_role("link", name="Stability", exact=True).click()
    expect(page.get_by_role("heading", name="Stability overview")).to_be_visible()
    team = page.get_by_label("Team", exact=True)
    chosen = team.evaluate("select => select.options[select.selectedIndex].text")
    assert chosen != "All teams", "the overview starts from the manager's own team"
    counts = page.locator("#headline-counts")
    expect(counts).to_contain_text("Calls overdue:")
    expect(counts).to_contain_text("Stability Actions past due:")
    assert accessibility_problems(page) == [], "the overview"
    page.screenshot(path=screenshots / "staff-overview-1366.png")
    page.screenshot(path=screenshots / "staff-overview-1366-full.png", full_page=True)

    # The longest list's next page keeps the team and comes back to the list.
    pages = page.get_by_role("navigation", name=re.compile("^Pages of "))
    expect(pages.first).to_be_visible()
    heading = pages.first.evaluate(
        "nav => nav.closest('section').querySelector('h2').textContent")
    pages.first.get_by_role("link", name=re.compile("Next")).click()
    expect(page.get_by_role("link", name="Page 2", exact=True).first).to_have_attribute(
        "aria-current", "page")
    assert "team=" in page.url and "_page=2" in page.url and heading.split()[0] in page.content()
    page.screenshot(path=screenshots / "staff-overview-page-2-1366.png")

    # Everyone's children are one choice away.
    team.select_option(label="All teams")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Team", exact=True)).to_have_value("")

    # The contact list: only the calls due, soonest first.
    page.get_by_role("link", name="Telephone contact list").click()
    expect(page.get_by_role("heading", name="Telephone monitoring")).to_be_visible()
    page.get_by_label("Only calls due today or overdue").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#contact-count")).to_contain_text("with a call due today or overdue")
    assert accessibility_problems(page) == [], "the contact list"
    page.screenshot(path=screenshots / "staff-contact-list-1366.png")
    devices.expect_no_script_errors()


def test_the_overview_fits_a_phone(live_server, team_records, devices, screenshots):
    page = signed_in(devices, live_server, team_records["manager"], team_records["password"],
                     SMALL_PHONE)
    page.goto(f"{live_server.url}/stability/")
    expect(page.get_by_role("heading", name="Stability overview")).to_be_visible()
    expect_no_sideways_scroll(page)
    assert accessibility_problems(page) == [], "the overview on a phone"
    page.screenshot(path=screenshots / "staff-overview-360.png")
    page.goto(f"{live_server.url}/stability/monitoring")
    expect_no_sideways_scroll(page)
    page.screenshot(path=screenshots / "staff-contact-list-360.png")


def test_an_administrator_finds_an_account(live_server, team_records, devices,
                                                          screenshots):
    page = signed_in(devices, live_server, team_records["admin"], team_records["password"],
                     CHAIR_LAPTOP)
    page.goto(f"{live_server.url}/admin/accounts")
    expect(page.locator("caption")).to_contain_text(" accounts")
    manager = team_records["manager"]
    page.get_by_label("Find an account by name or email address").fill(manager)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("table")).to_contain_text(manager)
    expect(page.locator("caption")).to_contain_text("1 account matching")
    assert accessibility_problems(page) == [], "accounts"
    page.screenshot(path=screenshots / "staff-accounts-1366.png")
    page.goto(f"{live_server.url}/admin/meetings")
    expect(page.get_by_role("heading", name="All meetings")).to_be_visible()
    assert accessibility_problems(page) == [], "all meetings"
    page.screenshot(path=screenshots / "staff-all-meetings-1366.png")
