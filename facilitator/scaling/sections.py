"""Scaling on the meeting's pages: the rounds, and the chair's open and reveal in the console."""
from facilitator.live import sections
from facilitator.scaling.services import panel

sections.section("scaling", "Scaling", "scaling/_panel.html", 60)
sections.console("scaling", "scaling/_console.html", 30)


@sections.page_values
def scaling_values(meeting, audience, seat):
    return {"scaling": panel(meeting, seat)}
