"""`flask serve`: run the app with its live connections."""
import os

import click

from facilitator.extensions import socketio
from facilitator.live.presence import forget_instance


def init_app(app):
    @app.cli.command("serve", help="Run the app and its live connections.")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    def serve(host, port):
        forget_instance(app.config["FACILITATOR_INSTANCE"])
        click.echo(f"Facilitator on http://{host}:{port}/ "
                   f"(async mode {socketio.async_mode}; Ctrl+C stops it)")
        # Flask refuses app.run() inside a `flask` command unless told this is deliberate.
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        socketio.run(app, host=host, port=port, debug=False, use_reloader=False,
                     log_output=False, allow_unsafe_werkzeug=True)
