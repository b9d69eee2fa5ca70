"""Staff accounts: sign in, sign out, and the `flask create-user` command."""


def init_app(app):
    from facilitator.accounts import cli, views  # noqa: F401  (cli adds its command to the blueprint)

    app.register_blueprint(views.bp)
