"""How the decision, the child's views and agency offers look to each audience. The decision's
summary (#decision-summary, in section#decision) is redrawn on each change; the chair's form
beside it is not."""
from flask import render_template

from facilitator.actions.fragments import actor_name, common, render_action, short
from facilitator.actions.models import Action
from facilitator.decisions import services as decisions
from facilitator.decisions.models import AgencyOffer, ChildView
from facilitator.extensions import db
from facilitator.live.render import Update, renders
from facilitator.meetings.models import Meeting


def render_decision(meeting, audience):
    return render_template("decisions/_summary.html", view=decisions.decision_view(meeting),
                           **common(meeting, audience))


@renders("decisions.recorded", "decisions.notified")
def decision_changed(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    update = Update().upsert("decision", render_decision(meeting, audience))
    for action_id in event.payload.get("redated", []):
        update.upsert("actions-list", render_action(db.session.get(Action, action_id),
                                                    audience, meeting))
    view = decisions.decision_view(meeting)
    if event.type == "decisions.notified":
        label = next((t["label"] for t in view["notify"] if t["key"] == event.payload["kind"]),
                     "")
        update.announce = f"Ticked: {label} has been told."
    else:
        update.announce = "The chair recorded the decision" + (
            f": {view['outcome_label']}" if view.get("outcome_label") else "") + "."
        if view["warning"]:
            update.announce += f" Warning: {view['warning']}"
    return update


@renders("decisions.view_added")
def view_added(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    view = db.session.get(ChildView, event.payload["view"])
    html = render_template("decisions/_view.html", view=view, **common(meeting, audience))
    return Update(announce=f"The child's views, added by {actor_name(event, audience)}: "
                           f"{short(view.text)}").upsert("child-views-list", html)


@renders("decisions.offer_saved")
def offer_saved(event, audience):
    meeting = db.session.get(Meeting, event.meeting_id)
    offer = db.session.get(AgencyOffer, event.payload["offer"])
    html = render_template("decisions/_offer.html", offer=offer, **common(meeting, audience))
    update = Update(announce=f"Support {offer.agency} can provide: {short(offer.offer)}")
    update.upsert("offers-list", html)
    update.order("offers-list", [f"offer-{o.id}" for o in decisions.voices_for(
        meeting.id)["offers"]])
    return update


@renders("scaling.scored")
def author_renamed(event, audience):
    """A young person chose, as they scored, how what they add is shown: the child's views they
    added say so (the projector names roles, so it has nothing to change)."""
    if not event.payload.get("renamed") or audience == "projector":
        return None
    meeting = db.session.get(Meeting, event.meeting_id)
    update = Update()
    for view in decisions.voices_for(meeting.id)["views"]:
        if view.added_by_id == event.payload["participant"]:
            update.upsert("child-views-list", render_template(
                "decisions/_view.html", view=view, **common(meeting, audience)))
    return update
