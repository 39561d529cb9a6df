"""`flask casework ...` commands (API.md "Application and command line")."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from .extensions import db
from .models import Role, User, Ward

casework_cli = click.Group("casework", help="Casework administration commands.")


def init_cli(app: Flask) -> None:
    from .jobs.commands import run_job_command

    casework_cli.add_command(run_job_command)
    app.cli.add_command(casework_cli)


def fetch_or_create_ward(name: str) -> Ward:
    ward = db.session.execute(select(Ward).where(func.lower(Ward.name) == name.strip().lower())).scalar_one_or_none()
    if ward is None:
        ward = Ward(name=name.strip())
        db.session.add(ward)
    return ward


def create_user(email: str, role: str, name: str | None = None, password: str | None = None, wards=()) -> User:
    email = email.strip().lower()
    if db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none():
        raise click.ClickException(f"A user with the e-mail address {email} already exists")
    user = User(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        role=role,
        password_hash=generate_password_hash(password) if password else None,
    )
    user.wards = [fetch_or_create_ward(w) for w in wards]
    db.session.add(user)
    return user


@casework_cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None)
@click.option("--password", default=None, help="Leave out to create a user who signs in only with an API token.")
@click.option("--ward", "wards", multiple=True, help="A ward a councillor represents (repeatable).")
def create_user_command(email, role, name, password, wards):
    """Create a user with a role (and wards, for a councillor)."""
    if wards and role != Role.COUNCILLOR:
        raise click.ClickException("--ward is for councillors")
    user = create_user(email, role, name, password, wards)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role})")


@casework_cli.command("issue-token")
@click.argument("email")
def issue_token_command(email):
    """Print a new API token for a user (stored hashed; shown once)."""
    from .api.auth import issue_token

    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No user with the e-mail address {email}")
    token = issue_token(user)
    db.session.commit()
    click.echo(f"API token for {user.email} (keep it secret; it is not shown again):")
    click.echo(token)


@casework_cli.command("demo")
@click.option("--cases", "n_cases", default=2000, show_default=True, type=click.IntRange(0, 20_000_000))
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--seed", default=2026, show_default=True)
def demo_command(n_cases, if_empty, seed):
    """Load realistic demo data for a city council (users, wards, services, people, cases)."""
    from .demo import load_demo

    if if_empty and db.session.execute(select(func.count(User.id))).scalar_one():
        click.echo("The database already has data; demo data not loaded.")
        return
    load_demo(n_cases=n_cases, seed=seed, echo=click.echo)


@casework_cli.group("wards")
def wards_group():
    """Wards and the postcode → ward table."""


@wards_group.command("load-postcodes")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--replace", is_flag=True, help="Replace the whole table instead of adding to it.")
def wards_load_postcodes(csv_file, replace):
    """Load postcode → ward rows from a CSV with the columns postcode,ward."""
    from .operations.councillors import load_postcode_wards
    from .operations.errors import CaseworkError

    try:
        count = load_postcode_wards(csv_file.read(), replace=replace)
    except CaseworkError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Loaded {count} postcode(s).")


@casework_cli.group("policies")
def policies_group():
    """Check and list the policy files."""


@policies_group.command("check")
@click.argument("directory", required=False)
def policies_check(directory):
    """Report every problem in the policy files at once (exit 1 if any)."""
    from .policy import check_policies

    directory = directory or current_app.config["CASEWORK_POLICY_DIR"]
    problems = check_policies(directory)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in {directory}")
    click.echo(f"All policies in {directory} are valid.")


@casework_cli.command("sweep")
@click.option("--at", "at", default=None, help="Run as if it were this ISO date-time (default: now).")
def sweep_command(at):
    """Run the deadline sweep once (what the scheduler runs on its timer)."""
    from .jobs.sweep import run_sweep
    from .workdays import utc_now

    when = utc_now()
    if at:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise click.ClickException("--at must be an ISO 8601 date-time, e.g. 2026-03-20T09:00:00+00:00") from None
        if when.tzinfo is None:
            from .workdays import LONDON

            when = when.replace(tzinfo=LONDON)
    result = run_sweep(when)
    db.session.commit()
    click.echo(result.describe())


@casework_cli.command("scheduler")
def scheduler_command():
    """Run the scheduler in the foreground (one such process beside the web workers)."""
    from .jobs import run_scheduler_forever

    run_scheduler_forever(current_app._get_current_object())
