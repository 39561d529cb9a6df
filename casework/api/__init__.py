"""The JSON API, /api/v1 (../shared/API.md): its own blueprint, auth, schemas and errors."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import errors, views  # noqa: E402,F401
