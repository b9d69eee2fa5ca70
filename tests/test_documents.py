"""Minutes and documents: closing a meeting, the draft and its corrections, the PDFs parsed back
with a real PDF library (every section, for each type of meeting and the panel's agenda and
outcomes), what must never reach a document (an unrevealed score, a URL fetched from typed
text), issued versions with their hashes, the download log, distribution in the app and by
email to a real local SMTP server (with the PDF and the review's ICS), failures and retries."""
import asyncio
import email
import hashlib
import http.server
import io
import re
import threading
import time
from datetime import date, datetime, timedelta
from email import policy

import pypdf
import pytest
from aiosmtpd.controller import Controller

from facilitator import clock
from facilitator.board import services as board
from facilitator.documents import distribution, render
from facilitator.documents import services as documents
from facilitator.documents.models import Delivery, Document, DocumentDownload
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Participant
from facilitator.scaling import services as scaling
from tests.conftest import ARTIFACTS, csrf_from, free_port, guest, sign_in

HOSTILE_CARD = '<img src="http://127.0.0.1:{port}/tracker.png"> <script>alert(1)</script>'
LONG_WORD = "Supercalifragilistic" * 12
RTL = "مرحبا بالعالم שלום עולם"
EMOJI = "Sunny days ☀ and hearts ♥"
SECRET = "This unrevealed reason must never appear"


def pdf_text(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def flat(pages):
    return " ".join(" ".join(pages).split())


def save_png(pdf, name):
    """The first page as a PNG under test-artifacts/documents/, to look at (and the PDF)."""
    import pypdfium2

    folder = ARTIFACTS / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    page = pypdfium2.PdfDocument(pdf)[0]
    path = folder / f"{name}.png"
    page.render(scale=1.5).to_pil().save(path)
    return path


class Tracker(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802
        Tracker.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def tracker():
    """A local HTTP server that counts every request: nothing a person typed may reach it."""
    Tracker.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tracker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


class Inbox:
    def __init__(self):
        self.messages = []
        self.open = threading.Event()  # cleared: the server holds each message (a slow server)
        self.open.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        while not self.open.is_set():
            await asyncio.sleep(0.01)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def emails_settled(document, timeout=15):
    """The document once the background task has tried every email (issuing does not wait)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        waiting = db.session.scalar(db.select(db.func.count(Delivery.id)).filter(
            Delivery.document_id == document.id, Delivery.status.in_(("pending", "sending"))))
        if not waiting:
            return db.session.get(Document, document.id)
        assert time.monotonic() < deadline, "the emails were never sent"
        time.sleep(0.05)


@pytest.fixture
def smtp(app):
    """A real SMTP server on this machine; the app sends to it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="minutes@example.org")
    yield inbox
    controller.stop()


def soon(days=1):
    return clock.utcnow().replace(microsecond=0) + timedelta(days=days)


def make_meeting(chair_user, type_code="placement_stability", reference="CASE-0042",
                 child="Jordan Lee Taylor"):
    return meetings.create_meeting(chair_user, case_reference=reference, child_name=child,
                                   scheduled_at=soon(), location="Room 2, County Hall",
                                   type_code=type_code, immediate_risk=False)


def chair_of(meeting):
    return db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               meeting_role="chair"))


