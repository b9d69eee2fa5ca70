"""The projector is one screen that never scrolls (issue 19), at 1920×1080 and at 1280×720, in
every phase of a meeting with a real meeting's load (tests/room_loads.py: 12 people with
real-length names, 40 cards of 60–200 characters, 12 scores with 120-character reasons, 15
Stability Actions, the child's views, agency offers and a decision).

The chair runs the agenda from their laptop as in the room, and two projectors (one of each
size) follow it live. In every phase, on every page of it, measured in the real browser: the
document does not scroll; every item shown is whole, on the screen and below the top band; the
words of cards, reasons and actions are at least 24 px high at 1080 lines and 18 px at 720; the
current item and its countdown are in view; and every item of the section is on one of the
pages, "1 of N" saying which. A screenshot of every phase and page goes to test-artifacts/room/
(projector-<phase>-<1080|720>.png, then -page2.png…).
"""
import re

import pytest
from playwright.sync_api import expect

from facilitator.agenda import services as agenda
from tests import test_browser_board as board_pages
from tests.browser_checks import AxeAudit
from tests.conftest import ARTIFACTS
from tests.room_loads import full_room as loaded_room
from tests.room_loads import scores
from tests.test_browser_board import LAPTOP, add_card, chair_page, expect_up_to_date

# The board tests' fixtures: each person's own browser context, and Playwright's longer wait for
# live changes.
devices, live_timeout = board_pages.devices, board_pages.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

SCREENS = {1080: {"width": 1920, "height": 1080}, 720: {"width": 1280, "height": 720}}
FLOOR = {1080: 24, 720: 18}   # px: the words read across a room
ROOM = ARTIFACTS / "room"

# The words the floor is for, and the other words of the items the room reads.
WORDS = (".app-card__text, .app-score__reason, .app-action__what, .app-voice__text, "
         ".app-offer__text, .app-tally__person, #presence-list > li, "
         ".app-decision .govuk-summary-list__value, .app-scaling__none")
NEWEST_ROUND = "#scaling-rounds > .app-round:first-child"

# Each phase: its name, what the screen shows (data-screen, data-screen-column), the items the
# pages must show between them, and what must be on every page (the chart's bars).
PHASES = {
    "welcome": ("welcome", "", "#presence-list > li", None),
    "welcome-item": ("welcome", "", "#presence-list > li", None),
    "worried": ("board", "worried", "#column-worried > .app-card", None),
    "working_well": ("board", "working_well", "#column-working_well > .app-card", None),
    "board": ("board", "", "#section-board .app-card", None),
    "needs_to_happen": ("board", "needs_to_happen", "#column-needs_to_happen > .app-card", None),
    "childs_views": ("childs_views", "", "#child-views-list > li", None),
    "offers": ("offers", "", "#offers-list > li", None),
    "scaling-waiting": ("scaling", "", "#section-scaling .app-scaling__none", None),
    "scaling-open": ("scaling", "", f"{NEWEST_ROUND} .app-tally__person", None),
    "scaling-revealed": ("scaling", "", f"{NEWEST_ROUND} .app-score",
                         f"{NEWEST_ROUND} .app-chart__svg rect"),
    "actions": ("actions", "", "#actions-list > li", None),
    "decision": ("decision", "", "#decision-summary .govuk-summary-list__row", None),
    "close": ("actions", "", "#actions-list > li", None),
}
# How many of each the room_loads meeting has.
COUNTS = {"welcome": 13, "welcome-item": 13, "worried": 18, "working_well": 12, "board": 40,
          "needs_to_happen": 10, "childs_views": 4, "offers": 5, "scaling-waiting": 1,
          "scaling-open": 12, "scaling-revealed": 12, "actions": 15, "decision": 2, "close": 15}

MEASURE = """([items, always, words]) => {
    const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    const box = e => { const r = e.getBoundingClientRect();
                       return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
    const all = [...document.querySelectorAll(items)];
    const pager = document.getElementById("projector-pages");
    const stage = document.getElementById("room-sections");
    const page = document.scrollingElement;
    return {
        height: page.scrollHeight, width: page.scrollWidth,
        innerHeight: innerHeight, innerWidth: innerWidth,
        band: box(document.querySelector(".app-projector-top")),
        pager: shown(pager) ? {text: pager.innerText.trim(), ...box(pager)} : null,
        total: all.length,
        items: all.map((e, i) => shown(e) ? {i, ...box(e)} : null).filter(Boolean),
        always: always ? [...document.querySelectorAll(always)].filter(shown).map(box) : [],
        sizes: [...document.querySelectorAll(words)].filter(shown)
            .map(e => parseFloat(getComputedStyle(e).fontSize)),
        fit: {size: stage.dataset.fitSize, pages: stage.dataset.fitPages},
    };
}"""


