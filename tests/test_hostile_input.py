"""A corpus of hostile input through every field a person types into in a meeting, shown
literally (never run as markup) on the chair's board, the participant's board, the projector,
the minutes PDF and the Child's Plan exports, with spreadsheet formulas defused in the CSV."""
import csv
import io
import json
from datetime import timedelta

import pypdf
import pytest

from facilitator import clock
from facilitator.actions import services as actions
from facilitator.board import services as board
from facilitator.decisions import services as decisions
from facilitator.documents import services as documents
from facilitator.extensions import db
from facilitator.meetings import services as meetings
from facilitator.meetings.models import Participant
from facilitator.scaling import services as scaling
from tests.conftest import guest, sign_in

# Markup and script in the usual disguises, template syntax, a formula, and odd Unicode.
CORPUS = [
    '<script>alert("card")</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(2)>',
    "<b>bold</b> & <i>italic</i>",
    "{{ 7*7 }} {% if 1 %}x{% endif %}",
    "javascript:alert(3)",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "@cmd|' /C calc'!A0",
    "\u202eright-to-left override\u202c",
    "مرحبا بالعالم שלום",
    "Emoji 🙂👍🏽 ☀",
    "Zero\u200bwidth and combining a\u0301",
]
MARKUP = [text for text in CORPUS if "<" in text]
CONTROL = "tab\there, nul\x00 and escape\x1b[31m gone"


@pytest.fixture
def hostile_meeting(app, chair_user):
    """A meeting whose every typed field holds a piece of the corpus."""
    meeting = meetings.create_meeting(
        chair_user, case_reference="CASE-6666", child_name="Jordan Lee Taylor",
        scheduled_at=clock.utcnow().replace(microsecond=0) + timedelta(days=1),
        location="Room 2", immediate_risk=False)
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               user_id=chair_user.id))
    people = [guest(meeting, text[:80], "carer", admit_by=chair) for text in MARKUP]
    carer = people[0]
    round_id = scaling.open_round(meeting.id, chair).payload["round"]
    for number, text in enumerate(CORPUS):
        board.add_card(meeting.id, carer, "worried", text)
        actions.confirm(meeting.id, chair, actions.propose(meeting.id, carer, {
            "what": text, "owner": "other", "owner_name": text[:120],
            "timescale": "ongoing", "destination": "childs_plan"}).payload["action"])
        decisions.add_view(meeting.id, carer, "child", text)
        decisions.save_offer(meeting.id, carer, f"Agency {number}", text)
    board.add_card(meeting.id, carer, "working_well", CONTROL)
    for person, text in zip(people, MARKUP):
        scaling.submit_score(meeting.id, person, round_id, 5, text)
    scaling.reveal_round(meeting.id, chair, round_id)
    decisions.record_decision(meeting.id, chair, {
        "outcome": "maintain", "rationale": CORPUS[0],
        "review_date": (clock.london_today() + timedelta(days=20)).isoformat()})
    return meeting, chair, carer


def pages(app, meeting, chair_user, carer):
    chair_client = app.test_client()
    sign_in(chair_client, chair_user.email)
    carer_client = app.test_client()
    with carer_client.session_transaction() as session:
        session["seats"] = {str(meeting.id): carer.token}
    return {
        "chair": chair_client.get(f"/meetings/{meeting.id}").get_data(as_text=True),
        "participant": carer_client.get(f"/meetings/{meeting.id}").get_data(as_text=True),
        "projector": app.test_client().get(
            f"/meetings/{meeting.id}/projector/{meeting.projector_token}").get_data(as_text=True),
    }, chair_client


def test_every_typed_field_is_shown_literally_on_every_view(app, chair_user, hostile_meeting):
    meeting, _, carer = hostile_meeting
    views, _ = pages(app, meeting, chair_user, carer)
    for name, html in views.items():
        for text in MARKUP:
            assert text not in html, f"{name} page runs typed markup: {text!r}"
        for opening in ("<script>alert", "<img src=x", "<svg onload", "<b>bold"):
            assert opening not in html, f"{name} page has a live {opening!r}"
        assert "&lt;script&gt;alert(&#34;card&#34;)&lt;/script&gt;" in html or \
            "&lt;script&gt;alert(&quot;card&quot;)&lt;/script&gt;" in html, name
        for text in CORPUS[4:]:  # the rest, character for character (escaped where needed)
            assert text.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") \
                in html or text.replace("&", "&amp;") in html, (name, text)
        assert "escape[31m gone" in html and "\x1b" not in html and "\x00" not in html


def test_the_minutes_show_the_corpus_as_text(app, chair_user, hostile_meeting):
    meeting, chair, _ = hostile_meeting
    documents.close_meeting(meeting.id, chair)
    document = documents.issue(meeting.id, chair_user, "minutes", 1)
    reader = pypdf.PdfReader(io.BytesIO(documents._pdf_bytes(document.id)))
    # pypdf gives some runs as UTF-16 with NULs between the letters: read past them.
    text = " ".join(" ".join(page.extract_text().replace("\x00", "").split())
                    for page in reader.pages)
    for typed in ('<script>alert("card")</script>', "<img src=x onerror=alert(1)>",
                  "{{ 7*7 }}", '=HYPERLINK("http://evil.example","click")', "javascript:alert(3)"):
        assert typed in text, f"the minutes do not show {typed!r} as typed"


def test_the_exports_keep_the_text_and_defuse_formulas(app, chair_user, hostile_meeting):
    meeting, _, carer = hostile_meeting
    _, client = pages(app, meeting, chair_user, carer)
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/children/{meeting.child_id}/plan.csv").get_data(as_text=True))))
    written = {row["what"] for row in rows}
    for text in CORPUS:
        expected = "'" + text if text[0] in "=+-@" else text
        assert expected in written, text
    exported = json.loads(client.get(f"/children/{meeting.child_id}/plan.json").get_data(
        as_text=True))
    assert {a["what"] for a in exported["actions"]} == set(CORPUS)
