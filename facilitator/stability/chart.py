"""A child's stability scale over time as a line chart, drawn on the server as SVG.

Geometry only: templates/stability/_history_chart.html draws it. The stable end of the scale
is at the top whichever way the authority's scale runs (the borough's 1 is stable, the
county's 10), so "up" always means "more stable"."""
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 24, 56


def scale_chart(scale, points):
    """`points` [(moment, value, what)] in time order; None when there is nothing to draw."""
    if not points:
        return None
    first, last = points[0][0], points[-1][0]
    span = (last - first).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(moment):
        if span == 0:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (moment - first).total_seconds() / span

    def y_of(value):
        share = (value - scale.minimum) / (scale.maximum - scale.minimum)
        share = share if scale.higher_is_stable else 1 - share
        return TOP + plot_h * (1 - share)

    dots = [{"x": round(x_of(m), 1), "y": round(y_of(v), 1), "value": v, "what": what,
             "moment": m} for m, v, what in points]
    ticks = [{"value": v, "y": round(y_of(v), 1)} for v in scale.values]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
            "top": TOP, "bottom": HEIGHT - BOTTOM, "dots": dots, "ticks": ticks,
            "path": " ".join(f"{'M' if i == 0 else 'L'}{d['x']} {d['y']}"
                             for i, d in enumerate(dots)),
            "first": first, "last": last}
