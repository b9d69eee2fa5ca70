"""Closed means closed on every page: the meeting list, the board, the projector, joining."""
import pytest
from playwright.sync_api import expect

from facilitator.documents import services as documents
from facilitator.extensions import db
from facilitator.meetings.models import Participant
from tests import test_browser_board as board_pages
from tests.conftest import guest, new_meeting, sign_in
from tests.test_browser_board import (
    SMALL_PHONE,
    chair_page,
    expect_no_sideways_scroll,
    expect_up_to_date,
    projector_page,
)

# The board's fixtures, used here by name.
devices, live_timeout, room = board_pages.devices, board_pages.live_timeout, board_pages.room


@pytest.fixture
def held(chair_user):
    """A stability meeting at immediate risk, held and closed by its chair."""
    meeting = new_meeting(chair_user, immediate_risk=True)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=chair_user.id))
    carer = guest(meeting, "Pat Jones", "carer", admit_by=chair)
    documents.close_meeting(meeting.id, chair, {carer.id: "present"}, {})
    return meeting


def test_a_closed_meeting_is_listed_as_closed_and_no_longer_due(client, chair_user, held):
    still_open = new_meeting(chair_user, reference="CASE-0202", child="Robin Open",
                             immediate_risk=True)
    sign_in(client, chair_user.email)
    page = client.get("/").get_data(as_text=True)
    held_row = page[page.index(held.child.name):page.index("</tr>", page.index(held.child.name))]
    open_row = page[page.index(still_open.child.name):]
    open_row = open_row[:open_row.index("</tr>")]
    assert "Closed" in held_row and "Due by" not in held_row and "immediate risk" not in held_row
    assert "Due by" in open_row and "Closed" not in open_row


def test_the_projector_of_a_closed_meeting_offers_no_way_to_join(client, held):
    page = client.get(f"/meetings/{held.id}/projector/{held.projector_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This meeting has closed." in html
    assert "Join on your phone" not in html and held.join_code not in html
    assert "qr.svg" not in html
    # …as the join page says: there is no open meeting with that code.
    joining = client.get(f"/join/{held.join_code}")
    assert joining.status_code == 404 and "no open meeting" in joining.get_data(as_text=True)


def test_the_chairs_board_of_a_closed_meeting_says_so_and_offers_no_code_or_lobby(
        client, chair_user, held):
    sign_in(client, chair_user.email)
    html = client.get(f"/meetings/{held.id}").get_data(as_text=True)
    assert "This meeting has closed." in html and 'class="app-meeting--closed"' in html
    assert held.join_code not in html and "Let people join" not in html
    assert "Waiting to join" not in html and "Close the meeting" not in html
    assert f"/meetings/{held.id}/documents" in html


# ---- Live: pages open when the chair closes --------------------------------------------------

@pytest.mark.live
@pytest.mark.browser
def test_pages_open_at_the_close_become_the_closed_record_without_anyone_reloading(
        live_server, room, devices, screenshots):
    projector = projector_page(devices, live_server, room)
    expect(projector.locator(".app-projector-join__code")).to_have_text(room.join_code)
    chair = chair_page(devices, live_server, room)
    board = chair.context.new_page()  # the same chair's board, left open in another tab
    board.goto(f"{live_server.url}/meetings/{room.id}")
    expect_up_to_date(board)

    chair.get_by_role("link", name="Close the meeting and draft the minutes").click()
    chair.get_by_role("button", name="Close the meeting").click()
    expect(chair.get_by_role("heading", name="Documents")).to_be_visible()

    expect(projector.get_by_text("This meeting has closed.")).to_be_visible()
    expect(projector.locator("body")).not_to_contain_text(room.join_code)
    expect(projector.locator("body")).not_to_contain_text("Join on your phone")
    expect(board.get_by_text("This meeting has closed.")).to_be_visible()
    expect(board.locator("body")).not_to_contain_text(room.join_code)
    expect(board.locator("form[data-live]").first).to_be_hidden()
    projector.screenshot(path=str(screenshots / "projector-closed.png"))
    board.screenshot(path=str(screenshots / "board-closed-chair.png"))

    # The chair's list says so too, on a phone without scrolling the page sideways.
    board.set_viewport_size(SMALL_PHONE)
    board.goto(live_server.url + "/")
    expect(board.locator("tr", has_text=room.child.name)).to_contain_text("Closed")
    expect_no_sideways_scroll(board)
    board.screenshot(path=str(screenshots / "meetings-closed-phone.png"), full_page=True)
