"""The draft of each document, built from what the meeting recorded: one function per section.

A draft is plain data (strings, numbers, lists), so the rendering process needs nothing but the
draft, and the preview page and the PDF are drawn from the same thing. Every text a person typed
goes through `Texts`, which applies the chair's corrections over the meeting's record (the record
itself is never edited) and lists the texts the preview page offers to correct. Only revealed
scaling rounds are read: an unrevealed score never reaches a document.
"""
import importlib
from datetime import timedelta

from flask import render_template

from facilitator import clock
from facilitator.agenda.services import items_of
from facilitator.board.services import board_cards
from facilitator.documents.models import (
    ACTIONS_SHEET,
    ATTENDANCE,
    KINDS,
    MINUTES,
    PANEL_AGENDA,
    PANEL_OUTCOMES,
    VIEWS_SENT,
)
from facilitator.extensions import db
from facilitator.meetings.models import (
    CHAIR,
    DECLINED,
    IN_ADVANCE,
    LOBBY,
    MINUTE_TAKER,
    REMOVED,
    Participant,
)
from facilitator.scaling.services import round_view, rounds_of

CLASSIFICATION = "OFFICIAL-SENSITIVE"
DAY = "%A %-d %B %Y"
TIME = "%H:%M"


def _optional(module):
    """Another domain's read functions, when that domain is installed (issue 6 builds actions
    and decisions); without it the sections it feeds are left out."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


class Texts:
    """Typed texts with the chair's corrections applied, remembered for the correction form."""

    def __init__(self, corrections):
        self.corrections = corrections or {}
        self.entries = []
        self.section = None

    def __call__(self, key, original, label):
        original = original or ""
        text = self.corrections.get(key, original)
        self.entries.append({"id": key, "label": label, "original": original, "text": text,
                             "section": self.section, "corrected": key in self.corrections})
        return text


def _day(moment):
    return clock.london_format(moment, DAY)


def _time(moment):
    return clock.london_format(moment, TIME)


def _seats(meeting_id):
    return db.session.scalars(db.select(Participant).filter_by(meeting_id=meeting_id)
                              .order_by(Participant.id)).all()


def _person(meeting_id, role):
    return next((p for p in _seats(meeting_id) if p.meeting_role == role), None)


def attendance_of(person):
    """Present unless the chair said otherwise; someone who only sent views in advance."""
    if person.attendance:
        return person.attendance
    return VIEWS_SENT if person.status == IN_ADVANCE else "present"


def attendees(meeting_id):
    """Everyone who took part or sent apologies or views: not the declined, removed or waiting."""
    return [p for p in _seats(meeting_id) if p.status not in (DECLINED, REMOVED, LOBBY)]


# ---- Sections --------------------------------------------------------------------------------

def details(meeting, t):
    chair = _person(meeting.id, CHAIR)
    taker = _person(meeting.id, MINUTE_TAKER)
    rows = [("Meeting", meeting.type.name),
            ("Child", f"{meeting.child.name} ({meeting.child.case_reference})"),
            ("Date", _day(meeting.scheduled_at)), ("Time", _time(meeting.scheduled_at)),
            ("Place", meeting.location), ("Chair", chair.name if chair else ""),
            ("Minute taker", taker.name if taker else "None named")]
    if meeting.type.is_panel:
        rows[1] = ("Panel", _panel_title(meeting))
    return {"key": "details", "title": "Meeting details", "rows": rows}


def attendance(meeting, t):
    people = [{"name": p.name, "role": p.attends_as_label,
               "meeting_role": {CHAIR: "Chair", MINUTE_TAKER: "Minute taker"}.get(
                   p.meeting_role, ""),
               "attendance": ATTENDANCE.get(attendance_of(p), "Present"),
               "internal": p.user_id is not None}
              for p in attendees(meeting.id)]
    people.sort(key=lambda p: (p["role"], p["name"]))
    return {"key": "attendance", "title": "Attendees", "people": people}


def agenda(meeting, t):
    now = clock.utcnow()
    items = []
    for item in items_of(meeting.id):
        overrun = item.overrun(now) if item.started_at else 0
        items.append({
            "title": item.title, "planned": item.planned_seconds // 60,
            "started": _time(item.started_at) if item.started_at else "Not reached",
            "ended": _time(item.ended_at) if item.ended_at else "",
            "overrun": clock.minutes_seconds(overrun) if overrun >= 1 else "",
            "extensions": [{"minutes": e.seconds // 60,
                            "reason": t(f"extension-{e.id}", e.reason,
                                        f"Reason for more time on “{item.title}”")}
                           for e in item.extensions]})
    return {"key": "agenda", "title": "Agenda", "entries": items}


