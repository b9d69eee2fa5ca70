"""Closing a meeting on a real server with real python-socketio clients: every open page hears
the close, guests' pages are told and disconnected (their access ends), and the chair then
issues the minutes from the same server, whose render worker is a separate process."""
import pytest

from facilitator.documents.models import Document
from facilitator.extensions import db
from tests.conftest import csrf_from
from tests.live_clients import fresh, new_room, running_server

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, "documents-live") as server:
        yield server


def test_closing_tells_every_page_and_ends_guest_access(server, until):
    room = new_room(server)
    try:
        carer = room.admit("Pat Jones", "carer")
        chair_client, carer_client = room.client(room.chair), room.client(carer)
        assert carer_client.add_card(room.meeting_id, "We need weekend respite")["ok"]
        url = f"{server.url}/meetings/{room.meeting_id}"
        page = room.chair.session.get(f"{url}/close")
        assert page.ok and "Pat Jones" in page.text
        answer = room.chair.session.post(f"{url}/close", data={
            "csrf_token": csrf_from(page.text), f"attendance-{carer.seat_id}": "present",
            f"email-{carer.seat_id}": ""})
        assert answer.ok and answer.url.endswith("/documents?closed=1")

        until(lambda: carer_client.seat_changes, "the carer's page was not told of the close")
        assert carer_client.seat_changes[-1]["status"] == "closed"
        until(carer_client.gone.is_set, "the carer's socket stayed open after the close")
        until(lambda: chair_client.received("meeting.closed"), "the chair's page did not hear")
        assert "closed the meeting" in chair_client.received("meeting.closed")[-1]["announce"]
        # The carer's reload shows the closed page, not the board; changes are refused.
        reload = carer.session.get(url)
        assert reload.status_code == 410 and "We need weekend respite" not in reload.text
        assert not room.client(room.chair).add_card(room.meeting_id, "Too late")["ok"]

        preview = room.chair.session.get(f"{url}/documents/minutes/draft")
        assert "We need weekend respite" in preview.text
        issued = room.chair.session.post(f"{url}/documents/minutes/issue", data={
            "csrf_token": csrf_from(preview.text), "version": "1"})
        assert issued.ok
        (document,) = fresh(db.select(Document).filter_by(meeting_id=room.meeting_id))
        download = room.chair.session.get(f"{server.url}/documents/{document.id}.pdf")
        assert download.content.startswith(b"%PDF") and \
            download.headers["X-Document-SHA256"] == document.sha256
    finally:
        room.close_clients()
