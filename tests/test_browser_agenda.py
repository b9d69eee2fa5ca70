"""The agenda's countdown in a real headless Chromium against a real server process.

The chair runs the agenda from their page; the projector counts down by itself (nothing on the
server ticks: the page counts to the deadline the server sent). So that the warning and the
overrun come in seconds, not minutes, the test shortens the first two items in the database
before the chair starts, as a meeting type with short items would: 3 seconds, then 2 minutes
and 5 seconds.
"""
import re

import pytest
from playwright.sync_api import expect

from facilitator.agenda.services import items_of
from facilitator.extensions import db
from tests import test_browser_board as board
from tests.browser_checks import FOCUS_YELLOW, accessibility_problems
from tests.test_browser_board import (
    LAPTOP,
    LIVE,
    PROJECTOR,
    SMALL_PHONE,
    chair_page,
    expect_no_sideways_scroll,
    expect_up_to_date,
    projector_page,
)

devices, room, live_timeout = board.devices, board.room, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

FIRST = "Welcome, introductions and why we are meeting"
SECOND = "What are we worried about?"
THIRD = "What is working well?"
OVERRUN_ITEM, WARNING_ITEM = 3, 125   # seconds planned for the first two items
BEHIND = 45_000  # ms: the first item runs over by more than half a minute ("1 min behind")


def shorten_items(meeting_id, *seconds):
    """Plan the first items in seconds, in the database the server reads (before they start)."""
    for item, planned in zip(items_of(meeting_id), seconds):
        item.planned_seconds = planned
    db.session.commit()


def timer(page):
    return page.locator("#agenda [data-timer]")


def shown_seconds(page):
    """What the timer reads, in seconds (m:ss)."""
    minutes, seconds = timer(page).locator(".app-timer__value").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


SHOWN = """() => { const [m, s] = document.querySelector("#agenda [data-timer] .app-timer__value")
    .textContent.split(":").map(Number); return m * 60 + s; }"""


def expect_counting_down(page):
    """The value falls by itself: read it, then wait (bounded) until it is 2 seconds lower."""
    page.wait_for_function(f"start => ({SHOWN})() <= start - 2", arg=shown_seconds(page),
                           timeout=LIVE)


def expect_standing_still(page):
    before = shown_seconds(page)
    page.wait_for_timeout(1500)
    assert shown_seconds(page) == before, "a paused timer kept counting"


def move(chair, label):
    chair.locator("#agenda").get_by_role("button", name=label).click()