def childs_views(meeting, t):
    decisions = _optional("facilitator.decisions.services")
    if decisions is None:
        return None
    views = decisions.voices_for(meeting.id)["views"]
    return {"key": "childs_views", "title": "The child's views, wishes and feelings",
            "views": [{"source": v.source_label,
                       "text": t(f"view-{v.id}", v.text, "The child's view")} for v in views]}


def board(meeting, t):
    cards = board_cards(meeting)
    columns = []
    for column in meeting.type.columns:
        columns.append({"question": column["question"], "cards": [
            t(f"card-{c['id']}", c["text"], f"Card {n} under “{column['question']}”")
            for n, c in enumerate(cards.get(column["key"], []), 1)]})
    return {"key": "board", "title": "What the meeting said", "columns": columns}


def agency_offers(meeting, t):
    decisions = _optional("facilitator.decisions.services")
    if decisions is None:
        return None
    offers = decisions.voices_for(meeting.id)["offers"]
    return {"key": "agency_offers", "title": "What support each agency can provide",
            "offers": [{"agency": t(f"agency-{o.id}", o.agency, "Agency"),
                        "offer": t(f"offer-{o.id}", o.offer, f"What {o.agency} can provide")}
                       for o in offers]}


def scaling(meeting, t):
    """Every revealed round, oldest first. An open round is not read at all."""
    rounds = []
    for round_ in reversed(rounds_of(meeting.id)):
        if not round_.is_revealed:
            continue
        view = round_view(round_)
        results = view["results"]
        entry = {"number": round_.number, "scale": round_.scale.name,
                 "question": t(f"question-{round_.id}", round_.question,
                               f"Scaling question, round {round_.number}"),
                 "scores": [], "chart_svg": "", "chart_text": ""}
        if results:
            entry.update(
                scores=[{"value": s["value"], "label": s["label"], "name": s["name"],
                         "role": s["role"], "in_advance": s["in_advance"], "was": s["was"],
                         "reason": t(f"reason-{round_.id}-{i}", s["reason"],
                                     f"{s['name']}'s reason, round {round_.number}")}
                        for i, s in enumerate(results["scores"])],
                median="%g" % results["median"], low=results["low"], high=results["high"],
                median_label=results["median_label"], chart_text=results["chart"]["text"],
                # Our own SVG, drawn from numbers and the scale's labels (autoescaped there).
                chart_svg=render_template("scaling/_chart.html", chart=results["chart"],
                                          results=results, round_=round_),
                movement=results["movement"] and {
                    "number": results["movement"]["number"],
                    "median": "%g" % results["movement"]["median"],
                    "words": results["movement"]["words"]})
        rounds.append(entry)
    return {"key": "scaling", "title": "Scaling", "rounds": rounds}


def actions(meeting, t):
    module = _optional("facilitator.actions.services")
    if module is None:
        return None
    rows = []
    for action in module.meeting_actions(meeting.id):
        if not action.is_confirmed:
            continue  # a proposal the chair never confirmed is not a Stability Action
        rows.append({"what": t(f"action-{action.id}", action.what, "Stability Action"),
                     "owner": action.owner_label or "",
                     "due": action.due_on.strftime("%-d %B %Y") if action.due_on
                     else action.timescale_label,
                     "destination": action.destination_label, "status": action.status_label})
    return {"key": "actions", "title": "Stability Actions", "actions": rows}


def decision(meeting, t):
    decisions = _optional("facilitator.decisions.services")
    if decisions is None or not decisions.has_decision(meeting.type):
        return None
    view = decisions.decision_view(meeting)
    recorded = view["decision"]
    if recorded is None:
        return {"key": "decision", "title": "Decision", "recorded": False}
    return {"key": "decision", "title": "Decision", "recorded": True,
            "outcome": view.get("outcome_label", ""),
            "approval": view.get("approval_label", ""),
            "rationale": t("decision-rationale", recorded.rationale, "Reasons for the decision"),
            "review": recorded.review_date.strftime(DAY) if recorded.review_date else "",
            "monitoring": view.get("monitoring_label", "") if recorded.monitoring_days else "",
            "notifications": [{"label": tick["label"], "needed": bool(tick.get("needed")),
                               "done": _day(tick["done_at"]) if tick.get("done_at") else "",
                               "by": tick.get("by") or ""}
                              for tick in view.get("ticks", [])]}


