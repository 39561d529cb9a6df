"""What the policy package raises: load problems and refused actions.

Both carry words a person can act on — a council officer fixing a policy file, or a
caseworker told why an action cannot be taken — because they end up on screens and in
`flask casework policies check` output, not only in logs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "PolicyError", "ActionRefused", "REFUSAL_STATUS"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a policy file: where (file and key path) and why."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(top)'}: {self.message}"


class PolicyError(ValueError):
    """A policy (or a directory of them) failed to load; lists every problem found."""

    def __init__(self, problems):
        self.problems = sorted(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the policies:\n"
            + "\n".join(f"  {p}" for p in self.problems)
        )


# The HTTP status the JSON API gives each refusal code (API.md "Errors").
REFUSAL_STATUS = {
    "unknown_action": 400,
    "not_allowed": 409,
    "forbidden": 403,
    "invalid_field": 422,
    "cap_exceeded": 422,
}


class ActionRefused(Exception):
    """The engine will not perform an action; nothing about the case has changed.

    `code` is one of REFUSAL_STATUS's keys; `field` names the request field at fault
    (or the field that would overcome the refusal, e.g. ``discretion_reason``).
    """

    def __init__(self, code: str, message: str, field: str | None = None):
        if code not in REFUSAL_STATUS:
            raise ValueError(f"unknown refusal code {code!r}")
        self.code = code
        self.message = message
        self.field = field
        super().__init__(message)

    @property
    def status(self) -> int:
        return REFUSAL_STATUS[self.code]

    def __repr__(self) -> str:
        return f"ActionRefused({self.code!r}, {self.message!r}, field={self.field!r})"
