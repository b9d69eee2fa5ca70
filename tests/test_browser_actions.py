"""Stability Actions in a real headless Chromium against a real server process: a review
meeting opens with the actions carried forward, the last decision and the stability trend, and
its chair updates a carried action that the projector shows at once; a carer proposes an action
on a phone (a refusal keeps everything they chose) that the chair confirms."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitator.accounts.services import create_user
from facilitator.actions import services as actions
from facilitator.clock import utcnow
from facilitator.decisions import services as decisions
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Participant
from facilitator.scaling import services as scaling
from tests import test_browser_board as board
from tests.browser_checks import accessibility_problems
from tests.conftest import PASSWORD, guest
from tests.test_browser_board import (
    chair_page,
    expect_up_to_date,
    join,
    projector_page,
)

# The board tests' fixtures: each person's own browser context, and the longer live wait.
devices, live_timeout = board.devices, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHILD = "Jordan Lee Taylor"


def chair_seat(meeting, user):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=user.id))


def new_meeting(user, type_code, when):
    return meetings.create_meeting(user, case_reference="CASE-0042", child_name=CHILD,
                                   scheduled_at=when, location="Room 2, County Hall",
                                   type_code=type_code, immediate_risk=False)


def scored(meeting, chair, values):
    round_id = scaling.open_round(meeting.id, chair).payload["round"]
    for index, value in enumerate(values):
        person = guest(meeting, f"Scorer {index}", "other", admit_by=chair)
        scaling.submit_score(meeting.id, person, round_id, value, "Because.")
    scaling.reveal_round(meeting.id, chair, round_id)


@pytest.fixture
def review(live_server):
    """Jordan's first meeting (today, earlier) with two open actions, a decision and scores of
    3, 4 and 5; then the Stability Review Meeting, now."""
    user = create_user("chair@example.org", "Alex Morgan", PASSWORD, "Team Manager")
    now = utcnow().replace(microsecond=0)
    first = new_meeting(user, "placement_stability", now - timedelta(hours=3))
    chair = chair_seat(first, user)
    for what, timescale in (("Arrange a respite weekend with her aunt", "weeks"),
                            ("Keep a bedtime diary", "ongoing")):
        actions.propose(first.id, chair, {"what": what, "owner": "other",
                                          "owner_name": "Sam Patel (supervising social worker)",
                                          "timescale": timescale, "timescale_number": "3",
                                          "destination": "carers_record"})
    scored(first, chair, [3, 4, 5])
    review_day = (now + timedelta(days=14)).date().isoformat()
    decisions.record_decision(first.id, chair, {"outcome": "maintain",
                                                "review_date": review_day, "notify_iro": "1"})
    return new_meeting(user, "stability_review", now)


def test_a_review_opens_with_the_carried_actions_and_the_trend(
        live_server, review, devices, screenshots):
    chair = chair_page(devices, live_server, review)
    chair.locator("#on-screen").select_option("carried")   # the projector shows one section
    chair.locator("#screen-button").click()
    projector = projector_page(devices, live_server, review)
    expect(projector.locator("#meeting")).to_have_attribute("data-screen", "carried")
    for page in (chair, projector):
        carried = page.locator("#carried")
        expect(carried.get_by_role("heading", name="Carried forward from earlier meetings")
               ).to_be_visible()
        expect(carried.locator("#carried-list > li")).to_have_count(2)
        expect(carried).to_contain_text("Arrange a respite weekend with her aunt")
        if page is projector:  # an owner typed by name is a name: the room sees no names
            expect(carried).not_to_contain_text("Sam Patel")
            expect(carried.locator("#carried-list > li").first).to_contain_text(
                "Not in the meeting")
        else:
            expect(carried).to_contain_text("Sam Patel (supervising social worker)")
        expect(carried).to_contain_text("The placement continues, with the Stability Actions")
        chart = carried.locator("figure.app-trend svg[role=img]")
        expect(chart).to_be_visible()
        expect(carried.locator("figure.app-trend figcaption")).to_contain_text(
            "median 4 on the 0–10 scale")
    expect(projector.locator("h1")).to_have_text("J.T.")
    assert CHILD not in projector.content()
    assert accessibility_problems(chair) == []

    # The chair updates a carried action from the review; the projector shows it at once.
    item = chair.locator("#carried-list > li", has_text="Keep a bedtime diary")
    item.locator("summary", has_text="Mark done or not done").click()
    item.get_by_label("Done", exact=True).check()
    item.get_by_label(re.compile("^Note")).fill("Diary kept every night for three weeks.")
    item.get_by_role("button", name="Save the status").click()
    shown = projector.locator("#carried-list > li", has_text="Keep a bedtime diary")
    expect(shown.locator(".app-status")).to_have_text("Done")
    expect(shown).not_to_contain_text("Diary kept every night")  # notes stay off the projector
    expect(chair.locator("#carried-list > li", has_text="Keep a bedtime diary")
           ).to_contain_text("Diary kept every night for three weeks.")
    expect_up_to_date(chair)
    chair.screenshot(path=screenshots / "review-chair.png", full_page=True)
    projector.screenshot(path=screenshots / "review-projector.png", full_page=True)
    devices.expect_no_script_errors()


def test_a_carer_proposes_an_action_on_a_phone_and_the_chair_confirms_it(
        live_server, review, devices, screenshots):
    chair = chair_page(devices, live_server, review)
    pat = join(devices, live_server, review, chair, "Pat Jones", attends_as="Carer")
    pat.locator(".app-action-add summary").click()
    form = pat.locator("#action-propose-form")
    form.get_by_label("What needs to happen").fill("Ring school about the <b>trip</b>")
    form.get_by_label("Who will do it").select_option(label="Pat Jones (Carer)")
    form.get_by_label("Before the review").check()
    form.get_by_label("Recorded on").select_option(label="Child's Plan")
    form.get_by_role("button", name="Propose the action").click()
    # No review date is set yet: refused with a message, and nothing Pat chose is lost.
    expect(form.locator(".app-form-error")).to_contain_text(
        "Set the review date first (under Decision and review), or choose another timescale.")
    # Beside the answer it is about, the timescale, not the first box of the form.
    timescale = form.locator("fieldset:has(legend:text-is('Timescale'))")
    expect(timescale.locator(".app-form-error")).to_be_visible()
    expect(form.get_by_label("What needs to happen")).to_have_value(
        "Ring school about the <b>trip</b>")
    expect(form.get_by_label("Before the review")).to_be_checked()
    expect(form.get_by_label("Recorded on")).to_have_value("childs_plan")
    form.get_by_label("Within a number of working days").check()
    form.get_by_label("Number of working days or weeks").fill("2")
    form.get_by_role("button", name="Propose the action").click()

    proposed = chair.locator("#actions-list > li", has_text="Ring school about the <b>trip</b>")
    expect(proposed.locator(".app-status")).to_have_text("Proposed")
    expect(proposed.locator("b")).to_have_count(0)  # text, never markup
    proposed.get_by_role("button", name=re.compile("^Confirm")).click()
    mine = pat.locator("#actions-list > li", has_text="Ring school")
    expect(mine.locator(".app-status")).to_have_text("Open")
    # Pat owns it, so Pat's page offers the status form; nobody else's participant page does.
    expect(mine.locator("summary", has_text="Mark done or not done")).to_be_visible()
    expect(form.get_by_label("What needs to happen")).to_have_value("")
    pat.screenshot(path=screenshots / "actions-phone.png", full_page=True)
    devices.expect_no_script_errors()
