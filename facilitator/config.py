"""Settings, all from environment variables with safe defaults for one machine."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path):
    """Use FACILITATOR_SECRET_KEY, else one kept in instance/ so restarts keep people signed in."""
    key = os.environ.get("FACILITATOR_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def settings(instance_path):
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{Path(instance_path) / 'facilitator.db'}"
    origins = os.environ.get("FACILITATOR_ALLOWED_ORIGINS")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        # Socket.IO message queue (Redis) for several processes; None runs one process alone.
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # threading: the simple default; see README "Live connections" for why.
        "SOCKETIO_ASYNC_MODE": os.environ.get("FACILITATOR_ASYNC_MODE", "threading"),
        # None means "same origin as the Host header", checked by Engine.IO on connect.
        "SOCKETIO_ALLOWED_ORIGINS": [o.strip() for o in origins.split(",")] if origins else None,
        # Names this process in the presence table, so a restart can clear its own connections.
        "FACILITATOR_INSTANCE": os.environ.get("FACILITATOR_INSTANCE", "local"),
        # A staff sign-in lasts a working day; a guest's seat lasts until the browser closes.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get(
            "FACILITATOR_SESSION_HOURS", "12"))),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _flag("FACILITATOR_SECURE_COOKIES"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": 256 * 1024,
    }
