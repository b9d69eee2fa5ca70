"""The spread of a revealed round as a bar chart, drawn on the server as SVG.

Geometry only: templates/scaling/_chart.html draws it. Large type and thick bars, because it
is read from across a room on a projector.
"""
from collections import Counter

SLOT = 64          # width given to each value on the scale
PLOT_HEIGHT = 180  # tallest bar
TOP, BOTTOM, SIDE = 40, 84, 24


def spread_chart(scale, values, median):
    counts = Counter(values)
    tallest = max(counts.values())
    width = SIDE * 2 + SLOT * len(scale.values)
    axis_y = TOP + PLOT_HEIGHT
    bars = []
    for index, value in enumerate(scale.values):
        count = counts.get(value, 0)
        height = round(PLOT_HEIGHT * count / tallest) if count else 0
        x = SIDE + index * SLOT
        bars.append({"value": value, "count": count, "x": x + 8, "width": SLOT - 16,
                     "y": axis_y - height, "height": height, "centre": x + SLOT / 2})
    return {
        "width": width, "height": axis_y + BOTTOM, "axis_y": axis_y, "bars": bars,
        "median_x": SIDE + (median - scale.minimum) * SLOT + SLOT / 2,
        "left": SIDE, "right": width - SIDE,
        # Which way is better, in words under the axis (the two seed scales run opposite ways).
        "left_words": "more stable" if not scale.higher_is_stable else "less stable",
        "right_words": "more stable" if scale.higher_is_stable else "less stable",
        "text": describe_spread(scale, counts, median, min(values), max(values)),
    }


def describe_spread(scale, counts, median, low, high):
    """The chart as a sentence, for screen readers and anyone who cannot see the bars."""
    parts = []
    for value in scale.values:
        if counts.get(value):
            people = "1 person" if counts[value] == 1 else f"{counts[value]} people"
            parts.append(f"{people} scored {value}")
    return (f"{'; '.join(parts)}. Median {median:g}, range {low} to {high}, "
            f"on a scale of {scale.minimum} to {scale.maximum}.")
