"""Case references such as CMP-2026-000123: one gapless sequence per prefix and year."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import CaseSequence


def allocate_reference(prefix: str, year: int) -> str:
    """Take the next number under a row lock held until commit.

    A rolled-back transaction gives its number back, so the sequence has no gaps; two
    transactions asking at once queue on the row (PostgreSQL) or the database (SQLite).
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CaseSequence).values(prefix=prefix, year=year, last_value=0).on_conflict_do_nothing()
    )
    number = db.session.execute(
        update(CaseSequence)
        .where(CaseSequence.prefix == prefix, CaseSequence.year == year)
        .values(last_value=CaseSequence.last_value + 1)
        .returning(CaseSequence.last_value)
    ).scalar_one()
    return f"{prefix}-{year}-{number:06d}"
