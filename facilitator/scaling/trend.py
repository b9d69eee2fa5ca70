"""The stability scores of a child's earlier meetings as a trend, drawn on the server as SVG.

One point per meeting: the median of its last revealed round. The two seed scales run in
opposite directions (0–10, higher is more stable; 1–5, lower is more stable), so each point is
placed by how stable it says the placement is, with "more stable" at the top, and labelled with
the median on its own scale. Geometry only: templates/scaling/_trend.html draws it.
"""
import statistics

from facilitator.clock import london_format
from facilitator.extensions import db
from facilitator.scaling.models import REVEALED, ScaleRound
from facilitator.scaling.services import counted_scores

SLOT = 150               # width given to each meeting
TOP, PLOT_HEIGHT, BOTTOM, SIDE = 56, 200, 50, 190


def meeting_medians(meetings):
    """[(meeting, round, median)] for each meeting with a revealed round, in the given order."""
    points = []
    for meeting in meetings:
        round_ = db.session.scalar(
            db.select(ScaleRound).filter_by(meeting_id=meeting.id, status=REVEALED)
            .order_by(ScaleRound.number.desc()).limit(1))
        values = [s.value for s in counted_scores(round_)] if round_ is not None else []
        if values:
            points.append((meeting, round_, statistics.median(values)))
    return points


def stability(scale, value):
    """0 for the scale's least stable end, 1 for its most stable."""
    share = (value - scale.minimum) / (scale.maximum - scale.minimum)
    return share if scale.higher_is_stable else 1 - share


def stability_trend(meetings):
    """The chart for these meetings (oldest first), or None when none has a revealed round."""
    points = meeting_medians(meetings)
    if not points:
        return None
    width = SIDE * 2 + SLOT * max(len(points) - 1, 1)
    axis_y = TOP + PLOT_HEIGHT
    step = SLOT if len(points) > 1 else 0
    drawn = []
    for index, (meeting, round_, median) in enumerate(points):
        scale = round_.scale
        x = SIDE + index * step + (SLOT / 2 if len(points) == 1 else 0)
        y = axis_y - PLOT_HEIGHT * stability(scale, median)
        drawn.append({"x": round(x, 1), "y": round(y, 1), "median": median,
                      "range": f"{scale.minimum}–{scale.maximum}",
                      "date": london_format(meeting.scheduled_at, "%-d %b %Y"),
                      "type": meeting.type.name, "label": scale.label(int(median))
                      if median == int(median) else ""})
    return {"width": width, "height": axis_y + BOTTOM, "top": TOP, "axis_y": axis_y,
            "left": SIDE - 20, "right": width - SIDE + 20, "points": drawn,
            "line": " ".join(f"{p['x']},{p['y']}" for p in drawn),
            "text": describe_trend(drawn)}


def describe_trend(points):
    """The trend in words, for screen readers and anyone who cannot see the chart."""
    parts = [f"{p['date']} ({p['type']}): median {p['median']:g} on the {p['range']} scale"
             + (f", {p['label']}" if p["label"] else "") for p in points]
    return "Stability scores at earlier meetings, oldest first: " + "; ".join(parts) + "."

