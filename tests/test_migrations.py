"""The schema comes only from the migrations, and the migrations match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from casework.extensions import db


def drift() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    assert drift() == []


def test_downgrade_to_base_and_up_again(app):
    db.session.remove()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert {"cases", "clocks", "events", "users"} <= set(inspect(db.engine).get_table_names())
    assert drift() == []


def test_events_are_append_only(app):
    from tests.factories import make_user  # noqa: F401  (a user to act)
    from casework.operations.cases import open_case
    from casework.workdays import utc_now

    case = open_case(kind="complaint", procedure="corporate", received_at=utc_now(), summary="Bins")
    db.session.commit()
    for statement in ("UPDATE events SET action = 'forged'", "DELETE FROM events"):
        try:
            with db.engine.begin() as conn:
                conn.execute(text(statement))
        except Exception as error:  # noqa: BLE001 - either driver's error type
            assert "append-only" in str(error)
        else:
            raise AssertionError(f"{statement} was allowed on the audit trail")
    assert db.session.execute(text("SELECT count(*) FROM events WHERE case_id = :id"), {"id": case.id}).scalar() == 1
