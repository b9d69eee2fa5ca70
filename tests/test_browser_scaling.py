"""A scaling round in a real headless Chromium against a real server process (`flask serve`).

The chair opens the round from their page; a carer (by keyboard alone) and a young person score
from their own phones; the projector shows who has scored and nothing else until the chair
reveals, then every score, name and reason, the chart and the median.
"""
import re

import pytest
from playwright.sync_api import expect

from tests import test_browser_board as board
from tests.browser_checks import FOCUS_YELLOW, AxeAudit
from tests.test_browser_board import (
    LAPTOP,
    LIVE,
    PROJECTOR,
    RECONNECT,
    SMALL_PHONE,
    chair_page,
    expect_no_sideways_scroll,
    expect_up_to_date,
    join,
    projector_page,
    tab_to,
)

# The board tests' fixtures: each person's own browser context, the chair's account and meeting,
# and Playwright's longer wait for live changes.
devices, room, live_timeout = board.devices, board.room, board.live_timeout

pytestmark = [pytest.mark.live, pytest.mark.browser]

YOUNG_NAME = "Jordan"  # the young person's own first name, which they choose not to show
PAT_REASON = "Settled at home & school <b>most</b> weeks; contact still unsettles them"
YOUNG_REASON = "I like my room but I miss my sister a lot"


class Recorder(list):
    """Passes a page's WebSocket frames through and keeps what the page sends (every socket
    the page opens, from its first load). `watch` adds what it sends by long-polling POST."""

    def __call__(self, ws):
        server = ws.connect_to_server()

        def from_page(message):
            self.append(str(message))
            server.send(message)

        ws.on_message(from_page)
        server.on_message(ws.send)

    def watch(self, page):
        page.on("request", lambda request: self.append(request.post_data or "")
                if "/socket.io/" in request.url and request.method == "POST" else None)
        return self


def tile_sizes(page):
    return page.locator(".app-scale-choice__label").evaluate_all(
        "labels => labels.map(l => { const r = l.getBoundingClientRect(); "
        "return [Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; })")


def page_text(page):
    return page.evaluate("() => document.body.innerText")


