"""The staff and councillor web app (GOV.UK Design System)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider
from govuk_frontend_wtf.main import WTFormsHelpers

from ..extensions import db, login_manager


class CaseworkJSONProvider(DefaultJSONProvider):
    """Dates as ISO 8601 (not Flask's RFC 822 default), money as strings."""

    @staticmethod
    def default(o):
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        if isinstance(o, Decimal):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_web(app: Flask) -> None:
    app.json_provider_class = CaseworkJSONProvider
    app.json = CaseworkJSONProvider(app)
    WTFormsHelpers(app)

    from ..models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            return db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None

    from .auth import bp as auth_bp
    from .policies import bp as policies_bp
    from .views import bp as main_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(policies_bp)

    @app.context_processor
    def inject_globals():
        return {"council_name": app.config["CASEWORK_COUNCIL_NAME"]}

    from ..api.errors import error_response, is_api_request

    def _error(status: int, title: str, message: str):
        if is_api_request():
            code = title.lower().replace(" ", "_")
            return error_response(status, code, message)
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(404)
    def not_found(error):
        return _error(404, "Page not found", "If you typed the web address, check it is correct.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error(405, "Method not allowed", f"{request.method} is not allowed here.")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _error(500, "Sorry, there is a problem with the service", "Try again later. Nothing was saved.")
