"""Staff accounts: sign in (password or the authority's single sign-on), sign out, the
administrator's accounts page, and the `flask create-user` command."""


def init_app(app):
    # cli adds its command to the blueprint
    from facilitator.accounts import cli, sso, views  # noqa: F401

    app.register_blueprint(views.bp)
    sso.init_app(app)
