"""Between meetings (seeds 000, 001, 002): stability concerns and their routing by the
authority's rules (data), route tasks with due dates, telephone monitoring with escalation and
de-escalation, placement moves, a child's placement history and the stability overview."""


def init_app(app):
    from facilitator.stability import models, views  # noqa: F401

    app.register_blueprint(views.bp)
