"""The meeting's decision (placement, planned-move approval, review date, telephone monitoring,
who is told) and what it heard: the child's views, wishes and feelings, and each agency's offer
of support."""


def init_app(app):
    from facilitator.decisions import fragments, sockets, views  # noqa: F401

    app.register_blueprint(views.bp)