def run_meeting(meeting, chair_user, other_staff, port=1):
    """A meeting with everything the minutes draw on: people, the agenda run, cards in every
    column (hostile text among them), a revealed round and an unrevealed one, and, where the
    type has them, actions, a decision with a review date, views and agency offers."""
    from facilitator.agenda import services as agenda

    chair = chair_of(meeting)
    carer = guest(meeting, "Pat Jones", "carer", admit_by=chair)
    young = guest(meeting, "Riley Taylor", "young_person", admit_by=chair)
    worker = meetings.join_meeting(meeting, name=other_staff.name,
                                   attends_as="childs_social_worker", user=other_staff)
    meetings.admit(meeting.id, chair, worker.id)
    meetings.set_minute_taker(meeting.id, chair, worker.id, True)
    agenda.move(meeting.id, chair, "start")
    agenda.extend(meeting.id, chair, 5, "The carer had a lot to say")
    agenda.move(meeting.id, chair, "next")
    columns = [c["key"] for c in meeting.type.columns]
    board.add_card(meeting.id, carer, columns[0], HOSTILE_CARD.format(port=port))
    board.add_card(meeting.id, carer, columns[0], LONG_WORD)
    board.add_card(meeting.id, young, columns[1], RTL)
    board.add_card(meeting.id, young, columns[1], EMOJI)
    for key in columns[2:]:
        board.add_card(meeting.id, chair, key, f"Card for {key}")
    first = scaling.open_round(meeting.id, chair).payload["round"]
    low = meeting.type.scale["min"]
    scaling.submit_score(meeting.id, carer, first, low + 2, "Nights are hard")
    scaling.submit_score(meeting.id, young, first, low + 3, "I like my school")
    scaling.reveal_round(meeting.id, chair, first)
    second = scaling.open_round(meeting.id, chair).payload["round"]
    scaling.submit_score(meeting.id, carer, second, low + 1, SECRET)
    _issue_six(meeting, chair, carer)
    return {"chair": chair, "carer": carer, "young": young, "worker": worker}


def _issue_six(meeting, chair, carer):
    from facilitator.actions import services as actions
    from facilitator.decisions import services as decisions

    rules = meeting.type.rules
    if meeting.type.is_panel:
        return
    event = actions.propose(meeting.id, carer, {
        "what": "Book respite for one weekend a month", "owner": str(carer.id),
        "timescale": "working_days", "timescale_number": "5", "destination": "childs_plan"})
    actions.confirm(meeting.id, chair, event.payload["action"])
    if decisions.has_decision(meeting.type):
        fields = {"rationale": "The placement can hold with support",
                  "review_date": (clock.london_today() + timedelta(days=30)).isoformat(),
                  "notify_iro": "1"}
        if rules.get("decision"):
            fields["outcome"] = "maintain"
        if rules.get("monitoring"):
            fields["monitoring_days"] = "7"
        decisions.record_decision(meeting.id, chair, fields)
    decisions.add_view(meeting.id, carer, "child", "I want to stay with Pat")
    decisions.save_offer(meeting.id, carer, "CAMHS", "Weekly sessions at school")


def close(meeting, people, **extra):
    chair = people["chair"]
    attendance = {people["carer"].id: "present", people["young"].id: "remote",
                  people["worker"].id: "present"}
    emails = {people["carer"].id: "pat@example.org"}
    return documents.close_meeting(meeting.id, chair, attendance, emails, **extra)


# ---- Closing --------------------------------------------------------------------------------

