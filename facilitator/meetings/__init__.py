"""Meetings: creating one for a child, joining it, the lobby, and the three views of it."""


def init_app(app):
    from facilitator.meetings import cli, fragments, labels, sections, type_views, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(type_views.bp)

    @app.context_processor
    def meetings_names():
        # How a page or fragment names people (meetings.labels), under the domain's own name
        # (see facilitator/templating.py): a fresh one per render, so it is never out of date.
        return {"meetings_named": labels.Names()}
