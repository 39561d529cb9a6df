"""Policies at run time: the current files, and every version a case was ever pinned to."""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import PolicyVersion
from ..policy import PolicyError, load_policies, load_policy_text
from ..workdays import utc_now


class UnknownPolicy(LookupError):
    pass


def init_policies(app: Flask) -> None:
    """Load and check every policy file; the app refuses to start on an invalid one."""
    directory = app.config["CASEWORK_POLICY_DIR"]
    try:
        policies = load_policies(directory)
    except PolicyError as error:
        raise RuntimeError(f"Casework will not start: the policies in {directory} are invalid:\n{error}") from error
    app.extensions["casework.policies"] = policies
    app.extensions["casework.pinned"] = {}


def current_policies() -> dict:
    return current_app.extensions["casework.policies"]


def fetch_current_policy(key: str):
    try:
        return current_policies()[key]
    except KeyError:
        raise UnknownPolicy(key) from None


def fetch_pinned_policy(key: str, version: str):
    """The policy a case was opened under, even after the file has changed since."""
    current = current_policies().get(key)
    if current is not None and current.version == version:
        return current
    pinned = current_app.extensions["casework.pinned"]
    if (key, version) not in pinned:
        row = db.session.get(PolicyVersion, (key, version))
        if row is None:
            raise UnknownPolicy(f"{key}@{version}")
        pinned[(key, version)] = load_policy_text(row.text, f"{key}@{version} (stored)")
    return pinned[(key, version)]


def pin_policy(policy) -> None:
    """Store the policy's text the first time a case uses this version."""
    exists = db.session.execute(
        select(PolicyVersion.version).where(PolicyVersion.key == policy.key, PolicyVersion.version == policy.version)
    ).first()
    if exists:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                PolicyVersion(
                    key=policy.key, version=policy.version, title=policy.title, text=policy.text, first_used_at=utc_now()
                )
            )
    except IntegrityError:  # another transaction stored it first: same text, nothing to do
        pass
