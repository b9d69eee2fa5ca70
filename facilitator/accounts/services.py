"""Staff accounts: creating and managing them, checking passwords (Argon2id, the current
recommendation), and sign-ins held on the server (accounts.models.StaffSession)."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, session

from facilitator import clock
from facilitator.accounts.models import StaffSession, User
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.text import clean_text

hasher = PasswordHasher()
MIN_PASSWORD = 10


def normalise_email(email):
    return (email or "").strip().lower()


def create_user(email, name, password, job_title="", is_admin=False):
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Refused("Enter an email address in the correct format, like name@example.org.",
                      field="email")
    name = clean_text(name, label="a name", limit=120, field="name")
    if len(password or "") < MIN_PASSWORD:
        raise Refused(f"The password must be at least {MIN_PASSWORD} characters.",
                      field="password")
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise Refused("There is already an account with that email address. Check the "
                      "address, or reactivate their account in the list.", field="email")
    user = User(email=email, name=name, job_title=job_title or "",
                password_hash=hasher.hash(password), is_admin=bool(is_admin))
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email, password):
    """The active user with this email and password, or None. Same answer for either mistake."""
    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None or not user.active:
        hasher.hash(password or "")  # spend the same time, so timing does not reveal accounts
        return None
    try:
        hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return user


def sign_in(user, method="password"):
    """Start a sign-in for `user` in this browser: a new server-side session, a fresh cookie."""
    now = clock.utcnow()
    staff_session = StaffSession(id=secrets.token_urlsafe(32), user_id=user.id, method=method,
                                 created_at=now,
                                 expires_at=now + current_app.permanent_session_lifetime)
    db.session.add(staff_session)
    db.session.commit()
    session.clear()  # nothing from before the sign-in (a guest's seat, a fixation) carries over
    session["staff_session"] = staff_session.id
    session.permanent = True
    return staff_session


def sign_out():
    staff_session = _staff_session()
    if staff_session is not None:
        staff_session.revoked_at = clock.utcnow()
        db.session.commit()
    session.clear()


def current_user():
    """The signed-in member of staff, or None: the session must still be valid on the server."""
    staff_session = _staff_session()
    if staff_session is None or not staff_session.is_valid(clock.utcnow()):
        return None
    return staff_session.user


def _staff_session():
    session_id = session.get("staff_session")
    if not isinstance(session_id, str):
        return None
    return db.session.get(StaffSession, session_id)


def end_sessions(user):
    """End every sign-in of `user`, on every device."""
    db.session.execute(db.update(StaffSession).filter_by(user_id=user.id, revoked_at=None)
                       .values(revoked_at=clock.utcnow()))


# ---- An administrator manages the accounts -----------------------------------------------------

def accounts(search=""):
    """Every account by name, or those whose name or email address holds `search` (a query
    to page)."""
    query = db.select(User).order_by(User.name, User.id)
    words = (search or "").strip()[:100]
    if words:
        pattern = f"%{words.replace('%', '').replace('_', '')}%"
        query = query.filter(User.name.ilike(pattern) | User.email.ilike(pattern))
    return query


def _account(admin, user_id):
    if admin is None or not admin.is_admin:
        raise Refused("Only an administrator can do that.", 403)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise Refused("That account could not be found.", 404)
    return user


def set_active(admin, user_id, active):
    """Deactivate an account (its sign-ins end at once) or let it sign in again."""
    user = _account(admin, user_id)
    if user.id == admin.id and not active:
        raise Refused("You cannot deactivate your own account.", 409)
    user.active = bool(active)
    if not user.active:
        end_sessions(user)
    db.session.commit()
    return user


def set_admin(admin, user_id, is_admin):
    user = _account(admin, user_id)
    if user.id == admin.id and not is_admin:
        raise Refused("You cannot take away your own administrator role. Ask another "
                      "administrator.", 409)
    user.is_admin = bool(is_admin)
    db.session.commit()
    return user


def user_for_sso(email):
    """The active account whose email the authority's sign-in vouched for, or Refused."""
    user = db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
    if user is None or not user.active:
        raise Refused("There is no Facilitator account for that sign-in. Ask an administrator "
                      "to set one up for your work email address.", 403)
    return user


def signed_in_user():
    """g.user where a request loaded it; the session's user otherwise (socket handlers)."""
    return g.user if "user" in g else current_user()