def test_a_scaling_round_from_opening_to_reveal(live_server, room, devices, screenshots):
    meeting, server = room, live_server
    chair = chair_page(devices, server, meeting, viewport=LAPTOP)
    projector = projector_page(devices, server, meeting)
    pat_sent = Recorder()
    pat = join(devices, server, meeting, chair, "Pat Jones", attends_as="Carer",
               viewport=SMALL_PHONE, network=pat_sent)
    pat_sent.watch(pat)
    young = join(devices, server, meeting, chair, YOUNG_NAME, attends_as="Young person",
                 viewport=SMALL_PHONE)
    axe = AxeAudit()

    # Nothing about scaling on the projector before the first round.
    expect(projector.locator("#scaling")).to_be_hidden()

    # ---- The chair opens round 1 from their own page -----------------------------------------
    open_form = chair.locator("#open-round-form")
    expect(open_form.get_by_label("Scaling question for round 1")).to_have_value(
        re.compile(r"^On a scale of 0 to 10"))
    open_form.get_by_role("button", name="Open scaling round 1").click()
    expect(chair.locator("#scaling-controls")).to_contain_text("Round 1 is open")
    round_block = chair.locator("#scaling-rounds > .app-round")
    expect(round_block).to_have_count(1)
    round_id = round_block.get_attribute("id").removeprefix("round-")
    tally = f"#round-{round_id}-tally .app-tally__count"
    for page in (chair, projector, pat, young):
        expect(page.locator(f"#round-{round_id}")).to_be_visible()
        expect(page.locator(tally)).to_have_text("0 of 3 have scored")
    expect(projector.locator("#scaling")).to_be_visible()
    # Everyone's page fetches its own score form; the projector has none.
    for page in (chair, pat, young):
        expect(page.locator(f"#score-form-{round_id}")).to_be_visible()
    expect(projector.locator("form, input, textarea, button")).to_have_count(0)
    axe.check(chair, "chair, round open")

    # Revealing before anyone has scored is refused, and the chair is told why, on the page.
    reveal = chair.locator(f"#round-{round_id}").get_by_role("button", name="Reveal scores")
    reveal.click()
    reveal_error = chair.locator(f"#round-{round_id}-tally .app-form-error")
    expect(reveal_error).to_be_visible()
    expect(reveal_error).to_contain_text("Nobody has scored yet")
    expect(chair.locator("#connection-status")).to_contain_text("Up to date")

    # ---- The young person's page: plain words, big targets, and a choice of name -------------
    expect(young.locator(f"#round-{round_id}-mine")).to_contain_text(
        "How are things in your home right now?")
    expect(young.get_by_role("group", name="Pick your number")).to_be_visible()
    expect(young.locator(f"#round-{round_id} .app-round__question")).to_be_hidden()  # plain only
    sizes = tile_sizes(young)
    assert len(sizes) == 11 and all(w >= 60 and h >= 60 for w, h in sizes), \
        f"the young person's tiles are smaller than 60px: {sizes}"
    expect_no_sideways_scroll(young)
    young.screenshot(path=screenshots / "scaling-young-person-phone.png", full_page=True)
    axe.check(young, "young person, scoring")

    # ---- Pat scores by keyboard alone ----------------------------------------------------------
    sizes = tile_sizes(pat)
    assert len(sizes) == 11 and all(w >= 44 and h >= 44 for w, h in sizes), \
        f"the score tiles are smaller than 44px: {sizes}"
    expect_no_sideways_scroll(pat)
    tab_to(pat, f"#score-{round_id} input[name=value]")
    focused_label = pat.locator(f"#score-{round_id} input[name=value]:focus + label")
    outline = focused_label.evaluate(
        "l => [getComputedStyle(l).outlineStyle, getComputedStyle(l).outlineColor]")
    assert outline == ["solid", FOCUS_YELLOW], f"the focused tile shows no focus style: {outline}"
    pat.keyboard.press("Space")
    expect(pat.locator(f"#score-{round_id}-0")).to_be_checked()
    for _ in range(7):
        pat.keyboard.press("ArrowRight")
    expect(pat.locator(f"#score-{round_id}-7")).to_be_checked()
    expect(pat.locator(f"#score-{round_id}-7")).to_be_focused()

    # With no reason the page refuses, says why, and sends nothing.
    before = len(pat_sent)
    pat.keyboard.press("Tab")
    expect(pat.locator(f"#reason-{round_id}")).to_be_focused()
    pat.keyboard.press("Tab")
    expect(pat.get_by_role("button", name="Save my score")).to_be_focused()
    pat.keyboard.press("Enter")
    error = pat.locator(f"#score-form-{round_id} .app-form-error")
    expect(error).to_be_visible()
    expect(error).to_have_text("Error: Give a reason for your score.")
    expect(error).to_be_in_viewport()   # beside the box, not above the tiles off the screen
    reason_box = pat.locator(f"#reason-{round_id}")
    expect(reason_box).to_be_focused()
    expect(reason_box).to_have_attribute("aria-invalid", "true")
    assert error.get_attribute("id") in reason_box.get_attribute("aria-describedby").split()
    expect(pat.locator(f"#score-{round_id}-7")).to_be_checked()   # the choice is kept
    pat.wait_for_timeout(300)
    assert not [m for m in pat_sent[before:] if "scaling.score" in m], "an empty reason was sent"
    assert pat.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith("
                        "'facilitator.outbox.')).map(k => JSON.parse(localStorage[k]).length)"
                        ) in ([], [0])
    expect(chair.locator(tally)).to_have_text("0 of 3 have scored")

    # Pat types the reason (focus is already in the box) and sends it with Tab, Enter.
    pat.keyboard.type(PAT_REASON)
    pat.keyboard.press("Tab")
    expect(pat.get_by_role("button", name="Save my score")).to_be_focused()
    pat.keyboard.press("Enter")
    mine = pat.locator(f"#round-{round_id}-mine")
    expect(mine).to_contain_text("You gave 7.")
    expect(mine.get_by_role("button", name="Change my score")).to_be_visible()
    expect(error).to_be_hidden()
    assert [m for m in pat_sent[before:] if "scaling.score" in m], "the score was never sent"
    for page in (chair, projector, pat, young):
        expect(page.locator(tally)).to_have_text("1 of 3 have scored")

    # ---- The young person scores by touch and chooses not to show their name -------------------
    young.get_by_role("button", name="Save my score").tap()     # too soon: no number yet
    young_error = young.locator(f"#score-form-{round_id} .app-form-error")
    expect(young_error).to_have_text("Error: Choose a score from 0 to 10.")
    expect(young_error).to_be_in_viewport()
    young.locator(f"label[for=score-{round_id}-3]").tap()
    expect(young.locator(f"#score-{round_id}-3")).to_be_checked()
    young.get_by_label("Why did you pick that number?").fill(YOUNG_REASON)
    young.get_by_label('Just "Young person"').check()
    young.get_by_role("button", name="Save my score").tap()
    expect(young.locator(f"#round-{round_id}-mine")).to_contain_text("You gave 3.")
    expect(young_error).to_be_hidden()   # the form is redrawn without it

    # ---- Before the reveal: who has scored, never what ------------------------------------------
    for page in (chair, projector, pat, young):
        expect(page.locator(tally)).to_have_text("2 of 3 have scored")
        expect(page.locator(".app-results, .app-score")).to_have_count(0)
    for reason in (PAT_REASON, YOUNG_REASON, "most</b> weeks", "miss my sister"):
        assert reason not in projector.content(), f"the projector shows a reason: {reason!r}"
        assert reason not in page_text(projector)
    assert YOUNG_REASON not in pat.content() and "You gave 3" not in pat.content()
    assert "contact still unsettles" not in young.content() and "You gave 7" not in young.content()
    axe.check(projector, "projector, before reveal")

    # ---- The chair reveals while the young person's phone is out of signal ----------------------
    # They change their mind offline; the change waits on the phone. By the time it can be sent
    # the scores are revealed, so it is refused, and the page says so instead of losing it quietly.
    young.context.set_offline(True)
    young_status = young.locator("#connection-status")
    expect(young_status).to_have_attribute("data-state", "offline")
    young.get_by_label("Why did you pick that number?").fill("Changed my mind offline")
    young.get_by_role("button", name="Change my score").tap()
    expect(young.locator(f"#score-form-{round_id}")).to_contain_text("Waiting to send")

    chair.locator(f"#round-{round_id}").get_by_role("button", name="Reveal scores").click()
    results = f"#round-{round_id}-results"
    young.context.set_offline(False)
    expect(young_status).to_contain_text("Scoring has closed for this round", timeout=RECONNECT)
    expect(young_status).to_have_attribute("data-state", "error")
    for page in (chair, projector, pat, young):
        shown = page.locator(results)
        expect(shown).to_be_visible()
        expect(shown.locator(".app-results__median")).to_have_text("Median 5")
        expect(shown.locator(".app-results__range")).to_contain_text("Range 3 to 7")
        expect(shown.locator(".app-score")).to_have_count(2)
        expect(shown.locator(".app-score__value")).to_have_text(["3", "7"])
        expect(shown.locator(".app-score__reason")).to_have_text([YOUNG_REASON, PAT_REASON])
        # The room sees what Pat attends as, never Pat's name.
        expect(shown.locator(".app-score__who")).to_have_text(
            ["Young person", "Carer" if page is projector else "Pat Jones, Carer"])
        expect(shown.locator(".app-score__reason b")).to_have_count(0)   # text, never markup
        assert YOUNG_NAME not in shown.inner_text(), "the young person's name is shown"
        chart = shown.locator("svg[role=img]")
        expect(chart).to_be_visible()
        caption = shown.locator("figcaption")
        expect(caption).to_contain_text("1 person scored 3; 1 person scored 7. Median 5")
        assert caption.get_attribute("id") == chart.get_attribute("aria-describedby")
        expect(page.locator(f"#round-{round_id}-mine")).to_have_count(0)   # scoring has closed
    expect(chair.locator("#open-round-form")).to_be_visible()     # ready for round 2
    expect(projector.locator("form, input, textarea, button")).to_have_count(0)

    # The projector, read from across the room: nothing cut off or scrolled off to the side.
    expect_no_sideways_scroll(projector)
    projector_results = projector.locator(results)
    box = projector_results.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PROJECTOR["width"]
    for part in (".app-results__median", "svg[role=img]", ".app-score"):   # no scrolling
        expect(projector_results.locator(part).first).to_be_in_viewport(ratio=1)
    font_px = projector_results.locator(".app-score__reason").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert font_px >= 28, f"reasons on the projector are too small to read ({font_px}px)"
    projector.screenshot(path=screenshots / "scaling-projector-revealed.png")
    axe.check(projector, "projector, revealed")

    # A participant's phone after the reveal.
    for page in (pat, young):
        expect_no_sideways_scroll(page)
    pat.screenshot(path=screenshots / "scaling-participant-revealed-phone.png", full_page=True)
    axe.check(pat, "carer's phone, revealed")

    print("axe violations by page:\n" + axe.table())
    for page in (chair, projector, pat, young):
        expect_up_to_date(page, timeout=LIVE)   # the refusal stays on the young person's line 10 s
    assert "Changed my mind offline" not in page_text(projector)
    devices.expect_no_script_errors()
