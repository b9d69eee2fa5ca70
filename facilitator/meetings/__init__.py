"""Meetings: creating one for a child, joining it, the lobby, and the three views of it."""


def init_app(app):
    from facilitator.meetings import cli, fragments, views  # noqa: F401

    app.register_blueprint(views.bp)