def test_closing_ends_guest_access_and_drafting_waits_for_it(app, client, chair_user,
                                                            other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    with pytest.raises(Refused, match="Close the meeting first"):
        documents.draft_for(meeting.id, "minutes")
    with pytest.raises(Refused, match="Only the chair"):
        documents.close_meeting(meeting.id, people["carer"])
    close(meeting, people)
    db.session.expire_all()
    assert not db.session.get(type(meeting), meeting.id).is_open
    with pytest.raises(Refused, match="closed"):
        board.add_card(meeting.id, people["carer"], "worried", "Too late")
    # The guest's page now says the meeting has closed, and shows nothing of the board.
    with client.session_transaction() as session:
        session["seats"] = {str(meeting.id): people["carer"].token}
    page = client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 410
    assert "The meeting has closed" in page.get_data(as_text=True)
    assert "Nights are hard" not in page.get_data(as_text=True)
    # The running agenda item got its end time; the attendance is on the people.
    db.session.refresh(people["young"])
    assert people["young"].attendance == "remote"


def test_the_close_page_checks_email_addresses(app, client, chair_user, other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/close").get_data(as_text=True)
    answer = client.post(f"/meetings/{meeting.id}/close", data={
        "csrf_token": csrf_from(page), f"attendance-{people['carer'].id}": "present",
        f"email-{people['carer'].id}": "not an address"})
    assert answer.status_code == 400
    assert "in the right format" in answer.get_data(as_text=True)
    assert meetings_open(meeting)
    answer = client.post(f"/meetings/{meeting.id}/close", data={
        "csrf_token": csrf_from(page), f"attendance-{people['carer'].id}": "apologies",
        f"email-{people['carer'].id}": "pat@example.org"})
    assert answer.status_code == 303 and "/documents" in answer.headers["Location"]
    assert not meetings_open(meeting)


def meetings_open(meeting):
    db.session.expire_all()
    return db.session.get(type(meeting), meeting.id).is_open


# ---- The minutes, parsed back ---------------------------------------------------------------

def test_the_minutes_have_every_section_and_nothing_unrevealed(app, smtp, chair_user,
                                                              other_staff, tracker):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff, port=tracker)
    close(meeting, people)
    document = documents.issue(meeting.id, chair_user, "minutes", 1)
    pdf = document.pdf
    reader, pages = pdf_text(pdf)
    text = flat(pages)
    save_png(pdf, "minutes-placement-stability")

    # Marked on every page, with page numbers.
    for number, page in enumerate(pages, 1):
        assert "OFFICIAL-SENSITIVE" in page
        assert f"Page {number} of {len(pages)}" in page
    for expected in (
            "Placement Stability Meeting", "Jordan Lee Taylor", "CASE-0042",
            "Room 2, County Hall", clock.london_format(meeting.scheduled_at, "%-d %B %Y"),
            "Alex Morgan", "Minute taker", "Sam Patel",
            # attendees by role, with how they took part
            "Pat Jones", "Carer", "Riley Taylor", "Young person", "Remote", "Present",
            # the agenda with its times and the extension's reason
            "Welcome, introductions", "The carer had a lot to say", "Not reached",
            # the three columns
            "What are we worried about?", "What is working well?", "What needs to happen?",
            # the child's views and agency offers
            "I want to stay with Pat", "CAMHS", "Weekly sessions at school",
            # the revealed round: each score, name and reason, the median; the chart's text
            "Nights are hard", "I like my school", "Median", "range",
            # the Stability Actions, the decision, review and notifications, distribution
            "Book respite for one weekend a month", "Child's Plan",
            "The placement can hold with support", "Review date", "Notifications", "IRO",
            "By email", "In the app"):
        assert expected in text, expected
    assert "pat@example.org" not in text  # every recipient reads the distribution list
    # Typed text is shown as text: markup, long words, right-to-left and emoji.
    assert "<script>alert(1)</script>" in text
    assert f'<img src="http://127.0.0.1:{tracker}/tracker.png">' in text
    assert "☀" in text and "♥" in text
    assert "مرحبا" in text.replace("\u200f", "") or "ابحرم" in text
    assert "שלום" in text or "םולש" in text
    # The very long word wraps inside the page: every character of it is there, on lines
    # no wider than the page.
    assert LONG_WORD in text.replace(" ", "").replace("-", "")
    assert Tracker.hits == []  # the typed <img> never made the server fetch anything
    # The round still open: no score and no reason of it.
    assert SECRET not in text and "Round 2" not in text
    # Tagged for screen readers, with a title and language.
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata.title.startswith("Minutes: Placement Stability Meeting")
    # The font installed with the app (fonts-dejavu-core), embedded.
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVu-Sans" in font for font in fonts), fonts


@pytest.mark.parametrize("type_code, name, column", [
    ("placement_stability", "Placement Stability Meeting", "What is working well?"),
    ("multi_agency_stability_support", "Multi-Agency Stability Support Meeting",
     "What are the strengths and support networks?"),
    ("stability_review", "Stability Review Meeting", "What is working well?"),
    ("disruption", "Disruption Meeting", "What can we learn?"),
])
def test_minutes_and_actions_sheet_for_each_type(app, chair_user, other_staff, type_code,
                                                 name, column):
    meeting = make_meeting(chair_user, type_code)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    minutes = documents.issue(meeting.id, chair_user, "minutes", 1)
    text = flat(pdf_text(minutes.pdf)[1])
    save_png(minutes.pdf, f"minutes-{type_code}")
    assert name in text and "Jordan Lee Taylor (CASE-0042)" in text
    questions = [c["question"] for c in meeting.type.columns]
    for question in questions:
        assert question in text
    assert any(column.split("?")[0][:20] in q for q in questions), questions
    for key in [c["key"] for c in meeting.type.columns][2:]:
        assert f"Card for {key}" in text
    assert "Nights are hard" in text and SECRET not in text
    assert meeting.type.scale["name"] in text
    if type_code == "multi_agency_stability_support":
        # The type's fixed recipients, and its telephone monitoring.
        assert "Head of Service" in text and "Traffic Light Meeting" in text
        assert "Weekly" in text
    sheet = documents.issue(meeting.id, chair_user, "actions", 1)
    sheet_text = flat(pdf_text(sheet.pdf)[1])
    save_png(sheet.pdf, f"actions-{type_code}")
    assert "Stability Actions for the Child's Plan" in sheet_text
    assert "Book respite for one weekend a month" in sheet_text and "Pat Jones" in sheet_text
    assert "Nights are hard" not in sheet_text  # only the actions


# ---- Panels ---------------------------------------------------------------------------------

def next_wednesday():
    day = clock.london_today() + timedelta(days=1)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return day


def north_panel_with_a_case(chair_user):
    """Next Wednesday's North panel with one case booked: the meeting, its chair, the case."""
    from facilitator.panels import services as panels
    from facilitator.panels.models import Locality

    north = db.session.scalar(db.select(Locality).filter_by(name="North"))
    series = panels.create_series(chair_user, locality_id=north.id, first_date=next_wednesday())
    meeting = panels.set_up_panel(chair_user, series.id, next_wednesday())
    chair = chair_of(meeting)
    case = panels.add_case(meeting.id, chair, case_reference="CASE-7001",
                           child_name="Jordan Taylor", direction="up",
                           presenting_worker="Sam Patel", lead_person="Lee Early Help")
    return meeting, chair, case


def test_panel_agenda_before_and_outcomes_after(app, chair_user):
    from facilitator.agenda import services as agenda
    from facilitator.panels import services as panels

    meeting, chair, first = north_panel_with_a_case(chair_user)
    panels.add_case(meeting.id, chair, case_reference="CASE-7002", child_name="Casey Brown",
                    direction="down", presenting_worker="Dee Khan",
                    lead_person="Morgan Family Hub")
    # The agenda goes out before the panel: it can be issued while the meeting is open.
    with pytest.raises(Refused, match="Close the meeting first"):
        documents.issue(meeting.id, chair_user, "panel_outcomes", 1)
    agenda_doc = documents.issue(meeting.id, chair_user, "panel_agenda", 1)
    text = flat(pdf_text(agenda_doc.pdf)[1])
    save_png(agenda_doc.pdf, "panel-agenda")
    for expected in ("Panel agenda", "North panel", "CASE-7001", "Jordan Taylor", "Step up",
                     "Sam Patel", "Lee Early Help", "CASE-7002", "Step down",
                     "No papers yet", "Papers due", "Agenda out", "OFFICIAL-SENSITIVE"):
        assert expected in text, expected

    agenda.move(meeting.id, chair, "start")
    slot = first.payload["slot"]
    panels.record_outcome(meeting.id, chair, slot, "step_up_agreed",
                          "Worries have grown <b>despite</b> early help")
    documents.close_meeting(meeting.id, chair)
    outcomes = documents.issue(meeting.id, chair_user, "panel_outcomes", 1)
    text = flat(pdf_text(outcomes.pdf)[1])
    save_png(outcomes.pdf, "panel-outcomes")
    for expected in ("Panel outcomes", "Case 1", "Jordan Taylor (CASE-7001)",
                     "Step up agreed", "Worries have grown <b>despite</b> early help",
                     "Lead person", "Lee Early Help", "Referral created to the area team",
                     "within 24 hours", "Case 2", "No outcome recorded"):
        assert expected in text, expected


# ---- Corrections, versions, hashes, downloads -----------------------------------------------

def test_corrections_versions_hashes_and_the_download_log(app, client, chair_user,
                                                          other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    draft = documents.draft_for(meeting.id, "minutes")
    reason = next(e for e in draft["texts"] if e["original"] == "Nights are hard")
    sign_in(client, chair_user.email)
    preview = client.get(f"/meetings/{meeting.id}/documents/minutes/draft")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Nights are hard" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SECRET not in html
    # One main heading, the page's; the document's own headings sit below it, in order.
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels.count(1) == 1 and levels[0] == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert re.search(r'<h2 class="doc-title">', html)
    saved = client.post(f"/meetings/{meeting.id}/documents/minutes/corrections", data={
        "csrf_token": csrf_from(html), f"text:{reason['id']}": "Nights are very hard",
        "section": "scaling"})
    assert saved.status_code == 303
    # The meeting's own record is unchanged; the draft carries the correction.
    assert "Nights are hard" in [s.reason for r in scaling.rounds_of(meeting.id)
                                 for s in r.scores]
    issued = client.post(f"/meetings/{meeting.id}/documents/minutes/issue", data={
        "csrf_token": csrf_from(html), "version": "1"})
    assert issued.status_code == 303
    first = db.session.scalar(db.select(Document).filter_by(meeting_id=meeting.id, version=1))
    assert "Nights are very hard" in flat(pdf_text(first.pdf)[1])
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest()
    assert first.issued_by_id == chair_user.id and first.issued_at is not None

    # The same version again is refused and changes nothing.
    again = client.post(f"/meetings/{meeting.id}/documents/minutes/issue", data={
        "csrf_token": csrf_from(html), "version": "1"})
    assert again.status_code == 409 and "already been issued" in again.get_data(as_text=True)
    with pytest.raises(Refused, match="reason"):
        documents.issue(meeting.id, chair_user, "minutes", 2, "")
    second = documents.issue(meeting.id, chair_user, "minutes", 2, "Corrected a reason")
    assert [d.version for d in documents.versions_of(meeting.id, "minutes")] == [1, 2]
    db.session.refresh(first)
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest()  # version 1 kept as it was
    assert "Correction: Corrected a reason" in flat(pdf_text(second.pdf)[1])

    download = client.get(f"/documents/{first.id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == first.sha256
    log = db.session.scalars(db.select(DocumentDownload).filter_by(document_id=first.id)).all()
    assert [(d.user_id, bool(d.at)) for d in log] == [(chair_user.id, True)]
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert first.sha256 in page and "Alex Morgan" in page and "Corrected a reason" in page


def test_documents_are_for_the_people_in_the_meeting(app, client, chair_user, other_staff):
    from facilitator.accounts.services import create_user

    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    document = documents.issue(meeting.id, chair_user, "minutes", 1)
    create_user("stranger@example.org", "Stranger", "correct horse battery", "Social Worker")
    sign_in(client, "stranger@example.org")
    assert client.get(f"/documents/{document.id}.pdf").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/documents").status_code == 403
    assert db.session.scalar(db.select(db.func.count(DocumentDownload.id))) == 0
    # The minute taker (staff) corrects but does not issue.
    with pytest.raises(Refused, match="Only the chair"):
        documents.issue(meeting.id, other_staff, "minutes", 2, "mine")


# ---- Distribution ---------------------------------------------------------------------------

def test_distribution_in_the_app_and_by_email_with_pdf_and_ics(app, client, smtp, chair_user,
                                                               other_staff):
    meeting = make_meeting(chair_user, "multi_agency_stability_support")
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    document = emails_settled(documents.issue(meeting.id, chair_user, "minutes", 1))
    received = {m["To"]: m for m in smtp.messages}
    assert set(received) == {"pat@example.org", "head.of.service@example.org",
                             "traffic.light.meeting@example.org"}
    message = received["pat@example.org"]
    assert message["Subject"].startswith("OFFICIAL-SENSITIVE: Minutes")
    parts = {part.get_content_type(): part for part in message.iter_attachments()}
    assert parts["application/pdf"].get_content() == document.pdf
    ics = parts["text/calendar"].get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    from icalendar import Calendar

    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    decision_review = clock.london_today() + timedelta(days=30)
    assert event.decoded("dtstart") == decision_review
    assert "CASE-0042" in str(event["summary"]) and "Jordan" not in str(event["summary"])
    results = {d.name: (d.channel, d.status) for d in document.deliveries}
    assert results["Pat Jones"] == ("email", "sent")
    assert results["Sam Patel"] == ("app", "sent") and results["Alex Morgan"] == ("app", "sent")
    # The social worker (staff) finds it in the app, with a link.
    sign_in(client, other_staff.email)
    mine = client.get("/documents").get_data(as_text=True)
    assert "New" in mine and f"/documents/{document.id}.pdf" in mine


def try_again(client, meeting, delivery, shown):
    """The chair finds the email shown as `shown` with "Try again" on the documents page, and
    presses it."""
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert shown in page and "Try again" in page
    answer = client.post(f"/meetings/{meeting.id}/deliveries/{delivery.id}/retry",
                         data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 303


def test_a_slow_mail_server_never_keeps_the_chair_waiting(app, client, smtp, chair_user,
                                                          other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    smtp.open.clear()  # the mail server takes its time
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents/minutes/draft").get_data(as_text=True)
    answer = client.post(f"/meetings/{meeting.id}/documents/minutes/issue", data={
        "csrf_token": csrf_from(page), "version": "1"})
    assert answer.status_code == 303          # issued, while the email is still on its way
    assert smtp.messages == []
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Sending" in page or "Waiting to send" in page
    assert "The emails are being sent. Refresh this page" in page
    smtp.open.set()
    document = emails_settled(db.session.scalar(db.select(Document).filter_by(
        meeting_id=meeting.id, kind="minutes")))
    assert [m["To"] for m in smtp.messages] == ["pat@example.org"]
    assert {d.status for d in document.deliveries} == {"sent"}


def test_an_email_the_background_never_began_can_be_sent(app, client, smtp, chair_user,
                                                        other_staff, monkeypatch):
    """A process that stopped between the issue and its background send leaves the email
    waiting; after a while the chair sees it was never sent, and sends it."""
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    monkeypatch.setattr(documents, "send_in_background", lambda document_id: None)
    document = documents.issue(meeting.id, chair_user, "minutes", 1)
    delivery = next(d for d in document.deliveries if d.channel == "email")
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Waiting to send" in page and "Try again" not in page
    delivery.created_at = clock.utcnow() - timedelta(minutes=11)
    db.session.commit()
    try_again(client, meeting, delivery, "Not sent")
    assert [m["To"] for m in smtp.messages] == ["pat@example.org"]


def test_a_failed_email_is_shown_and_a_retry_sends_once(app, client, smtp, chair_user,
                                                         other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    app.config["SMTP_HOST"] = ""  # the mail server is not there
    document = emails_settled(documents.issue(meeting.id, chair_user, "minutes", 1))
    failed = next(d for d in document.deliveries if d.channel == "email")
    assert failed.status == "failed" and "not set up" in failed.error
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Failed" in page and "Try again" in page
    app.config["SMTP_HOST"] = "127.0.0.1"
    answer = client.post(f"/meetings/{meeting.id}/deliveries/{failed.id}/retry",
                         data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 303
    assert [m["To"] for m in smtp.messages] == ["pat@example.org"]
    again = client.post(f"/meetings/{meeting.id}/deliveries/{failed.id}/retry",
                        data={"csrf_token": csrf_from(page)})
    assert again.status_code == 303
    assert len(smtp.messages) == 1  # never emailed twice
    db.session.expire_all()
    delivery = db.session.get(Delivery, failed.id)
    assert delivery.status == "sent" and delivery.attempts == 2
    with pytest.raises(Refused, match="already been sent"):
        documents.retry(meeting.id, chair_user, failed.id)
    # Two attempts racing: only one can claim the delivery.
    delivery.status = "failed"
    db.session.commit()
    assert documents._claim(failed.id) and not documents._claim(failed.id)


def test_the_outcomes_deadline_is_two_working_days_and_flagged_when_missed(app, chair_user):
    meeting = meetings.create_meeting(
        chair_user, case_reference="CASE-9", child_name="Ari Lee",
        scheduled_at=datetime(2026, 12, 23, 10, 0), location="Room 1", immediate_risk=False)
    due = distribution.deadline(meeting)
    # Wednesday 23 December: Christmas and Boxing Day (observed on the 28th) are skipped.
    assert clock.to_london(due).date() == date(2026, 12, 29)
    assert distribution.deadline_view(meeting, datetime(2026, 12, 29, 12))["missed"] is False
    assert distribution.deadline_view(meeting, datetime(2026, 12, 30, 9))["missed"] is True


# ---- The URL fetcher ------------------------------------------------------------------------

def test_the_renderer_fetches_only_our_static_files(tracker):
    assert render.static_file(render.STATIC_BASE + "css/documents.css") is not None
    for url in (f"http://127.0.0.1:{tracker}/x.png", "file:///etc/passwd",
                render.STATIC_BASE + "../facilitator/config.py",
                render.STATIC_BASE + "%2e%2e/facilitator/config.py"):
        assert render.static_file(url) is None, url
    # Even markup that reached WeasyPrint could not make it fetch: straight through the worker.
    from weasyprint import HTML

    html = HTML(string=f'<img src="http://127.0.0.1:{tracker}/direct.png"><p>x</p>',
                base_url=render.STATIC_BASE, url_fetcher=render._fetcher())
    assert html.write_pdf()
    assert Tracker.hits == []


def test_the_documents_page_flags_a_missed_deadline(app, client, chair_user):
    from tests.conftest import FIXED_MEETING_AT, new_meeting

    meeting = new_meeting(chair_user, scheduled_at=FIXED_MEETING_AT)  # due by Thursday 26th
    documents.close_meeting(meeting.id, chair_of(meeting))
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Deadline missed" in page and "Thursday 26 November 2026" in page
    assert "They have not gone out yet" in page


def test_an_email_left_sending_by_a_stopped_process_can_be_sent_again(app, client, smtp,
                                                                      chair_user, other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    document = emails_settled(documents.issue(meeting.id, chair_user, "minutes", 1))
    delivery = next(d for d in document.deliveries if d.channel == "email")
    assert len(smtp.messages) == 1
    # A send that is still under way is not sent twice...
    delivery.status, delivery.claimed_at = "sending", clock.utcnow()
    db.session.commit()
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Sending" in page and "Try again" not in page
    with pytest.raises(Refused, match="being sent already"):
        documents.retry(meeting.id, chair_user, delivery.id)
    # ...but one its process never finished (it stopped mid-send) is, by the chair.
    delivery = db.session.get(Delivery, delivery.id)
    delivery.claimed_at = clock.utcnow() - timedelta(minutes=11)
    db.session.commit()
    try_again(client, meeting, delivery, "Not confirmed")
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]  # one message, again
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "sent"
