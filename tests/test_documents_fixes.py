"""Issue 18, the documents: what every reader of a document sees and what the chair is told.

No document (the minutes, the Stability Actions sheet, the panel's agenda and outcomes) nor the
preview prints an email address; each person's name, role and part in the meeting appear once
each; the chart's counts are drawn in the PDF (the page is rendered to pixels and looked at);
a failed email is told to the chair in plain words, and the chair is warned before issuing when
email is not set up; and a draft missing a section its kind lists stops the issue."""
import html.parser
import logging
import re
import socket

import pypdfium2
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from PIL import ImageChops

from facilitator.agenda import services as agenda
from facilitator.decisions import services as decisions
from facilitator.documents import draft as drafts
from facilitator.documents import render
from facilitator.documents import services as documents
from facilitator.documents.models import MINUTES, Delivery, Document
from facilitator.extensions import db
from facilitator.live.models import MeetingEvent
from facilitator.scaling import services as scaling
from tests.conftest import ARTIFACTS, csrf_from, free_port, guest, sign_in
from tests.test_documents import (
    Inbox,
    chair_of,
    close,
    emails_settled,
    flat,
    make_meeting,
    north_panel_with_a_case,
    pdf_text,
    run_meeting,
)

FIXED = ["head.of.service@example.org", "traffic.light.meeting@example.org"]
BAR = (0x1D, 0x70, 0xB8)  # the chart's bars, #1d70b8


def addresses_in(text):
    return re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)


# ---- Point 3: no email address in a document -----------------------------------------------

def test_no_document_or_preview_prints_an_email_address(app, client, chair_user, other_staff):
    meeting = make_meeting(chair_user, "multi_agency_stability_support")  # with fixed recipients
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)  # Pat Jones's copy goes to pat@example.org
    sign_in(client, chair_user.email)
    for kind in ("minutes", "actions"):
        preview = client.get(f"/meetings/{meeting.id}/documents/{kind}/draft")
        sheet = preview.get_data(as_text=True).split('class="app-document-sheet"')[1]
        assert addresses_in(sheet) == [], kind
        text = flat(pdf_text(documents.issue(meeting.id, chair_user, kind, 1).pdf)[1])
        assert addresses_in(text) == [], (kind, addresses_in(text))
        if kind == "minutes":
            # Still a distribution list: who, as what, and how, without the addresses.
            for expected in ("Distribution", "Pat Jones", "Carer", "By email", "In the app",
                             "Head of Service", "Traffic Light Meeting"):
                assert expected in text, expected
    # The addresses stay in the delivery record, on the chair's documents page.
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    for address in ["pat@example.org", *FIXED]:
        assert address in page


def test_the_panel_agenda_and_outcomes_print_no_email_address(app, client, chair_user):
    meeting, chair, _ = north_panel_with_a_case(chair_user)
    member = guest(meeting, "Dee Khan", "school", admit_by=chair)
    papers = documents.issue(meeting.id, chair_user, "panel_agenda", 1)
    assert addresses_in(flat(pdf_text(papers.pdf)[1])) == []
    agenda.move(meeting.id, chair, "start")
    documents.close_meeting(meeting.id, chair, {member.id: "present"},
                            {member.id: "dee.khan@example.org"})
    sign_in(client, chair_user.email)
    preview = client.get(f"/meetings/{meeting.id}/documents/panel_outcomes/draft")
    assert "dee.khan@example.org" not in preview.get_data(as_text=True)
    outcomes = flat(pdf_text(documents.issue(meeting.id, chair_user, "panel_outcomes",
                                             1).pdf)[1])
    assert addresses_in(outcomes) == [] and "Dee Khan" in outcomes and "By email" in outcomes


# ---- Point 3: each name, role and part once -------------------------------------------------

class Rows(html.parser.HTMLParser):
    """The rows of each section's tables in a document's HTML: {section key: [[cell text]]}."""

    def __init__(self):
        super().__init__()
        self.sections, self.section, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("section-"):
            self.section = attrs["id"].removeprefix("section-")
        elif tag == "tr" and self.section:
            self.row = []
            self.sections.setdefault(self.section, []).append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def words(row):
    return re.findall(r"[a-z']+", " ".join(row).lower())


