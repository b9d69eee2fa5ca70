"""Entry point: `flask --app app ...` and WSGI servers import `app` from here."""
from facilitator import create_app

app = create_app()
