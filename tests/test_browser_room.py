"""The meeting room, phase by phase, on the chair's laptop (1366×768) and a carer's phone
(360×740), with a real meeting's load (tests/room_loads.py): the chair's controls stay in view
whatever the chair scrolls to, the section the agenda is on comes first, and on the phone the
input of the moment is within the first screen. A screenshot of every phase on each screen goes
to test-artifacts/room/. The projector has its own module (test_browser_room_projector.py).
"""
import pytest
from playwright.sync_api import expect

from facilitator.agenda import services as agenda
from tests import test_browser_board as board
from tests.browser_checks import accessibility_problems
from tests.conftest import ARTIFACTS
from tests.room_loads import full_room as loaded_room
from tests.room_loads import scores
from tests.test_browser_board import (
    ask_to_join,
    chair_page,
    expect_no_sideways_scroll,
    expect_up_to_date,
    let_in,
)

pytestmark = [pytest.mark.live, pytest.mark.browser]
devices, live_timeout = board.devices, board.live_timeout

CHAIR_SCREEN = {"width": 1366, "height": 768}
PHONE_SCREEN = {"width": 360, "height": 740}
ROOM = ARTIFACTS / "room"

# Each phase of a Placement Stability Meeting: the agenda item's kind, and on the phone the
# input a person uses then (None: nothing to type, the words say what happens).
PHASES = [
    ("welcome", None),
    ("column:worried", "#new-card-worried"),
    ("column:working_well", "#new-card-working_well"),
    ("childs_views", "#view-words"),
    ("offers", "#offer-agency"),
    ("scaling", None),
    ("actions", "#actions .app-action-add summary"),
    ("decision", None),
]
# What runs the meeting, in the chair's console.
CONSOLE = ["#agenda-next-button", "#on-screen", "#screen-button", "#scaling-console button",
           "#lobby-notice summary", ".app-console__close", "#console .app-room-nav"]


@pytest.fixture
def full_room(live_server):
    return loaded_room()


def box(page, selector):
    element = page.locator(selector).first
    expect(element).to_be_visible()
    return element.bounding_box()


def in_first_screen(page, selector, height):
    found = box(page, selector)
    return found["y"] >= 0 and found["y"] + found["height"] <= height


def shot(page, name):
    ROOM.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ROOM / f"{name}.png"))


def phase_name(kind):
    return kind.replace("column:", "")


def move_to(chair, meeting, kind):
    """The chair presses "Start the agenda" / "Next item" until the item of this kind runs,
    as they would in the room (the pages hear it live)."""
    items = agenda.items_of(meeting.id)
    values = [f"column:{i.board_column}" if i.kind == "column" else i.kind for i in items]
    shown = chair.locator("#agenda-area .app-timer__title")
    current = shown.inner_text() if shown.count() else None
    at = next((n for n, i in enumerate(items) if current and i.title in current), -1)
    for item in items[at + 1:values.index(kind) + 1]:
        chair.locator("#agenda-next-button").click()
        expect(shown).to_contain_text(item.title)


def expect_phase(page, kind):
    section = "board" if kind.startswith("column:") else kind
    expect(page.locator("#meeting")).to_have_attribute("data-phase", section)
    expect(page.locator("#room-sections > .app-section").first).to_have_attribute(
        "data-section", section)


