"""Closing, previewing, correcting and issuing the minutes in a real headless Chromium against a
real server: the guest's phone is told the meeting has closed, the chair's pages pass axe, a
correction reaches the issued PDF, and the PDF downloads with its hash."""
import hashlib
import io
import re

import pypdf
import pytest
from playwright.sync_api import expect

from facilitator.documents.models import Document
from facilitator.extensions import db
from tests import test_browser_board as board
from tests.test_browser_board import SMALL_PHONE, accessibility_problems, add_card
from tests.test_documents import emails_settled

# The board's fixtures, used here by name.
chair_and_pat, devices, live_timeout, room = (board.chair_and_pat, board.devices,
                                              board.live_timeout, board.room)

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_the_chair_closes_previews_corrects_and_issues_the_minutes(
        live_server, chair_and_pat, devices, screenshots):
    chair, pat = chair_and_pat
    add_card(pat, "worried", "School mornings are hard <b>every</b> day")
    expect(chair.locator("#column-worried")).to_contain_text("School mornings are hard")

    chair.get_by_role("link", name="Close the meeting and draft the minutes").click()
    expect(chair.get_by_role("heading", name="Close the meeting")).to_be_visible()
    assert accessibility_problems(chair) == []
    chair.get_by_label("Email address for Pat Jones's copy (optional)").fill("pat@example.org")
    chair.get_by_role("button", name="Close the meeting").click()
    expect(chair.get_by_role("heading", name="Documents")).to_be_visible()
    expect(chair.locator("#deadline")).to_contain_text("within 2 working days")

    # Pat's phone is told, and shows the closed page instead of the board.
    expect(pat.get_by_role("heading", name="The meeting has closed")).to_be_visible()
    expect(pat.locator("body")).not_to_contain_text("School mornings are hard")

    chair.get_by_role("link", name=re.compile("Preview, correct and issue the draft")).first.click()
    expect(chair.get_by_role("heading", name=re.compile("Check the draft"))).to_be_visible()
    expect(chair.locator(".app-document-sheet")).to_contain_text(
        "School mornings are hard <b>every</b> day")
    assert accessibility_problems(chair) == []
    chair.screenshot(path=str(screenshots / "documents-preview.png"), full_page=True)
    chair.set_viewport_size(SMALL_PHONE)
    chair.screenshot(path=str(screenshots / "documents-preview-phone.png"), full_page=True)
    chair.set_viewport_size(board.LAPTOP)

    section = chair.locator("#section-board")
    section.get_by_text("Correct this section").click()
    section.get_by_label("What are we worried about?").fill("School mornings are hard")
    section.get_by_role("button", name=re.compile("Save corrections")).click()
    expect(chair.get_by_text("Your corrections are in the draft.")).to_be_visible()
    expect(chair.locator("#section-board")).to_contain_text("(corrected)")

    # This server has no mail server: the chair is told before issuing, and whom to ask.
    warning = chair.locator("#email-not-set-up")
    expect(warning).to_contain_text("Emails cannot be sent from this server")
    expect(warning).to_contain_text("Pat Jones")
    expect(warning).to_contain_text("administrator")
    chair.get_by_role("button", name="Issue version 1").click()
    expect(chair.get_by_text("The document is issued")).to_be_visible()
    link = chair.get_by_role("link", name=re.compile(r"Version 1 \(PDF"))
    with chair.expect_download() as caught:
        link.click()
    pdf = open(caught.value.path(), "rb").read()
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "School mornings are hard" in text and "<b>every</b>" not in text
    chair.reload()
    expect(chair.locator("code.app-hash").first).to_have_text(hashlib.sha256(pdf).hexdigest())
    expect(chair.locator("body")).to_contain_text("Alex Morgan,")  # the download log
    assert accessibility_problems(chair) == []

    # Pat's email failed: said in words for the chair; the setting is named in the log only.
    emails_settled(db.session.scalar(db.select(Document)))
    chair.reload()
    row = chair.locator("tr", has_text="Pat Jones")
    expect(row).to_contain_text("Email is not set up on this server")
    expect(row).to_contain_text("administrator")
    expect(chair.locator("main")).not_to_contain_text("RuntimeError")
    expect(chair.locator("main")).not_to_contain_text("SMTP")
    assert "FACILITATOR_SMTP_HOST" in live_server.log()
    assert accessibility_problems(chair) == []
    chair.screenshot(path=str(screenshots / "documents-email-failed.png"), full_page=True)
    chair.set_viewport_size(SMALL_PHONE)
    chair.screenshot(path=str(screenshots / "documents-email-failed-phone.png"), full_page=True)
    devices.expect_no_script_errors()
