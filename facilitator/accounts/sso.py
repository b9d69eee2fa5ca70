"""Single sign-on through the authority's OpenID Connect provider (Authlib's Flask client).

Configured from the environment (FACILITATOR_OIDC_*, see config). The provider vouches for an
email address; the person signs in to the active Facilitator account with that address. No
account is created on the way: an administrator decides who has one.
"""
from authlib.integrations.flask_client import OAuth
from flask import current_app

from facilitator.errors import Refused

PROVIDER = "authority"
EXTENSION = "facilitator.sso"


def init_app(app):
    # One registry per app, not one in extensions.py: Authlib's Flask registry keeps a single app
    # and caches its clients, so a module-wide one would serve every app the first app's provider.
    if app.config["OIDC_ISSUER"]:
        oauth = app.extensions[EXTENSION] = OAuth(app)
        oauth.register(
            PROVIDER,
            server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
            + "/.well-known/openid-configuration",
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            client_kwargs={"scope": "openid email profile"})


def enabled():
    return EXTENSION in current_app.extensions


def provider():
    if not enabled():
        raise Refused("Single sign-on is not set up here. Sign in with your email address "
                      "and password.", 404)
    return current_app.extensions[EXTENSION].create_client(PROVIDER)


def verified_email(token):
    """The email address the provider vouches for in its ID token, or Refused."""
    claims = token.get("userinfo") or {}
    email = claims.get("email")
    if not email or claims.get("email_verified") is False:
        raise Refused("Your organisation's sign-in did not give a confirmed email address, so "
                      "we cannot tell which account is yours.", 403)
    return email
