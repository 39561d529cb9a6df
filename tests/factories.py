"""Keyword-default factories for test data (notify-api style)."""
from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from casework.extensions import db
from casework.models import Directorate, Role, ServiceArea, User, Ward

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = generate_password_hash(PASSWORD)
    return _PASSWORD_HASH


def make_user(role: str = Role.SERVICE_RECOVERY, email: str | None = None, name: str | None = None, wards=(), **kwargs) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.test",
        name=name or f"Test User {n}",
        role=str(role),
        password_hash=password_hash(),
        **kwargs,
    )
    user.wards = list(wards)
    db.session.add(user)
    db.session.commit()
    return user


def make_ward(name: str = "St Michael's") -> Ward:
    ward = Ward(name=name)
    db.session.add(ward)
    db.session.commit()
    return ward


def make_service_area(name: str = "Waste", directorate: str = "Streetpride") -> ServiceArea:
    area = ServiceArea(name=name, directorate=Directorate(name=directorate))
    db.session.add(area)
    db.session.commit()
    return area


def make_token(user: User) -> str:
    from casework.api.auth import issue_token

    token = issue_token(user)
    db.session.commit()
    return token


class Api:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, headers=self.headers, json=json, **kwargs)


def api_for(client, role: str = Role.SERVICE_RECOVERY, **kwargs) -> tuple[Api, User]:
    user = make_user(role, **kwargs)
    return Api(client, make_token(user)), user
