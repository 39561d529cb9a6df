"""Sign in and out: hashed passwords (scrypt), throttled failures, session expiry."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import User
from ..workdays import utc_now
from .forms import SignInForm

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "Enter a correct email address and password"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = db.session.execute(select(User).where(func.lower(User.email) == form.email.data.lower())).scalar_one_or_none()
        now = utc_now()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            form.email.errors.append(
                "Too many failed attempts. Wait 15 minutes and try again, or ask an administrator to unlock your account"
            )
        elif user is None or not user.password_hash or not check_password_hash(user.password_hash, form.password.data) or not user.is_active:
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                    user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
                    user.failed_logins = 0
                db.session.commit()
            form.email.errors.append(GENERIC_FAILURE)
        else:
            user.failed_logins = 0
            user.locked_until = None
            db.session.commit()
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form), (200 if not form.errors else 400)


@bp.post("/sign-out")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
