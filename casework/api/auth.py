"""Bearer-token authentication for the API; tokens are stored as SHA-256 digests."""
from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from flask import g, request
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..workdays import utc_now
from .errors import error_response


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User) -> str:
    token = "cw_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), created_at=utc_now()))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.is_active:
        return None
    return row.user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_response(401, "unauthorized", "Send an API token: Authorization: Bearer TOKEN")
        user = user_for_token(token.strip())
        if user is None:
            return error_response(401, "unauthorized", "That API token is not valid")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper
