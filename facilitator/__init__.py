"""Facilitator: live strength-based placement stability meetings."""
import os
from pathlib import Path

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from facilitator.clock import london_format
from facilitator.config import settings
from facilitator.errors import Refused
from facilitator.extensions import csrf, db, htmx, limiter, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides=None):
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    app.config.update(settings(app.instance_path))
    app.config.update(overrides or {})

    # The domains first: their Socket.IO handlers must be registered before Socket.IO is bound.
    from facilitator import (
        accounts,
        actions,
        agenda,
        audit,
        board,
        cli,
        decisions,
        documents,
        live,
        meetings,
        pages,
        panels,
        sample_authority,
        scaling,
        security,
        stability,
    )

    for domain in (accounts, meetings, agenda, board, scaling, panels, actions, decisions,
                   stability, documents, audit, pages, live):
        domain.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    socketio.init_app(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"],
                      message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
                      channel=app.config["SOCKETIO_CHANNEL"],
                      cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
                      # A phone that loses signal shows as "not connected" within ~20 s, not 45.
                      ping_interval=10, ping_timeout=10)

    cli.init_app(app)
    sample_authority.init_app(app)
    security.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        # Behind the reverse proxy, the person's address (rate limits) and the https scheme
        # (secure cookies, links) come from the proxy's X-Forwarded headers.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.add_template_filter(london_format, "london")

    @app.errorhandler(Refused)
    def refused(error):
        return render_template("refused.html", message=error.message), error.status

    @app.errorhandler(429)
    def too_many(error):
        return render_template("refused.html", heading="Too many attempts",
                               message=error.description), 429

    @app.errorhandler(404)
    def not_found(error):
        # The service's own page (its header, the way back), not the server's bare one.
        return render_template("refused.html", heading="Page not found",
                               message="If you typed the web address, check it is correct. If "
                                       "you pasted it, check you copied the whole address."), 404

    @app.errorhandler(CSRFError)
    def form_too_old(error):
        # A form whose security token is missing or no longer matches (the page was open
        # across a sign-out, or far too long): say what to do, not "The CSRF token is missing".
        return render_template("refused.html", heading="The page was open too long",
                               message="For your security, what you sent was not saved. Go "
                                       "back, reload the page and try again."), 400

    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: a write-ahead log so readers never block the writer; wait, don't fail, on a lock."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_settings(dbapi_connection, _record):
    """PostgreSQL: a request's statements are small and read along indexes; starting parallel
    workers for one costs more than they save on a small server (measured on a county's records:
    a 1 ms count took 9 ms behind a Gather). FACILITATOR_PG_PARALLEL_WORKERS allows some."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        workers = int(os.environ.get("FACILITATOR_PG_PARALLEL_WORKERS", "0"))
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET max_parallel_workers_per_gather = {workers}")
        dbapi_connection.commit()  # a setting made in a transaction rolled back is undone