def distribution(meeting, t):
    from facilitator.documents.distribution import recipients

    return {"key": "distribution", "title": "Distribution",
            "recipients": [{"name": r["name"], "how": r["how"]} for r in recipients(meeting)]}


# ---- Panels ----------------------------------------------------------------------------------

def _panel(meeting):
    from facilitator.panels import services as panels

    return panels.panel_view(meeting)


def _panel_title(meeting):
    return f"{_panel(meeting)['title']}, {meeting.type.name}"


def panel_cases(meeting, t):
    """For the agenda circulated before the panel: each case's slot, worker and papers."""
    view = _panel(meeting)
    at = meeting.scheduled_at
    cases = []
    for case in view["slots"]:
        slot = case["slot"]
        cases.append({
            "number": case["number"], "time": _time(at),
            "child": f"{case['name']} ({case['case_reference']})",
            "direction": case["direction_label"].capitalize(),
            "worker": slot.presenting_worker, "lead": slot.lead_person or "",
            "papers": "No papers yet" if case["no_papers"] else
            ("Late papers" if case["late"] else "Papers in")})
        at += timedelta(minutes=view["slot_minutes"])
    return {"key": "panel_cases", "title": "Cases", "cases": cases,
            "deadlines": [("Papers due", clock.london_format(view["papers_due"])),
                          ("Agenda out", clock.london_format(view["agenda_out"])),
                          ("Outcomes out by", clock.london_format(view["outcomes_out"]))]}


def panel_outcomes(meeting, t):
    view = _panel(meeting)
    cases = []
    for case in view["slots"]:
        slot = case["slot"]
        cases.append({
            "number": case["number"], "child": f"{case['name']} ({case['case_reference']})",
            "direction": case["direction_label"].capitalize(),
            "outcome": case["outcome_label"] or "No outcome recorded",
            "rationale": t(f"rationale-{slot.id}", slot.rationale or "",
                           f"Rationale, case {case['number']}"),
            "lead": slot.lead_person or "",
            "follow_ups": [{"what": f.what, "rule": f.rule,
                            "due": clock.london_format(f.due_at, DAY if f.whole_day
                                                       else "%A %-d %B %Y, %H:%M")}
                           for f in slot.follow_ups],
            "disagreements": [{"who": d.who, "what": t(f"disagreement-{d.id}", d.what,
                                                       f"Disagreement, case {case['number']}")}
                              for d in slot.disagreements]})
    return {"key": "panel_outcomes", "title": "Outcomes", "cases": cases}


SECTIONS = {
    MINUTES: (details, attendance, agenda, childs_views, board, agency_offers, scaling,
              actions, decision, distribution),
    ACTIONS_SHEET: (details, actions),
    PANEL_AGENDA: (details, panel_cases, distribution),
    PANEL_OUTCOMES: (details, attendance, panel_outcomes, distribution),
}


def kinds_for(meeting):
    """The documents a meeting issues: the panel's agenda and outcomes, or the minutes and the
    Stability Actions sheet (when the actions domain is there)."""
    if meeting.type.is_panel:
        return [PANEL_AGENDA, PANEL_OUTCOMES]
    kinds = [MINUTES]
    if _optional("facilitator.actions.services") is not None:
        kinds.append(ACTIONS_SHEET)
    return kinds


def build(meeting, kind, corrections=None):
    """The draft of one document: its title, header lines and sections, and the texts that
    may be corrected (with the corrections applied)."""
    t = Texts(corrections)
    sections = []
    for section in SECTIONS[kind]:
        t.section = section.__name__
        built = section(meeting, t)
        if built is not None:
            sections.append(built)
    subject = (_panel_title(meeting) if meeting.type.is_panel
               else f"{meeting.child.name} ({meeting.child.case_reference})")
    title = f"{KINDS[kind]}: {meeting.type.name}, {subject}" if not meeting.type.is_panel \
        else f"{KINDS[kind]}: {subject}"
    return {"kind": kind, "title": title, "kind_label": KINDS[kind],
            "classification": CLASSIFICATION, "lang": "en-GB",
            "running_head": f"{KINDS[kind]} · {subject} · {_day(meeting.scheduled_at)}",
            "sections": sections, "texts": t.entries}
