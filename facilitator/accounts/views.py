from functools import wraps

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from facilitator.accounts.forms import SignInForm
from facilitator.accounts.services import authenticate, current_user, sign_in
from facilitator.errors import Refused
from facilitator.live.presence import disconnect_user

bp = Blueprint("accounts", __name__, cli_group=None)


def staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("accounts.sign_in_page", next=request.path))
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("accounts.sign_in_page", next=request.path))
        if not g.user.is_admin:
            raise Refused("Only an administrator can do that.", 403)
        return view(*args, **kwargs)
    return wrapped


@bp.before_app_request
def load_user():
    g.user = current_user()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            sign_in(user)
            target = request.args.get("next", "")
            # Only ever go back to a path on this site.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("meetings.index")
            return redirect(target)
        error = "The email address or password is not right."
    status = 401 if error else 200
    return render_template("accounts/sign_in.html", form=form, error=error), status


@bp.post("/sign-out")
def sign_out():
    if g.user is not None:
        disconnect_user(g.user.id)
    session.clear()
    return redirect(url_for("accounts.sign_in_page"))
