"""A Step Up / Step Down panel with three cases, in a real headless Chromium against a real
server process.

The chair starts the locality's series and sets up the next panel from the staff page, books
three cases from the panel's own page (the projector sees each arrive), then runs the panel
slot by slot. The projector counts down each slot, shows the overrun in words as well as red,
and the schedule line moves as the panel gets ahead of or behind its plan.

So that an overrun comes in seconds, the test plans the first case's slot at 2 seconds in the
database before it starts, as a type with short slots would; the rest keep their 10 minutes.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitator import clock
from facilitator.accounts.services import create_user
from facilitator.agenda.models import AgendaItem
from facilitator.extensions import db
from facilitator.meetings.models import Meeting
from facilitator.panels.models import CaseSlot
from tests import test_browser_board as board
from tests.browser_checks import accessibility_problems
from tests.conftest import PASSWORD
from tests.test_browser_board import (
    LAPTOP,
    SMALL_PHONE,
    expect_no_sideways_scroll,
    expect_up_to_date,
    projector_page,
    signed_in,
)

devices, live_timeout = board.devices, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

CASES = [  # reference, name, direction, presenting worker, papers (days before the panel)
    ("CASE-7101", "Jordan Lee Taylor", "Step up", "Sam Patel", 9),
    ("CASE-7102", "Riley Ann Brooks", "Step down", "Dee Khan", None),
    ("CASE-7103", "Casey Morgan", "Step up", "Sam Patel", 2),   # after the papers deadline
]
SHORT_SLOT = 2  # seconds planned for the first case


def next_wednesday():
    today = clock.london_today()
    return today + timedelta(days=(2 - today.weekday()) % 7)


def timer(page):
    return page.locator("#agenda [data-timer]")


def schedule(page):
    return timer(page).locator("[data-schedule]")


def summary(page, number):
    return page.locator("#cases-list .app-case__summary").nth(number - 1)


def move(chair, label):
    chair.locator("#agenda").get_by_role("button", name=label).click()


def open_panels_from_the_menu(chair):
    """The staff menu leads to "Panels", marked as the current page once there."""
    menu = chair.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Panels").click()
    expect(chair.get_by_role("heading", name="Step Up / Step Down panels")).to_be_visible()
    expect(menu.get_by_role("link", name="Panels")).to_have_attribute("aria-current", "page")
    expect(menu.locator('[aria-current="page"]')).to_have_count(1)


def panels_page_fits(chair, screenshots):
    """The panels page with a series, and the staff menu, on a laptop and a small phone."""
    for size, name in (({"width": 1366, "height": 768}, "panels-staff-page.png"),
                       (SMALL_PHONE, "panels-staff-page-phone.png")):
        chair.set_viewport_size(size)
        expect_no_sideways_scroll(chair)
        chair.screenshot(path=screenshots / name, full_page=True)
        assert accessibility_problems(chair) == [], f"the panels page at {size}"
    chair.set_viewport_size(LAPTOP)


def set_up_panel(chair, day, screenshots):
    """From the staff page: start the North series on `day` and set up that date's panel."""
    open_panels_from_the_menu(chair)
    chair.get_by_role("radio", name="North (Macclesfield Town Hall)").check()
    chair.get_by_label("Date of the first panel").fill(day.isoformat())
    chair.get_by_role("button", name="Start the series").click()
    series = chair.get_by_role("table", name=re.compile("every 2 weeks on Wednesday at 14:00"))
    first = series.locator("tbody tr").first
    expect(first.locator("th")).to_contain_text(f"{day:%A %-d %B %Y}, 14:00")
    # The papers are due at 4pm the Wednesday before; the agenda goes out at noon the Friday
    # (each on the working day before, should that be a bank holiday).
    papers_day, agenda_day = (clock.on_or_before_working_day(day - timedelta(days=before))
                              for before in (7, 5))
    expect(first.locator("td").nth(0)).to_contain_text(f"{papers_day:%A %-d %B %Y}, 16:00")
    expect(first.locator("td").nth(1)).to_contain_text(f"{agenda_day:%A %-d %B %Y}, 12:00")
    panels_page_fits(chair, screenshots)
    first.get_by_role("button", name=re.compile("^Set up the panel meeting")).click()
    expect(chair).to_have_url(re.compile(r"/meetings/\d+$"))
    expect_up_to_date(chair)
    return int(chair.url.rsplit("/", 1)[1])


