"""Every document the app issues is a tagged PDF a screen reader can navigate (issue 11, point 6):
the minutes and the Stability Actions sheet for each type of meeting, the panel's agenda and
outcomes. Each PDF is read back with pypdf: marked as tagged, a structure tree, an English
language, a title naming the document and the meeting that the viewer shows instead of the file
name, one H1 first, heading levels that never skip, and tables with header cells."""
import io
import re

import pypdf
import pytest
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject

from facilitator.documents import services as documents
from tests.test_documents import close, make_meeting, north_panel_with_a_case, run_meeting

MEETING_TYPES = [
    ("placement_stability", "Placement Stability Meeting"),
    ("multi_agency_stability_support", "Multi-Agency Stability Support Meeting"),
    ("stability_review", "Stability Review Meeting"),
    ("disruption", "Disruption Meeting"),
]
HEADING = re.compile(r"^H([1-6])$")
TRUE = BooleanObject(True)


class Element:
    """One structure element: its standard type (/RoleMap resolved), /Alt and children."""

    def __init__(self, kind, alt, children):
        self.kind, self.alt, self.children = kind, alt, children

    def all(self):
        yield self
        for child in self.children:
            yield from child.all()


def structure_tree(reader):
    """The document's structure tree, read back from /Root /StructTreeRoot /K."""
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    role_map = tree.get("/RoleMap", DictionaryObject()).get_object()

    def standard(name):
        seen = set()
        while name in role_map and name not in seen:
            seen.add(name)
            name = str(role_map[name])
        return name.lstrip("/")

    def children(kids):
        kids = kids.get_object()
        found = []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                found.append(Element(standard(str(kid["/S"])), kid.get("/Alt"),
                                     children(kid.get("/K", ArrayObject()))))
        return found  # marked-content ids and references are content, not elements

    return Element("StructTreeRoot", None, children(tree["/K"]))


def heading_levels(tree):
    return [int(HEADING.match(e.kind).group(1)) for e in tree.all() if HEADING.match(e.kind)]


def assert_accessible(pdf, document_name, meeting_words):
    """What a screen reader user relies on to open, name and move through the document.
    Returns the structure element types found, in reading order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == TRUE, "not a tagged PDF"
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")
    title = reader.metadata.title
    assert title.startswith(document_name) and meeting_words in title, title
    # The viewer's window shows that title, not the file name (PDF/UA).
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == TRUE
    tree = structure_tree(reader)
    levels = heading_levels(tree)
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"H{before} is followed by H{after}: {levels}"
    for table in (e for e in tree.all() if e.kind == "Table"):
        assert any(cell.kind == "TH" for cell in table.all()), "a table without header cells"
    for figure in (e for e in tree.all() if e.kind == "Figure"):
        assert figure.alt, "a figure without a text alternative"
    return [e.kind for e in tree.all()]


@pytest.mark.parametrize("type_code, name", MEETING_TYPES)
def test_the_minutes_and_actions_sheet_are_tagged_for_screen_readers(app, chair_user,
                                                                     other_staff, type_code,
                                                                     name):
    meeting = make_meeting(chair_user, type_code)
    close(meeting, run_meeting(meeting, chair_user, other_staff))
    subject = f"{name}, Jordan Lee Taylor (CASE-0042)"
    minutes = documents.issue(meeting.id, chair_user, "minutes", 1)
    types = assert_accessible(minutes.pdf, "Minutes", subject)
    assert {"Table", "TH", "L", "H3", "Figure"} <= set(types)  # columns as lists, the chart
    sheet = documents.issue(meeting.id, chair_user, "actions", 1)
    assert "Table" in assert_accessible(sheet.pdf, "Stability Actions", subject)


def test_the_panel_agenda_and_outcomes_are_tagged_for_screen_readers(app, chair_user):
    from facilitator.agenda import services as agenda
    from facilitator.panels import services as panels

    meeting, chair, case = north_panel_with_a_case(chair_user)
    papers = documents.issue(meeting.id, chair_user, "panel_agenda", 1)
    assert "Table" in assert_accessible(papers.pdf, "Panel agenda", "North panel")
    agenda.move(meeting.id, chair, "start")
    panels.record_outcome(meeting.id, chair, case.payload["slot"], "step_up_agreed",
                          "Worries have grown despite early help")
    documents.close_meeting(meeting.id, chair)
    outcomes = documents.issue(meeting.id, chair_user, "panel_outcomes", 1)
    assert "H3" in assert_accessible(outcomes.pdf, "Panel outcomes", "North panel")
