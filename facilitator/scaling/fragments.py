"""How scaling events look to each audience.

Renderers draw the round as it stands now, from the database, through `round_view`: scores
appear only once the round is revealed, so replaying an old event can never show a hidden one.
"""
from flask import render_template

from facilitator.extensions import db
from facilitator.live.render import Update, once_per_event, renders
from facilitator.meetings.models import Meeting, Participant
from facilitator.scaling import services
from facilitator.scaling.models import ScaleRound


def render_round(meeting, view, previous, audience):
    """One round for one audience. Without `mine`, a person's own score arrives by its own
    request (rounds are broadcast, and a broadcast never carries anyone's score)."""
    return render_template("scaling/_round.html", view=view, audience=audience,
                           meeting=meeting, fragment=True, previous=previous)


def render_my_score(round_, seat):
    """A person's own score form, for them alone: never part of a broadcast."""
    if not round_.is_open:
        return f'<div id="round-{round_.id}-mine" hidden></div>'
    return render_template("scaling/_my_score.html", round_=round_, scale=round_.scale,
                           seat=seat, mine=services.my_score(round_.id, seat), fragment=True)


def render_tally(view, audience):
    return render_template("scaling/_tally.html", view=view, audience=audience,
                           meeting_id=view["round"].meeting_id, fragment=True)


def render_controls(meeting_id):
    meeting = db.session.get(Meeting, meeting_id)
    return render_template("scaling/_controls.html", meeting=meeting, fragment=True,
                           open_round=services.open_round_of(meeting_id),
                           rounds=services.rounds_of(meeting_id))


def _round_of(event):
    return db.session.get(ScaleRound, event.payload["round"])


def _view(event, round_):
    """The round as everyone may see it, worked out once for all three audiences."""
    return once_per_event(event, f"round-{round_.id}", lambda: services.round_view(round_))


def _whole_round(event, round_, audience):
    meeting = db.session.get(Meeting, round_.meeting_id)
    previous = once_per_event(event, "previous", lambda: services.previous_result(meeting))
    rounds = once_per_event(event, "rounds", lambda: services.rounds_of(round_.meeting_id))
    update = Update().upsert("scaling-rounds",
                             render_round(meeting, _view(event, round_), previous, audience))
    update.order("scaling-rounds", [f"round-{r.id}" for r in rounds])
    if audience == "chair":
        update.upsert("scaling", render_controls(round_.meeting_id))
        update.upsert("scaling-console", render_console(round_.meeting_id))
    return update


def render_console(meeting_id):
    """The chair's open, count and reveal in the console (live/sections.py)."""
    meeting = db.session.get(Meeting, meeting_id)
    return render_template("scaling/_console.html", meeting=meeting, audience="chair",
                           scaling=services.panel(meeting), fragment=True)


def _tally(event, view, audience):
    """The tally differs for each audience: the chair's has the reveal button, the projector's
    names roles where the others name people (meetings.labels)."""
    return once_per_event(event, f"tally-{view['round'].id}-{audience}",
                          lambda: render_tally(view, audience))


@renders("scaling.round_opened", "scaling.round_revealed", "scaling.round_reopened")
def round_changed(event, audience):
    round_ = _round_of(event)
    update = _whole_round(event, round_, audience)
    view = _view(event, round_)
    results = view["results"]
    if round_.is_revealed:
        update.announce = f"Scores revealed for round {round_.number}"
        if results:
            update.announce += (f": median {results['median']:g}, range {results['low']} to "
                                f"{results['high']}")
        update.announce += "."
    else:
        update.announce = (f"Scaling round {round_.number} is open. "
                           f"{view['scored']} of {view['total']} have scored.")
    return update


@renders("scaling.scored", "scaling.sent_in_advance")
def scored(event, audience):
    round_id = event.payload.get("round")
    update = Update()
    if audience == "chair" and event.type == "scaling.sent_in_advance":
        person = db.session.get(Participant, event.payload["participant"])
        update.upsert("advance-list", render_advance_entry(person))
    round_ = db.session.get(ScaleRound, round_id) if round_id else None
    if round_ is None:
        return update
    if not round_.is_open:  # replayed after the reveal: show the round as it is now
        return update.extend(_whole_round(event, round_, audience))
    view = _view(event, round_)
    update.upsert(f"round-{round_.id}", _tally(event, view, audience))
    if audience == "chair":
        update.upsert("scaling-console", render_console(event.meeting_id))
    update.announce = f"{view['scored']} of {view['total']} have scored."
    return update


@renders("participant.admitted", "participant.removed", "participant.role_changed")
def members_changed(event, audience):
    """Someone joined or left: the open round's "7 of 9" changes."""
    round_ = once_per_event(event, "open round", lambda: services.open_round_of(event.meeting_id))
    if round_ is None:
        return None
    update = Update().upsert(f"round-{round_.id}", _tally(event, _view(event, round_), audience))
    if audience == "chair":
        update.upsert("scaling-console", render_console(event.meeting_id))
    return update


def render_advance_entry(person):
    sent = services.advance_sent_at(person) is not None
    return render_template("scaling/_advance_entry.html", person=person, sent=sent,
                           fragment=True)


@renders("participant.invited")
def invited(event, audience):
    if audience != "chair":
        return None
    person = db.session.get(Participant, event.payload["participant"]["id"])
    return (Update(announce=f"{person.name} can now send their score in advance.")
            .upsert("advance-list", render_advance_entry(person)))
