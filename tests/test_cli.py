"""The command line of API.md."""
from __future__ import annotations

from sqlalchemy import select

from casework.api.auth import hash_token
from casework.extensions import db
from casework.models import ApiToken, User, Ward


def test_create_user_with_wards_creates_unknown_wards(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["casework", "create-user", "Cllr@Example.test", "--role", "councillor",
                                 "--name", "Cllr Khan", "--ward", "Foleshill", "--ward", "St Michael's"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.email == "cllr@example.test")).scalar_one()
    assert user.role == "councillor" and user.name == "Cllr Khan"
    assert sorted(w.name for w in user.wards) == ["Foleshill", "St Michael's"]
    assert db.session.execute(select(Ward)).scalars().all()
    again = runner.invoke(args=["casework", "create-user", "cllr@example.test", "--role", "councillor"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_user_refuses_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["casework", "create-user", "a@example.test", "--role", "wizard"])
    assert result.exit_code != 0


def test_password_is_hashed(app):
    app.test_cli_runner().invoke(args=["casework", "create-user", "p@example.test", "--role", "admin", "--password", "s3cret-pass"])
    user = db.session.execute(select(User).where(User.email == "p@example.test")).scalar_one()
    assert user.password_hash and "s3cret-pass" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_issue_token_prints_token_last_and_stores_only_its_hash(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["casework", "create-user", "t@example.test", "--role", "service_recovery"])
    result = runner.invoke(args=["casework", "issue-token", "t@example.test"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
    assert stored == [hash_token(token)] and token not in stored
    assert client.get("/api/v1/policies", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    missing = runner.invoke(args=["casework", "issue-token", "nobody@example.test"])
    assert missing.exit_code != 0


def test_policies_check_passes_on_shipped_files_and_fails_on_broken(app, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["casework", "policies", "check"])
    assert ok.exit_code == 0, ok.output
    (tmp_path / "broken.toml").write_text('key = "broken"\ntitle = "Broken"\n')
    bad = runner.invoke(args=["casework", "policies", "check", str(tmp_path)])
    assert bad.exit_code != 0
    assert "broken.toml" in bad.output


def test_sweep_runs_as_of_a_given_time(app):
    from tests.factories import api_for  # noqa: F401

    from casework.operations.cases import open_case
    from datetime import datetime, timezone

    open_case(kind="complaint", procedure="corporate", received_at=datetime(2026, 3, 2, 10, tzinfo=timezone.utc), summary="Bins")
    db.session.commit()
    runner = app.test_cli_runner()
    on_due_day = runner.invoke(args=["casework", "sweep", "--at", "2026-03-05T09:00:00+00:00"])
    assert on_due_day.exit_code == 0 and "1 deadline(s) due today, 0 breached" in on_due_day.output
    later = runner.invoke(args=["casework", "sweep", "--at", "2026-03-06T09:00:00+00:00"])
    assert "0 deadline(s) due today, 1 breached" in later.output
    bad = runner.invoke(args=["casework", "sweep", "--at", "next tuesday"])
    assert bad.exit_code != 0