def test_the_chair_runs_the_agenda_and_the_projector_counts_down(live_server, room, devices,
                                                                  screenshots):
    shorten_items(room.id, OVERRUN_ITEM, WARNING_ITEM)
    chair = chair_page(devices, live_server, room, viewport=LAPTOP)
    projector = projector_page(devices, live_server, room)
    announcer = projector.locator("#live-announcer")

    # Before the start: the chair sees the plan and the start button; the projector nothing.
    expect(chair.locator("#agenda .app-agenda__item")).to_have_count(8)
    expect(chair.locator("#agenda")).to_contain_text("The chair has not started the agenda yet.")
    expect(projector.locator("#agenda")).to_be_hidden()

    # ---- The first item (3 seconds) runs out: red, "Over time by", said once ----------------
    move(chair, "Start the agenda")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text(f"Now: {FIRST}")
        expect(timer(page)).to_have_attribute("data-state", "running")
    expect(chair.locator("#agenda [aria-current=step]")).to_contain_text(FIRST)
    expect(chair.locator("#agenda .app-agenda__item--current")).to_have_count(1)

    for page in (chair, projector):
        expect(timer(page)).to_have_class(re.compile(r"\bapp-timer--overrun\b"))
        expect(timer(page).locator(".app-timer__label")).to_have_text("Over time by")
        expect(timer(page).locator("[data-marker]")).to_be_visible()
        expect(timer(page).locator("[data-marker]")).to_have_text(re.compile(r"Time is up"))
    expect(announcer).to_contain_text(f"Time is up for {FIRST}.")
    # Over time counts up.
    projector.wait_for_function(f"over => ({SHOWN})() >= over + 2",
                                arg=shown_seconds(projector), timeout=LIVE)
    colours = timer(projector).evaluate(
        "t => [getComputedStyle(t).backgroundColor, getComputedStyle(t).color]")
    assert colours == ["rgb(178, 31, 31)", "rgb(255, 255, 255)"], colours

    # The schedule falls behind as the overrun grows (more than half a minute: "1 min").
    schedule = timer(projector).locator("[data-schedule]")
    expect(schedule).to_have_text("On schedule")
    expect(schedule).to_have_text("1 min behind schedule", timeout=BEHIND)
    expect(timer(chair).locator("[data-schedule]")).to_have_text("1 min behind schedule")
    assert projector.locator("#live-announcer p", has_text="Time is up").count() == 1

    # Read from six metres: the countdown is large, and the whole band is on the screen.
    value_px = timer(projector).locator(".app-timer__value").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert value_px >= 96, f"the projector's countdown is too small ({value_px}px)"
    expect(timer(projector)).to_be_in_viewport(ratio=1)
    expect_no_sideways_scroll(projector)
    projector.screenshot(path=screenshots / "agenda-projector-overrun.png")
    assert projector.viewport_size == PROJECTOR
    assert accessibility_problems(projector) == [], "the projector in overrun"

    # ---- The second item (2:05) ticks down, and at two minutes turns amber -------------------
    # Moved on well past the half minute, so the item's recorded overrun is "1 min" whatever
    # the page's estimate of the server's clock (it can be a second out on a busy machine).
    projector.wait_for_function(f"() => ({SHOWN})() >= 36", timeout=LIVE)
    move(chair, "Next item")
    expect(timer(projector)).to_contain_text(f"Now: {SECOND}")
    expect(timer(projector)).to_have_class(re.compile(r"\bapp-timer--normal\b"))
    expect(timer(projector).locator(".app-timer__label")).to_have_text("Time left")
    expect(timer(projector).locator("[data-marker]")).to_be_hidden()
    expect_counting_down(projector)
    done = chair.locator("#agenda .app-agenda__item--done")
    expect(done).to_have_count(1)
    expect(done).to_contain_text(re.compile(r"took 0:\d\d, over by 0:\d\d"))

    for page in (chair, projector):
        expect(timer(page)).to_have_class(re.compile(r"\bapp-timer--warning\b"))
        expect(timer(page).locator("[data-marker]")).to_have_text(
            re.compile(r"2 minutes or less"))
        expect(timer(page).locator(".app-timer__label")).to_have_text("Time left")
        expect(page.locator("#live-announcer")).to_contain_text(
            f"2 minutes left for {SECOND}")
    assert shown_seconds(projector) <= 120
    assert timer(projector).evaluate("t => getComputedStyle(t).backgroundColor") == \
        "rgb(255, 191, 71)"
    # Behind by the first item's overrun, and no further while this one keeps to its plan.
    expect(timer(projector).locator("[data-schedule]")).to_have_text("1 min behind schedule")
    assert accessibility_problems(chair) == [], "the chair's page with the agenda running"
    chair.screenshot(path=screenshots / "agenda-chair.png", full_page=True)

    # ---- The chair pauses, by keyboard: the countdown stands still everywhere ----------------
    button = chair.locator("#agenda-timer-button")
    button.focus()
    chair.keyboard.press("Enter")
    expect(timer(projector)).to_have_attribute("data-state", "paused")
    expect(timer(projector).locator(".app-timer__paused")).to_have_text("paused")
    expect(projector.locator("#live-announcer")).to_contain_text("The timer is paused.")
    # The focus stays on the same button, now "Resume timer", with the focus style showing.
    expect(chair.locator("#agenda-timer-button")).to_have_text("Resume timer")
    expect(chair.locator("#agenda-timer-button")).to_be_focused()
    outline = chair.locator("#agenda-timer-button").evaluate(
        "b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineColor,"
        " getComputedStyle(b).backgroundColor]")
    assert FOCUS_YELLOW in outline, f"the focused button shows no focus style: {outline}"
    expect_standing_still(projector)
    expect_standing_still(chair)
    paused_at = shown_seconds(projector)

    # ---- More time: a reason is required; then everyone sees the extension -------------------
    chair.get_by_text("More time", exact=True).click()    # opens the form in the console
    extend = chair.locator("#agenda-extend")
    extend.get_by_label("More time for this item").select_option("1")
    extend.get_by_role("button", name="Give more time").click()
    error = extend.locator(".app-form-error")
    expect(error).to_have_text("Error: Say why the item needs more time.")
    expect(extend.get_by_label("Why (for the minutes)")).to_be_focused()
    expect(timer(projector)).to_have_attribute("data-extended", "0")
    extend.get_by_label("Why (for the minutes)").fill("Carer still describing the nights")
    extend.get_by_role("button", name="Give more time").click()
    for page in (chair, projector):
        expect(timer(page)).to_have_attribute("data-extended", "60")
        expect(timer(page)).to_have_class(re.compile(r"\bapp-timer--normal\b"))  # > 2 minutes
        expect(page.locator("#live-announcer")).to_contain_text(f"1 more minute for {SECOND}")
    assert shown_seconds(projector) == paused_at + 60
    expect(chair.locator("#agenda .app-agenda__item--current")).to_contain_text("+ 1 min")
    expect(error).to_be_hidden()

    # ---- Resume, then on to the next item --------------------------------------------------
    move(chair, "Resume timer")
    expect(timer(projector)).to_have_attribute("data-state", "running")
    expect_counting_down(projector)
    move(chair, "Next item")
    for page in (chair, projector):
        expect(timer(page)).to_contain_text(f"Now: {THIRD}")
        expect(timer(page).locator(".app-timer__value")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(chair.locator("#agenda [aria-current=step]")).to_contain_text(THIRD)
    expect(chair.locator("#agenda .app-agenda__item--done")).to_have_count(2)
    # The second item finished well inside its plan: the meeting has caught up.
    expect(timer(projector).locator("[data-schedule]")).to_have_text(
        re.compile(r"^(On schedule|\d+ min ahead of schedule)$"))

    # A phone-sized chair's page: nothing scrolls sideways.
    chair.set_viewport_size(SMALL_PHONE)
    expect_no_sideways_scroll(chair)
    chair.locator("#agenda").screenshot(path=screenshots / "agenda-chair-phone.png")
    for page in (chair, projector):
        expect_up_to_date(page)
    devices.expect_no_script_errors()
