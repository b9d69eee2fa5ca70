"""The draft of each document, built from what the meeting recorded: one function per section.

A draft is plain data (strings, numbers, lists), so the rendering process needs nothing but the
draft, and the preview page and the PDF are drawn from the same thing. Every text a person typed
goes through `Texts`, which applies the chair's corrections over the meeting's record (the record
itself is never edited) and lists the texts the preview page offers to correct. Only revealed
scaling rounds are read: an unrevealed score never reaches a document. People are named by
their shown name (meetings.labels): a young person who chose to be shown as "Young person" is
so for everything they added; the attendance keeps everyone's name, as the record of who came.
"""
from datetime import timedelta

from flask import current_app, render_template

from facilitator import clock
from facilitator.actions.services import meeting_actions
from facilitator.agenda.services import items_with_extensions
from facilitator.board.services import board_cards
from facilitator.decisions import services as decisions
from facilitator.documents.distribution import recipients
from facilitator.documents.models import (
    ACTIONS_SHEET,
    ATTENDANCE,
    KINDS,
    MINUTES,
    PANEL_AGENDA,
    PANEL_OUTCOMES,
)
from facilitator.documents.people import (
    attendance_of,
    attendees,
    role_of,
    same_words,
    seat_with_part,
    seats,
)
from facilitator.errors import Refused
from facilitator.meetings.labels import room_now
from facilitator.meetings.models import CHAIR, MINUTE_TAKER
from facilitator.panels import services as panels
from facilitator.scaling.services import round_views, rounds_of

CLASSIFICATION = "OFFICIAL-SENSITIVE"
DAY = "%A %-d %B %Y"
TIME = "%H:%M"

# Each section's heading, by the name of the function that makes it.
TITLES = {
    "details": "Meeting details", "attendance": "Attendees", "agenda": "Agenda",
    "childs_views": "The child's views, wishes and feelings", "board": "What the meeting said",
    "agency_offers": "What support each agency can provide", "scaling": "Scaling",
    "actions": "Stability Actions", "decision": "Decision", "distribution": "Distribution",
    "panel_cases": "Cases", "panel_outcomes": "Outcomes",
}


class SectionMissing(Refused):
    """A section the document lists could not be made from the meeting's record. The document
    is not drafted without it: a shorter one would be issued as if it were complete."""

    def __init__(self, kind, key):
        super().__init__(
            f"{KINDS[kind]}: the document could not be drafted, because its section "
            f"“{TITLES.get(key, key)}” could not be made from what the meeting recorded. "
            "Nothing has been issued or sent. Ask the service's administrator (your IT team) "
            "to look at the server's log, then try again.", 500)
        self.kind, self.key = kind, key


class Texts:
    """Typed texts with the chair's corrections applied, remembered for the correction form.

    It also keeps what several sections read of the meeting (`once`): the people, the child's
    views and the offers, the panel's cases are read once per draft, not once per section.
    """

    def __init__(self, corrections):
        self.corrections = corrections or {}
        self.entries = []
        self.section = None
        self.read = {}

    def __call__(self, key, original, label):
        original = original or ""
        text = self.corrections.get(key, original)
        self.entries.append({"id": key, "label": label, "original": original, "text": text,
                             "section": self.section, "corrected": key in self.corrections})
        return text

    def once(self, name, read):
        """`read()` the first time a section asks for `name`; what it gave, after that."""
        if name not in self.read:
            self.read[name] = read()
        return self.read[name]


def _people(meeting, t):
    return t.once("people", lambda: seats(meeting.id))


def _voices(meeting, t):
    return t.once("voices", lambda: decisions.voices_for(meeting.id))


def _day(moment):
    return clock.london_format(moment, DAY)


def _time(moment):
    return clock.london_format(moment, TIME)


# ---- Sections --------------------------------------------------------------------------------

def details(meeting, t):
    people = _people(meeting, t)
    chair, taker = seat_with_part(people, CHAIR), seat_with_part(people, MINUTE_TAKER)
    rows = [("Meeting", meeting.type.name),
            ("Child", f"{meeting.child.name} ({meeting.child.case_reference})"),
            ("Date", _day(meeting.scheduled_at)), ("Time", _time(meeting.scheduled_at)),
            ("Place", meeting.location), ("Chair", chair.name if chair else ""),
            ("Minute taker", taker.name if taker else "None named")]
    if meeting.type.is_panel:
        rows[1] = ("Panel", _panel_title(meeting, t))
    return {"rows": rows}


def attendance(meeting, t):
    """Each person once: their name, what they attend as with their part in running the
    meeting (role_of), and how they took part."""
    people = [{"name": p.name, "role": role_of(p),
               "attendance": ATTENDANCE.get(attendance_of(p), "Present"),
               "internal": p.user_id is not None}
              for p in attendees(_people(meeting, t))]
    people.sort(key=lambda p: (p["role"], p["name"]))
    return {"people": people}


def agenda(meeting, t):
    now = clock.utcnow()
    items = []
    for item in items_with_extensions(meeting.id):
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
    return {"entries": items}


def childs_views(meeting, t):
    views = _voices(meeting, t)["views"]
    return {"views": [{"source": v.source_label,
                       "text": t(f"view-{v.id}", v.text, "The child's view")} for v in views]}


def board(meeting, t):
    cards = board_cards(meeting)
    columns = []
    for column in meeting.type.columns:
        columns.append({"question": column["question"], "cards": [
            t(f"card-{c['id']}", c["text"], f"Card {n} under “{column['question']}”")
            for n, c in enumerate(cards.get(column["key"], []), 1)]})
    return {"columns": columns}