@pytest.fixture
def full_room(live_server):
    return loaded_room()


def projector(devices, server, meeting, lines):
    page = devices.open(SCREENS[lines])
    page.goto(f"{server.url}/meetings/{meeting.id}/projector/{meeting.projector_token}")
    expect_up_to_date(page)
    return page


def settled(page, screen, column):
    """The projector shows this section and has fitted it (projector.js marks the stage)."""
    expect(page.locator("#meeting")).to_have_attribute("data-screen", screen)
    expect(page.locator("#meeting")).to_have_attribute("data-screen-column", column)
    stage = page.locator("#room-sections")
    expect(stage).to_have_attribute("data-fit-screen", f"{screen}:{column}")
    expect(stage).to_have_attribute("data-fit", "done")
    page.wait_for_timeout(150)   # anything arriving just after: fitted again
    expect(stage).to_have_attribute("data-fit", "done")


def inside(item, top, width, height):
    return (item["top"] >= top - 0.5 and item["bottom"] <= height + 0.5
            and item["left"] >= -0.5 and item["right"] <= width + 0.5)


def overlaps(a, b):
    return not (a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"])


def check_page(page, phase, lines, number, pages):
    """One page of a phase: measured, checked and photographed. Returns the items it shows."""
    _, _, items, always = PHASES[phase]
    found = page.evaluate(MEASURE, [items, always, WORDS])
    where = f"{phase} at {lines}, page {number} of {pages}"
    assert found["height"] <= found["innerHeight"], f"{where}: the page scrolls down {found}"
    assert found["width"] <= found["innerWidth"], f"{where}: the page scrolls sideways"
    assert found["items"], f"{where}: no item shown"
    band_foot = found["band"]["bottom"]
    for item in found["items"] + found["always"]:
        assert inside(item, band_foot, found["innerWidth"], found["innerHeight"]), \
            f"{where}: an item is cut off or under the band: {item}"
        if found["pager"]:
            assert not overlaps(item, found["pager"]), f"{where}: '1 of N' covers {item}"
    assert found["sizes"] and min(found["sizes"]) >= FLOOR[lines], \
        f"{where}: words of {min(found['sizes'])}px, below the floor of {FLOOR[lines]}px"
    if pages > 1:
        assert found["pager"] and found["pager"]["text"] == f"{number} of {pages}", where
    else:
        assert found["pager"] is None, f"{where}: a page number on a single page"
    suffix = "" if number == 1 else f"-page{number}"
    page.screenshot(path=str(ROOM / f"projector-{phase}-{lines}{suffix}.png"))
    return found


def check_band(page, phase):
    """The current item and its countdown (or that the agenda has finished) are in view; once the
    agenda has started the way to join is one line, the QR code only during the welcome."""
    timer = page.locator("#agenda-area .app-timer")
    if phase == "welcome":
        expect(page.locator("#agenda")).to_be_hidden()
    elif phase == "close":
        expect(page.locator("#agenda-area")).to_contain_text("The agenda is finished.")
        expect(page.locator("#agenda-area .app-timer__none")).to_be_in_viewport(ratio=1)
    else:
        for part in (".app-timer__title", ".app-timer__value"):
            expect(timer.locator(part)).to_be_in_viewport(ratio=1)
        expect(timer.locator(".app-timer__value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    if PHASES[phase][0] == "welcome":
        expect(page.locator("img.app-qr")).to_be_in_viewport(ratio=1)
        code, block = (page.locator(selector).bounding_box()
                       for selector in (".app-projector-join__code", ".app-projector-join"))
        assert block["x"] <= code["x"] and code["x"] + code["width"] <= block["x"] + block[
            "width"] and code["y"] + code["height"] <= block["y"] + block["height"], \
            "the join code runs out of its box"
    else:
        expect(page.locator("img.app-qr")).to_be_hidden()
        expect(page.locator(".app-projector-line--join")).to_be_in_viewport(ratio=1)


def check_phase(page, phase, lines):
    """Every page of the phase, turned by keyboard: returns the height of the page and of the
    screen, the number of pages and the size the words were given."""
    screen, column, _, _ = PHASES[phase]
    settled(page, screen, column)
    check_band(page, phase)
    pages = int(page.locator("#room-sections").get_attribute("data-fit-pages"))
    seen = set()
    for number in turning(page, pages):
        found = check_page(page, phase, lines, number, pages)
        seen.update(item["i"] for item in found["items"])
    assert found["total"] == COUNTS[phase], f"{phase}: {found['total']} items on the page"
    assert seen == set(range(found["total"])), \
        f"{phase} at {lines}: items never shown on any page: {set(range(found['total'])) - seen}"
    return (found["height"], found["innerHeight"], pages, found["fit"]["size"])


def turning(page, pages, key="ArrowRight"):
    """Every page once, turned by keyboard from the first: yields each page's number. (A key
    restarts the page's 12 seconds, so none turns by itself while it is measured.)"""
    if pages == 1:
        yield 1
        return
    pager = page.locator("#projector-pages")
    page.keyboard.press(key)
    shown = int(pager.inner_text().split(" of ")[0])
    for _ in range((pages - shown + 1) % pages):     # on to the first page
        page.keyboard.press(key)
    for number in range(1, pages + 1):
        if number > 1:
            page.keyboard.press(key)
        expect(pager).to_have_text(f"{number} of {pages}")
        yield number


def next_item(chair, title):
    chair.locator("#agenda-next-button").click()
    expect(chair.locator("#agenda-area .app-timer__title")).to_contain_text(title)


def show_on_screen(chair, value):
    chair.locator("#on-screen").select_option(value)
    chair.locator("#screen-button").click()
    expect(chair.locator("#meeting")).to_have_attribute(
        "data-screen", "board" if value.startswith("column:") else value)


def test_every_phase_fits_one_screen_at_1080_and_720_lines(live_server, full_room, devices):
    meeting, chair_seat = full_room["meeting"], full_room["chair"]
    ROOM.mkdir(parents=True, exist_ok=True)
    titles = {item.kind if item.kind != "column" else item.board_column: item.title
              for item in agenda.items_of(meeting.id)}
    chair = chair_page(devices, live_server, meeting, viewport=LAPTOP)
    screens = {lines: projector(devices, live_server, meeting, lines) for lines in SCREENS}
    axe = AxeAudit()
    report = []

    def measure(phase):
        for lines, page in screens.items():
            height, screen_height, pages, size = check_phase(page, phase, lines)
            report.append(f"{phase:<17} {lines:>5}  page {height:>5}px of {screen_height:>5}px"
                          f"  {pages} page{'s' if pages > 1 else ' '}  words {size}")

    measure("welcome")
    axe.check(screens[1080], "projector: welcome")
    chair.locator("#agenda-next-button").click()                    # "Start the agenda"
    expect(chair.locator("#agenda-area .app-timer__title")).to_contain_text(titles["welcome"])
    measure("welcome-item")
    for column in ("worried", "working_well"):
        next_item(chair, titles[column])
        measure(column)
    axe.check(screens[720], "projector: a column in pages")
    show_on_screen(chair, "board")
    measure("board")
    axe.check(screens[1080], "projector: the whole board")
    show_on_screen(chair, "column:needs_to_happen")
    measure("needs_to_happen")
    for kind in ("childs_views", "offers"):
        next_item(chair, titles[kind])
        measure(kind)
    next_item(chair, titles["scaling"])
    measure("scaling-waiting")

    # Scoring opens; everyone scores (through the services, as twelve phones would); the
    # projectors are opened afresh on the round with every score in.
    chair.locator("#console-open-button").click()
    expect(chair.locator("#scaling-console")).to_contain_text("0 of 12")
    scores(meeting, chair_seat, [chair_seat] + full_room["people"], reveal=False, opened=True)
    for page in screens.values():
        page.reload()
        expect_up_to_date(page)
        expect(page.locator(f"{NEWEST_ROUND} .app-tally__count")).to_contain_text("12 of 12")
    measure("scaling-open")
    chair.reload()
    chair.locator("#console-reveal-button").click()
    for page in screens.values():
        expect(page.locator(f"{NEWEST_ROUND} .app-score")).to_have_count(12)
    measure("scaling-revealed")
    axe.check(screens[1080], "projector: scores revealed")
    axe.check(screens[720], "projector: scores revealed, 720")

    for kind in ("actions", "decision"):
        next_item(chair, titles[kind])
        measure(kind)
    axe.check(screens[1080], "projector: decision")
    chair.locator("#agenda-next-button").click()                    # "Finish the agenda"
    expect(chair.locator("#meeting")).to_have_attribute("data-phase-kind", "close")
    measure("close")
    axe.check(screens[720], "projector: close")

    print("\nThe projector, phase by phase (page height of screen height, pages, word size):")
    print("\n".join(report))
    print("axe by page:\n" + axe.table())
    devices.expect_no_script_errors()


def test_pages_follow_live_cards_turn_by_themselves_and_by_keyboard(
        live_server, full_room, devices):
    """At 720 lines the 18 worries need pages: a card added live lands on one of them, the pages
    turn by themselves after 12 seconds and by the arrow and page keys, the page number is not
    read out to screen readers, and a larger screen fits again without reloading."""
    meeting = full_room["meeting"]
    chair = chair_page(devices, live_server, meeting, viewport=LAPTOP)
    chair.locator("#agenda-next-button").click()                    # "Start the agenda"
    chair.locator("#agenda-next-button").click()                    # the worries
    expect(chair.locator("#meeting")).to_have_attribute("data-phase-column", "worried")
    page = projector(devices, live_server, meeting, 720)
    settled(page, "board", "worried")
    pager = page.locator("#projector-pages")
    expect(pager).to_have_attribute("aria-hidden", "true")     # not announced at every turn
    pages = int(page.locator("#room-sections").get_attribute("data-fit-pages"))
    assert pages > 1
    expect(pager).to_have_text(f"1 of {pages}")

    # A worry added live: the pages are worked out again and show all nineteen.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    words = ("Late-night phone calls from a sibling have started again and the carers do not "
             "know whether they should answer them or pass them on")
    add_card(chair, "worried", words)
    expect(page.locator("#column-worried > .app-card")).to_have_count(19)
    settled(page, "board", "worried")
    pages = int(page.locator("#room-sections").get_attribute("data-fit-pages"))
    seen = set()
    for _ in turning(page, pages, "PageDown"):
        found = page.evaluate(MEASURE, ["#column-worried > .app-card", None, WORDS])
        assert all(inside(item, found["band"]["bottom"], 1280, 720) for item in found["items"])
        seen.update(item["i"] for item in found["items"])
    assert seen == set(range(19))
    expect(page.locator(".app-card__text", has_text=words)).to_have_count(1)

    # Back by keyboard, round from the first page to the last.
    page.keyboard.press("PageUp")
    expect(pager).to_have_text(f"{pages - 1} of {pages}")
    page.keyboard.press("Home")   # not a page key: nothing turns
    expect(pager).to_have_text(f"{pages - 1} of {pages}")
    for _ in range(pages - 2):
        page.keyboard.press("ArrowLeft")
    expect(pager).to_have_text(f"1 of {pages}")
    page.keyboard.press("ArrowLeft")
    expect(pager).to_have_text(f"{pages} of {pages}")

    # By itself, after about 12 seconds, from the last page round to the first.
    expect(pager).to_have_text(f"1 of {pages}", timeout=16_000)
    assert "of" not in page.locator("#live-announcer").inner_text()

    # The same screen made larger fits again at once: 1920×1080, no scrolling, words of 24px.
    page.set_viewport_size(SCREENS[1080])
    expect(page.locator("#room-sections")).to_have_attribute("data-fit", "done")
    page.wait_for_function("() => parseFloat(document.getElementById('room-sections')"
                           ".dataset.fitSize) >= 24")
    found = page.evaluate(MEASURE, ["#column-worried > .app-card", None, WORDS])
    assert found["height"] <= 1080 and found["width"] <= 1920
    assert min(found["sizes"]) >= 24
    assert page.evaluate("() => window.stillTheSamePage === true"), "the projector reloaded"
    devices.expect_no_script_errors()
