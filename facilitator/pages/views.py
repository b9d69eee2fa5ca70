"""The accessibility statement: the GOV.UK model statement's sections, written from the
service's own test results (see the template), with the contact from the settings."""
from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/accessibility")
def accessibility():
    contact = current_app.config["ACCESSIBILITY_CONTACT"].strip()
    return render_template("pages/accessibility.html", contact=contact,
                           contact_is_email="@" in contact and " " not in contact)
