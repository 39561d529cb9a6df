"""Test app and database, built by the real migrations (SQLite by default; DATABASE_URL for PostgreSQL).

SQLite: one migrated template file, copied for every test. PostgreSQL: the schema is rebuilt by
the migrations once per run and every table is truncated between tests.
"""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import create_engine, text

from casework.config import normalise_database_url

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "CASEWORK_SCHEDULER": False,
    "MAIL_BACKEND": "outbox",
}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return normalise_database_url(url) if url and url.startswith("postgres") else None


def migrate_to_head(uri: str) -> None:
    from flask_migrate import upgrade

    from casework import create_app

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        from casework.extensions import db

        db.engine.dispose()


def private_postgres_database(url: str) -> str:
    """A database of this test run's own beside DATABASE_URL's, so parallel runs never meet."""
    base, name = url.rsplit("/", 1)
    private = f"{name}_{os.getpid()}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{private}"'))
        conn.execute(text(f'CREATE DATABASE "{private}"'))
    engine.dispose()
    return f"{base}/{private}"


def drop_postgres_database(url: str, private_url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{private_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    url = postgres_url()
    if url:
        if "test" not in url.rsplit("/", 1)[-1]:
            raise RuntimeError(f"Refusing to use {url}: the test database's name must contain 'test'")
        private = private_postgres_database(url)
        migrate_to_head(private)
        yield private
        drop_postgres_database(url, private)
        return
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate_to_head("sqlite:///" + str(path))
    yield path


def truncate_all(uri: str) -> None:
    from casework.extensions import db

    engine = create_engine(uri)
    names = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path):
    if isinstance(database_template, str):
        truncate_all(database_template)
        return database_template
    copy = tmp_path / "casework.sqlite3"
    shutil.copyfile(database_template, copy)
    return "sqlite:///" + str(copy)


@pytest.fixture
def app(database_uri):
    from casework import create_app

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        yield app
        from casework.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(database_uri) -> bool:
    return database_uri.startswith("postgresql")
