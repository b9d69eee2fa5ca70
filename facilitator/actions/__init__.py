"""Stability Actions (seeds 002, 004): captured live in the meeting, confirmed by the chair or
minute taker, due dates computed from timescales; the Child's Plan across a child's meetings,
the carer's supervision record, exports, and the review's carry-forward."""


def day(value):
    """A date as people read it: 14 December 2026."""
    return value.strftime("%-d %B %Y") if value else ""


def init_app(app):
    from facilitator.actions import fragments, sections, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.add_template_filter(day, "day")