def test_the_chairs_controls_stay_in_view_and_the_current_section_comes_first(
        live_server, full_room, devices):
    meeting, chair_seat = full_room["meeting"], full_room["chair"]
    ask_to_join(devices, live_server, meeting, "Kwame Asante-Boateng", "School")
    chair = chair_page(devices, live_server, meeting, viewport=CHAIR_SCREEN)
    expect(chair.locator("#lobby-notice")).to_have_attribute("open", "")
    expect(chair.locator("#lobby-notice [data-count]")).to_have_text("1")
    positions = {}
    for kind, _ in PHASES + [("scaling-open", None), ("finished", None)]:
        if kind == "scaling-open":
            chair.locator("#console-open-button").click()
            expect(chair.locator("#scaling-console")).to_contain_text("0 of 12")
            scores(meeting, chair_seat, [chair_seat] + full_room["people"], reveal=False,
                   opened=True)
            chair.reload()
            expect(chair.locator("#scaling-console")).to_contain_text("12 of 12")
        elif kind == "finished":
            chair.locator("#agenda-next-button").click()     # "Finish the agenda"
            expect(chair.locator("#meeting")).to_have_attribute("data-phase-kind", "close")
        elif kind != "welcome":
            move_to(chair, meeting, kind)
            expect_phase(chair, kind)
        expect_up_to_date(chair)
        chair.evaluate("window.scrollTo(0, 0)")
        shot(chair, f"chair-{phase_name(kind)}-1366")
        for selector in CONSOLE:
            if selector == "#agenda-next-button" and kind == "finished":
                continue
            assert in_first_screen(chair, selector, CHAIR_SCREEN["height"]), (kind, selector)
        first = chair.locator("#room-sections > .app-section").first
        assert first.bounding_box()["y"] < CHAIR_SCREEN["height"] * 0.6, kind
        # Scrolled to the bottom of a long page, the console is still there.
        chair.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        for selector in CONSOLE:
            if selector == "#agenda-next-button" and kind == "finished":
                continue
            assert in_first_screen(chair, selector, CHAIR_SCREEN["height"]), (kind, selector)
        positions[kind] = box(chair, "#console")["height"]
    shot(chair, "chair-bottom-of-page-1366")
    print("console heights", positions)
    assert max(positions.values()) < CHAIR_SCREEN["height"] * 0.3
    chair.evaluate("window.scrollTo(0, 0)")
    assert accessibility_problems(chair) == []
    devices.expect_no_script_errors()


def test_a_carers_phone_puts_the_input_of_the_moment_in_the_first_screen(
        live_server, full_room, devices):
    meeting = full_room["meeting"]
    chair = chair_page(devices, live_server, meeting, viewport=CHAIR_SCREEN)
    phone = let_in(chair, ask_to_join(devices, live_server, meeting, "Rosalind Abernethy-Jones",
                                      viewport=PHONE_SCREEN), "Rosalind Abernethy-Jones")
    expect(phone.locator("#room-now")).to_contain_text("Welcome.")
    shot(phone, "phone-welcome-360")
    for kind, field in PHASES[1:]:
        move_to(chair, meeting, kind)
        expect_phase(phone, kind)
        expect_up_to_date(phone)
        phone.evaluate("window.scrollTo(0, 0)")
        shot(phone, f"phone-{phase_name(kind)}-360")
        expect(phone.locator("#room-now")).to_contain_text("Now:")
        if field:
            assert in_first_screen(phone, field, PHONE_SCREEN["height"]), kind
        expect_no_sideways_scroll(phone)
    # Scoring opens: the score form comes to the top, framed, and screen readers are told.
    chair.locator("#console-open-button").click()
    score_form = phone.locator(".app-my-score")
    expect(score_form).to_be_visible()
    expect(phone.locator("#room-sections > .app-section").first).to_have_attribute(
        "data-section", "scaling")
    expect(phone.locator("#section-scaling")).to_have_class("app-section app-section--scaling "
                                                             "app-section--cue")
    expect(phone.locator("#live-announcer")).to_contain_text("Scaling round 1 is open")
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "phone-scoring-open-360")
    assert in_first_screen(phone, ".app-my-score .app-scale-choice__label",
                           PHONE_SCREEN["height"])
    shot(phone, "phone-scoring-open-360")
    # The rest of the meeting is one tap away: the menu stays at the top of the screen.
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert in_first_screen(phone, ".app-room-nav", PHONE_SCREEN["height"])
    phone.locator(".app-room-nav").get_by_role("link", name="The board").click()
    assert in_first_screen(phone, "#section-board h2", PHONE_SCREEN["height"])
    assert accessibility_problems(phone) == []
    devices.expect_no_script_errors()
