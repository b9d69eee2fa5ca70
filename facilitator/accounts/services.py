"""Creating staff accounts and checking passwords (Argon2id, the current recommendation)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import session

from facilitator.accounts.models import User
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
        raise Refused("Enter an email address in the correct format, like name@example.org.")
    name = clean_text(name, label="a name", limit=120)
    if len(password or "") < MIN_PASSWORD:
        raise Refused(f"The password must be at least {MIN_PASSWORD} characters.")
    if db.session.scalar(db.select(User).filter_by(email=email)):
        raise Refused("There is already an account with that email address.")
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


def sign_in(user):
    session.clear()
    session["user_id"] = user.id
    session.permanent = True


def current_user():
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None
