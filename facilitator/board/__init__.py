"""The flipchart board: cards in the meeting type's columns, added and tidied live."""


def init_app(app):
    from facilitator.board import fragments, sections, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
