"""Pages about the service itself, open to everyone without signing in: the accessibility
statement (linked from every page's footer)."""


def init_app(app):
    from facilitator.pages import views

    app.register_blueprint(views.bp)
