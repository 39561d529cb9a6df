"""Who is told: the case's officer, the team manager, the senior officer, directors.

Loaded once per job run (a council has hundreds of staff, not millions), so deciding for
thousands of clocks costs no query per clock.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Role, ServiceArea, User
from ..notifications import Recipient


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    role: str


class Directory:
    def __init__(self) -> None:
        rows = db.session.execute(
            select(User.id, User.name, User.email, User.role).where(User.is_active_user.is_(True)).order_by(User.id)
        ).all()
        self.people = {r.id: Person(r.id, r.name, r.email, r.role) for r in rows}
        self.by_role: dict[str, list[int]] = {}
        for person in self.people.values():
            self.by_role.setdefault(person.role, []).append(person.id)
        areas = db.session.execute(select(ServiceArea.id, ServiceArea.name, ServiceArea.manager_id)).all()
        self.area_names = {a.id: a.name for a in areas}
        self.managers = {a.id: a.manager_id for a in areas if a.manager_id in self.people}

    def name(self, user_id: int | None) -> str | None:
        person = self.people.get(user_id)
        return person.name if person else None

    def area_name(self, area_id: int | None) -> str | None:
        return self.area_names.get(area_id)

    def role(self, role: str, reason: str) -> list[Recipient]:
        return [Recipient(uid, reason) for uid in self.by_role.get(role, ())]

    def manager_of(self, area_id: int | None) -> int | None:
        return self.managers.get(area_id)

    def officer(self, assignee_id: int | None, area_id: int | None) -> list[Recipient]:
        """The assigned officer; for an unassigned case the service area's manager, else the
        Service Recovery Team (else administrators, so it never goes unheard)."""
        if assignee_id in self.people:
            return [Recipient(assignee_id, "You are the officer assigned to this case.")]
        manager = self.manager_of(area_id)
        if manager is not None:
            return [Recipient(manager, f"Nobody is assigned to this case and you manage its service area ({self.area_name(area_id)}).")]
        reason = "Nobody is assigned to this case and its service area has no manager."
        return self.role(Role.SERVICE_RECOVERY, reason) or self.role(Role.ADMIN, reason)

    def team_manager(self, area_id: int | None) -> list[Recipient]:
        manager = self.manager_of(area_id)
        if manager is not None:
            return [Recipient(manager, f"You manage this case's service area ({self.area_name(area_id)}).")]
        return self.role(Role.SERVICE_RECOVERY, "This case's service area has no manager, so the Service Recovery Team is told.")

    def senior_officer(self, area_id: int | None) -> list[Recipient]:
        """001 §7.1: the senior officer responsible — the service area's manager, else directors."""
        manager = self.manager_of(area_id)
        if manager is not None:
            return [Recipient(manager, f"You are the senior officer responsible for {self.area_name(area_id)}.")]
        return self.role(Role.DIRECTOR, "The enquiry's service area has no manager, so it is escalated to directors.") \
            or self.role(Role.ADMIN, "No manager or director to escalate to, so administrators are told.")

    def directors_and_admins(self, reason: str) -> list[Recipient]:
        return self.role(Role.DIRECTOR, reason) + self.role(Role.ADMIN, reason)

    def councillor(self, user_id: int | None, reason: str) -> list[Recipient]:
        if user_id in self.people and self.people[user_id].role == Role.COUNCILLOR:
            return [Recipient(user_id, reason)]
        return []