def agency_offers(meeting, t):
    offers = _voices(meeting, t)["offers"]
    return {"offers": [{"agency": t(f"agency-{o.id}", o.agency, "Agency"),
                        "offer": t(f"offer-{o.id}", o.offer, f"What {o.agency} can provide")}
                       for o in offers]}


def scaling(meeting, t):
    """Every revealed round, oldest first. An open round is not read at all."""
    rounds = []
    revealed = [round_ for round_ in reversed(rounds_of(meeting.id)) if round_.is_revealed]
    for round_, view in zip(revealed, round_views(revealed)):
        results = view["results"]
        entry = {"number": round_.number, "scale": round_.scale.name,
                 "question": t(f"question-{round_.id}", round_.question,
                               f"Scaling question, round {round_.number}"),
                 "scores": [], "chart_svg": "", "chart_text": ""}
        if results:
            entry.update(
                # A young person shown as "Young person" is not "Young person, Young person".
                scores=[{"value": s["value"], "label": s["label"], "name": s["name"],
                         "role": "" if same_words(s["role"], s["name"]) else s["role"],
                         "in_advance": s["in_advance"], "was": s["was"],
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
    return {"rounds": rounds}


def actions(meeting, t):
    rows, names = [], room_now(meeting.id)
    for action in meeting_actions(meeting.id):
        if not action.is_confirmed:
            continue  # a proposal the chair never confirmed is not a Stability Action
        owner = names[action.owner_participant_id].shown if action.owner_participant_id \
            else action.owner_name
        rows.append({"what": t(f"action-{action.id}", action.what, "Stability Action"),
                     "owner": owner or "",
                     "due": action.due_on.strftime("%-d %B %Y") if action.due_on
                     else action.timescale_label,
                     "destination": action.destination_label, "status": action.status_label})
    return {"actions": rows}


def decision(meeting, t):
    view = decisions.decision_view(meeting)
    recorded = view["decision"]
    if recorded is None:
        return {"recorded": False}
    return {"recorded": True,
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
    """Who gets the document, as what and how; never their addresses (every recipient reads
    this list)."""
    return {"recipients": [{"name": r["name"], "role": r["role"], "how": r["how"]}
                           for r in recipients(meeting, _people(meeting, t))]}


# ---- Panels ----------------------------------------------------------------------------------

def _panel(meeting, t):
    return t.once("panel", lambda: panels.panel_view(meeting))


def _panel_title(meeting, t):
    return f"{_panel(meeting, t)['title']}, {meeting.type.name}"


def panel_cases(meeting, t):
    """For the agenda circulated before the panel: each case's slot, worker and papers."""
    view = _panel(meeting, t)
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
    return {"cases": cases,
            "deadlines": [("Papers due", clock.london_format(view["papers_due"])),
                          ("Agenda out", clock.london_format(view["agenda_out"])),
                          ("Outcomes out by", clock.london_format(view["outcomes_out"]))]}


def panel_outcomes(meeting, t):
    view = _panel(meeting, t)
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
    return {"cases": cases}


SECTIONS = {
    MINUTES: (details, attendance, agenda, childs_views, board, agency_offers, scaling,
              actions, decision, distribution),
    ACTIONS_SHEET: (details, actions),
    PANEL_AGENDA: (details, panel_cases, distribution),
    PANEL_OUTCOMES: (details, attendance, panel_outcomes, distribution),
}


def kinds_for(meeting):
    """The documents a meeting issues: the panel's agenda and outcomes, or the minutes and the
    Stability Actions sheet."""
    return [PANEL_AGENDA, PANEL_OUTCOMES] if meeting.type.is_panel else [MINUTES, ACTIONS_SHEET]


def sections_for(meeting, kind):
    """The sections a document of this kind has: the decision only where the meeting's type
    records one."""
    if decisions.has_decision(meeting.type):
        return SECTIONS[kind]
    return tuple(section for section in SECTIONS[kind] if section.__name__ != "decision")


def _make(section, meeting, kind, t):
    """One section, with its key and heading. One that cannot be made stops the draft."""
    key = t.section = section.__name__
    try:
        built = section(meeting, t)
    except Refused:
        raise
    except Exception as error:
        current_app.logger.exception("The %s section of the %s of meeting %s failed", key,
                                     kind, meeting.id)
        raise SectionMissing(kind, key) from error
    if built is None:
        current_app.logger.error("The %s section of the %s of meeting %s was empty", key, kind,
                                 meeting.id)
        raise SectionMissing(kind, key)
    return {"key": key, "title": TITLES[key], **built}


def build(meeting, kind, corrections=None):
    """The draft of one document: its title, header lines and sections, and the texts that
    may be corrected (with the corrections applied)."""
    t = Texts(corrections)
    sections = [_make(section, meeting, kind, t) for section in sections_for(meeting, kind)]
    subject = (_panel_title(meeting, t) if meeting.type.is_panel
               else f"{meeting.child.name} ({meeting.child.case_reference})")
    title = f"{KINDS[kind]}: {meeting.type.name}, {subject}" if not meeting.type.is_panel \
        else f"{KINDS[kind]}: {subject}"
    return {"kind": kind, "title": title, "kind_label": KINDS[kind],
            "classification": CLASSIFICATION, "lang": "en-GB",
            "running_head": f"{KINDS[kind]} · {subject} · {_day(meeting.scheduled_at)}",
            "sections": sections, "texts": t.entries}
