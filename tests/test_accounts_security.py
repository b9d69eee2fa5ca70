"""Staff accounts: sign-ins held on the server (sign-out and deactivation end copied cookies),
expiry, cookie flags, rate limits on sign-in and join codes, the administrator's accounts page,
and single sign-on against a real local OpenID Connect provider (oidc-provider-mock)."""
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
import requests

from facilitator import clock
from facilitator.accounts.models import StaffSession, User
from facilitator.accounts.services import create_user
from facilitator.extensions import db
from tests.conftest import PASSWORD, build_app, csrf_from, new_meeting, sign_in, socket_client


def sign_out(client):
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post("/sign-out", data={"csrf_token": token})


def session_cookie(client):
    return client.get_cookie("session").value


def signed_in_as(client):
    """Whose "Your meetings" page the client gets, or None when it is sent to sign in."""
    response = client.get("/meetings/new")
    if response.status_code == 302 and "/sign-in" in response.headers["Location"]:
        return None
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def copy_of(app, client):
    """Another browser holding a copy of this client's session cookie."""
    other = app.test_client()
    other.set_cookie("session", session_cookie(client))
    return other


def failed_sign_in(client, email, password="not the password"):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"csrf_token": token, "email": email,
                                         "password": password})


# ---- Sign-ins held on the server ----------------------------------------------------------------

def test_signing_out_ends_the_sign_in_even_for_a_copied_cookie(app, client, chair_user):
    sign_in(client, chair_user.email)
    stolen = copy_of(app, client)
    assert signed_in_as(stolen) is not None
    sign_out(client)
    assert signed_in_as(client) is None
    assert signed_in_as(stolen) is None, "a copied cookie still works after signing out"
    row = db.session.scalar(db.select(StaffSession).filter_by(user_id=chair_user.id))
    assert row.revoked_at is not None


def test_the_cookie_holds_no_user_id_only_a_random_session_id(app, client, chair_user):
    sign_in(client, chair_user.email)
    with client.session_transaction() as session:
        assert set(session) >= {"staff_session"} and "user_id" not in session
        assert len(session["staff_session"]) >= 40


def test_a_sign_in_expires_after_the_working_day(app, client, chair_user, monkeypatch):
    start = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: start)
    sign_in(client, chair_user.email)
    monkeypatch.setattr(clock, "utcnow", lambda: start + timedelta(hours=11, minutes=59))
    assert signed_in_as(client) is not None
    monkeypatch.setattr(clock, "utcnow", lambda: start + timedelta(hours=12, minutes=1))
    assert signed_in_as(client) is None


def test_a_revoked_sign_in_cannot_open_a_live_connection(app, client, chair_user):
    sign_in(client, chair_user.email)
    stolen = copy_of(app, client)
    assert socket_client(app, stolen).is_connected()
    sign_out(client)
    assert not socket_client(app, stolen).is_connected()


def test_a_revoked_sign_in_loses_the_chairs_seat(app, client, chair_user):
    meeting = new_meeting(chair_user)
    sign_in(client, chair_user.email)
    stolen = copy_of(app, client)
    assert stolen.get(f"/meetings/{meeting.id}").status_code == 200
    sign_out(client)
    response = stolen.get(f"/meetings/{meeting.id}")
    assert response.status_code == 404  # as for anyone outside the meeting
    assert meeting.child.name not in response.get_data(as_text=True)


# ---- Cookies ------------------------------------------------------------------------------------

def test_session_cookies_are_http_only_and_same_site(client, chair_user):
    response = sign_in(client, chair_user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the tests run as local development, over plain HTTP


def test_outside_local_development_cookies_are_https_only(tmp_path, monkeypatch):
    monkeypatch.setenv("FACILITATOR_ENV", "production")
    monkeypatch.delenv("FACILITATOR_SECURE_COOKIES", raising=False)
    app = build_app(f"sqlite:///{tmp_path / 'prod.db'}")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("FACILITATOR_ENV", "development")
    assert build_app(f"sqlite:///{tmp_path / 'dev.db'}").config["SESSION_COOKIE_SECURE"] is False


# ---- Rate limits -------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_for_a_while(client, chair_user, other_staff):
    for _ in range(5):
        assert failed_sign_in(client, chair_user.email).status_code == 401
    # Even the right password is turned away now, with a sentence that says what to do.
    response = failed_sign_in(client, chair_user.email, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts to sign in. Wait 15 minutes, then try again." in page
    assert signed_in_as(client) is None
    # Another account from the same address is not locked by someone else's mistakes.
    assert sign_in(client, other_staff.email).status_code == 302


def test_many_attempts_from_one_address_are_slowed_down(client, chair_user):
    for number in range(20):
        assert failed_sign_in(client, f"nobody{number}@example.org").status_code == 401
    assert failed_sign_in(client, chair_user.email, PASSWORD).status_code == 429


def test_a_right_sign_in_does_not_count_towards_the_account_lock(client, chair_user):
    for _ in range(6):
        assert sign_in(client, chair_user.email).status_code == 302


def test_wrong_join_codes_are_limited_but_right_ones_never(client, chair_user):
    meeting = new_meeting(chair_user)
    for _ in range(25):
        assert client.get(f"/join/{meeting.join_code}").status_code == 200
    for _ in range(20):
        assert client.get("/join/ZZZZZZ").status_code == 404
    response = client.get("/join/ZZZZZZ")
    assert response.status_code == 429
    assert "Too many codes that did not match a meeting" in response.get_data(as_text=True)


# ---- The administrator's accounts page ---------------------------------------------------------

@pytest.fixture
def admin(app):
    return create_user("admin@example.org", "Robin Admin", PASSWORD, "Business Support",
                       is_admin=True)


def post_form(client, path, page, **fields):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def test_only_an_administrator_sees_the_accounts(client, chair_user, admin):
    assert client.get("/admin/accounts").status_code == 302  # to sign in
    sign_in(client, chair_user.email)
    assert client.get("/admin/accounts").status_code == 403
    response = client.post(f"/admin/accounts/{admin.id}/active",
                           data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True)),
                                 "active": "0"})
    assert response.status_code == 403
    assert db.session.get(User, admin.id).active
    sign_out(client)
    sign_in(client, admin.email)
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert chair_user.email in page and admin.email in page


