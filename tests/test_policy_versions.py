"""A case keeps the policy version it was opened under; a changed file affects new cases only."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

from casework import create_app
from casework.config import PROJECT_ROOT
from casework.extensions import db
from casework.models import Case, PolicyVersion
from casework.operations.cases import open_case, take_action
from tests.conftest import TEST_CONFIG

RECEIVED = datetime(2026, 3, 2, 10, 15, tzinfo=timezone.utc)


def test_changed_policy_applies_to_new_cases_only(database_uri, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", policies)
    config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "CASEWORK_POLICY_DIR": str(policies)}

    with create_app(config).app_context():
        old = open_case(kind="complaint", procedure="corporate", received_at=RECEIVED, summary="Before the change")
        db.session.commit()
        old_reference, old_version = old.reference, old.policy_version
        db.session.remove()

    corporate = policies / "corporate.toml"
    text = corporate.read_text()
    marker = '[clocks."stage1.respond"]'
    assert marker in text
    head, tail = text.split(marker, 1)
    tail = tail.replace("days = 10", "days = 15", 1)
    corporate.write_text(head + marker + tail)

    with create_app(config).app_context():
        new = open_case(kind="complaint", procedure="corporate", received_at=RECEIVED, summary="After the change")
        db.session.commit()
        assert new.policy_version != old_version
        old = db.session.execute(db.select(Case).where(Case.reference == old_reference)).scalar_one()
        at = datetime(2026, 3, 3, 9, tzinfo=timezone.utc)
        take_action(old, "start_stage1", actor=None, at=at)
        take_action(new, "start_stage1", actor=None, at=at)
        db.session.commit()
        old_due = next(c.due_on for c in old.clocks if c.name == "stage1.respond")
        new_due = next(c.due_on for c in new.clocks if c.name == "stage1.respond")
        assert old_due.isoformat() == "2026-03-17"  # 10 working days: the version it was opened under
        assert new_due.isoformat() == "2026-03-24"  # 15 working days: the changed file
        stored = {v for (v,) in db.session.execute(db.select(PolicyVersion.version).where(PolicyVersion.key == "corporate"))}
        assert {old_version, new.policy_version} <= stored


def test_pinned_version_text_is_stored_once(app):
    for _ in range(3):
        open_case(kind="complaint", procedure="corporate", received_at=RECEIVED, summary="x")
    db.session.commit()
    rows = db.session.execute(db.select(PolicyVersion).where(PolicyVersion.key == "corporate")).scalars().all()
    assert len(rows) == 1 and "stage1.respond" in rows[0].text
