"""How Stability Actions look to each audience, and `board`: what a meeting's pages need for
the actions, the review's carry-forward, the decision, the child's views and agency offers.

An action is an <li id="action-N"> in #actions-list (or, in a review, #carried-list for the
child's earlier actions), redrawn whole on each change; its edit and status forms sit in
<details>, so a redraw never empties a box someone is typing in (see meeting.js). Forms that
add something are drawn once with the page. The projector shows owners' roles, never their
names (meetings.labels), and no notes.
"""
from flask import render_template

from facilitator import clock
from facilitator.actions import services
from facilitator.actions.models import Action
from facilitator.decisions import services as decisions
from facilitator.extensions import db
from facilitator.live.render import Update, once_per_event, renders
from facilitator.meetings.labels import room_now
from facilitator.meetings.models import ADMITTED, Meeting, Participant
from facilitator.scaling.trend import stability_trend


def owner_choices(meeting_id):
    return db.session.scalars(db.select(Participant).filter_by(
        meeting_id=meeting_id, status=ADMITTED).order_by(Participant.id)).all()


def common(meeting, audience):
    return {"meeting": meeting, "audience": audience, "fragment": True,
            "today": clock.london_today(), "people": owner_choices(meeting.id)}


def board(meeting):
    """What the meeting pages need for these sections (None on a panel)."""
    if meeting.type.is_panel:
        return None
    carried = None
    if services.carries_forward(meeting):
        earlier = services.earlier_meetings(meeting)
        # The latest decision: a meeting in between (a Multi-Agency one) may not record one.
        decided = next((m for m in reversed(earlier) if decisions.decision_for(m.id)), None)
        carried = {"previous": earlier[-1] if earlier else None, "decided": decided,
                   "actions": services.earlier_actions(meeting),
                   "decision": decisions.decision_view(decided) if decided else None,
                   "trend": stability_trend(earlier)}
    return {"actions": services.meeting_actions(meeting.id), "carried": carried,
            "decision": decisions.decision_view(meeting) if decisions.has_decision(
                meeting.type) else None,
            **decisions.voices_for(meeting.id), "today": clock.london_today(),
            "people": owner_choices(meeting.id)}


def render_action(action, audience, meeting, carried=False):
    return render_template("actions/_action.html", action=action, carried=carried,
                           **common(meeting, audience))


def actor_name(event, audience):
    """Who made the change, as this audience names them: a role on the projector."""
    return room_now(event.meeting_id)[event.actor_id].for_audience(audience)


def short(text):
    return text if len(text) <= 80 else text[:79] + "…"


@renders("actions.proposed", "actions.confirmed", "actions.edited")
def action_changed(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    action = db.session.get(Action, event.payload["action"])
    update = Update().upsert("actions-list", render_action(action, audience, meeting))
    words = {"actions.proposed": f"New action from {actor_name(event, audience)}",
             "actions.confirmed": "Action confirmed",
             "actions.edited": "Action changed"}[event.type]
    if event.type == "actions.proposed" and action.is_confirmed:
        words = f"New action agreed, from {actor_name(event, audience)}"
    update.announce = f"{words}: {short(action.what)}"
    return update


@renders("participant.admitted", "participant.removed")
def owners_changed(event, audience):
    """Someone was let in or removed: every "Who will do it" list offers the people in the
    meeting now (the projector has no forms; a panel has no actions)."""
    meeting = db.session.get(Meeting, event.meeting_id)
    if audience == "projector" or meeting is None or meeting.type.is_panel:
        return None
    html = once_per_event(event, "owner choices", lambda: render_template(
        "actions/_owner_choices.html", people=owner_choices(meeting.id)))
    return Update().upsert("actions", html)


@renders("actions.status_set")
def status_set(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    action = db.session.get(Action, event.payload["action"])
    carried = action.meeting_id != meeting.id
    update = Update().upsert("carried-list" if carried else "actions-list",
                             render_action(action, audience, meeting, carried=carried))
    update.announce = f"Action marked {action.status_label.lower()}: {short(action.what)}"
    return update


@renders("scaling.scored")
def owner_renamed(event, audience):
    """A young person chose, as they scored, how they are shown: the actions they own say so
    (the projector names roles, so it has nothing to change)."""
    if not event.payload.get("renamed") or audience == "projector":
        return None
    meeting = db.session.get(Meeting, event.meeting_id)
    update = Update()
    for action in services.meeting_actions(meeting.id):
        if action.owner_participant_id == event.payload["participant"]:
            update.upsert("actions-list", render_action(action, audience, meeting))
    return update
