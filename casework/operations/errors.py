"""Errors a use case raises; the API turns them into JSON and the web into messages by a field."""
from __future__ import annotations


class CaseworkError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidField(CaseworkError):
    status = 422
    code = "invalid_field"


class NotAllowed(CaseworkError):
    """Not allowed in the case's present state, or a guard refused it."""

    status = 409
    code = "not_allowed"


class StaleVersion(CaseworkError):
    status = 409
    code = "stale_version"


class Forbidden(CaseworkError):
    status = 403
    code = "forbidden"


class NotFound(CaseworkError):
    status = 404
    code = "not_found"
