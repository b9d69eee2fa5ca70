"""The live board in a real headless Chromium against a real server process (`flask serve`).

Everyone has their own browser context (their own cookies, storage and network), as on their
own device: the chair signed in, the projector by its link, attendees by the join link. Nothing
reloads a page by hand; every change must arrive over the live connection.
"""
import re

import pytest
from playwright.sync_api import expect

from facilitator.accounts.services import create_user
from facilitator.board.models import Card
from facilitator.extensions import db
from tests.browser_checks import FOCUS_YELLOW, accessibility_problems
from tests.conftest import PASSWORD, new_meeting

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHILD = "Jordan Lee Taylor"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
LIVE = 10_000       # ms: a change reaching another page over the socket
RECONNECT = 20_000  # ms: Socket.IO backs off up to 5 s between attempts



# ---- People and their pages -----------------------------------------------------------------

@pytest.fixture(autouse=True)
def live_timeout():
    expect.set_options(timeout=LIVE)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for other modules


@pytest.fixture
def room(live_server):
    """A chair's account and a meeting about Jordan, in the live server's database."""
    chair = create_user("chair@example.org", "Alex Morgan", PASSWORD, "Team Manager")
    return new_meeting(chair, child=CHILD)


class Devices:
    """Each person's own browser context (cookies, storage, network), closed after the test."""

    def __init__(self, browser):
        self.browser = browser
        self.pages = []

    def open(self, viewport, network=None, **options):
        context = self.browser.new_context(viewport=viewport, **options)
        if network is not None:
            context.route_web_socket(re.compile(r"/socket\.io/"), network)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Anything the Content Security Policy blocks (an inline script or style) counts too.
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None)
        page.js_errors = errors
        self.pages.append(page)
        return page

    def expect_no_script_errors(self):
        for page in self.pages:
            assert not page.js_errors, f"script errors on {page.url}: {page.js_errors}"

    def close(self):
        for page in self.pages:
            page.context.close()


@pytest.fixture
def devices(browser):
    devices = Devices(browser)
    yield devices
    devices.close()


@pytest.fixture
def chair_and_pat(live_server, room, devices):
    """The chair's board, and Pat Jones let in from the lobby on a phone."""
    chair = chair_page(devices, live_server, room)
    return chair, join(devices, live_server, room, chair, "Pat Jones")


def signed_in(devices, server, email="chair@example.org", viewport=LAPTOP, password=PASSWORD):
    """A member of staff's own browser, signed in and on "Your meetings"."""
    page = devices.open(viewport)
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    return page


def chair_page(devices, server, meeting, viewport=LAPTOP):
    page = signed_in(devices, server, viewport=viewport)
    page.goto(f"{server.url}/meetings/{meeting.id}")
    expect_up_to_date(page)
    return page


def projector_page(devices, server, meeting):
    page = devices.open(PROJECTOR)
    page.goto(f"{server.url}/meetings/{meeting.id}/projector/{meeting.projector_token}")
    expect_up_to_date(page)
    return page


