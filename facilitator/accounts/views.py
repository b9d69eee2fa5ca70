from functools import wraps

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, g, redirect, render_template, request, url_for

from facilitator.accounts import services, sso
from facilitator.accounts.forms import AccountForm, SignInForm
from facilitator.accounts.services import authenticate, current_user, sign_in
from facilitator.errors import Refused, beside_field
from facilitator.extensions import limiter
from facilitator.live.presence import disconnect_user
from facilitator.paging import page_number, page_of

ACCOUNTS_PER_PAGE = 50

bp = Blueprint("accounts", __name__, cli_group=None)

TOO_MANY = "Too many attempts to sign in. Wait 15 minutes, then try again."


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


def _account_key():
    return "account:" + services.normalise_email(request.form.get("email"))


def _failed(response):
    return response.status_code == 401


def _safe_next(target):
    """Only ever go back to a path on this site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("meetings.index")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
# Per address, every attempt; per account, failed ones only (a lock-out of 15 minutes).
@limiter.limit("20 per 15 minutes", methods=["POST"], error_message=TOO_MANY)
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_account_key,
               deduct_when=_failed, error_message=TOO_MANY)
def sign_in_page():
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next", "")))
        # Beside the email address, as GOV.UK does: it never says which of the two was wrong.
        error = beside_field(form, Refused("The email address or password is not right. "
                                           "Check both and try again.", field="email"))
        status = 401
    else:
        status = 400 if form.errors else 200
    return render_template("accounts/sign_in.html", form=form, error=error,
                           sso=sso.enabled()), status


@bp.get("/sign-in/sso")
@limiter.limit("20 per 15 minutes", error_message=TOO_MANY)
def sign_in_sso():
    return sso.provider().authorize_redirect(url_for("accounts.sso_callback", _external=True))


@bp.get("/sign-in/sso/callback")
@limiter.limit("20 per 15 minutes", error_message=TOO_MANY)
def sso_callback():
    try:
        token = sso.provider().authorize_access_token()
    except OAuthError:
        raise Refused("Your organisation's sign-in did not finish. Try again from the sign-in "
                      "page.", 401)
    sign_in(services.user_for_sso(sso.verified_email(token)), method="sso")
    return redirect(url_for("meetings.index"))


@bp.post("/sign-out")
def sign_out():
    if g.user is not None:
        disconnect_user(g.user.id)
    services.sign_out()
    return redirect(url_for("accounts.sign_in_page"))


# ---- Accounts, for an administrator -----------------------------------------------------------

def _accounts_page(form=None, error=None, status=200):
    search = request.args.get("q", "")
    users = page_of(services.accounts(search), page_number(request.args.get("page")),
                    ACCOUNTS_PER_PAGE)
    return render_template("accounts/accounts.html", users=users, search=search,
                           form=form or AccountForm(), error=error), status


@bp.get("/admin/accounts")
@admin_required
def accounts():
    return _accounts_page()


@bp.post("/admin/accounts")
@admin_required
def create_account():
    form = AccountForm()
    if not form.validate_on_submit():
        return _accounts_page(form, status=400)
    try:
        services.create_user(form.email.data, form.name.data, form.password.data,
                             form.job_title.data, is_admin=form.is_admin.data)
    except Refused as refused:
        return _accounts_page(form, beside_field(form, refused), refused.status)
    return redirect(url_for("accounts.accounts"), code=303)


@bp.post("/admin/accounts/<int:user_id>/active")
@admin_required
def set_active(user_id):
    user = services.set_active(g.user, user_id, request.form.get("active") == "1")
    if not user.active:
        disconnect_user(user.id)  # their open meeting pages lose their connection now
    return redirect(url_for("accounts.accounts"), code=303)


@bp.post("/admin/accounts/<int:user_id>/admin")
@admin_required
def set_admin(user_id):
    services.set_admin(g.user, user_id, request.form.get("admin") == "1")
    return redirect(url_for("accounts.accounts"), code=303)
