"""How panel changes look to each audience, drawn from the database as they stand now.

A case is an <li id="slot-N"> in #cases-list: its summary (#slot-N-summary: state, criteria,
outcome) is redrawn on every change to the case and when the agenda moves on (the current case
is highlighted); its forms are drawn once, so nobody loses what they are typing because
someone else changed something. The projector's render has the child's initials only.
"""
from flask import render_template

from facilitator.agenda.fragments import render_agenda
from facilitator.extensions import db
from facilitator.live.render import Update, renders
from facilitator.meetings.models import Meeting
from facilitator.panels import services


def _render(template, view, audience, meeting):
    return render_template(template, view=view, audience=audience, meeting=meeting,
                           fragment=True)


def render_slot(view, audience, meeting):
    return _render("panels/_slot.html", view, audience, meeting)


def render_summary(view, audience, meeting):
    return _render("panels/_summary.html", view, audience, meeting)


def _case(view):
    """How a case is named aloud to everyone, the projector included: initials only."""
    return f"Case {view['number']} ({view['initials']}, {view['direction_label']})"


@renders("panel.case_added")
def case_added(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    panel = services.panel_view(meeting)
    view = next((v for v in panel["slots"] if v["id"] == event.payload["slot"]), None)
    if view is None:
        return None
    update = Update(announce=f"{_case(view)} added to the panel.")
    update.upsert("cases-list", render_slot(view, audience, meeting))
    update.order("cases-list", [f"slot-{v['id']}" for v in panel["slots"]])
    update.upsert("agenda-area", render_agenda(meeting.id, audience))
    return update


@renders("panel.criterion_set", "panel.outcome_recorded", "panel.disagreement_recorded")
def case_changed(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    view = services.one_slot_view(event.payload["slot"])
    update = Update().upsert(f"slot-{view['id']}", render_summary(view, audience, meeting))
    if event.type == "panel.criterion_set":
        label = next((c["label"] for c in view["criteria"]
                      if c["key"] == event.payload["criterion"]), event.payload["criterion"])
        state = "met" if event.payload["met"] else "missing"
        update.announce = f"{_case(view)}: {label}, {state}."
    elif event.type == "panel.outcome_recorded":
        update.announce = f"{_case(view)}: the panel's decision is {view['outcome_label']}."
    else:
        update.announce = f"{_case(view)}: a disagreement with the decision is recorded."
    return update


@renders("agenda.changed")
def agenda_moved(event, audience):
    """The agenda moved on: the case now being heard is highlighted."""
    meeting = db.session.get(Meeting, event.meeting_id)
    if meeting is None or not meeting.type.is_panel:
        return None
    update = Update()
    for view in services.panel_view(meeting)["slots"]:
        update.upsert(f"slot-{view['id']}", render_summary(view, audience, meeting))
    return update
