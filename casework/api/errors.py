"""Every API error is JSON: {"error": CODE, "message": TEXT, "field": NAME-or-null}."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..operations.errors import CaseworkError
from . import bp


def error_response(status: int, code: str, message: str, field: str | None = None):
    response = jsonify({"error": code, "message": message, "field": field})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casework"'
    return response


@bp.errorhandler(CaseworkError)
def handle_casework_error(error: CaseworkError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.field)


@bp.errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    db.session.rollback()
    code = (error.name or "error").lower().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or error.name)


@bp.errorhandler(Exception)
def handle_unexpected(error: Exception):  # pragma: no cover - a bug; still JSON, still rolled back
    db.session.rollback()
    bp_logger = __import__("logging").getLogger("casework.api")
    bp_logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "Something went wrong on our side; nothing was saved.")


def is_api_request() -> bool:
    return request.path.startswith(bp.url_prefix + "/") or request.path == bp.url_prefix