def add_case(chair, reference, name, direction, worker, papers):
    form = chair.locator("#case-add-form")
    form.get_by_label("Child's case reference").fill(reference)
    form.get_by_label("Child's name").fill(name)
    form.get_by_label(direction, exact=True).check()
    form.get_by_label("Presenting worker").fill(worker)
    if papers is not None:
        form.get_by_label("Papers received").fill(papers)
    form.get_by_role("button", name="Add the case").click()


def test_the_chair_runs_a_panel_of_three_cases_slot_by_slot(live_server, devices, screenshots):
    server = live_server
    create_user("chair@example.org", "Alex Morgan", PASSWORD, "Service Manager")
    day = next_wednesday()
    chair = signed_in(devices, server)
    meeting_id = set_up_panel(chair, day, screenshots)
    expect(chair.get_by_role("heading", name="North panel")).to_be_visible()
    meeting = db.session.get(Meeting, meeting_id)
    projector = projector_page(devices, server, meeting)
    expect(projector.locator("#cases-list .app-case")).to_have_count(0)

    # ---- Three cases booked from the panel's page; the projector sees each arrive ------------
    for number, (reference, name, direction, worker, days_before) in enumerate(CASES, 1):
        papers = None if days_before is None else \
            f"{day - timedelta(days=days_before):%Y-%m-%d}T10:00"
        add_case(chair, reference, name, direction, worker, papers)
        expect(projector.locator("#cases-list .app-case")).to_have_count(number)
        expect(chair.locator("#case-add-form .app-form-error")).to_be_hidden()
    initials = ["J.T.", "R.B.", "C.M."]
    for number, mark in enumerate(initials, 1):
        expect(summary(projector, number)).to_contain_text(f"Case {number}: {mark}")
    for _, name, *_ in CASES:
        assert name not in projector.content(), "the projector shows a child's full name"
    expect(summary(chair, 1)).to_contain_text("Case 1: Jordan Lee Taylor, step up")
    # Late and missing papers, and missing criteria, show before any slot starts.
    expect(summary(chair, 2).locator(".app-case__late")).to_have_text("No papers yet")
    expect(summary(chair, 3).locator(".app-case__late")).to_have_text("Late papers")
    expect(summary(chair, 1).locator(".app-case__late")).to_have_count(0)
    expect(summary(projector, 1).locator(".app-case__missing")).to_contain_text("Missing 7 of 7")
    expect(summary(projector, 2).locator(".app-case__missing")).to_contain_text("Missing 2 of 2")
    agenda_titles = chair.locator("#agenda .app-agenda__title")
    expect(agenda_titles).to_have_text([
        "Welcome and apologies", "Case 1: J.T., step up", "Case 2: R.B., step down",
        "Case 3: C.M., step up", "Themes, common issues and close"])

    # The chair ticks a criterion for case 2; the projector's count of missing ones falls.
    summary(chair, 2).get_by_role("button", name=re.compile(r"^Mark as met\W+Lead person")).click()
    expect(summary(projector, 2).locator(".app-case__missing")).to_contain_text("Missing 1 of 2")

    first_slot = db.session.scalar(db.select(CaseSlot).filter_by(meeting_id=meeting_id,
                                                                 number=1))
    db.session.get(AgendaItem, first_slot.agenda_item_id).planned_seconds = SHORT_SLOT
    db.session.commit()

    # ---- The welcome: on schedule ------------------------------------------------------------
    move(chair, "Start the agenda")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text("Now: Welcome and apologies")
        expect(schedule(page)).to_have_text("On schedule")

    # ---- Case 1: its 2-second slot runs out; the welcome's spare time shows as ahead --------
    move(chair, "Next item")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text("Now: Case 1: J.T., step up")
        expect(summary(page, 1)).to_have_attribute("aria-current", "step")
        expect(summary(page, 1).locator(".app-case__now")).to_have_text("Now")
        expect(timer(page)).to_have_class(re.compile(r"\bapp-timer--overrun\b"))
        expect(timer(page).locator(".app-timer__label")).to_have_text("Over time by")
        expect(timer(page).locator("[data-marker]")).to_have_text(re.compile("Time is up"))
    expect(projector.locator("#live-announcer")).to_contain_text(
        "Time is up for Case 1: J.T., step up.")
    # The welcome took seconds of its 5 minutes: the panel is ahead, and the overrun eats into
    # that as it counts up, on the projector by itself (nothing is sent from the server).
    expect(schedule(projector)).to_have_text("5 min ahead of schedule")
    expect(schedule(projector)).to_have_text("4 min ahead of schedule", timeout=45_000)
    colours = timer(projector).evaluate(
        "t => [getComputedStyle(t).backgroundColor, getComputedStyle(t).color]")
    assert colours == ["rgb(178, 31, 31)", "rgb(255, 255, 255)"], colours
    projector.screenshot(path=screenshots / "panel-projector-overrun.png")
    assert accessibility_problems(projector) == [], "the panel's projector in overrun"

    # The decision on case 1: everyone sees it, the projector without the rationale.
    outcome = chair.locator(f"#slot-{first_slot.id}-outcome-form")
    outcome.get_by_label("Step up agreed").check()
    outcome.get_by_label("Rationale").fill("Early help has not reduced the worries at home.")
    outcome.get_by_role("button", name="Record the decision").click()
    expect(summary(projector, 1)).to_contain_text("Decision: Step up agreed")
    expect(summary(chair, 1).locator(".app-follow-ups li")).not_to_have_count(0)
    assert "Early help has not reduced" not in projector.content()

    # ---- Case 2: a full 10-minute slot counting down -----------------------------------------
    move(chair, "Next item")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text("Now: Case 2: R.B., step down")
        expect(timer(page)).to_have_class(re.compile(r"\bapp-timer--normal\b"))
        expect(timer(page).locator(".app-timer__value")).to_have_text(
            re.compile(r"^(10:00|9:5\d)$"))
        expect(summary(page, 2)).to_have_attribute("aria-current", "step")
        expect(summary(page, 1)).to_have_class(re.compile(r"\bapp-case__summary--done\b"))
    done = chair.locator("#agenda .app-agenda__item--done")
    expect(done).to_have_count(2)
    expect(done.nth(1)).to_contain_text(re.compile(r"took 0:\d\d, over by 0:\d\d"))
    expect(schedule(projector)).to_have_text("4 min ahead of schedule")

    # ---- Case 3: case 2 finished in seconds of its 10 minutes; further ahead ---------------
    move(chair, "Next item")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text("Now: Case 3: C.M., step up")
        expect(summary(page, 3)).to_have_attribute("aria-current", "step")
        expect(schedule(page)).to_have_text("14 min ahead of schedule")
    expect(projector.locator("#live-announcer")).to_contain_text("Now: Case 3: C.M., step up.")
    expect(chair.locator("#agenda .app-agenda__item--done")).to_have_count(3)
    chair.screenshot(path=screenshots / "panel-chair.png", full_page=True)
    assert accessibility_problems(chair) == [], "the panel chair's page with a slot running"

    # ---- The close, and the end of the panel ---------------------------------------------------
    move(chair, "Next item")
    expect(timer(projector)).to_contain_text("Now: Themes, common issues and close")
    move(chair, "Finish the agenda")
    for page in (chair, projector):
        expect(page.locator("#agenda")).to_contain_text("The agenda is finished.")
    # The projector's top line shows only the current item; the chair's agenda has them all.
    expect(chair.locator("#agenda .app-agenda__item--done")).to_have_count(5)
    expect_no_sideways_scroll(projector)
    for page in (chair, projector):
        expect_up_to_date(page)
    devices.expect_no_script_errors()
