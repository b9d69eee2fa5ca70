"""Meetings: creating one for a child, joining it, the lobby, and the three views of it."""


def init_app(app):
    from facilitator.meetings import cli, fragments, type_views, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(type_views.bp)
