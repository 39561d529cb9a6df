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
    from .cases import bp as cases_bp
    from .contact import bp as contact_bp
    from .helpers import init_helpers, init_policy_filters
    from .letters import bp as letters_bp
    from .permissions import Permission, can
    from .policies import bp as policies_bp
    from .queues import bp as queues_bp
    from .search import bp as search_bp
    from .views import bp as main_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(__import__("casework.web.outbox", fromlist=["bp"]).bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(queues_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(contact_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(__import__("casework.web.reports", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("casework.web.restrictions", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("casework.web.councillors", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("casework.web.enquiries", fromlist=["bp"]).bp)
    init_helpers(app)
    init_policy_filters(app)
    app.add_template_global(lambda user, name: can(user, Permission(name)), "can")

    @app.context_processor
    def inject_globals():
        return {"council_name": app.config["CASEWORK_COUNCIL_NAME"]}

    from ..api.errors import error_response, is_api_request

    def _error(status: int, title: str, message: str):
        if is_api_request():
            code = title.lower().replace(" ", "_")
            return error_response(status, code, message)
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(403)
    def forbidden(error):
        return _error(403, "You cannot see this page", "Your role does not allow it. Ask an administrator if you think it should.")

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _error(400, "Your form timed out", "Nothing was saved. Go back, reload the page and try again.")

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
