"""The audit trail: every change to the database, with who made it, when, and each value
before and after; the chair's view of their meeting's trail, the administrator's of all, the
export, and deleting a meeting (whose one surviving entry says who deleted it and when)."""


def init_app(app):
    from facilitator.audit import trail, views

    trail.listen()
    app.register_blueprint(views.bp)
