"""`flask serve`: run the app with its live connections."""
import os
import sys

import click

from facilitator.extensions import socketio
from facilitator.live.presence import forget_instance

# FACILITATOR_ASYNC_MODE=gevent: gevent must patch the standard library (locks, sockets, time)
# before the app imports anything, or a lock taken by one greenlet does not stop another.
_PATCH_THEN_FLASK = ("from gevent import monkey; monkey.patch_all(); "
                     "from flask.cli import main; main()")


def _run_patched_for_gevent():
    """Run this same `flask ... serve` command again in a Python that patches first."""
    from gevent import monkey

    if not monkey.is_module_patched("threading"):
        os.execv(sys.executable, [sys.executable, "-c", _PATCH_THEN_FLASK, *sys.argv[1:]])


def init_app(app):
    @app.cli.command("serve", help="Run the app and its live connections.")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def serve(host, port):
        if socketio.async_mode == "gevent":
            _run_patched_for_gevent()
        forget_instance(app.config["FACILITATOR_INSTANCE"])
        click.echo(f"Facilitator on http://{host}:{port}/ "
                   f"(async mode {socketio.async_mode}; Ctrl+C stops it)")
        # Flask refuses app.run() inside a `flask` command unless told this is deliberate.
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        socketio.run(app, host=host, port=port, debug=False, use_reloader=False,
                     log_output=False, allow_unsafe_werkzeug=True)