def ask_to_join(devices, server, meeting, name, attends_as="Carer", viewport=PHONE,
                network=None):
    """A guest opens the join link on their phone and waits in the lobby."""
    page = devices.open(viewport, network, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(f"{server.url}/join/{meeting.join_code}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label(attends_as, exact=True).check()
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_role("heading", name="Waiting for the chair to let you in")).to_be_visible()
    expect(page.locator("#lobby-status")).to_contain_text("You are connected")
    return page


def let_in(chair, guest, name):
    """The chair sees the guest waiting (no reload) and lets them in; the guest's lobby turns
    into the board by itself."""
    waiting = chair.locator("#lobby-list li", has_text=name)
    expect(waiting).to_be_visible()
    waiting.get_by_role("button", name=f"Let in {name}").click()
    expect(waiting).to_have_count(0)
    expect(chair.locator("#people-list")).to_contain_text(name)
    expect(guest).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(guest.get_by_role("heading", name="What is working well?")).to_be_visible()
    expect_up_to_date(guest)
    return guest


def join(devices, server, meeting, chair, name, **options):
    return let_in(chair, ask_to_join(devices, server, meeting, name, **options), name)


def expect_up_to_date(page, timeout=LIVE):
    status = page.locator("#connection-status")
    expect(status).to_have_attribute("data-state", "online", timeout=timeout)
    expect(status).to_contain_text("Up to date", timeout=timeout)


def cards_in(page, column):
    return page.locator(f"#column-{column} > .app-card")


def card(page, column, text):
    return cards_in(page, column).filter(
        has=page.locator(".app-card__text", has_text=re.compile("^" + re.escape(text) + "$")))


def add_card(page, column, text):
    form = page.locator(f"form.app-add-card:has(input[name=column][value={column}])")
    form.locator("textarea").fill(text)
    form.get_by_role("button", name=re.compile("^Add card")).click()


def tab_to(page, selector, presses=80):
    """Press Tab until the focus is on `selector`, as a keyboard user moves through the page."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def expect_no_sideways_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]}px wide in {widths[1]}px"


def mark_unreloaded(*pages):
    for page in pages:
        page.evaluate("() => { window.stillTheSamePage = true; }")


def expect_not_reloaded(*pages):
    for page in pages:
        assert page.evaluate("() => window.stillTheSamePage === true"), f"{page.url} reloaded"


def fresh_cards(text):
    db.session.rollback()  # a new read: the server process wrote these
    return db.session.scalars(db.select(Card).filter_by(text=text, removed_at=None)).all()


# ---- The meeting, live -------------------------------------------------------------------------

def test_guest_joins_and_adds_a_card_by_keyboard_that_everyone_sees_live(
        live_server, room, devices, screenshots):
    meeting, server = room, live_server
    chair = chair_page(devices, server, meeting)
    projector = projector_page(devices, server, meeting)
    mark_unreloaded(chair, projector)

    pat = join(devices, server, meeting, chair, "Pat Jones", attends_as="Carer")
    expect(pat.locator("#meeting")).to_contain_text("You are Pat Jones (Carer)")
    mark_unreloaded(pat)

    # Pat adds a card with the keyboard alone: Tab to the box, type, Tab to the button, Enter.
    text = "Settles well after school <b>bold</b> & enjoys football"
    tab_to(pat, "#new-card-working_well")
    outline = pat.locator("#new-card-working_well").evaluate(
        "t => [getComputedStyle(t).outlineStyle, getComputedStyle(t).outlineColor]")
    assert outline == ["solid", FOCUS_YELLOW], "the focused box shows no GOV.UK focus style"
    pat.keyboard.type(text)
    pat.keyboard.press("Tab")
    add_button = pat.locator("form:has(#new-card-working_well) button[type=submit]")
    expect(add_button).to_be_focused()
    focused_background = add_button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert focused_background == FOCUS_YELLOW, "the focused button shows no GOV.UK focus style"
    pat.keyboard.press("Enter")

    for page in (pat, chair, projector):
        shown = card(page, "working_well", text)
        expect(shown).to_have_count(1)
        expect(shown.locator(".app-card__text b")).to_have_count(0)  # text, never markup
        # The room sees what Pat attends as, never Pat's name.
        expect(shown.locator(".app-card__author")).to_have_text(
            "Carer" if page is projector else "Pat Jones, Carer")
    expect(pat.locator("#new-card-working_well")).to_have_value("")
    expect(pat.locator(".app-card--pending")).to_have_count(0)
    # Pat's own card offers Pat its edit and remove controls.
    expect(card(pat, "working_well", text).locator("summary", has_text="Edit")).to_be_visible()

    # Sam joins afterwards and finds Pat's card already there, without Pat's controls.
    sam = join(devices, server, meeting, chair, "Sam Okafor", attends_as="School")
    pats_card = card(sam, "working_well", text)
    expect(pats_card).to_have_count(1)
    expect(pats_card.locator(".app-card__controls")).to_be_hidden()
    expect(pats_card.get_by_role("button")).to_have_count(0)

    # The projector: the child's initials only, the code and a QR code that loads, no controls.
    expect(projector.locator("h1")).to_have_text("J.T.")
    html = projector.content()
    for part in (CHILD, "Jordan", "Taylor"):
        assert part not in html, f"the projector shows the child's name ({part!r})"
    expect(projector.locator(".app-projector-join__code")).to_have_text(meeting.join_code)
    qr = projector.locator("img.app-qr")
    expect(qr).to_be_visible()
    projector.wait_for_function(
        "() => { const i = document.querySelector('img.app-qr'); "
        "return i.complete && i.naturalWidth > 0; }")
    expect(projector.locator("textarea, button, select, input, form, details, summary")
           ).to_have_count(0)
    # The room reads the projector: "Here now" says who is here by what they attend as.
    expect(projector.locator("#presence")).to_contain_text("Carer")
    expect(projector.locator("#presence")).not_to_contain_text("Pat Jones")

    # A fuller board for the screenshots (the chair types in the other columns).
    add_card(chair, "worried", "Contact with birth family has been unsettled since October")
    add_card(chair, "needs_to_happen", "Review respite with the supervising social worker "
                                       "before half term")
    for page in (pat, sam, projector):
        expect(cards_in(page, "worried")).to_have_count(1)
        expect(cards_in(page, "needs_to_happen")).to_have_count(1)
    expect_not_reloaded(chair, projector, pat)

    expect_up_to_date(chair)
    chair.screenshot(path=screenshots / "chair.png", full_page=True)
    pat.screenshot(path=screenshots / "participant-phone.png", full_page=True)
    projector.screenshot(path=screenshots / "projector.png")
    for page in (chair, pat, projector):
        assert accessibility_problems(page) == [], page.url

    # Phones from 360 to 390 px wide never scroll sideways; nor does the chair's page there.
    for page in (pat, sam):
        expect_no_sideways_scroll(page)
        page.set_viewport_size(SMALL_PHONE)
        expect_no_sideways_scroll(page)
    chair.set_viewport_size(SMALL_PHONE)
    expect_no_sideways_scroll(chair)
    chair.screenshot(path=screenshots / "chair-phone.png", full_page=True)
    expect_no_sideways_scroll(projector)

    devices.expect_no_script_errors()


def test_a_card_added_offline_waits_on_the_device_and_is_sent_once(
        devices, screenshots, chair_and_pat):
    chair, pat = chair_and_pat
    add_card(pat, "working_well", "Homework club")
    expect(card(chair, "working_well", "Homework club")).to_have_count(1)
    pat_here = chair.locator("#presence li", has_text="Pat Jones")
    expect(pat_here).to_contain_text("connected")
    expect(pat_here).not_to_contain_text("not connected")

    # Weak signal: Pat's phone loses the network. The socket really closes: the server sees
    # Pat leave, and the chair's "Here now" says so.
    pat.context.set_offline(True)
    status = pat.locator("#connection-status")
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_contain_text("offline")
    expect(pat_here).to_contain_text("not connected")

    first, second = "Would like more time with friends after school", "Needs a new bike"
    add_card(pat, "needs_to_happen", first)
    add_card(pat, "needs_to_happen", second)
    waiting = pat.locator("#pending-needs_to_happen > li")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text(first)
    expect(waiting.nth(0)).to_contain_text("Waiting to send")
    expect(waiting.nth(1)).to_contain_text(second)
    expect(status).to_contain_text("offline")
    expect(status).to_contain_text("2 changes are waiting to send")
    # An edit made offline is marked on the card itself.
    homework = card(pat, "working_well", "Homework club")
    homework.locator("summary", has_text="Edit").click()
    homework.get_by_label("Card text").fill("Homework club twice a week")
    homework.get_by_role("button", name="Save changes").click()
    expect(cards_in(pat, "working_well").first).to_contain_text("Change waiting to send")
    expect(status).to_contain_text("3 changes are waiting to send")
    # Kept on the device, not only in the page.
    kept = pat.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith("
                        "'facilitator.outbox.')).map(k => JSON.parse(localStorage[k]).length)")
    assert kept == [3]
    pat.screenshot(path=screenshots / "participant-offline.png", full_page=True)
    expect(cards_in(chair, "needs_to_happen")).to_have_count(0)

    # Back online: each card is sent once, in order, and the page says it is up to date.
    pat.context.set_offline(False)
    expect_up_to_date(pat, timeout=RECONNECT)
    expect(waiting).to_have_count(0)
    for page in (pat, chair):
        expect(cards_in(page, "needs_to_happen").locator(".app-card__text")
               ).to_have_text([first, second])
    for page in (pat, chair):
        expect(cards_in(page, "working_well").locator(".app-card__text")
               ).to_have_text(["Homework club twice a week"])
    expect(pat.locator(".app-card--changing, .app-card__status")).to_have_count(0)
    expect(pat_here).not_to_contain_text("not connected")
    assert [len(fresh_cards(first)), len(fresh_cards(second))] == [1, 1]
    assert pat.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith("
                        "'facilitator.outbox.')).map(k => JSON.parse(localStorage[k]).length)"
                        ) == [0]

    devices.expect_no_script_errors()


def test_authors_change_their_own_cards_and_the_chair_arranges_the_board(
        devices, chair_and_pat):
    chair, pat = chair_and_pat

    add_card(chair, "working_well", "Good relationship with the carers' dog")
    chairs_card = card(pat, "working_well", "Good relationship with the carers' dog")
    expect(chairs_card).to_have_count(1)
    add_card(pat, "working_well", "Homework club on Tuesdays")
    pats_card = card(pat, "working_well", "Homework club on Tuesdays")
    expect(pats_card).to_have_count(1)

    # Pat sees no controls on the chair's card, and sees them on their own.
    expect(chairs_card.locator(".app-card__controls")).to_be_hidden()
    expect(chairs_card.locator("summary", has_text="Edit")).to_be_hidden()
    expect(pats_card.locator("summary", has_text="Edit")).to_be_visible()
    expect(pats_card.get_by_role("button", name=re.compile("^Remove"))).to_be_visible()

    # Pat edits their card; everyone sees the new words.
    pats_card.locator("summary", has_text="Edit").click()
    pats_card.get_by_label("Card text").fill("Homework club on Tuesdays and Thursdays")
    pats_card.get_by_role("button", name="Save changes").click()
    edited = "Homework club on Tuesdays and Thursdays"
    for page in (pat, chair):
        expect(card(page, "working_well", edited)).to_have_count(1)
        expect(card(page, "working_well", "Homework club on Tuesdays")).to_have_count(0)

    # The chair moves Pat's card to another column, then up and down within it.
    add_card(chair, "needs_to_happen", "Carers to have a break in the summer")
    expect(cards_in(pat, "needs_to_happen")).to_have_count(1)
    on_chair = card(chair, "working_well", edited)
    on_chair.get_by_label("Move to").select_option(label="What needs to happen?")
    on_chair.get_by_role("button", name="Move", exact=True).click()
    order = ["Carers to have a break in the summer", edited]
    for page in (chair, pat):
        expect(cards_in(page, "needs_to_happen").locator(".app-card__text")).to_have_text(order)
        expect(card(page, "working_well", edited)).to_have_count(0)
    card(chair, "needs_to_happen", edited).get_by_role(
        "button", name=re.compile("^Up")).click()
    for page in (chair, pat):
        expect(cards_in(page, "needs_to_happen").locator(".app-card__text")
               ).to_have_text(order[::-1])
    card(chair, "needs_to_happen", edited).get_by_role(
        "button", name=re.compile("^Down")).click()
    for page in (chair, pat):
        expect(cards_in(page, "needs_to_happen").locator(".app-card__text")).to_have_text(order)

    # Pat removes their own card (after saying yes to the question).
    pat.once("dialog", lambda dialog: dialog.accept())
    card(pat, "needs_to_happen", edited).get_by_role("button", name=re.compile("^Remove")).click()
    for page in (pat, chair):
        expect(card(page, "needs_to_happen", edited)).to_have_count(0)
        expect(cards_in(page, "needs_to_happen")).to_have_count(1)
    assert fresh_cards(edited) == []

    devices.expect_no_script_errors()


def test_an_edit_in_progress_keeps_the_persons_words_when_someone_else_changes_the_card(
        devices, chair_and_pat):
    chair, pat = chair_and_pat
    add_card(pat, "worried", "Bedtimes are hard")
    expect(card(chair, "worried", "Bedtimes are hard")).to_have_count(1)

    # Pat starts changing the card; before Pat saves, the chair tidies it.
    mine = cards_in(pat, "worried").first
    mine.locator("summary", has_text="Edit").click()
    box = mine.get_by_label("Card text")
    box.fill("Bedtimes are hard on school nights")
    theirs = cards_in(chair, "worried").first
    theirs.locator("summary", has_text="Edit").click()
    theirs.get_by_label("Card text").fill("Bedtimes are difficult")
    theirs.get_by_role("button", name="Save changes").click()

    # Pat sees the new text and keeps their own words in the box.
    expect(mine.locator(".app-card__text")).to_have_text("Bedtimes are difficult")
    expect(box).to_have_value("Bedtimes are hard on school nights")

    # Pat's save is refused (it would overwrite a change Pat had not seen); the words stay.
    mine.get_by_role("button", name="Save changes").click()
    expect(mine.locator(".app-form-error")).to_contain_text("Someone changed this card")
    expect(box).to_have_value("Bedtimes are hard on school nights")
    expect(chair.locator("#column-worried .app-card__text")).to_have_text(
        ["Bedtimes are difficult"])

    # Having seen it, Pat saves again and it goes through; the edit box closes.
    mine.get_by_role("button", name="Save changes").click()
    for page in (pat, chair):
        expect(page.locator("#column-worried .app-card__text")
               ).to_have_text(["Bedtimes are hard on school nights"])
    expect(mine.locator("details.app-card__edit")).not_to_have_attribute("open", "")
    expect(mine.locator(".app-form-error:visible")).to_have_count(0)

    # And straight away again: the page holds the card's newest version, so no false conflict.
    mine.locator("summary", has_text="Edit").click()
    mine.get_by_label("Card text").fill("Bedtimes are easier with a story")
    mine.get_by_role("button", name="Save changes").click()
    for page in (pat, chair):
        expect(page.locator("#column-worried .app-card__text")
               ).to_have_text(["Bedtimes are easier with a story"])
    expect(pat.locator(".app-form-error:visible")).to_have_count(0)

    devices.expect_no_script_errors()


class LosingNetwork:
    """Passes Pat's WebSocket frames through, but can lose the server's answer to one card.add
    and then drop the line, as a phone does when it walks out of signal mid-request."""

    def __init__(self):
        self.upgraded = False   # this page's Socket.IO has moved from polling to the WebSocket
        self.lose_an_answer = False
        self.lost = False
        self._asked = set()

    def __call__(self, ws):
        self.upgraded = False
        server = ws.connect_to_server()

        def from_page(message):
            if message == "5":  # Engine.IO "upgrade": from now on everything uses this socket
                self.upgraded = True
            asked = re.match(r'42(\d+)\["card\.add"', message) if isinstance(message, str) else None
            if asked and self.lose_an_answer:
                self._asked.add(asked.group(1))
            server.send(message)

        def from_server(message):
            answer = re.match(r"43(\d+)\[", message) if isinstance(message, str) else None
            if answer and answer.group(1) in self._asked:
                self._asked.clear()
                self.lose_an_answer, self.lost = False, True
                server.close()
                ws.close()
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)


def test_a_lost_answer_is_retried_with_the_same_key_and_the_card_is_added_once(
        live_server, room, devices):
    meeting, server = room, live_server
    chair = chair_page(devices, server, meeting)
    network = LosingNetwork()
    pat = join(devices, server, meeting, chair, "Pat Jones", network=network)
    for _ in range(100):
        if network.upgraded:
            break
        pat.wait_for_timeout(100)  # lets Playwright deliver the socket's frames meanwhile
    assert network.upgraded, "the page never moved its connection to the WebSocket"

    network.lose_an_answer = True
    text = "Sees her sister every other weekend"
    add_card(pat, "working_well", text)

    # The server saved it, but Pat's page never heard so: it reconnects and sends it again.
    expect_up_to_date(pat, timeout=RECONNECT)
    assert network.lost, "the answer was never lost, so the retry was not tested"
    for page in (pat, chair):
        expect(card(page, "working_well", text)).to_have_count(1)
    expect(pat.locator(".app-card--pending")).to_have_count(0)
    assert len(fresh_cards(text)) == 1
    from facilitator.live.models import MeetingEvent
    added = db.session.scalars(db.select(MeetingEvent).filter_by(
        meeting_id=meeting.id, type="card.added")).all()
    assert len(added) == 1

    devices.expect_no_script_errors()