def test_each_person_name_role_and_part_appear_once(app, chair_user, other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    # A young person who asked to be shown as "Young person" when the scores are shared.
    second = scaling.rounds_of(meeting.id)[0].id
    scaling.submit_score(meeting.id, people["young"], second, 4, "Better now",
                         show_name=False)
    scaling.reveal_round(meeting.id, people["chair"], second)
    close(meeting, people)
    draft = documents.draft_for(meeting.id, MINUTES)
    parser = Rows()
    parser.feed(render.document_html(draft))
    tables = parser.sections
    attendance = {row[0]: row for row in tables["attendance"][1:]}
    distribution = {row[0]: row for row in tables["distribution"][1:]}
    details = {row[0]: row for row in tables["details"]}
    assert attendance["Alex Morgan"][:2] == ["Alex Morgan", "Chair"]
    assert attendance["Sam Patel"][:2] == ["Sam Patel", "Child's social worker, minute taker"]
    assert attendance["Riley Taylor"][:2] == ["Riley Taylor", "Young person"]
    assert distribution["Alex Morgan"][:2] == ["Alex Morgan", "Chair"]
    assert details["Chair"] == ["Chair", "Alex Morgan"]
    assert details["Minute taker"] == ["Minute taker", "Sam Patel"]
    scores = [row[1] for row in tables["scaling"] if row[2] == "Better now"]
    assert scores == ["Young person"], scores
    rows = [*attendance.values(), *distribution.values(), details["Chair"],
            details["Minute taker"], *([cell] for cell in scores)]
    for row in rows:
        said = words(row)
        assert len(said) == len(set(said)), f"a word said twice in {row}"


# ---- Point 3: the chart's counts in the PDF -------------------------------------------------

def scored_minutes(chair_user, values):
    """Minutes whose one revealed round has these scores, one guest each."""
    meeting = make_meeting(chair_user)
    chair = chair_of(meeting)
    round_id = scaling.open_round(meeting.id, chair).payload["round"]
    for number, value in enumerate(values, 1):
        seat = guest(meeting, f"Guest {number}", "other", admit_by=chair)
        scaling.submit_score(meeting.id, seat, round_id, value, f"Reason {number}")
    scaling.reveal_round(meeting.id, chair, round_id)
    documents.close_meeting(meeting.id, chair)
    return documents.issue(meeting.id, chair_user, MINUTES, 1).pdf


def chart_page(pdf, name):
    """The page that holds the chart, drawn as pixels (and saved to look at)."""
    folder = ARTIFACTS / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    for page in pypdfium2.PdfDocument(pdf):
        if "median" in page.get_textpage().get_text_range():
            image = page.render(scale=2).to_pil().convert("RGB")
            image.save(folder / f"{name}.png")
            return image
    raise AssertionError("no page has the chart")


def bars(image):
    """Each bar of the chart as (left, top, right, bottom) in pixels: runs of columns of the
    bars' blue."""
    bands = [band.point(lambda v, c=c: 255 if abs(v - c) <= 12 else 0)
             for band, c in zip(image.split(), BAR)]
    blue = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])
    left, top, right, bottom = blue.getbbox()
    pixels = blue.load()
    columns = {x: [y for y in range(top, bottom) if pixels[x, y]] for x in range(left, right)}
    found, run = [], []
    for x in range(left, right + 1):
        if x < right and len(columns[x]) > 6:
            run.append(x)
        elif run:
            rows = [y for column in run for y in columns[column]]
            found.append((run[0], min(rows), run[-1], max(rows)))
            run = []
    return found


def count_pixels(image, box, test):
    pixels = image.load()
    left, top, right, bottom = box
    return sum(1 for x in range(left, right) for y in range(top, bottom) if test(pixels[x, y]))


def white(pixel):
    return min(pixel) > 215


def dark(pixel):
    return max(pixel) < 90


def test_the_chart_in_the_minutes_shows_its_counts(app, chair_user):
    # Four people scored 6 (a tall bar, its count inside in white) and one scored 2 (a short
    # bar, its count above it in black).
    image = chart_page(scored_minutes(chair_user, [6, 6, 6, 6, 2]), "minutes-chart-counts")
    found = sorted(bars(image), key=lambda box: box[3] - box[1])
    assert len(found) == 2, found
    short, tall = found
    left, top, right, bottom = tall
    inside = (left + 3, top + 3, right - 2, bottom - 2)
    assert count_pixels(image, inside, white) > 40, "no count drawn inside the tall bar"
    left, top, right, bottom = short
    above = (left, top - (right - left), right + 1, top - 1)
    assert count_pixels(image, above, dark) > 40, "no count drawn above the short bar"


# ---- Point 3: a failed email, in words for the chair ----------------------------------------

@pytest.fixture
def silent_server():
    """A server that takes the connection and never says a word (an SMTP server hung)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


@pytest.fixture
def locked_server():
    """A real SMTP server that turns down this service's sign-in."""
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port(),
                            auth_require_tls=False,
                            authenticator=lambda *args: AuthResult(success=False,
                                                                     handled=False))
    controller.start()
    yield controller.port
    controller.stop()


@pytest.fixture
def server_log(app, caplog):
    """What the app writes to the server's log."""
    caplog.set_level(logging.WARNING)
    return caplog


