"""A panel's cases on the meeting's pages."""
from facilitator.live import sections
from facilitator.panels.services import panel_view

sections.section("panel", "Cases", "panels/_area.html", 15,
                 applies=lambda meeting: meeting.type.is_panel)


@sections.page_values
def panel_values(meeting, audience, seat):
    return {"panel": panel_view(meeting) if meeting.type.is_panel else None}
