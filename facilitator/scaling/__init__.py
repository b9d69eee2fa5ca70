"""The scaling round: every member places the placement on the meeting type's scale, with a
reason, and nobody sees a score but its author until the chair reveals them all."""


def init_app(app):
    from facilitator.scaling import fragments, sections, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