TECHNICAL = re.compile(r"[A-Za-z]+(Error|Exception)\b|Errno|SMTP|FACILITATOR_")


@pytest.mark.parametrize("failure, said, logged", [
    ("not set up", "Email is not set up on this server", "FACILITATOR_SMTP_HOST"),
    ("refused", "could not reach the mail server", "ConnectionRefusedError"),
    ("no answer", "did not answer in time", "timed out"),
    ("sign-in", "did not accept this service's sign-in", "SMTPAuthenticationError"),
])
def test_a_failed_email_is_told_to_the_chair_in_plain_words(
        app, client, chair_user, other_staff, server_log, request, failure, said, logged):
    settings = {"not set up": {"SMTP_HOST": ""},
                "refused": {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": free_port()},
                "no answer": {"SMTP_HOST": "127.0.0.1", "SMTP_TIMEOUT": 0.5},
                "sign-in": {"SMTP_HOST": "127.0.0.1", "SMTP_USERNAME": "minutes",
                            "SMTP_PASSWORD": "not the password"}}[failure]
    if failure == "no answer":
        settings["SMTP_PORT"] = request.getfixturevalue("silent_server")
    if failure == "sign-in":
        settings["SMTP_PORT"] = request.getfixturevalue("locked_server")
    app.config.update(settings)
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    document = emails_settled(documents.issue(meeting.id, chair_user, MINUTES, 1))
    failed = next(d for d in document.deliveries if d.channel == "email")
    assert failed.status == "failed"
    assert said in failed.error and "administrator" in failed.error
    assert not TECHNICAL.search(failed.error) and not re.search(r"\d", failed.error), \
        failed.error
    # The technical detail is in the server's log, for the administrator.
    assert logged in server_log.text
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    assert "Failed" in page and said in html.unescape(page)
    assert not TECHNICAL.search(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1]))
    # Trying again says it in the same words.
    answer = client.post(f"/meetings/{meeting.id}/deliveries/{failed.id}/retry",
                         data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    shown = html.unescape(answer.get_data(as_text=True))
    assert "failed again" in shown and said in shown and "RuntimeError" not in shown


def test_the_chair_is_told_before_issuing_that_email_is_not_set_up(app, client, chair_user,
                                                                  other_staff):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    sign_in(client, chair_user.email)
    warning = "Emails cannot be sent from this server"
    for smtp_host, shown in (("", True), ("mail.example.org", False)):
        app.config["SMTP_HOST"] = smtp_host
        for url in (f"/meetings/{meeting.id}/documents",
                    f"/meetings/{meeting.id}/documents/minutes/draft"):
            page = client.get(url).get_data(as_text=True)
            assert (warning in page) is shown, (url, smtp_host)
            if shown:
                assert "Pat Jones" in page.split(warning)[1].split("</div>")[0]
                assert "administrator" in page and "SMTP" not in page


# ---- Point 5: a section the draft cannot make stops the issue -------------------------------

def nothing(meeting, t):
    return None


nothing.__name__ = "agency_offers"


def broken_import(*args, **kwargs):
    raise ImportError("cannot import name 'voices_for'")


@pytest.mark.parametrize("breakage", ["a section with nothing", "a broken import"])
def test_a_minutes_section_that_cannot_be_made_stops_the_issue(
        app, client, chair_user, other_staff, monkeypatch, server_log, breakage):
    meeting = make_meeting(chair_user)
    people = run_meeting(meeting, chair_user, other_staff)
    close(meeting, people)
    if breakage == "a section with nothing":
        monkeypatch.setitem(drafts.SECTIONS, MINUTES, tuple(
            nothing if section.__name__ == "agency_offers" else section
            for section in drafts.SECTIONS[MINUTES]))
    else:  # the first section that reads the child's views and the offers
        monkeypatch.setattr(decisions, "voices_for", broken_import)
    sign_in(client, chair_user.email)
    page = client.get(f"/meetings/{meeting.id}/documents").get_data(as_text=True)
    answer = client.post(f"/meetings/{meeting.id}/documents/minutes/issue", data={
        "csrf_token": csrf_from(page), "version": "1"})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "could not be drafted" in shown and "Nothing has been issued" in shown
    assert "administrator" in shown and "ImportError" not in shown
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Delivery.id))) == 0
    assert db.session.scalar(db.select(db.func.count(MeetingEvent.id)).filter_by(
        meeting_id=meeting.id, type="document.issued")) == 0
    with pytest.raises(drafts.SectionMissing, match="could not be drafted"):
        documents.draft_for(meeting.id, MINUTES)
    # Which section, and why, for the administrator.
    assert ("agency_offers" if breakage == "a section with nothing" else
            "childs_views") in server_log.text

