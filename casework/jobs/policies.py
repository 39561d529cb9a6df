"""The pinned policy of each case, looked up once per job run."""
from __future__ import annotations

import logging

from sqlalchemy import select

from ..extensions import db
from ..models import PolicyVersion
from ..operations.calendar import calendar_for_policy, fetch_calendar
from ..operations.policies import UnknownPolicy, current_policies, fetch_pinned_policy

log = logging.getLogger("casework.jobs")


class PolicyBook:
    def __init__(self) -> None:
        self._policies: dict[tuple[str, str], object] = {}

    def get(self, key: str, version: str):
        """The policy a case is pinned to, or None when it can no longer be loaded."""
        if (key, version) not in self._policies:
            try:
                self._policies[(key, version)] = fetch_pinned_policy(key, version)
            except UnknownPolicy:
                log.warning("Policy %s@%s is not stored; using default reminder settings", key, version)
                self._policies[(key, version)] = None
        return self._policies[(key, version)]

    def calendar(self, policy):
        return calendar_for_policy(policy) if policy is not None else fetch_calendar()

    def all_in_use(self) -> list:
        """The current policies and every version a case was ever pinned to."""
        found = {(p.key, p.version): p for p in current_policies().values()}
        for key, version in db.session.execute(select(PolicyVersion.key, PolicyVersion.version)).all():
            if (key, version) not in found:
                policy = self.get(key, version)
                if policy is not None:
                    found[(key, version)] = policy
        return list(found.values())

    @staticmethod
    def clock_definition(policy, name: str):
        return policy.clocks.get(name) if policy is not None else None

    @staticmethod
    def state_title(policy, state: str) -> str:
        if policy is not None and state in policy.states:
            return policy.states[state].title
        return state.replace("_", " ").capitalize()
