"""`flask demo`: a demo chair and a demo placement stability meeting, with the URLs to open."""
from datetime import timedelta

import click
from flask import current_app, url_for

from facilitator.accounts.models import User
from facilitator.accounts.services import create_user, hasher
from facilitator.clock import utcnow
from facilitator.extensions import db
from facilitator.meetings.models import Child, Meeting
from facilitator.meetings.services import create_meeting
from facilitator.meetings.views import bp

DEMO_EMAIL = "chair@example.org"
DEMO_PASSWORD = "demo-chair-password"
DEMO_REFERENCE = "DEMO-0001"


@bp.cli.command("demo", help="Create the demo chair and meeting (again if needed); print URLs.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def demo(base_url):
    chair = db.session.scalar(db.select(User).filter_by(email=DEMO_EMAIL))
    if chair is None:
        chair = create_user(DEMO_EMAIL, "Alex Morgan", DEMO_PASSWORD, "Team Manager")
    else:  # a demo account: always the password printed below
        chair.password_hash = hasher.hash(DEMO_PASSWORD)
        db.session.commit()
    meeting = db.session.scalar(db.select(Meeting).join(Child).filter(
        Child.case_reference == DEMO_REFERENCE, Meeting.status == "open"))
    if meeting is None:
        start = (utcnow() + timedelta(minutes=5)).replace(second=0, microsecond=0)
        meeting = create_meeting(chair, case_reference=DEMO_REFERENCE, child_name="Jordan Taylor",
                                 scheduled_at=start, location="Meeting room 2, County Hall",
                                 immediate_risk=True)
    with current_app.test_request_context(base_url=base_url):
        links = {
            "Chair signs in at": url_for("accounts.sign_in_page", _external=True),
            "   with": f"{DEMO_EMAIL} / {DEMO_PASSWORD}",
            "Chair's board": url_for("meetings.show", meeting_id=meeting.id, _external=True),
            "Projector": url_for("meetings.projector", meeting_id=meeting.id,
                                 token=meeting.projector_token, _external=True),
            "Join (phones, remote)": url_for("meetings.join", code=meeting.join_code,
                                             _external=True),
            "   or type the code": f"{meeting.join_code} at "
                                   f"{url_for('meetings.join_by_code', _external=True)}",
        }
    click.echo("Demo placement stability meeting for Jordan Taylor (DEMO-0001) is ready.")
    for label, value in links.items():
        click.echo(f"  {label:<22} {value}")
