"""Documents: closing a meeting and drafting its minutes, the chair's preview and corrections,
PDFs rendered off the live path and issued as immutable versions, downloads and distribution."""


def init_app(app):
    from facilitator.documents import fragments, sections, views  # noqa: F401

    app.register_blueprint(views.bp)
