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


def _development():
    """FACILITATOR_ENV=development: one machine over plain HTTP (scripts/run.sh, the tests)."""
    return os.environ.get("FACILITATOR_ENV", "production").strip().lower() == "development"


def _redis_or_memory(queue_url):
    return queue_url if queue_url and queue_url.startswith("redis") else "memory://"


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


def psycopg_url(url):
    """Plain postgres(ql):// URLs go to psycopg 3 (SQLAlchemy would pick the older psycopg2,
    which is not installed)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def settings(instance_path):
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{Path(instance_path) / 'facilitator.db'}"
    origins = os.environ.get("FACILITATOR_ALLOWED_ORIGINS")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": psycopg_url(os.environ.get("DATABASE_URL") or default_db),
        # A pooled connection the database closed (a restart, an idle timeout) is replaced, not
        # handed to a request that then fails.
        # hide_parameters: a database error in the log never carries what someone typed.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Socket.IO message queue (Redis) for several processes; None runs one process alone.
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # The Redis pub/sub channel on that queue: one per deployment (channels ignore db numbers).
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "facilitator"),
        # threading (the default) or gevent; see README "Live connections" for the figures.
        "SOCKETIO_ASYNC_MODE": os.environ.get("FACILITATOR_ASYNC_MODE", "threading"),
        # None means "same origin as the Host header", checked by Engine.IO on connect.
        "SOCKETIO_ALLOWED_ORIGINS": [o.strip() for o in origins.split(",")] if origins else None,
        # Names this process in the presence table, so a restart can clear its own connections.
        "FACILITATOR_INSTANCE": os.environ.get("FACILITATOR_INSTANCE", "local"),
        # Whose stability procedure a new concern follows (a row of stability_authorities).
        "FACILITATOR_AUTHORITY": os.environ.get("FACILITATOR_AUTHORITY", "borough"),
        # A staff sign-in lasts a working day; a guest's seat lasts until the browser closes.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get(
            "FACILITATOR_SESSION_HOURS", "12"))),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Cookies go over HTTPS only, except on a developer's or the demo's own machine.
        "SESSION_COOKIE_SECURE": _flag("FACILITATOR_SECURE_COOKIES", default=not _development()),
        # Sign-in and join attempts are counted per address and account: in this process's
        # memory by default, in Redis (shared by every process) when there is a message queue.
        "RATELIMIT_STORAGE_URI": os.environ.get("FACILITATOR_RATELIMIT_STORAGE")
        or _redis_or_memory(os.environ.get("SOCKETIO_MESSAGE_QUEUE")),
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies in front of the app to trust for X-Forwarded-* (0: none).
        "TRUSTED_PROXIES": int(os.environ.get("FACILITATOR_TRUSTED_PROXIES", "0")),
        # Single sign-on: the authority's OpenID Connect provider (issuer URL), when set.
        "OIDC_ISSUER": os.environ.get("FACILITATOR_OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("FACILITATOR_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("FACILITATOR_OIDC_CLIENT_SECRET", ""),
        "OIDC_BUTTON": os.environ.get("FACILITATOR_OIDC_BUTTON", "your organisation's account"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": 256 * 1024,
        # Documents by email to external attendees (documents domain). No host: emails are
        # recorded as failed with that reason, shown to the chair, and can be retried.
        "SMTP_HOST": os.environ.get("FACILITATOR_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("FACILITATOR_SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("FACILITATOR_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("FACILITATOR_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag("FACILITATOR_SMTP_STARTTLS"),
        "SMTP_SSL": _flag("FACILITATOR_SMTP_SSL"),
        "SMTP_TIMEOUT": float(os.environ.get("FACILITATOR_SMTP_TIMEOUT", "20")),
        "MAIL_FROM": os.environ.get("FACILITATOR_MAIL_FROM", "facilitator@localhost"),
        # Where the accessibility statement tells people to ask for another format or report a
        # problem: an email address (shown as a link) or words. Empty: the council's service
        # desk, in general words (never an address that reaches nobody).
        "ACCESSIBILITY_CONTACT": os.environ.get("FACILITATOR_ACCESSIBILITY_CONTACT", ""),
    }
