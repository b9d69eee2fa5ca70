"""The timeboxed agenda: the chair runs it, everyone sees the same countdown (timestamps in the
database, never a thread per timer), warnings at two minutes and the overrun kept."""


def init_app(app):
    from facilitator.agenda import fragments, sections, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
