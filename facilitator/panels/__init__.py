"""Step Up / Step Down panels (seed 003): fortnightly series per locality, the panel meeting
for a date with its deadlines, case slots with criteria, outcomes and follow-up deadlines."""


def init_app(app):
    from facilitator.panels import fragments, sections, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