def test_an_administrator_sets_up_an_account_that_can_sign_in(app, client, admin):
    sign_in(client, admin.email)
    response = post_form(client, "/admin/accounts", "/admin/accounts",
                         email="New.Worker@Example.org", name="Kit <b>Lane</b>",
                         job_title="Social Worker", password="a long first password")
    assert response.status_code == 303
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "Kit &lt;b&gt;Lane&lt;/b&gt;" in page and "new.worker@example.org" in page
    other = app.test_client()
    assert sign_in(other, "new.worker@example.org", "a long first password").status_code == 302

    short = post_form(client, "/admin/accounts", "/admin/accounts", email="x@example.org",
                      name="X", password="short")
    assert short.status_code == 400
    assert "The password must be at least 10 characters." in short.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="x@example.org")) is None


def test_deactivating_an_account_ends_its_sign_ins_at_once(app, client, chair_user, admin):
    worker = app.test_client()
    sign_in(worker, chair_user.email)
    assert signed_in_as(worker) is not None
    sign_in(client, admin.email)
    post_form(client, f"/admin/accounts/{chair_user.id}/active", "/admin/accounts", active="0")
    assert signed_in_as(worker) is None
    assert failed_sign_in(app.test_client(), chair_user.email, PASSWORD).status_code == 401
    post_form(client, f"/admin/accounts/{chair_user.id}/active", "/admin/accounts", active="1")
    assert sign_in(app.test_client(), chair_user.email).status_code == 302


def test_an_administrator_cannot_lock_themselves_out(client, admin):
    sign_in(client, admin.email)
    response = post_form(client, f"/admin/accounts/{admin.id}/active", "/admin/accounts",
                         active="0")
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = post_form(client, f"/admin/accounts/{admin.id}/admin", "/admin/accounts",
                         admin="0")
    assert response.status_code == 409
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).is_admin


# ---- Single sign-on against a real local OpenID Connect provider -------------------------------

@pytest.fixture
def provider():
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_app(tmp_path, provider, monkeypatch):
    monkeypatch.setenv("FACILITATOR_OIDC_ISSUER", provider)
    monkeypatch.setenv("FACILITATOR_OIDC_CLIENT_ID", "facilitator")
    monkeypatch.setenv("FACILITATOR_OIDC_CLIENT_SECRET", "not-a-real-secret")
    monkeypatch.setenv("FACILITATOR_OIDC_BUTTON", "Cheshire County Council")
    app = build_app(f"sqlite:///{tmp_path / 'sso.db'}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def sign_in_at_provider(client, provider, sub, claims):
    """The person's browser: our app sends it to the provider, they sign in there, and the
    provider sends them back to our callback with a code our app exchanges for their identity."""
    assert requests.put(f"{provider}/users/{quote(sub)}", json=claims, timeout=5).status_code \
        == 204
    start = client.get("/sign-in/sso")
    assert start.status_code == 302 and start.headers["Location"].startswith(provider)
    authorised = requests.post(start.headers["Location"], data={"sub": sub},
                               allow_redirects=False, timeout=5)
    assert authorised.status_code == 302, authorised.text
    back = urlsplit(authorised.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_single_sign_on_signs_in_the_account_with_that_email(sso_app, provider):
    user = create_user("alex.morgan@example.org", "Alex Morgan", PASSWORD, "Team Manager")
    client = sso_app.test_client()
    assert "Sign in with Cheshire County Council" in client.get("/sign-in").get_data(
        as_text=True)
    response = sign_in_at_provider(client, provider, "alex-123",
                                   {"email": "Alex.Morgan@example.org", "name": "Alex Morgan"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your meetings" in client.get("/").get_data(as_text=True)
    row = db.session.scalar(db.select(StaffSession).filter_by(user_id=user.id))
    assert row.method == "sso"


def test_single_sign_on_makes_no_account_for_a_stranger(sso_app, provider):
    client = sso_app.test_client()
    response = sign_in_at_provider(client, provider, "stranger",
                                   {"email": "stranger@example.org", "name": "A Stranger"})
    assert response.status_code == 403
    assert "There is no Facilitator account for that sign-in" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert signed_in_as(client) is None


def test_a_forged_callback_signs_nobody_in(sso_app, provider):
    create_user("alex.morgan@example.org", "Alex Morgan", PASSWORD, "Team Manager")
    client = sso_app.test_client()
    client.get("/sign-in/sso")
    response = client.get("/sign-in/sso/callback?code=made-up&state=made-up")
    assert response.status_code == 401
    assert "did not finish" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_without_a_provider_there_is_no_single_sign_on(client):
    assert "Sign in with" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/sso").status_code == 404
